//! The input side, what `estimate` reads: requests summed by the image
//! size they will get, and the requests that would change the bill or be
//! refused, by kind of finding.
//!
//! Each request is judged against one card model: its `imageSize` (missing,
//! misspelled, unknown, not offered, not taken), its `candidateCount`, the
//! model it names, its reference images, the media that are not images and
//! whether it asks for Google Search. Nothing here prices: the report
//! prices each size's sums once.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use serde::Serialize;

use super::driver::{BatchReader, Place, Sightings};
use super::file_error::BatchFileError;
use super::output::model_for_version;
use crate::card::{Model, RateCard};
use crate::scan::{CandidateCount, ContentCounts, InputLine, MediaCounts, ScanOptions};
use crate::size::ImageSize;

/// Characters per prompt token in the estimate: tokens = ceil(chars / 4).
pub const CHARS_PER_TOKEN: u64 = 4;

/// A kind of request that changes the bill or is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// No `imageSize`: the API makes it the default (1K); priced so.
    MissingImageSize,
    /// A size in the wrong spelling (`2k`, `0.5K`): the API refuses it.
    MisspelledImageSize,
    /// Not a size at all (`1024`): the API refuses it.
    UnknownImageSize,
    /// A size the model does not offer (`512` on Nano Banana Pro).
    SizeNotOffered,
    /// An `imageSize` for a model that takes none: the API refuses it.
    ImageSizeNotTaken,
    /// A `candidateCount` that is not a whole number from 1 to 2147483647
    /// (the largest int32), as a number or a string holding one.
    InvalidCandidateCount,
    /// The request's own `model` names another model than `--model`.
    OtherModel,
    /// A key an earlier request had: both run and both are billed.
    DuplicateKey,
    /// Reference images the card cannot price (no `input_image_tokens`).
    UnpricedReferenceImages,
    /// Media parts that are not images (video, audio, PDF, other): billed
    /// by a length the request does not show, so not priced.
    UnpricedMedia,
    /// A Google Search tool: grounding, billed per search query after a
    /// monthly free allowance, so not in the estimate.
    SearchTool,
}

impl FindingKind {
    /// The kind as JSON writes it: `invalid_candidate_count`.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::MissingImageSize => "missing_image_size",
            FindingKind::MisspelledImageSize => "misspelled_image_size",
            FindingKind::UnknownImageSize => "unknown_image_size",
            FindingKind::SizeNotOffered => "size_not_offered",
            FindingKind::ImageSizeNotTaken => "image_size_not_taken",
            FindingKind::InvalidCandidateCount => "invalid_candidate_count",
            FindingKind::OtherModel => "other_model",
            FindingKind::DuplicateKey => "duplicate_key",
            FindingKind::UnpricedReferenceImages => "unpriced_reference_images",
            FindingKind::UnpricedMedia => "unpriced_media",
            FindingKind::SearchTool => "search_tool",
        }
    }

    /// Whether requests with this finding are refused and left unpriced.
    pub fn rejects(self) -> bool {
        matches!(
            self,
            FindingKind::MisspelledImageSize
                | FindingKind::UnknownImageSize
                | FindingKind::SizeNotOffered
                | FindingKind::ImageSizeNotTaken
                | FindingKind::InvalidCandidateCount
        )
    }
}

/// One request with a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FindingLine {
    /// The 1-based line number.
    pub line: u64,
    /// The request's key, when it has one.
    pub key: Option<String>,
    /// The offending value as written (`2k`, `1024`, the other model); for
    /// a `candidateCount`, the value as written and what is wrong with it
    /// (`1.5 is not a whole number`); for a duplicate key, the line it was
    /// first seen on.
    pub value: Option<String>,
}

/// Sums over a set of requests. `u128` so that nothing overflows while
/// reading; narrowed (checked) when priced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestSums {
    /// Requests.
    pub requests: u128,
    /// Of which set no `imageSize`.
    pub without_size: u128,
    /// Images asked for.
    pub images: u128,
    /// Characters of prompt text.
    pub prompt_chars: u128,
    /// Estimated prompt tokens: ceil(chars / [`CHARS_PER_TOKEN`]) per
    /// request, summed.
    pub prompt_tokens: u128,
    /// Inline (reference) images.
    pub inline_images: u128,
    /// `fileData` parts that are images.
    pub file_parts: u128,
    /// Media parts that are not images, by kind.
    pub other_media: MediaSums,
    /// Requests with a Google Search tool.
    pub search_requests: u128,
}

/// Media parts that are not images, summed by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaSums {
    /// `video/*` parts.
    pub video: u128,
    /// `audio/*` parts.
    pub audio: u128,
    /// `application/pdf` parts.
    pub pdf: u128,
    /// Parts of any other MIME type, or none.
    pub other: u128,
}

impl MediaSums {
    fn add(&mut self, counts: &MediaCounts) {
        self.video += u128::from(counts.video);
        self.audio += u128::from(counts.audio);
        self.pdf += u128::from(counts.pdf);
        self.other += u128::from(counts.other);
    }

    /// Adds the sums of other requests.
    pub fn merge(&mut self, other: &MediaSums) {
        self.video += other.video;
        self.audio += other.audio;
        self.pdf += other.pdf;
        self.other += other.other;
    }
}

impl RequestSums {
    /// Adds one request asking for `images` images, its parts holding
    /// `content`, with a Google Search tool when `search`.
    pub fn add(&mut self, sized: bool, images: u64, content: &ContentCounts, search: bool) {
        self.requests += 1;
        self.without_size += u128::from(!sized);
        self.images += u128::from(images);
        self.prompt_chars += u128::from(content.prompt_chars);
        self.prompt_tokens += u128::from(content.prompt_chars.div_ceil(CHARS_PER_TOKEN));
        self.inline_images += u128::from(content.inline_images);
        self.file_parts += u128::from(content.file_parts);
        self.other_media.add(&content.other_media);
        self.search_requests += u128::from(search);
    }

    /// Adds the sums of other requests.
    pub fn merge(&mut self, other: &RequestSums) {
        self.requests += other.requests;
        self.without_size += other.without_size;
        self.images += other.images;
        self.prompt_chars += other.prompt_chars;
        self.prompt_tokens += other.prompt_tokens;
        self.inline_images += other.inline_images;
        self.file_parts += other.file_parts;
        self.other_media.merge(&other.other_media);
        self.search_requests += other.search_requests;
    }
}

/// What the requests of an input file add up to for one model; blank and
/// malformed lines are the [`BatchReader`]'s.
#[derive(Debug)]
pub struct Requests<'card> {
    card: &'card RateCard,
    model: &'card Model,
    /// Requests priced.
    pub priced: u64,
    /// Requests the API would refuse.
    pub rejected: u64,
    /// Sums of the priced requests by the size they get.
    pub sums: BTreeMap<ImageSize, RequestSums>,
    /// Requests by kind of finding, the first few of each listed.
    pub findings: BTreeMap<FindingKind, Sightings<FindingLine>>,
    /// Whether a request's `model` value (as written) is `model`.
    same_model: HashMap<String, bool>,
}

impl<'card> Requests<'card> {
    /// Nothing read yet, for jobs that run `model` of `card`.
    pub fn new(card: &'card RateCard, model: &'card Model) -> Self {
        Self {
            card,
            model,
            priced: 0,
            rejected: 0,
            sums: BTreeMap::new(),
            findings: BTreeMap::new(),
            same_model: HashMap::new(),
        }
    }

    /// The model the requests are judged for.
    pub fn model(&self) -> &'card Model {
        self.model
    }

    fn find(
        &mut self,
        kind: FindingKind,
        line: u64,
        key: &Option<String>,
        value: impl FnOnce() -> Option<String>,
    ) {
        self.findings.entry(kind).or_default().record(|| FindingLine {
            line,
            key: key.clone(),
            value: value(),
        });
    }

    /// The size a request gets, or the finding that rejects it.
    pub fn size_for(&self, image_size: &Option<String>) -> Result<ImageSize, FindingKind> {
        let Some(written) = image_size else {
            return Ok(self.model.default_size);
        };
        if !self.model.takes_image_size {
            return Err(FindingKind::ImageSizeNotTaken);
        }
        match ImageSize::from_api_value(written) {
            Some(size) if self.model.size(size).is_some() => Ok(size),
            Some(_) => Err(FindingKind::SizeNotOffered),
            None if written.parse::<ImageSize>().is_ok() => Err(FindingKind::MisspelledImageSize),
            None => Err(FindingKind::UnknownImageSize),
        }
    }

    /// Takes one line the reader handed over; `first` is where its key was
    /// first seen, when it was.
    pub fn add(&mut self, place: Place<'_>, line: InputLine, first: Option<Place<'_>>) {
        let InputLine::Request { key, model, image_size, candidate_count, content, search } = line else {
            return;
        };
        let line_number = place.line;
        if let Some(first) = first {
            self.find(FindingKind::DuplicateKey, line_number, &key, || {
                Some(format!("first on line {}", first.line))
            });
        }
        if let Some(named) = &model {
            let same = match self.same_model.get(named) {
                Some(&same) => same,
                None => {
                    let same =
                        model_for_version(self.card, named).is_some_and(|found| found.id == self.model.id);
                    self.same_model.insert(named.clone(), same);
                    same
                }
            };
            if !same {
                self.find(FindingKind::OtherModel, line_number, &key, || Some(named.clone()));
            }
        }
        let size = match self.size_for(&image_size) {
            Ok(size) => size,
            Err(kind) => {
                self.rejected += 1;
                self.find(kind, line_number, &key, || image_size.clone());
                return;
            }
        };
        let candidates = match candidate_count.as_ref().map(images_asked).unwrap_or(Ok(1)) {
            Ok(images) => images,
            Err(problem) => {
                self.rejected += 1;
                self.find(FindingKind::InvalidCandidateCount, line_number, &key, || Some(problem));
                return;
            }
        };
        if image_size.is_none() && self.model.takes_image_size {
            self.find(FindingKind::MissingImageSize, line_number, &key, || None);
        }
        let references = content.inline_images + content.file_parts;
        if self.model.input_image_tokens.is_none() && references > 0 {
            self.find(FindingKind::UnpricedReferenceImages, line_number, &key, || {
                Some(references.to_string())
            });
        }
        if content.other_media.total() > 0 {
            let media = content.other_media;
            self.find(FindingKind::UnpricedMedia, line_number, &key, || Some(describe_media(&media)));
        }
        if search {
            self.find(FindingKind::SearchTool, line_number, &key, || None);
        }
        self.priced += 1;
        self.sums.entry(size).or_default().add(image_size.is_some(), candidates, &content, search);
    }
}

/// The most images a request can ask for: `candidateCount` is an int32.
pub const MOST_CANDIDATES: i64 = i32::MAX as i64;

/// The images a `candidateCount` asks for, or, when the API refuses it,
/// the value as written and what is wrong with it (`1.5 is not a whole
/// number`).
pub fn images_asked(count: &CandidateCount) -> Result<u64, String> {
    match count {
        CandidateCount::Whole { value, .. } if (1..=MOST_CANDIDATES).contains(value) => {
            Ok(value.unsigned_abs())
        }
        CandidateCount::Whole { value, written } if *value < 1 => Err(format!("{written} is less than 1")),
        CandidateCount::Whole { written, .. } => {
            Err(format!("{written} is more than the API takes ({MOST_CANDIDATES})"))
        }
        CandidateCount::Fraction { written } => Err(format!("{written} is not a whole number")),
        CandidateCount::NotANumber { written } => Err(format!("{written} is not a number")),
    }
}

/// Media counts as people read them: `1 video, 2 PDF`, kinds with none
/// left out.
pub fn describe_media(media: &MediaCounts) -> String {
    let kinds = [("video", media.video), ("audio", media.audio), ("PDF", media.pdf), ("other", media.other)];
    let named: Vec<String> =
        kinds.iter().filter(|(_, count)| *count > 0).map(|(kind, count)| format!("{count} {kind}")).collect();
    named.join(", ")
}

/// Whole-file sums of an input file, with no card and no judgement: what a
/// synthetic file's writer promises and a scan must find.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputFileSums {
    /// Request sums by `imageSize` as written (`None`: not set).
    pub sizes: BTreeMap<Option<String>, RequestSums>,
    /// Blank lines.
    pub blank_lines: u64,
    /// Lines that are not requests.
    pub malformed_lines: u64,
    /// Requests whose key an earlier request had.
    pub duplicate_keys: u64,
    /// All lines.
    pub lines: u64,
}

/// Reads a whole input file (named `name` in errors) into sums; a request
/// without a valid `candidateCount` counts one image.
pub fn sum_input_file<R: Read + Send>(
    name: &str,
    reader: R,
    options: &ScanOptions,
) -> Result<InputFileSums, BatchFileError> {
    let mut sums = InputFileSums::default();
    let mut batch = BatchReader::new(false);
    batch.read_source(name.to_owned(), reader, options, |_, line, first| {
        if let InputLine::Request { image_size, candidate_count, content, search, .. } = line {
            let images = candidate_count.as_ref().and_then(|count| images_asked(count).ok()).unwrap_or(1);
            let sized = image_size.is_some();
            sums.sizes.entry(image_size).or_default().add(sized, images, &content, search);
            sums.duplicate_keys += u64::from(first.is_some());
        }
    })?;
    let total = batch.total();
    sums.lines = total.read;
    sums.blank_lines = total.blank;
    sums.malformed_lines = total.malformed;
    Ok(sums)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_each_image_size_for_the_model() {
        let card = RateCard::embedded();
        let model = |name| card.resolve(name).unwrap().model;
        let cases = [
            ("flash", Some("2K"), Ok(ImageSize::K2)),
            ("flash", Some("512"), Ok(ImageSize::S512)),
            ("flash", None, Ok(ImageSize::K1)),
            ("flash", Some("2k"), Err(FindingKind::MisspelledImageSize)),
            ("flash", Some("0.5K"), Err(FindingKind::MisspelledImageSize)),
            ("flash", Some(" 4K"), Err(FindingKind::MisspelledImageSize)),
            ("flash", Some("1024"), Err(FindingKind::UnknownImageSize)),
            ("flash", Some("true"), Err(FindingKind::UnknownImageSize)),
            ("pro", Some("512"), Err(FindingKind::SizeNotOffered)),
            ("pro", Some("2K"), Ok(ImageSize::K2)),
            ("nano-banana", Some("1K"), Err(FindingKind::ImageSizeNotTaken)),
            ("nano-banana", None, Ok(ImageSize::K1)),
        ];
        for (name, written, want) in cases {
            let requests = Requests::new(&card, model(name));
            assert_eq!(requests.size_for(&written.map(str::to_owned)), want, "{name} {written:?}");
        }
    }

    #[test]
    fn names_each_finding_kind_as_json_does() {
        use FindingKind::*;
        let kinds = [
            MissingImageSize,
            MisspelledImageSize,
            UnknownImageSize,
            SizeNotOffered,
            ImageSizeNotTaken,
            InvalidCandidateCount,
            OtherModel,
            DuplicateKey,
            UnpricedReferenceImages,
            UnpricedMedia,
            SearchTool,
        ];
        for kind in kinds {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
    }

    #[test]
    fn takes_a_candidate_count_from_1_to_the_largest_int32() {
        let whole = |value| CandidateCount::Whole { value, written: value.to_string() };
        let cases = [
            (whole(1), Ok(1)),
            (whole(2), Ok(2)),
            (whole(2_147_483_647), Ok(2_147_483_647)),
            (whole(2_147_483_648), Err("2147483648 is more than the API takes (2147483647)")),
            (whole(i64::MAX), Err("9223372036854775807 is more than the API takes (2147483647)")),
            (whole(0), Err("0 is less than 1")),
            (whole(i64::MIN), Err("-9223372036854775808 is less than 1")),
            (CandidateCount::Fraction { written: "1.5".into() }, Err("1.5 is not a whole number")),
            (CandidateCount::NotANumber { written: "\"two\"".into() }, Err("\"two\" is not a number")),
        ];
        for (count, want) in cases {
            assert_eq!(images_asked(&count), want.map_err(str::to_owned), "{count:?}");
        }
    }

    #[test]
    fn rounds_prompt_tokens_up_per_request() {
        let mut sums = RequestSums::default();
        let chars = |prompt_chars| ContentCounts { prompt_chars, ..ContentCounts::default() };
        sums.add(true, 1, &chars(1), false);
        sums.add(false, 2, &chars(9), true);
        assert_eq!(sums.prompt_tokens, 1 + 3);
        assert_eq!((sums.requests, sums.without_size, sums.images, sums.search_requests), (2, 1, 3, 1));
    }
}

//! The output side, what `tally` reads: responses summed by the model
//! version they name and the image tokens per image they bill, repeated
//! keys and error lines listed, and, at the end, the sums grouped by the
//! card model each version resolves to and labelled with the image size the
//! tokens imply.
//!
//! Cost is linear in tokens, so nothing here prices: the report prices each
//! group's sums once, which gives the same exact decimals as pricing every
//! response without pricing work on the hot path.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use serde::Serialize;

use super::driver::{BatchReader, Place, Sightings};
use super::file_error::BatchFileError;
use super::lanes::{BilledLane, UnrecognisedTier, decide_lane};
use super::shapes::{Distinct, PerImage, Shapes};
use super::streams::{Pending, Piece, StreamSummary, StreamWithoutUsage, piece};
use super::usage::{Content, UsageSums, output_split};
use crate::attribution::{Attributed, By};
use crate::card::{Model, NamedAs, RateCard, Resolved, Unreleased};
use crate::lane::Lane;
use crate::scan::{OutputLine, ScanOptions, Usage};

/// The card model a `modelVersion` names: by ID, former ID or alias; else
/// the model whose ID or former ID is the longest prefix of it followed by
/// `-` (a dated version such as `...-preview-2026-02-26`). Any resource path
/// before the name (`models/`, Vertex AI's `publishers/google/models/` and
/// `projects/P/locations/L/publishers/google/models/`) and Vertex AI's
/// version after `@` (`@default`, `@001`) are left out first.
pub fn model_for_version<'card>(card: &'card RateCard, version: &str) -> Option<&'card Model> {
    resolve_version(card, version).map(|found| found.model)
}

/// The card model a `modelVersion` names, with the ID it stands for (for
/// its lifecycle), found as [`model_for_version`] says: a dated or
/// versioned preview (`gemini-3-pro-image-preview-11-2025`, `…-preview@001`)
/// stands for the preview's former ID, with its lifecycle, not the model's.
pub(super) fn resolve_version<'card>(card: &'card RateCard, version: &str) -> Option<Resolved<'card>> {
    let written = version.trim();
    if let Some(found) = known(card, written.strip_prefix("models/").unwrap_or(written)) {
        return Some(found);
    }
    let version = bare_model_name(version);
    if let Some(found) = known(card, version) {
        return Some(found);
    }
    let folded = version.to_lowercase();
    card.models
        .iter()
        .flat_map(|model| {
            std::iter::once(Resolved { model, named_as: NamedAs::Id, id: &model.id, life: &model.life })
                .chain(model.former.iter().map(move |former| Resolved::former(model, former)))
        })
        .filter(|found| spells(&folded, found.id))
        .max_by_key(|found| found.id.len())
}

/// Whether `folded`, a lower-cased bare version, is `name` or a dated or
/// numbered spelling of it (`name-…`), case aside.
fn spells(folded: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    folded.strip_prefix(&name).is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// The model a `modelVersion` names that the card sets aside as released
/// after its day (an `--as-of` day before the model came out): by a name
/// it would have had, or one of them followed by `-` (a dated version).
pub fn released_after<'card>(card: &'card RateCard, version: &str) -> Option<&'card Unreleased> {
    let folded = bare_model_name(version).to_lowercase();
    card.unreleased.iter().find(|later| later.names.iter().any(|name| spells(&folded, name)))
}

/// `version`, or its first [`MAX_VERSION_BYTES`] and `…` when it is longer.
fn kept_version(version: String) -> String {
    if version.len() <= MAX_VERSION_BYTES {
        return version;
    }
    let mut end = MAX_VERSION_BYTES;
    while !version.is_char_boundary(end) {
        end -= 1;
    }
    // A new string of its own size, rather than the long one cut short.
    format!("{}…", &version[..end])
}

/// The card model `name` is an ID, former ID or alias of, as
/// [`RateCard::resolve`] finds it; a name the card does not know is passed
/// over without the suggestions that resolving builds for an error (which,
/// for each of thousands of unknown versions, would be most of the work).
fn known<'card>(card: &'card RateCard, name: &str) -> Option<Resolved<'card>> {
    let wanted = name.trim().to_lowercase();
    let listed = card.models.iter().flat_map(Model::names).any(|known| known.to_lowercase() == wanted);
    listed.then(|| card.resolve(name).ok()).flatten()
}

/// A `modelVersion` without its resource path and its `@` version:
/// `projects/p/locations/us-central1/publishers/google/models/gemini-3-pro-image@001`
/// is `gemini-3-pro-image`.
fn bare_model_name(version: &str) -> &str {
    let version = version.trim();
    let name = version.rsplit_once('/').map_or(version, |(_, name)| name);
    name.split_once('@').map_or(name, |(name, _)| name).trim()
}

/// Image tokens per image: the image tokens split evenly over the images
/// when there are several and they divide evenly, else all of them.
pub fn tokens_per_image(image_tokens: u64, images: u64) -> u64 {
    if images > 1 && image_tokens.is_multiple_of(images) { image_tokens / images } else { image_tokens }
}

/// The size label for `per_image` image tokens of `model`: `2K`, `1K/2K`
/// where the sizes count the same tokens, `unknown (N tokens/image)`, or
/// `no image`.
pub fn size_label(model: Option<&Model>, per_image: u64) -> String {
    if per_image == 0 {
        return "no image".to_string();
    }
    let matches: Vec<&str> = model
        .into_iter()
        .flat_map(|model| &model.sizes)
        .filter(|row| row.output_tokens == per_image)
        .map(|row| row.size.api_value())
        .collect();
    if matches.is_empty() { format!("unknown ({per_image} tokens/image)") } else { matches.join("/") }
}

/// Usage sums by model version as written, then by the lane billed and the
/// image tokens per image.
#[derive(Debug, Default)]
pub struct SumsByVersion {
    /// The first [`MAX_KEPT_VERSIONS`] versions.
    named: HashMap<String, Shapes>,
    unnamed: Shapes,
    /// The versions past those, by the card ID each stands for (`None`:
    /// the card knows none), with how many versions there are.
    later: Vec<(Option<String>, Shapes, Distinct)>,
    /// The last version past those looked up, and its place in `later`:
    /// a run of lines of one version is looked up once.
    last_later: Option<(String, usize)>,
}

/// The most model versions summed apart (a version is kept with its sums
/// until the tally is priced): a file whose every response names its own
/// version would otherwise keep one set of sums per line. The versions past
/// these are summed by the card model they name (or together, when the
/// card knows none), and counted.
pub const MAX_KEPT_VERSIONS: usize = 1_000;

/// The most bytes of a `modelVersion` kept: no card model's name, with the
/// longest Vertex AI resource path before it, comes near; a longer version
/// is kept as its first bytes and `…`, and longer versions that share them
/// are summed together.
const MAX_VERSION_BYTES: usize = 256;

/// The most model versions the card does not know that get rows of their
/// own; the rest share one row, which says how many there are.
pub const MAX_UNKNOWN_VERSIONS: usize = 50;

impl SumsByVersion {
    /// Adds one response of `version`, billed on `lane`, whose candidates
    /// hold `content`.
    #[inline]
    /// A version past the first [`MAX_KEPT_VERSIONS`] is looked up in
    /// `card` (once for a run of its lines).
    pub fn add(
        &mut self,
        card: &RateCard,
        version: Option<String>,
        lane: BilledLane,
        usage: &Usage,
        content: Content,
    ) {
        // A response that holds an image but counts no output for it (a
        // stream cut before its last chunk: the others count the prompt
        // alone) cannot be priced: its image at no tokens would hide a bill.
        let image_output = output_split(usage, content).0;
        let counted = usage.has_counts() && (image_output > 0 || content.images == 0);
        let per_image = counted.then(|| tokens_per_image(image_output, content.images));
        let shapes = match version.map(kept_version) {
            Some(version) if self.named.len() < MAX_KEPT_VERSIONS || self.named.contains_key(&version) => {
                self.named.entry(version).or_default()
            }
            Some(version) => {
                let at = match &self.last_later {
                    Some((last, at)) if *last == version => *at,
                    _ => {
                        let at = self.later_place(card, &version);
                        self.later[at].2.see(xxhash_rust::xxh3::xxh3_64(version.as_bytes()));
                        self.last_later = Some((version, at));
                        at
                    }
                };
                &mut self.later[at].1
            }
            None => &mut self.unnamed,
        };
        shapes.add(lane, per_image, usage, content);
    }

    /// Every (model version, lane, image tokens per image, sums, and for
    /// the sizes past the cap, which they are).
    pub fn iter(
        &self,
    ) -> impl Iterator<Item = (Option<&str>, BilledLane, PerImage, &UsageSums, Option<&Distinct>)> {
        let named = self.named.iter().flat_map(|(version, shapes)| {
            shapes.iter().map(move |(lane, per_image, sums, sizes)| {
                (Some(version.as_str()), lane, per_image, sums, sizes)
            })
        });
        let unnamed =
            self.unnamed.iter().map(|(lane, per_image, sums, sizes)| (None, lane, per_image, sums, sizes));
        named.chain(unnamed)
    }

    /// The place in `later` of the versions that stand for the card ID
    /// `version` stands for (or for none), made when first needed.
    fn later_place(&mut self, card: &RateCard, version: &str) -> usize {
        let stands_for = resolve_version(card, version).map(|found| found.id);
        match self.later.iter().position(|(id, ..)| id.as_deref() == stands_for) {
            Some(at) => at,
            None => {
                self.later.push((stands_for.map(str::to_owned), Shapes::default(), Distinct::default()));
                self.later.len() - 1
            }
        }
    }

    /// The versions past the first [`MAX_KEPT_VERSIONS`]: every (card ID
    /// they stand for, how many versions, lane, image tokens per image,
    /// sums, and for the sizes past the cap, which they are).
    #[allow(clippy::type_complexity)]
    pub(super) fn later(
        &self,
    ) -> impl Iterator<Item = (Option<&str>, &Distinct, BilledLane, PerImage, &UsageSums, Option<&Distinct>)>
    {
        self.later.iter().flat_map(|(id, shapes, versions)| {
            shapes.iter().map(move |(lane, per_image, sums, sizes)| {
                (id.as_deref(), versions, lane, per_image, sums, sizes)
            })
        })
    }
}

/// One response for a key seen before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DuplicateKey {
    /// The key.
    pub key: String,
    /// The file of this response.
    pub file: String,
    /// Its line.
    pub line: u64,
    /// The file of the key's first response.
    pub first_file: String,
    /// The line of the key's first response.
    pub first_line: u64,
}

/// One error line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ErrorLine {
    /// The file.
    pub file: String,
    /// The line.
    pub line: u64,
    /// The request key, when the line has one.
    pub key: Option<String>,
    /// The error code, when it is an integer.
    pub code: Option<i64>,
    /// The error message, when there is one.
    pub message: Option<String>,
}

/// What the responses and error lines of output files add up to; blank and
/// malformed lines are the [`BatchReader`]'s.
#[derive(Debug)]
pub struct Responses<'card> {
    /// The card that versions past the first [`MAX_KEPT_VERSIONS`] are
    /// looked up in as they are read.
    card: &'card RateCard,
    /// `--lane`: the lane of every response when given.
    pub lane_override: Option<Lane>,
    /// Responses whose lane no rule knew, billed as standard.
    pub assumed_standard: u64,
    /// Lane values not recognised (each response also in
    /// `assumed_standard`), with their responses.
    pub unrecognised_lanes: BTreeMap<UnrecognisedTier, u64>,
    /// Every response.
    pub sums: SumsByVersion,
    /// `--by`: how responses are attributed, when asked.
    pub by: Option<By>,
    /// With `by`, every response again, by attribution.
    pub attributed: Attributed<SumsByVersion>,
    /// The responses for keys seen before (also in `sums`).
    pub duplicate_sums: SumsByVersion,
    /// Responses for keys seen before, the first few listed.
    pub duplicates: Sightings<DuplicateKey>,
    /// Error lines by code (`None`: no integer code).
    pub error_codes: BTreeMap<Option<i64>, u64>,
    /// Error lines, the first few listed.
    pub errors: Sightings<ErrorLine>,
    /// Error lines by file, in the reader's file order.
    error_lines: Vec<u64>,
    /// Stream chunks folded into responses, and streams that carried no
    /// usage.
    pub streams: StreamSummary,
    /// Lines that are no response of their own, by file: stream chunks
    /// folded into another line's response, and pieces without usage.
    chunk_lines: Vec<u64>,
    /// The stream being folded: its chunks so far, its file's name and
    /// index.
    pending: Option<(Pending, String, usize)>,
}

impl<'card> Responses<'card> {
    /// No responses yet, priced with `card`; `lane_override` is `--lane`.
    pub fn new(card: &'card RateCard, lane_override: Option<Lane>) -> Responses<'card> {
        Responses {
            card,
            lane_override,
            assumed_standard: 0,
            unrecognised_lanes: BTreeMap::new(),
            sums: SumsByVersion::default(),
            by: None,
            attributed: Attributed::default(),
            duplicate_sums: SumsByVersion::default(),
            duplicates: Sightings::default(),
            error_codes: BTreeMap::new(),
            errors: Sightings::default(),
            error_lines: Vec::new(),
            streams: StreamSummary::default(),
            chunk_lines: Vec::new(),
            pending: None,
        }
    }

    /// Also sums responses by attribution, as `by` gives it.
    pub fn attributed_by(mut self, by: Option<By>) -> Responses<'card> {
        self.by = by;
        self
    }

    /// Takes one line the reader handed over; `first` is where its key was
    /// first seen, when it was. Consecutive chunks of one stream are held
    /// until the stream ends, then billed once (see [`super::streams`]):
    /// call [`Responses::finish`] after the last line.
    pub fn add(&mut self, place: Place<'_>, line: OutputLine, first: Option<Place<'_>>) {
        match piece(line) {
            Piece::Chunk { id, line } => {
                if let Some((pending, _, file_index)) = &mut self.pending
                    && pending.id == id
                    && *file_index == place.file_index
                {
                    pending.add(line);
                    return;
                }
                self.finish();
                let mut pending = Pending::new(id, place.line);
                pending.add(line);
                self.pending = Some((pending, place.file.to_owned(), place.file_index));
            }
            Piece::Loose(line) => {
                if let Some((pending, _, file_index)) = &mut self.pending
                    && *file_index == place.file_index
                {
                    pending.add(line);
                    return;
                }
                self.add_line(place, line, first);
            }
            Piece::Other(line) => {
                self.finish();
                self.add_line(place, line, first);
            }
        }
    }

    /// Bills the stream being folded, if any.
    pub fn finish(&mut self) {
        let Some((pending, file, file_index)) = self.pending.take() else { return };
        let (chunks, line, id) = (pending.chunks, pending.line, pending.id.clone());
        match pending.finish() {
            Some(response) => {
                if chunks > 1 {
                    self.streams.chunks += chunks;
                    self.streams.responses += 1;
                }
                self.count_chunk_lines(file_index, chunks - 1);
                self.add_line(Place { file: &file, file_index, line }, response, None);
            }
            None => {
                self.count_chunk_lines(file_index, chunks);
                self.streams.without_usage.record(|| StreamWithoutUsage {
                    file: file.clone(),
                    line,
                    response_id: id,
                    chunks,
                });
            }
        }
    }

    fn count_chunk_lines(&mut self, file_index: usize, lines: u64) {
        if self.chunk_lines.len() <= file_index {
            self.chunk_lines.resize(file_index + 1, 0);
        }
        self.chunk_lines[file_index] += lines;
    }

    /// Lines of the file at `file_index` that are no response of their own.
    pub fn chunk_lines_in(&self, file_index: usize) -> u64 {
        self.chunk_lines.get(file_index).copied().unwrap_or(0)
    }

    /// Lines of every file that are no response of their own.
    pub fn chunk_lines(&self) -> u64 {
        self.chunk_lines.iter().sum()
    }

    fn add_line(&mut self, place: Place<'_>, line: OutputLine, first: Option<Place<'_>>) {
        match line {
            OutputLine::Response { key, model_version, usage, content, wrapped, labels, time, .. } => {
                let decision = decide_lane(self.lane_override, wrapped, &usage);
                if decision.assumed {
                    self.assumed_standard += 1;
                    if let Some(value) = decision.unrecognised {
                        *self.unrecognised_lanes.entry(value).or_default() += 1;
                    }
                }
                let lane = decision.lane;
                if let Some(by) = &self.by {
                    let attribution = by.of(key.as_deref(), labels.as_slice(), time, place.file);
                    self.attributed.entry(attribution).add(
                        self.card,
                        model_version.clone(),
                        lane,
                        &usage,
                        content,
                    );
                }
                if let Some(first) = first {
                    self.duplicate_sums.add(self.card, model_version.clone(), lane, &usage, content);
                    self.duplicates.record(|| DuplicateKey {
                        key: key.unwrap_or_default(),
                        file: place.file.to_owned(),
                        line: place.line,
                        first_file: first.file.to_owned(),
                        first_line: first.line,
                    });
                }
                self.sums.add(self.card, model_version, lane, &usage, content);
            }
            OutputLine::Error { key, code, message } => {
                *self.error_codes.entry(code).or_default() += 1;
                if self.error_lines.len() <= place.file_index {
                    self.error_lines.resize(place.file_index + 1, 0);
                }
                self.error_lines[place.file_index] += 1;
                self.errors.record(|| ErrorLine {
                    file: place.file.to_owned(),
                    line: place.line,
                    key,
                    code,
                    message,
                });
            }
            OutputLine::Chunk { .. } => self.count_chunk_lines(place.file_index, 1),
            OutputLine::Blank | OutputLine::Malformed { .. } => {}
        }
    }

    /// Error lines in the file at `file_index` of the reader.
    pub fn error_lines_in(&self, file_index: usize) -> u64 {
        self.error_lines.get(file_index).copied().unwrap_or(0)
    }
}

/// Responses that a synthetic file's writer knows to be alike: one model
/// version, one IMAGE output token count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResponseGroup {
    /// `modelVersion`, when given.
    pub model_version: Option<String>,
    /// The response's IMAGE output tokens (1680 for one 2K Nano Banana 2
    /// image).
    pub candidate_image_tokens: u64,
}

/// Whole-file sums of an output file, with no card: what a synthetic file's
/// writer promises and a scan must find.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputFileSums {
    /// Response sums by model version and IMAGE output tokens.
    pub groups: BTreeMap<ResponseGroup, UsageSums>,
    /// Lines reporting an error.
    pub error_lines: u64,
    /// Blank lines.
    pub blank_lines: u64,
    /// Lines that could not be priced.
    pub malformed_lines: u64,
    /// Responses whose key an earlier response had.
    pub duplicate_responses: u64,
    /// All lines.
    pub lines: u64,
}

impl OutputFileSums {
    /// Adds one response whose candidates hold `content`.
    pub fn add_response(&mut self, model_version: Option<String>, usage: &Usage, content: Content) {
        let group = ResponseGroup { model_version, candidate_image_tokens: usage.candidate_image_tokens };
        self.groups.entry(group).or_default().add(usage, content);
    }
}

/// Reads a whole output file (named `name` in errors) into sums.
pub fn sum_output_file<R: Read + Send>(
    name: &str,
    reader: R,
    options: &ScanOptions,
) -> Result<OutputFileSums, BatchFileError> {
    let mut sums = OutputFileSums::default();
    let mut batch = BatchReader::new(false);
    batch.read_source(name.to_owned(), reader, options, |_, line, first| match line {
        OutputLine::Response { model_version, usage, content, .. } => {
            sums.add_response(model_version, &usage, content);
            sums.duplicate_responses += u64::from(first.is_some());
        }
        OutputLine::Error { .. } => sums.error_lines += 1,
        OutputLine::Chunk { .. } | OutputLine::Blank | OutputLine::Malformed { .. } => {}
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
    use crate::batch::MAX_SIZES;
    use crate::batch::groups::group_by_model;

    #[test]
    fn finds_the_card_model_of_a_model_version() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let cases = [
            ("gemini-3.1-flash-image-preview", Some("gemini-3.1-flash-image")),
            ("gemini-3.1-flash-image", Some("gemini-3.1-flash-image")),
            ("models/gemini-3-pro-image-preview", Some("gemini-3-pro-image")),
            ("gemini-3-pro-image-preview-11-2025", Some("gemini-3-pro-image")),
            ("gemini-3-pro-image-001", Some("gemini-3-pro-image")),
            ("gemini-3.1-flash-lite-image", Some("gemini-3.1-flash-lite-image")),
            ("gemini-nano-banana-2.1", Some("gemini-nano-banana-2.1")),
            ("gemini-2.5-flash-image-preview", Some("gemini-2.5-flash-image")),
            ("gemini-3.1-flash", None),
            ("gemini-3.1-flash-imagery", None),
            ("imagen-4.0-generate-001", None),
            ("", None),
            // Vertex AI: what batch prediction writes, pinned versions,
            // publisher and full resource paths, in any case.
            ("gemini-2.5-flash-image@default", Some("gemini-2.5-flash-image")),
            ("gemini-2.5-flash-image@001", Some("gemini-2.5-flash-image")),
            ("gemini-3-pro-image@default", Some("gemini-3-pro-image")),
            ("GEMINI-2.5-FLASH-IMAGE@DEFAULT", Some("gemini-2.5-flash-image")),
            ("publishers/google/models/gemini-3-pro-image", Some("gemini-3-pro-image")),
            ("publishers/google/models/gemini-3.1-flash-image@001", Some("gemini-3.1-flash-image")),
            ("Publishers/Google/Models/Gemini-3-Pro-Image", Some("gemini-3-pro-image")),
            (
                "projects/my-project/locations/us-central1/publishers/google/models/gemini-3-pro-image",
                Some("gemini-3-pro-image"),
            ),
            (
                "projects/P/locations/global/publishers/google/models/gemini-2.5-flash-image@default",
                Some("gemini-2.5-flash-image"),
            ),
            ("MODELS/gemini-3-pro-image-preview", Some("gemini-3-pro-image")),
            ("gemini-3-pro-image-preview-11-2025@default", Some("gemini-3-pro-image")),
            ("publishers/google/models/imagen-4.0-generate-001", None),
            ("gemini-3-pro-image/", None),
            ("@default", None),
        ];
        for (version, want) in cases {
            assert_eq!(model_for_version(&card, version).map(|model| model.id.as_str()), want, "{version}");
        }
    }

    /// What a version's lifecycle warning names: the ID or former ID it is
    /// written as, or is a dated or versioned spelling of (a preview's own
    /// shutdown), else the card model's ID.
    #[test]
    fn names_the_id_a_model_version_stands_for() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let cases = [
            (
                "gemini-3.1-flash-image-preview",
                Some(("gemini-3.1-flash-image", "gemini-3.1-flash-image-preview")),
            ),
            ("models/gemini-3-pro-image-preview", Some(("gemini-3-pro-image", "gemini-3-pro-image-preview"))),
            ("gemini-3.1-flash-image", Some(("gemini-3.1-flash-image", "gemini-3.1-flash-image"))),
            (
                "gemini-3-pro-image-preview-11-2025",
                Some(("gemini-3-pro-image", "gemini-3-pro-image-preview")),
            ),
            (
                "models/Gemini-3-Pro-Image-Preview-11-2025",
                Some(("gemini-3-pro-image", "gemini-3-pro-image-preview")),
            ),
            (
                "publishers/google/models/gemini-3.1-flash-image-preview@001",
                Some(("gemini-3.1-flash-image", "gemini-3.1-flash-image-preview")),
            ),
            ("gemini-3-pro-image-001", Some(("gemini-3-pro-image", "gemini-3-pro-image"))),
            ("imagen-4.0-generate-001", None),
        ];
        for (version, want) in cases {
            let found = resolve_version(&card, version);
            assert_eq!(found.map(|found| (found.model.id.as_str(), found.id)), want, "{version}");
        }
    }

    #[test]
    fn infers_the_size_from_image_tokens_per_image() {
        let card = RateCard::embedded();
        let flash = card.resolve("flash").unwrap().model;
        let pro = card.resolve("pro").unwrap().model;
        let cases = [
            (Some(flash), 747, "512"),
            (Some(flash), 1680, "2K"),
            (Some(pro), 1120, "1K/2K"),
            (Some(pro), 2000, "4K"),
            (Some(pro), 747, "unknown (747 tokens/image)"),
            (None, 1120, "unknown (1120 tokens/image)"),
            (Some(flash), 0, "no image"),
        ];
        for (model, tokens, want) in cases {
            assert_eq!(size_label(model, tokens), want, "{tokens}");
        }
        assert_eq!(tokens_per_image(2240, 2), 1120);
        assert_eq!(tokens_per_image(2241, 2), 2241);
        assert_eq!(tokens_per_image(1120, 0), 1120);
    }

    /// Past the first unknown versions, the rest share one row that says
    /// how many they are, and a long version is kept as its first bytes.
    #[test]
    fn groups_the_unknown_versions_past_the_first_few() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let usage = Usage { prompt_tokens: 1, ..Usage::default() };
        let mut sums = SumsByVersion::default();
        let lane = BilledLane::Lane(Lane::Batch);
        for index in 0..MAX_UNKNOWN_VERSIONS + 10 {
            sums.add(&card, Some(format!("imagen-{index:03}")), lane, &usage, Content::default());
        }
        sums.add(&card, Some("gemini-3-pro-image".into()), lane, &usage, Content::default());
        let groups = group_by_model(&card, &sums, None);
        assert_eq!(groups.len(), MAX_UNKNOWN_VERSIONS + 2);
        assert_eq!(groups[0].model.map(|model| model.id.as_str()), Some("gemini-3-pro-image"));
        assert_eq!(groups[1].model_versions, [Some("imagen-000".to_string())]);
        let rest = groups.last().unwrap();
        assert_eq!((rest.other_versions, rest.sums.responses, rest.model_versions.len()), (10, 10, 0));

        let long = format!("é{}", "v".repeat(1000));
        assert_eq!(kept_version(long.clone()), format!("é{}…", "v".repeat(MAX_VERSION_BYTES - 2)));
        assert_eq!(kept_version("gemini-3-pro-image".into()), "gemini-3-pro-image");
    }

    /// Past the first versions kept apart, the rest are summed by the card
    /// model they name, or together when the card knows none, and counted:
    /// what is kept stays the same size however many versions there are.
    #[test]
    fn sums_the_versions_past_those_kept_by_the_card_model_they_name() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let usage = Usage { prompt_tokens: 1, candidates_tokens: 1120, ..Usage::default() };
        let lane = BilledLane::Lane(Lane::Batch);
        let mut sums = SumsByVersion::default();
        let mut add = |version: String| sums.add(&card, Some(version), lane, &usage, Content::default());
        for index in 0..MAX_KEPT_VERSIONS {
            add(format!("imagen-{index:04}"));
        }
        for index in 0..30 {
            add(format!("gemini-3-pro-image-{index}"));
            add(format!("late-{index}"));
            add(format!("late-{index}"));
        }
        add("imagen-0000".into());
        assert_eq!((sums.named.len(), sums.later.len()), (MAX_KEPT_VERSIONS, 2));
        let groups = group_by_model(&card, &sums, None);
        assert_eq!(groups.len(), 1 + MAX_UNKNOWN_VERSIONS + 1);
        let pro = &groups[0];
        assert_eq!(pro.model.map(|model| model.id.as_str()), Some("gemini-3-pro-image"));
        assert_eq!((pro.other_versions, pro.sums.responses, pro.model_versions.len()), (30, 30, 0));
        assert_eq!(pro.named.iter().map(|found| found.id).collect::<Vec<_>>(), ["gemini-3-pro-image"]);
        assert_eq!(groups[1].model_versions, [Some("imagen-0000".to_string())]);
        assert_eq!(groups[1].sums.responses, 2);
        let rest = groups.last().unwrap();
        let past = (MAX_KEPT_VERSIONS - MAX_UNKNOWN_VERSIONS) as u64;
        assert_eq!((rest.other_versions, rest.sums.responses), (past + 30, u128::from(past) + 60));
        let all: u128 = groups.iter().map(|group| group.sums.responses).sum();
        assert_eq!(all, MAX_KEPT_VERSIONS as u128 + 90 + 1);
    }

    /// Past the first sizes of a version on a lane, and again of a card
    /// model on a lane, the rest share one group that counts them; a size
    /// with a group of its own is not counted among the others.
    #[test]
    fn gathers_the_sizes_past_the_first_few() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let lane = BilledLane::Lane(Lane::Batch);
        let mut sums = SumsByVersion::default();
        let mut add = |version: &str, tokens: u64| {
            let usage = Usage { prompt_tokens: 1, candidates_tokens: tokens, ..Usage::default() };
            sums.add(&card, Some(version.into()), lane, &usage, Content::default());
        };
        // The first 50 seen (160 down to 111) apart, 110 to 100 together.
        for tokens in (100..=160).rev() {
            add("gemini-3-pro-image", tokens);
        }
        add("gemini-3-pro-image-preview", 105);
        let groups = group_by_model(&card, &sums, None);
        assert_eq!(groups.len(), MAX_SIZES + 1);
        assert_eq!(groups[0].tokens_per_image, PerImage::Tokens(105));
        assert_eq!(groups[MAX_SIZES - 1].tokens_per_image, PerImage::Tokens(159));
        let rest = &groups[MAX_SIZES];
        assert_eq!(rest.tokens_per_image, PerImage::Others);
        // 100 to 110 but 105, and 160: 11 sizes in 12 responses.
        assert_eq!((rest.other_sizes.count(), rest.other_sizes.at_least()), (11, false));
        assert_eq!(rest.sums.responses, 12);
        assert_eq!(groups.iter().map(|group| group.sums.responses).sum::<u128>(), 62);
        assert_eq!(
            groups.iter().map(|group| group.sums.candidates).sum::<u128>(),
            (100..=160).sum::<u128>() + 105
        );
    }

    /// `output-mixed.jsonl`, under the October card: two Nano Banana 2
    /// versions (the preview ID and its GA ID) land in one card model (on
    /// two lanes), an unknown model and a response without `modelVersion` in
    /// groups of their own, last.
    #[test]
    fn groups_versions_under_their_card_model() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let mut responses = Responses::new(&card, None);
        BatchReader::new(false)
            .read_source(
                "mixed".into(),
                &include_bytes!("../../tests/fixtures/batch/output-mixed.jsonl")[..],
                &ScanOptions::default(),
                |place, line, first| responses.add(place, line, first),
            )
            .unwrap();
        let groups: Vec<(Option<&str>, PerImage, &str, u128)> = group_by_model(&card, &responses.sums, None)
            .iter()
            .map(|group| {
                let model = group.model.map(|model| model.id.as_str());
                (model, group.tokens_per_image, group.lane.name(), group.sums.responses)
            })
            .collect();
        // Line 9 is a bare response with no lane field: standard, assumed.
        assert_eq!(
            groups,
            [
                (Some("gemini-3.1-flash-image"), PerImage::Tokens(1120), "standard", 1),
                (Some("gemini-3.1-flash-image"), PerImage::Tokens(1680), "batch", 2),
                (Some("gemini-3-pro-image"), PerImage::Tokens(2000), "batch", 1),
                (None, PerImage::Tokens(747), "batch", 1),
                (None, PerImage::Tokens(1000), "batch", 1),
            ]
        );
        assert_eq!(responses.assumed_standard, 1);
        assert_eq!(responses.error_lines_in(0), 2);
        assert_eq!(responses.duplicates.count, 1);
    }
}

//! `estimate`: what a batch input file will cost, before it is submitted,
//! and the requests in it that would change the bill or be refused.
//!
//! Each request is read for its `imageSize`, `candidateCount`, reference
//! images and prompt length; the scan sums them per size and the sums are
//! priced once at the end. Images are priced on the chosen basis (list or
//! tokens); the prompt is priced from its length at one token per four
//! characters, an estimate and labelled so; reference images at the card's
//! `input_image_tokens`. Lines read = priced requests + rejected requests +
//! malformed lines + blank lines.

use std::path::PathBuf;

use serde::Serialize;
use time::Date;

use super::CardInfo;
use crate::batch::{BatchFileError, MalformedLine, Sightings};
use crate::batch::{BatchReader, Requests};
pub use crate::batch::{CHARS_PER_TOKEN, FindingKind, FindingLine};
use crate::card::{Model, NamedAs, RateCard, Status, UnknownModel};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, Overflow, narrow};
use crate::pricing::CostError;
use crate::pricing::{self, Basis, PricingError};
use crate::scan::{InputLine, ScanOptions};
use crate::size::ImageSize;

/// What to estimate, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimateRequest {
    /// The batch input file; `-` is stdin. Gzip is read directly.
    pub file: PathBuf,
    /// The model the job will run, as typed.
    pub model: String,
    /// The lane to price at.
    pub lane: Lane,
    /// List or token prices for the images.
    pub basis: Basis,
    /// Stop at the first malformed line instead of counting it.
    pub strict: bool,
    /// How to scan.
    pub scan: ScanOptions,
}

/// Why an estimate cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    /// `--model` names no model in the card.
    #[error(transparent)]
    UnknownModel(#[from] UnknownModel),
    /// The model has no such lane.
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// The file could not be read through.
    #[error(transparent)]
    File(#[from] BatchFileError),
    /// A sum outgrew exact arithmetic.
    #[error("the totals are too large to compute exactly; split the file")]
    Overflow,
}

impl Kind for EstimateError {
    fn kind(&self) -> ErrorKind {
        match self {
            EstimateError::UnknownModel(error) => error.kind(),
            EstimateError::Pricing(error) => error.kind(),
            EstimateError::File(error) => error.kind(),
            EstimateError::Overflow => ErrorKind::Input,
        }
    }
}

impl From<Overflow> for EstimateError {
    fn from(Overflow: Overflow) -> Self {
        EstimateError::Overflow
    }
}

/// The answer to `nbcost estimate`.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateReport {
    /// The rate card the prices come from.
    pub card: CardInfo,
    /// The file read (`stdin` for `-`).
    pub file: String,
    /// The card's model ID.
    pub model: String,
    /// The model's product name.
    pub model_name: String,
    /// The model's status on the day: `active`, `deprecated`, `shut-down`
    /// or `disputed`.
    pub status: Status,
    /// The name as typed, when it was an alias or the successor's ID.
    pub requested_as: Option<String>,
    /// The lane priced.
    pub lane: Lane,
    /// `list` or `tokens`: how images are priced.
    pub basis: Basis,
    /// Always `true`: prompt tokens are estimated from the prompt's length.
    pub prompt_tokens_estimated: bool,
    /// Characters counted as one prompt token (per request, rounded up).
    pub chars_per_token: u64,
    /// Line counts: `read` = `priced_requests` + `rejected_requests` +
    /// `malformed_lines` + `blank_lines`.
    pub lines: EstimateLines,
    /// One row per image size requested (a missing `imageSize` counts as
    /// the model's default), smallest first.
    pub rows: Vec<EstimateRow>,
    /// The grand total.
    pub total: EstimateTotal,
    /// What would change the bill or be refused, one entry per kind found.
    pub findings: Vec<Finding>,
    /// Lines that are not requests, skipped and counted.
    pub malformed: Sightings<MalformedLine>,
}

/// How many lines of each kind were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EstimateLines {
    /// Every line read.
    pub read: u64,
    /// Requests priced.
    pub priced_requests: u64,
    /// Requests the API would refuse: counted, listed, not priced.
    pub rejected_requests: u64,
    /// Lines that are not requests.
    pub malformed_lines: u64,
    /// Lines of whitespace only.
    pub blank_lines: u64,
}

/// The requests of one size, priced.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateRow {
    /// The size, exactly as the API's `imageSize` needs it.
    pub size: ImageSize,
    /// Requests.
    pub requests: u64,
    /// Of which set no `imageSize` and get the model's default.
    pub requests_without_size: u64,
    /// Images asked for: the sum of `candidateCount` (1 when unset).
    pub images: u64,
    /// Dollars per image on the chosen basis.
    pub image_unit_price: Money,
    /// Dollars for the images.
    pub image_cost: Money,
    /// Characters of prompt text (text parts and system instructions).
    pub prompt_chars: u64,
    /// Estimated prompt tokens: ceil(chars / 4) per request, summed.
    pub prompt_tokens_estimated: u64,
    /// Dollars for the estimated prompt tokens at the input rate; `null`
    /// when the card gives no input rate on the lane.
    pub prompt_cost: Option<Money>,
    /// Reference images: inline images plus `fileData` parts.
    pub reference_images: u64,
    /// Of which inline.
    pub inline_images: u64,
    /// Of which `fileData` parts.
    pub file_parts: u64,
    /// Input tokens of the reference images; `null` when the card gives no
    /// `input_image_tokens` for the model.
    pub reference_image_tokens: Option<u64>,
    /// Dollars for the reference images; `null` when they cannot be priced.
    pub reference_cost: Option<Money>,
    /// Dollars for the row: images, prompt and reference images, as far as
    /// they could be priced.
    pub cost: Money,
}

/// The grand total.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateTotal {
    /// Requests priced.
    pub requests: u64,
    /// Images asked for by them.
    pub images: u64,
    /// Dollars for images.
    pub image_cost: Money,
    /// Dollars for prompts (estimated).
    pub prompt_cost: Money,
    /// Dollars for reference images that could be priced.
    pub reference_cost: Money,
    /// Dollars in all.
    pub cost: Money,
    /// Reference images left unpriced (the card lacks `input_image_tokens`);
    /// when not 0 the total is incomplete and the exit code is 6.
    pub unpriced_reference_images: u64,
    /// Input tokens (prompts, reference images) left unpriced because the
    /// card gives no input rate on the lane; when not 0 the total is
    /// incomplete and the exit code is 6.
    pub unpriced_input_tokens: u64,
    /// Whether everything in the priced requests was priced.
    pub complete: bool,
}

/// Every request with one kind of finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The kind, in snake_case.
    pub kind: FindingKind,
    /// `rejected` (not priced: the API refuses the request) or `priced`.
    pub effect: &'static str,
    /// What it means and what to do, in a sentence.
    pub advice: String,
    /// Every request counted, the first few listed.
    #[serde(flatten)]
    pub requests: Sightings<FindingLine>,
}

impl EstimateReport {
    /// Reads the file of `request` and prices what it asks for with `card`.
    pub fn build(
        card: &RateCard,
        request: &EstimateRequest,
        today: Date,
    ) -> Result<EstimateReport, EstimateError> {
        let resolved = card.resolve(&request.model)?;
        pricing::rates(resolved.model, request.lane)?;
        let mut reader = BatchReader::new(request.strict);
        let mut requests = Requests::new(card, resolved.model);
        reader
            .read_path(&request.file, &request.scan, |place, line, first| requests.add(place, line, first))?;
        if let Some(empty) = reader.all_empty::<InputLine>() {
            return Err(EstimateError::File(empty));
        }
        let requested_as = (resolved.named_as != NamedAs::Id).then(|| request.model.clone());
        let priced = Priced { lane: request.lane, basis: request.basis, requested_as };
        assemble(card, requests, reader, priced, today)
    }

    /// Whether some reference images could not be priced, so the total is short.
    pub fn is_incomplete(&self) -> bool {
        !self.total.complete
    }
}

/// How the requests are priced, and the name the model was given as.
struct Priced {
    lane: Lane,
    basis: Basis,
    requested_as: Option<String>,
}

/// Prices what was read and lays it out as the report.
fn assemble(
    card: &RateCard,
    requests: Requests<'_>,
    reader: BatchReader,
    priced: Priced,
    today: Date,
) -> Result<EstimateReport, EstimateError> {
    let Priced { lane, basis, requested_as } = priced;
    let model = requests.model();
    let rates = pricing::rates(model, lane)?;
    let mut rows = Vec::new();
    let mut unpriced_reference_images = 0u64;
    let mut unpriced_input_tokens = 0u64;
    // Input tokens at the lane's input rate, or `None` (counted) where the card gives none.
    let mut input_cost = |tokens: u64| -> Result<Option<Money>, EstimateError> {
        match pricing::input_cost(rates, tokens) {
            Ok(cost) => Ok(Some(cost)),
            Err(CostError::Overflow) => Err(EstimateError::Overflow),
            Err(CostError::NoRate(_)) => {
                unpriced_input_tokens =
                    unpriced_input_tokens.checked_add(tokens).ok_or(EstimateError::Overflow)?;
                Ok(None)
            }
        }
    };
    for (size, sums) in &requests.sums {
        let images = narrow(sums.images)?;
        let image_unit_price = pricing::one_image(model, *size, lane, basis)?;
        let image_cost = image_unit_price.times(images)?;
        let prompt_tokens_estimated = narrow(sums.prompt_tokens)?;
        let prompt_cost = input_cost(prompt_tokens_estimated)?;
        let inline_images = narrow(sums.inline_images)?;
        let file_parts = narrow(sums.file_parts)?;
        let reference_images = inline_images.checked_add(file_parts).ok_or(EstimateError::Overflow)?;
        let reference_image_tokens = match model.input_image_tokens {
            Some(per_image) => Some(reference_images.checked_mul(per_image).ok_or(EstimateError::Overflow)?),
            None => {
                unpriced_reference_images += reference_images;
                None
            }
        };
        let reference_cost = match reference_image_tokens {
            Some(tokens) => input_cost(tokens)?,
            None => None,
        };
        let cost = Money::sum([
            image_cost,
            prompt_cost.unwrap_or(Money::ZERO),
            reference_cost.unwrap_or(Money::ZERO),
        ])?;
        rows.push(EstimateRow {
            size: *size,
            requests: narrow(sums.requests)?,
            requests_without_size: narrow(sums.without_size)?,
            images,
            image_unit_price,
            image_cost,
            prompt_chars: narrow(sums.prompt_chars)?,
            prompt_tokens_estimated,
            prompt_cost,
            reference_images,
            inline_images,
            file_parts,
            reference_image_tokens,
            reference_cost,
            cost,
        });
    }
    let read = reader.total();
    let lines = EstimateLines {
        read: read.read,
        priced_requests: requests.priced,
        rejected_requests: requests.rejected,
        malformed_lines: read.malformed,
        blank_lines: read.blank,
    };
    let total = EstimateTotal {
        requests: rows.iter().map(|row| row.requests).sum(),
        images: rows.iter().map(|row| row.images).sum(),
        image_cost: Money::sum(rows.iter().map(|row| row.image_cost))?,
        prompt_cost: Money::sum(rows.iter().filter_map(|row| row.prompt_cost))?,
        reference_cost: Money::sum(rows.iter().filter_map(|row| row.reference_cost))?,
        cost: Money::sum(rows.iter().map(|row| row.cost))?,
        unpriced_reference_images,
        unpriced_input_tokens,
        complete: unpriced_reference_images == 0 && unpriced_input_tokens == 0 && read.malformed == 0,
    };
    let findings = requests
        .findings
        .into_iter()
        .map(|(kind, requests)| Finding {
            kind,
            effect: if kind.rejects() { "rejected" } else { "priced" },
            advice: advice(kind, model),
            requests,
        })
        .collect();
    Ok(EstimateReport {
        card: CardInfo::new(card, today),
        file: reader.files().first().map(|file| file.name.clone()).unwrap_or_default(),
        model: model.id.clone(),
        model_name: model.name.clone(),
        status: model.status(today),
        requested_as,
        lane,
        basis,
        prompt_tokens_estimated: true,
        chars_per_token: CHARS_PER_TOKEN,
        lines,
        rows,
        total,
        findings,
        malformed: reader.into_malformed(),
    })
}

/// What a finding means for `model` and how to fix it.
fn advice(kind: FindingKind, model: &Model) -> String {
    match kind {
        FindingKind::MissingImageSize => format!(
            "the API makes these {}: priced so; set imageSize if that is not what you meant",
            model.default_size
        ),
        FindingKind::MisspelledImageSize => {
            "the API refuses these: write the size exactly as 512, 1K, 2K or 4K (uppercase K)".into()
        }
        FindingKind::UnknownImageSize => "the API refuses these: imageSize takes 512, 1K, 2K or 4K".into(),
        FindingKind::SizeNotOffered => {
            format!("the API refuses these: {} offers {}", model.id, model.size_list())
        }
        FindingKind::ImageSizeNotTaken => {
            format!("the API refuses these: {} takes no imageSize; remove imageConfig.imageSize", model.id)
        }
        FindingKind::InvalidCandidateCount => {
            "the API refuses these: candidateCount must be a whole number of at least 1".into()
        }
        FindingKind::OtherModel => format!(
            "these name another model than --model; they are priced as {}, so check which model the job runs",
            model.id
        ),
        FindingKind::DuplicateKey => {
            "each request runs and is billed; output lines will repeat the key".into()
        }
        FindingKind::UnpricedReferenceImages => format!(
            "the rate card gives no input_image_tokens for {}, so these reference images are not priced: add it to the card",
            model.id
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::CardOrigin;
    use crate::report::testing::today;
    use crate::synth::{SynthSpec, write_batch_input};
    use rust_decimal::Decimal;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// Estimates lines already in memory, as if read from `input.jsonl`.
    fn estimate(card: &RateCard, model: &str, bytes: &[u8], basis: Basis) -> EstimateReport {
        let mut reader = BatchReader::new(false);
        let mut requests = Requests::new(card, card.resolve(model).unwrap().model);
        reader
            .read_source("input.jsonl".into(), bytes, &ScanOptions::default(), |place, line, first| {
                requests.add(place, line, first)
            })
            .unwrap();
        let priced = Priced { lane: Lane::Batch, basis, requested_as: None };
        assemble(card, requests, reader, priced, today()).unwrap()
    }

    fn adds_up(lines: &EstimateLines) -> bool {
        lines.read
            == lines.priced_requests + lines.rejected_requests + lines.malformed_lines + lines.blank_lines
    }

    fn finding_counts(report: &EstimateReport) -> Vec<(FindingKind, u64)> {
        report.findings.iter().map(|finding| (finding.kind, finding.requests.count)).collect()
    }

    const MIXED: &[u8] = include_bytes!("../../tests/fixtures/batch/input-mixed.jsonl");

    /// `tests/fixtures/batch/input-mixed.jsonl` with `--model flash`, batch
    /// list prices 512 0.022, 1K 0.034, 2K 0.050, 4K 0.076; input 0.25 per
    /// 1M tokens; a reference image 1120 tokens (0.00028).
    /// - 512: line 7 (names Pro: a finding), "x" → 1 token: 0.022 + 0.00000025 = 0.02200025
    /// - 1K: line 3, no imageSize, "cat" → 1 token, one fileData part:
    ///   0.034 + 0.00000025 + 0.00028 = 0.03428025
    /// - 2K: lines 1 and 6 (duplicate key r1), "a red fox" → 3 tokens each:
    ///   2 × 0.050 + 6 × 0.00000025 = 0.1000015
    /// - 4K: line 2, snake_case, candidate_count 2, "neon city at dusk" → 5 tokens, one
    ///   inline image: 2 × 0.076 + 0.00000125 + 0.00028 = 0.15228125
    /// - rejected: line 4 `2k`, line 5 `1024`, line 8 candidateCount 0, line 11 `2048`
    /// - line 9 blank, line 10 truncated
    ///
    /// Total 0.30856325.
    #[test]
    fn prices_the_mixed_fixture_as_worked_out_by_hand() {
        let report = estimate(&RateCard::embedded(), "flash", MIXED, Basis::List);
        assert_eq!(
            report.lines,
            EstimateLines {
                read: 11,
                priced_requests: 5,
                rejected_requests: 4,
                malformed_lines: 1,
                blank_lines: 1
            }
        );
        assert!(adds_up(&report.lines));
        let rows: Vec<(ImageSize, u64, u64, Decimal)> =
            report.rows.iter().map(|row| (row.size, row.requests, row.images, row.cost.amount())).collect();
        assert_eq!(
            rows,
            [
                (ImageSize::S512, 1, 1, d("0.02200025")),
                (ImageSize::K1, 1, 1, d("0.03428025")),
                (ImageSize::K2, 2, 2, d("0.1000015")),
                (ImageSize::K4, 1, 2, d("0.15228125")),
            ]
        );
        assert_eq!(report.total.cost, d("0.30856325"));
        assert_eq!(report.total.image_cost, d("0.308"));
        assert_eq!(report.total.reference_cost, d("0.00056"));
        // Line 10 is malformed: what it asked for is not in the total.
        assert!(!report.total.complete);
        assert_eq!(
            finding_counts(&report),
            [
                (FindingKind::MissingImageSize, 1),
                (FindingKind::MisspelledImageSize, 1),
                (FindingKind::UnknownImageSize, 2),
                (FindingKind::InvalidCandidateCount, 1),
                (FindingKind::OtherModel, 1),
                (FindingKind::DuplicateKey, 1),
            ]
        );
        let unknown = &report.findings[2].requests.shown;
        assert_eq!(
            unknown.iter().map(|line| (line.line, line.value.as_deref())).collect::<Vec<_>>(),
            [(5, Some("1024")), (11, Some("2048"))]
        );
        assert_eq!(report.malformed.shown[0].line, 10);
    }

    #[test]
    fn rejects_every_size_for_a_model_that_takes_none() {
        let report = estimate(&RateCard::embedded(), "nano-banana", MIXED, Basis::List);
        // Only line 3 (no imageSize) is priced: 1 × 0.0195 + 1 token + 258 tokens at 0.15 per 1M.
        assert_eq!(report.lines.priced_requests, 1);
        assert_eq!(report.lines.rejected_requests, 8);
        assert_eq!(report.total.cost, d("0.0195388500"));
        assert!(finding_counts(&report).contains(&(FindingKind::ImageSizeNotTaken, 8)));
        assert!(!finding_counts(&report).iter().any(|(kind, _)| *kind == FindingKind::MissingImageSize));
    }

    #[test]
    fn prices_images_at_tokens_when_asked() {
        let report = estimate(&RateCard::embedded(), "flash", MIXED, Basis::Tokens);
        // 0.02241 + 0.0336 + 2 × 0.0504 + 2 × 0.0756 = 0.30801, plus the same
        // prompts (0.00000325) and reference images (0.00056).
        assert_eq!(report.total.image_cost, d("0.30801"));
        assert_eq!(report.total.cost, d("0.30857325"));
    }

    #[test]
    fn leaves_reference_images_unpriced_when_the_card_has_no_token_count() {
        let toml: String = crate::card::APRIL_2026_TOML
            .lines()
            .filter(|line| !line.starts_with("input_image_tokens"))
            .collect::<Vec<_>>()
            .join("\n");
        let card = RateCard::from_toml(&toml, CardOrigin::Embedded("2026-04")).unwrap();
        let report = estimate(&card, "flash", MIXED, Basis::List);
        assert_eq!(report.total.unpriced_reference_images, 2);
        assert!(report.is_incomplete());
        assert_eq!(report.total.cost, d("0.30800325"));
        assert!(finding_counts(&report).contains(&(FindingKind::UnpricedReferenceImages, 2)));
    }

    #[test]
    fn an_empty_file_costs_nothing() {
        let report = estimate(&RateCard::embedded(), "flash", b"", Basis::List);
        assert_eq!(report.lines, EstimateLines::default());
        assert_eq!(report.total.cost, Decimal::ZERO);
        assert!(report.findings.is_empty());
    }

    /// The generator's own totals: every request it wrote, by size as
    /// written, must land in the same row (`2k` rejected, no size at 1K).
    #[test]
    fn totals_on_generated_files_equal_the_generators_own() {
        let card = RateCard::embedded();
        let spec = SynthSpec {
            target_bytes: 1 << 20,
            seed: 12,
            payload_bytes: 800,
            duplicate_percent: 5,
            broken_percent: 2,
            blank_percent: 2,
            ..SynthSpec::default()
        };
        let mut file = Vec::new();
        let expected = write_batch_input(&spec, &mut file).unwrap();
        let report = estimate(&card, "flash", &file, Basis::List);
        let written =
            |size: Option<&str>| expected.sizes.get(&size.map(str::to_owned)).copied().unwrap_or_default();
        let n = |sum: u128| u64::try_from(sum).unwrap();
        let row = |size| report.rows.iter().find(|row| row.size == size).unwrap();
        for (size, sources) in [
            (ImageSize::S512, vec![Some("512")]),
            (ImageSize::K1, vec![Some("1K"), None]),
            (ImageSize::K2, vec![Some("2K")]),
            (ImageSize::K4, vec![Some("4K")]),
        ] {
            let requests: u64 = sources.iter().map(|size| n(written(*size).requests)).sum();
            let chars: u64 = sources.iter().map(|size| n(written(*size).prompt_chars)).sum();
            let references: u64 =
                sources.iter().map(|size| n(written(*size).inline_images + written(*size).file_parts)).sum();
            assert_eq!(
                (row(size).requests, row(size).prompt_chars, row(size).reference_images),
                (requests, chars, references)
            );
            let list = card.resolve("flash").unwrap().model.size(size).unwrap().price[&Lane::Batch];
            assert_eq!(row(size).image_cost, Money::new(list).times(requests).unwrap());
        }
        assert_eq!(row(ImageSize::K1).requests_without_size, n(written(None).requests));
        assert_eq!(report.lines.rejected_requests, n(written(Some("2k")).requests));
        assert_eq!(report.lines.read, expected.lines);
        assert_eq!(report.lines.malformed_lines, expected.malformed_lines);
        assert_eq!(report.lines.blank_lines, expected.blank_lines);
        assert!(adds_up(&report.lines));
        let duplicates = report.findings.iter().find(|finding| finding.kind == FindingKind::DuplicateKey);
        assert_eq!(duplicates.map_or(0, |finding| finding.requests.count), expected.duplicate_keys);
    }
}

//! `tally`: what a batch job cost, exactly, from its output files.
//!
//! Each response is billed by its own `usageMetadata`, at the token rates
//! of the model its `modelVersion` names, which is how the invoice is
//! computed. Cost is linear in tokens, so the scan only sums tokens per
//! (model version, image tokens per image) and the sums are priced once at
//! the end: the same exact decimals as pricing every response, without
//! pricing work on the hot path.
//!
//! Nothing is dropped silently: lines read = responses + error lines +
//! malformed lines + blank lines, a model the card does not know is
//! reported unpriced (never $0), and a response whose output cannot be
//! split into image and text is priced at the image rate and counted.

use std::path::PathBuf;

use serde::Serialize;
use time::Date;

use super::CardInfo;
use crate::batch::{BatchFileError, MalformedLine, Sightings};
use crate::batch::{
    BatchReader, ModelGroup, ReadCounts, Responses, SumsByVersion, group_by_model, size_label,
};
pub use crate::batch::{DuplicateKey, ErrorLine};
use crate::card::{Model, RateCard, UnknownModel};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, Overflow, narrow};
use crate::pricing;
use crate::scan::ScanOptions;

/// What to tally, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRequest {
    /// Output files in order; `-` is stdin. Gzip is read directly.
    pub files: Vec<PathBuf>,
    /// The lane the job ran on (batch for Batch API output).
    pub lane: Lane,
    /// The model for responses that name no `modelVersion`, as typed.
    pub model: Option<String>,
    /// Stop at the first malformed line instead of counting it.
    pub strict: bool,
    /// How to scan.
    pub scan: ScanOptions,
}

/// Why a tally cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum TallyError {
    /// `--model` names no model in the card.
    #[error(transparent)]
    UnknownModel(#[from] UnknownModel),
    /// A file could not be read through.
    #[error(transparent)]
    File(#[from] BatchFileError),
    /// A sum outgrew exact arithmetic.
    #[error("the totals are too large to compute exactly; tally fewer files at a time")]
    Overflow,
}

impl Kind for TallyError {
    fn kind(&self) -> ErrorKind {
        match self {
            TallyError::UnknownModel(error) => error.kind(),
            TallyError::File(error) => error.kind(),
            TallyError::Overflow => ErrorKind::Input,
        }
    }
}

impl From<Overflow> for TallyError {
    fn from(Overflow: Overflow) -> Self {
        TallyError::Overflow
    }
}

/// The answer to `nbcost tally`.
#[derive(Debug, Clone, Serialize)]
pub struct TallyReport {
    /// The rate card the prices come from.
    pub card: CardInfo,
    /// The lane priced (`batch` unless `--lane` says otherwise).
    pub lane: Lane,
    /// Always `tokens`: each response's own token counts × per-1M rates.
    pub basis: &'static str,
    /// The model given with `--model` for responses without `modelVersion`.
    pub fallback_model: Option<String>,
    /// Line counts over every file: `read` = `responses` + `error_lines` +
    /// `malformed_lines` + `blank_lines`.
    pub lines: LineCounts,
    /// The same counts per file, in the order given.
    pub files: Vec<FileLines>,
    /// One row per card model (or unpriced model version) and inferred
    /// size, priced models first in card order, smallest images first.
    pub rows: Vec<TallyRow>,
    /// The grand total.
    pub total: TallyTotal,
    /// Responses for a key that an earlier response had: each is billed.
    pub duplicates: Duplicates,
    /// Lines reporting an error status: not billed.
    pub errors: ErrorLines,
    /// Lines that could not be read, skipped and counted.
    pub malformed: Sightings<MalformedLine>,
}

/// How many lines of each kind were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LineCounts {
    /// Every line read.
    pub read: u64,
    /// Lines holding a response (billed), repeats of a key included.
    pub responses: u64,
    /// Lines holding an error status (not billed).
    pub error_lines: u64,
    /// Lines that could not be read (skipped).
    pub malformed_lines: u64,
    /// Lines of whitespace only.
    pub blank_lines: u64,
}

/// One file's line counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileLines {
    /// The file as given (`stdin` for `-`).
    pub file: String,
    /// Its counts, which add up as in [`LineCounts`].
    #[serde(flatten)]
    pub lines: LineCounts,
}

/// Responses of one model priced at one inferred size.
#[derive(Debug, Clone, Serialize)]
pub struct TallyRow {
    /// The card's model ID; `null` when the model is not priced.
    pub model: Option<String>,
    /// The card's product name; `null` when not priced.
    pub model_name: Option<String>,
    /// Every `modelVersion` as written in the responses of this row;
    /// `null` stands for responses that named none.
    pub model_versions: Vec<Option<String>>,
    /// The size inferred from image tokens per image: `2K`, `1K/2K` where
    /// the sizes count the same tokens, `unknown (N tokens/image)`, or
    /// `no image`.
    pub size: String,
    /// Image output tokens per image behind the inferred size.
    pub image_tokens_per_image: u64,
    /// Responses.
    pub responses: u64,
    /// Inline images in the responses (thought images left out).
    pub images: u64,
    /// Prompt tokens (`promptTokenCount`), billed at the input rate.
    pub prompt_tokens: u64,
    /// Of which TEXT, as `promptTokensDetails` says.
    pub prompt_text_tokens: u64,
    /// Of which IMAGE (reference images), as `promptTokensDetails` says.
    pub prompt_image_tokens: u64,
    /// Output tokens billed at the image output rate: IMAGE candidate
    /// tokens, or every candidate token where the response has no
    /// `candidatesTokensDetails`.
    pub image_output_tokens: u64,
    /// Candidate tokens not labelled IMAGE, billed at the text rate.
    pub text_output_tokens: u64,
    /// Thinking tokens (`thoughtsTokenCount`), billed at the text rate.
    pub thoughts_tokens: u64,
    /// Sum of `totalTokenCount`, for checking against the console.
    pub total_tokens: u64,
    /// Responses without `candidatesTokensDetails`, whose output tokens are
    /// all priced at the image rate (an assumption, never silent).
    pub responses_without_output_split: u64,
    /// Dollars for the prompt tokens; `null` when not priced.
    pub input_cost: Option<Money>,
    /// Dollars for the image output tokens; `null` when not priced.
    pub image_output_cost: Option<Money>,
    /// Dollars for the text and thinking tokens; `null` when not priced.
    pub text_output_cost: Option<Money>,
    /// Dollars for the row, exact; `null` when not priced.
    pub cost: Option<Money>,
    /// Why the row is not priced, when it is not.
    pub unpriced_reason: Option<String>,
}

/// The grand total.
#[derive(Debug, Clone, Serialize)]
pub struct TallyTotal {
    /// Responses, priced or not.
    pub responses: u64,
    /// Responses priced.
    pub priced_responses: u64,
    /// Responses of models the card does not price; when not 0 the cost is
    /// incomplete and the exit code is 6.
    pub unpriced_responses: u64,
    /// Inline images in all responses.
    pub images: u64,
    /// Dollars for prompt tokens of priced responses.
    pub input_cost: Money,
    /// Dollars for image output tokens of priced responses.
    pub image_output_cost: Money,
    /// Dollars for text and thinking tokens of priced responses.
    pub text_output_cost: Money,
    /// Dollars for every priced response, exact.
    pub cost: Money,
    /// Whether every response was priced.
    pub complete: bool,
    /// Responses priced at the image rate for want of
    /// `candidatesTokensDetails`.
    pub responses_without_output_split: u64,
}

/// Responses for keys seen before.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicates {
    /// Extra responses (a key seen three times counts 2), with the first
    /// few listed.
    #[serde(flatten)]
    pub responses: Sightings<DuplicateKey>,
    /// Dollars those extra responses cost (priced ones only); already in
    /// the total.
    pub cost: Money,
}

/// Error lines.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ErrorLines {
    /// Error lines by code, in code order (`null`: no integer code).
    pub by_code: Vec<ErrorCount>,
    /// Every error line counted, the first few listed.
    #[serde(flatten)]
    pub lines: Sightings<ErrorLine>,
}

/// How many error lines had one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorCount {
    /// The error code (`429`, `400`, ...), or `null`.
    pub code: Option<i64>,
    /// Lines with it.
    pub count: u64,
}

impl TallyReport {
    /// Reads every file of `request` and prices what it finds with `card`.
    pub fn build(card: &RateCard, request: &TallyRequest, today: Date) -> Result<TallyReport, TallyError> {
        let fallback = request.model.as_deref().map(|name| card.resolve(name)).transpose()?.map(|r| r.model);
        let mut reader = BatchReader::new(request.strict);
        let mut responses = Responses::default();
        for path in &request.files {
            reader.read_path(path, &request.scan, |place, line, first| responses.add(place, line, first))?;
        }
        assemble(card, request.lane, today, fallback, reader, responses)
    }

    /// Whether some responses could not be priced, so the total is short.
    pub fn is_incomplete(&self) -> bool {
        !self.total.complete
    }
}

/// The report's line counts from the reader's and the error lines among
/// its records.
fn line_counts(counts: ReadCounts, error_lines: u64) -> LineCounts {
    LineCounts {
        read: counts.read,
        responses: counts.records - error_lines,
        error_lines,
        malformed_lines: counts.malformed,
        blank_lines: counts.blank,
    }
}

/// Prices what was read and lays it out as the report.
fn assemble(
    card: &RateCard,
    lane: Lane,
    today: Date,
    fallback: Option<&Model>,
    reader: BatchReader,
    responses: Responses,
) -> Result<TallyReport, TallyError> {
    let rows = price_rows(card, lane, &responses.sums, fallback)?;
    let duplicate_rows = price_rows(card, lane, &responses.duplicate_sums, fallback)?;
    let priced = |rows: &[TallyRow], part: fn(&TallyRow) -> Option<Money>| {
        Money::sum(rows.iter().filter_map(part)).map_err(TallyError::from)
    };
    let count = |rows: &[TallyRow], want_priced: bool| {
        rows.iter().filter(|row| row.cost.is_some() == want_priced).map(|row| row.responses).sum::<u64>()
    };
    let unpriced_responses = count(&rows, false);
    let total = TallyTotal {
        responses: rows.iter().map(|row| row.responses).sum(),
        priced_responses: count(&rows, true),
        unpriced_responses,
        images: rows.iter().map(|row| row.images).sum(),
        input_cost: priced(&rows, |row| row.input_cost)?,
        image_output_cost: priced(&rows, |row| row.image_output_cost)?,
        text_output_cost: priced(&rows, |row| row.text_output_cost)?,
        cost: priced(&rows, |row| row.cost)?,
        complete: unpriced_responses == 0,
        responses_without_output_split: rows.iter().map(|row| row.responses_without_output_split).sum(),
    };
    let files = reader
        .files()
        .iter()
        .enumerate()
        .map(|(index, file)| FileLines {
            file: file.name.clone(),
            lines: line_counts(file.counts, responses.error_lines_in(index)),
        })
        .collect();
    Ok(TallyReport {
        card: CardInfo::new(card, today),
        lane,
        basis: "tokens",
        fallback_model: fallback.map(|model| model.id.clone()),
        lines: line_counts(reader.total(), responses.errors.count),
        files,
        rows,
        total,
        duplicates: Duplicates {
            cost: priced(&duplicate_rows, |row| row.cost)?,
            responses: responses.duplicates,
        },
        errors: ErrorLines {
            by_code: responses
                .error_codes
                .into_iter()
                .map(|(code, count)| ErrorCount { code, count })
                .collect(),
            lines: responses.errors,
        },
        malformed: reader.into_malformed(),
    })
}

/// One priced row per group of responses priced alike.
fn price_rows(
    card: &RateCard,
    lane: Lane,
    sums: &SumsByVersion,
    fallback: Option<&Model>,
) -> Result<Vec<TallyRow>, TallyError> {
    group_by_model(card, sums, fallback).into_iter().map(|group| build_row(group, lane)).collect()
}

/// Prices one group's sums at `lane`, once: narrowed (checked) to `u64`,
/// then tokens × per-1M rates. A group with no card model or no such lane
/// is left unpriced, with the reason.
fn build_row(group: ModelGroup<'_>, lane: Lane) -> Result<TallyRow, TallyError> {
    let ModelGroup { model, model_versions, tokens_per_image: per_image, sums } = group;
    let prompt_tokens = narrow(sums.prompt)?;
    let image_output_tokens = narrow(sums.image_output)?;
    let text_output_tokens = narrow(sums.text_output)?;
    let thoughts_tokens = narrow(sums.thoughts)?;
    let rates = model.and_then(|model| model.tokens.get(&lane));
    let unpriced_reason = match (model, rates) {
        (Some(_), Some(_)) => None,
        (Some(model), None) => {
            Some(format!("{} has no {lane} lane in the rate card (it has {})", model.id, model.lane_list()))
        }
        (None, _) if model_versions == [None] => {
            Some("the responses name no modelVersion: give --model to price them".to_string())
        }
        (None, _) => Some("the model is not in the rate card: pass a card that lists it with --rates".into()),
    };
    let (input_cost, image_output_cost, text_output_cost, cost) = match rates {
        Some(rates) => {
            let text_tokens = text_output_tokens.checked_add(thoughts_tokens).ok_or(TallyError::Overflow)?;
            let cost = pricing::token_cost(rates, prompt_tokens, image_output_tokens, text_tokens)?;
            (Some(cost.input), Some(cost.image_output), Some(cost.text_output), Some(cost.total))
        }
        None => (None, None, None, None),
    };
    Ok(TallyRow {
        model: rates.and(model).map(|model| model.id.clone()),
        model_name: rates.and(model).map(|model| model.name.clone()),
        model_versions,
        size: size_label(model, per_image),
        image_tokens_per_image: per_image,
        responses: narrow(sums.responses)?,
        images: narrow(sums.images)?,
        prompt_tokens,
        prompt_text_tokens: narrow(sums.prompt_text)?,
        prompt_image_tokens: narrow(sums.prompt_image)?,
        image_output_tokens,
        text_output_tokens,
        thoughts_tokens,
        total_tokens: narrow(sums.total)?,
        responses_without_output_split: narrow(sums.without_output_split)?,
        input_cost,
        image_output_cost,
        text_output_cost,
        cost,
        unpriced_reason,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::batch::model_for_version;
    use crate::report::testing::today;
    use crate::synth::{SynthSpec, write_batch_output};
    use rust_decimal::Decimal;

    const MIXED: &[u8] = include_bytes!("../../tests/fixtures/batch/output-mixed.jsonl");

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// Tallies lines already in memory, as if read from a file named `name`.
    fn read(
        card: &RateCard,
        name: &str,
        bytes: &[u8],
        strict: bool,
        fallback: Option<&Model>,
        options: &ScanOptions,
        lane: Lane,
    ) -> Result<TallyReport, TallyError> {
        let mut reader = BatchReader::new(strict);
        let mut responses = Responses::default();
        reader.read_source(name.into(), bytes, options, |place, line, first| {
            responses.add(place, line, first)
        })?;
        assemble(card, lane, today(), fallback, reader, responses)
    }

    fn tally(bytes: &[u8], lane: Lane) -> TallyReport {
        read(&RateCard::embedded(), "test.jsonl", bytes, false, None, &ScanOptions::default(), lane).unwrap()
    }

    fn adds_up(lines: &LineCounts) -> bool {
        lines.read == lines.responses + lines.error_lines + lines.malformed_lines + lines.blank_lines
    }

    /// `tests/fixtures/batch/output-mixed.jsonl`, batch rates per 1M tokens
    /// (input / text / image): Nano Banana 2 0.25 / 1.50 / 30, Pro 1 / 6 / 60.
    /// - line 1, key a, flash 2K: 12 × 0.25 + 1680 × 30 = 0.000003 + 0.0504 = 0.050403
    /// - line 2, key b, pro 4K, snake_case: 580 × 1 + 2000 × 60 + (10 text + 100 thinking) × 6
    ///   = 0.00058 + 0.12 + 0.00066 = 0.12124
    /// - line 3, error 429; line 10, error 400: not billed
    /// - line 4, key a again: billed again, 0.050403
    /// - line 5, model imagen-9-ultra: not in the card, unpriced
    /// - line 6 truncated, line 7 not JSON: malformed; line 8 blank
    /// - line 9, bare response, successor ID gemini-3.1-flash-image, no
    ///   candidatesTokensDetails: 8 × 0.25 + 1120 × 30 = 0.000002 + 0.0336 = 0.033602 (1K)
    /// - line 11, key g, no modelVersion: unpriced (747 tokens, 512 with --model flash)
    ///
    /// Total priced: 0.050403 × 2 + 0.12124 + 0.033602 = 0.255648.
    #[test]
    fn prices_the_mixed_fixture_as_worked_out_by_hand() {
        let report = tally(MIXED, Lane::Batch);
        assert_eq!(
            report.lines,
            LineCounts { read: 11, responses: 6, error_lines: 2, malformed_lines: 2, blank_lines: 1 }
        );
        assert!(adds_up(&report.lines));
        assert_eq!(report.total.cost, d("0.255648"));
        assert_eq!(report.total.input_cost, d("0.000588"));
        assert_eq!(report.total.image_output_cost, d("0.2544"));
        assert_eq!(report.total.text_output_cost, d("0.00066"));
        assert_eq!((report.total.priced_responses, report.total.unpriced_responses), (4, 2));
        assert!(report.is_incomplete());
        assert_eq!(report.total.responses_without_output_split, 1);
        assert_eq!(report.duplicates.responses.count, 1);
        assert_eq!(report.duplicates.cost, d("0.050403"));
        assert_eq!(report.duplicates.responses.shown[0].first_line, 1);
        assert_eq!(
            report.errors.by_code,
            [ErrorCount { code: Some(400), count: 1 }, ErrorCount { code: Some(429), count: 1 }]
        );
        assert_eq!(report.malformed.shown.iter().map(|bad| bad.line).collect::<Vec<_>>(), [6, 7]);
        let rows: Vec<(Option<&str>, &str, u64, Option<Decimal>)> = report
            .rows
            .iter()
            .map(|row| (row.model.as_deref(), row.size.as_str(), row.responses, row.cost.map(Money::amount)))
            .collect();
        assert_eq!(
            rows,
            [
                (Some("gemini-3.1-flash-image-preview"), "1K", 1, Some(d("0.033602"))),
                (Some("gemini-3.1-flash-image-preview"), "2K", 2, Some(d("0.100806"))),
                (Some("gemini-3-pro-image-preview"), "4K", 1, Some(d("0.12124"))),
                (None, "unknown (747 tokens/image)", 1, None),
                (None, "unknown (1000 tokens/image)", 1, None),
            ]
        );
        assert_eq!(report.rows[0].model_versions, [Some("gemini-3.1-flash-image".to_string())]);
    }

    #[test]
    fn prices_responses_without_model_version_at_the_model_given() {
        let card = RateCard::embedded();
        let flash = card.resolve("flash").unwrap().model;
        let report =
            read(&card, "mixed", MIXED, false, Some(flash), &ScanOptions::default(), Lane::Batch).unwrap();
        // 0.255648 + 10 × 0.25 / 1M + 747 × 30 / 1M = 0.255648 + 0.0000025 + 0.02241
        assert_eq!(report.total.cost, d("0.2780605"));
        assert_eq!(report.total.unpriced_responses, 1);
        assert!(report.rows.iter().any(|row| row.size == "512" && row.model_versions == [None]));
    }

    /// `tests/fixtures/batch/output-clean.jsonl.gz`, standard rates:
    /// - x1 flash 4K: 10 × 0.50 + 2520 × 60 = 0.000005 + 0.1512 = 0.151205
    /// - x2 Nano Banana 1K: 10 × 0.30 + 1290 × 30 = 0.000003 + 0.0387 = 0.038703
    /// - x3 flash, two images of 1120 tokens (1K): 10 × 0.50 + 2240 × 60 = 0.000005 + 0.1344 = 0.134405
    ///
    /// Total 0.324313 (batch: 0.0756025 + 0.0193515 + 0.0672025 = 0.1621565).
    #[test]
    fn reads_the_gzip_fixture_on_either_lane() {
        let mut plain = Vec::new();
        crate::scan::decompress_if_gzip(
            &include_bytes!("../../tests/fixtures/batch/output-clean.jsonl.gz")[..],
        )
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
        for (lane, total) in [(Lane::Standard, "0.324313"), (Lane::Batch, "0.1621565")] {
            let report = tally(&plain, lane);
            assert_eq!(report.total.cost, d(total), "{lane}");
            assert!(report.total.complete);
            assert_eq!(report.total.images, 4);
        }
    }

    #[test]
    fn an_empty_file_costs_nothing_and_is_complete() {
        let report = tally(b"", Lane::Batch);
        assert_eq!(report.lines, LineCounts::default());
        assert!(report.rows.is_empty());
        assert_eq!(report.total.cost, Decimal::ZERO);
        assert!(report.total.complete);
    }

    #[test]
    fn totals_on_generated_files_equal_the_generators_own() {
        let card = RateCard::embedded();
        for seed in [3, 8] {
            let spec = SynthSpec {
                target_bytes: 2 << 20,
                seed,
                payload_bytes: 3000,
                error_percent: 5,
                duplicate_percent: 5,
                broken_percent: 2,
                blank_percent: 2,
                ..SynthSpec::default()
            };
            let mut file = Vec::new();
            let expected = write_batch_output(&spec, &mut file).unwrap();
            let mut want = Money::ZERO;
            let mut responses = 0;
            let n = |sum: u128| u64::try_from(sum).unwrap();
            for (group, totals) in &expected.groups {
                let model = model_for_version(&card, group.model_version.as_deref().unwrap()).unwrap();
                let rates = model.tokens[&Lane::Batch];
                // Without candidatesTokensDetails the generator's group has 0
                // image tokens and every output token goes at the image rate.
                let (image, text) = if group.candidate_image_tokens == 0 {
                    (n(totals.candidates), 0)
                } else {
                    (n(totals.candidate_image), n(totals.candidate_text))
                };
                let parts = [
                    Money::per_million(n(totals.prompt), rates.input).unwrap(),
                    Money::per_million(image, rates.image_output).unwrap(),
                    Money::per_million(text + n(totals.thoughts), rates.text_output).unwrap(),
                ];
                want = want.plus(Money::sum(parts).unwrap()).unwrap();
                responses += n(totals.responses);
            }
            for threads in [1, 2] {
                let options = ScanOptions { threads, block_bytes: 64 << 10, ..ScanOptions::default() };
                let report = read(&card, "synthetic", &file, false, None, &options, Lane::Batch).unwrap();
                assert_eq!(report.total.cost, want, "seed {seed} threads {threads}");
                assert!(report.total.complete);
                assert_eq!(
                    report.lines,
                    LineCounts {
                        read: expected.lines,
                        responses,
                        error_lines: expected.error_lines,
                        malformed_lines: expected.malformed_lines,
                        blank_lines: expected.blank_lines,
                    }
                );
                assert!(adds_up(&report.lines));
                assert_eq!(report.duplicates.responses.count, expected.duplicate_responses);
                assert_eq!(report.errors.lines.count, expected.error_lines);
            }
        }
    }

    #[test]
    fn stops_at_the_first_malformed_line_when_strict() {
        let card = RateCard::embedded();
        let error =
            read(&card, "mixed", MIXED, true, None, &ScanOptions::default(), Lane::Batch).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`mixed` line 6 is malformed (not JSON: EOF while parsing a value at column 59): fix or remove the line, or drop --strict to count malformed lines and go on"
        );
    }
}

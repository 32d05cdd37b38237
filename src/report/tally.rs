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
//! split into image and text by its details is split by what its
//! candidates hold (image parts: all image, an upper bound; none: all
//! text) and counted. Google Search queries are counted per model and
//! priced at the card's grounding price (see `tally/grounding.rs`).

use std::path::PathBuf;

use serde::Serialize;
use time::Date;

use super::{BudgetCheck, CardInfo, Notice, Outcome, Verdict, lifecycle_warning, priced_by_note, warn_once};
use crate::attribution::By;
use crate::batch::{BatchFileError, MalformedLine, Sightings, StreamSummary};
use crate::batch::{
    BatchReader, BilledLane, Distinct, MAX_UNKNOWN_VERSIONS, ModelGroup, PerImage, ReadCounts, Responses,
    SumsByVersion, UnrecognisedTier, group_by_model, size_label,
};
pub use crate::batch::{DuplicateKey, ErrorLine};
use crate::card::{Model, RateCard, Status, UnknownModel};
use crate::count::{counted, grouped};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, Overflow, narrow};
use crate::plan::GroupBudget;
use crate::pricing::{self, CostError};
use crate::scan::{OutputLine, ScanOptions};

/// What to tally, validated. Its default reads no file, on the lanes the
/// lines say, with every optional flag left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TallyRequest {
    /// Output files in order; `-` is stdin. Gzip is read directly.
    pub files: Vec<PathBuf>,
    /// `--lane`: the lane of every response, overriding what the lines
    /// say; `None` to decide per line.
    pub lane: Option<Lane>,
    /// The model for responses that name no `modelVersion`, as typed.
    pub model: Option<String>,
    /// `--free-queries`: search queries still free this month, taken off
    /// the queries priced.
    pub free_queries: u64,
    /// Stop at the first malformed line instead of counting it.
    pub strict: bool,
    /// How to scan.
    pub scan: ScanOptions,
    /// A limit the total must not exceed (`--fail-above`).
    pub fail_above: Option<Money>,
    /// `--by`: rows per attribution too.
    pub by: Option<By>,
    /// `--plan`: a plan file whose `[[group]]` budgets each attribution is
    /// held to (with `by`).
    pub plan: Option<PathBuf>,
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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TallyReport {
    /// The rate card the prices come from.
    pub card: CardInfo,
    /// The lanes the responses were billed on, and how they were known.
    pub lanes: LaneSummary,
    /// Always `tokens`: each response's own token counts × per-1M rates.
    pub basis: &'static str,
    /// The model given with `--model` for responses without `modelVersion`.
    pub fallback_model: Option<String>,
    /// `--by` as given (`key-prefix`, `label:NAME`, `file`); `null`
    /// without it.
    pub by: Option<String>,
    /// Line counts over every file: `read` = `responses` + `chunk_lines` +
    /// `error_lines` + `malformed_lines` + `blank_lines`. In a whole JSON
    /// document each item (a response, a chunk, an event, an inlined
    /// response) counts as a line.
    pub lines: LineCounts,
    /// The same counts per file, in the order given.
    pub files: Vec<FileLines>,
    /// One row per card model (or unpriced model version), inferred size
    /// and lane, priced models first in card order, smallest images first,
    /// lanes in the order standard, batch, flex, priority, provisioned.
    pub rows: Vec<TallyRow>,
    /// The grand total.
    pub total: TallyTotal,
    /// With `--by`, what each attribution spent (and its budget, with
    /// `--plan`): these costs and `grounding.cost` add up to the total.
    /// Empty without `--by`.
    pub attributions: Vec<AttributionTotal>,
    /// Google Search queries the responses ran, per model, and their cost
    /// (boxed: the report travels by value in a reply enum).
    pub grounding: Box<TallyGrounding>,
    /// Responses for a key that an earlier response had: each is billed.
    pub duplicates: Duplicates,
    /// Lines reporting an error status: not billed.
    pub errors: ErrorLines,
    /// Lines that could not be read, skipped and counted: any makes the
    /// total incomplete.
    pub malformed: Sightings<MalformedLine>,
    /// Stream chunks (sharing a `responseId`) folded into the responses
    /// they are pieces of, each response billed once at its final usage.
    pub streams: StreamSummary,
    /// Files in which nothing but blank lines was found.
    pub empty_files: Vec<String>,
    /// The `--fail-above` check of `total.cost`, else `null`.
    pub budget: Option<BudgetCheck>,
    /// Warnings: a retired or retiring model given with `--model`, files
    /// with nothing in them, then retired or retiring model versions the
    /// responses name.
    #[serde(skip)]
    pub notices: Vec<Notice>,
}

/// Responses per lane billed, and how their lanes were known. Each lane
/// counts every response billed on it, priced or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LaneSummary {
    /// Responses on the standard lane, those assumed included.
    pub standard: u64,
    /// Responses on the batch lane.
    pub batch: u64,
    /// Responses on the flex lane.
    pub flex: u64,
    /// Responses on the priority lane.
    pub priority: u64,
    /// Responses served on provisioned throughput (Vertex AI
    /// `PROVISIONED_THROUGHPUT`): billed by the customer's commitment, so
    /// never priced per token, never in the cost, and not making it
    /// incomplete.
    pub provisioned: u64,
    /// Of `standard`, responses priced on standard because nothing told
    /// their lane: no batch wrapper, no known `serviceTier` or
    /// `trafficType`.
    pub assumed_standard: u64,
    /// `serviceTier` / `trafficType` values not recognised, with their
    /// responses (all in `assumed_standard`).
    pub unrecognised: Vec<UnrecognisedLane>,
    /// The lane given with `--lane`, which every response was billed on;
    /// `null` when the lines decided.
    pub lane_override: Option<Lane>,
}

/// A lane value not recognised, and how many responses carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UnrecognisedLane {
    /// `serviceTier` or `trafficType`.
    pub field: &'static str,
    /// The value as written (its first 40 bytes, then `…`); `null` when it
    /// was not a string.
    pub value: Option<String>,
    /// Responses with it.
    pub responses: u64,
}

impl LaneSummary {
    /// Counts the rows' responses per lane.
    fn new(rows: &[TallyRow], responses: &Responses) -> LaneSummary {
        let mut summary = LaneSummary {
            assumed_standard: responses.assumed_standard,
            unrecognised: responses
                .unrecognised_lanes
                .iter()
                .map(|(UnrecognisedTier { field, value }, count)| UnrecognisedLane {
                    field: field.name(),
                    value: value.map(|value| value.to_string()),
                    responses: *count,
                })
                .collect(),
            lane_override: responses.lane_override,
            ..LaneSummary::default()
        };
        for row in rows {
            let count = match row.lane {
                BilledLane::Lane(Lane::Standard) => &mut summary.standard,
                BilledLane::Lane(Lane::Batch) => &mut summary.batch,
                BilledLane::Lane(Lane::Flex) => &mut summary.flex,
                BilledLane::Lane(Lane::Priority) => &mut summary.priority,
                BilledLane::Provisioned => &mut summary.provisioned,
            };
            *count += row.responses;
        }
        summary
    }
}

/// How many lines of each kind were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LineCounts {
    /// Every line read.
    pub read: u64,
    /// Lines holding a response (billed), repeats of a key included; a
    /// stream counts once, on its first chunk's line.
    pub responses: u64,
    /// Lines that are no response of their own: the other chunks of a
    /// stream, and agent events or chunks that carry no usage.
    pub chunk_lines: u64,
    /// Lines holding an error status (not billed).
    pub error_lines: u64,
    /// Lines that could not be read (skipped).
    pub malformed_lines: u64,
    /// Lines of whitespace only.
    pub blank_lines: u64,
}

/// One file's line counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FileLines {
    /// The file as given (`stdin` for `-`).
    pub file: String,
    /// Its counts, which add up as in [`LineCounts`].
    #[serde(flatten)]
    pub lines: LineCounts,
}

/// Responses of one model at one inferred size on one lane (and, with
/// `--by`, of one attribution).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TallyRow {
    /// With `--by`, the responses' attribution (their batch key's prefix,
    /// a request label's value, or their file); `null` when the rule finds
    /// none for them, or without `--by`.
    pub attribution: Option<String>,
    /// For the row of the attributions past the first 1,000, which share
    /// rows: how many there are, counted up to 1,000 (1,000 means at least
    /// that many; `attribution` is then `null`); else 0.
    pub other_attributions: u64,
    /// The card's model ID; `null` when the card does not know the model
    /// (a known model on a lane it lacks keeps its ID, unpriced).
    pub model: Option<String>,
    /// The card's product name; `null` as for `model`.
    pub model_name: Option<String>,
    /// Where the card in force does not list the model (it came out after
    /// the card): the later card whose prices it carries, its price at
    /// release (`October 2026 (embedded 2026-10)`); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "PricedBy::serialize_name")]
    #[schemars(with = "Option<String>")]
    pub priced_by: Option<PricedBy>,
    /// The card model's status on the day (`active`, `deprecated`,
    /// `shut-down`, `disputed`); `null` as for `model`.
    pub status: Option<Status>,
    /// Every `modelVersion` as written in the responses of this row;
    /// `null` stands for responses that named none.
    pub model_versions: Vec<Option<String>>,
    /// The size inferred from image tokens per image: `2K`, `1K/2K` where
    /// the sizes count the same tokens, `unknown (N tokens/image)`, or
    /// `no image`.
    pub size: String,
    /// Image output tokens per image behind the inferred size; 0 for the
    /// row of other sizes.
    pub image_tokens_per_image: u64,
    /// The lane the responses were billed on (`standard`, `batch`, `flex`,
    /// `priority`), or `provisioned` (not priced per token).
    pub lane: BilledLane,
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
    /// tokens, or, where the response has no `candidatesTokensDetails`,
    /// every candidate token of a response holding an image part (or no
    /// candidates at all).
    pub image_output_tokens: u64,
    /// Candidate tokens not labelled IMAGE, billed at the text rate.
    pub text_output_tokens: u64,
    /// Thinking tokens (`thoughtsTokenCount`), billed at the text rate.
    pub thoughts_tokens: u64,
    /// Sum of `totalTokenCount`, for checking against the console.
    pub total_tokens: u64,
    /// Responses without `candidatesTokensDetails`.
    pub responses_without_output_split: u64,
    /// Of those, responses whose output tokens are all priced at the image
    /// rate, an upper bound: their candidates hold an image part, or there
    /// are no candidates to tell by.
    pub responses_output_upper_bound: u64,
    /// Of those, responses whose candidates hold no image part: text
    /// answers, all output priced at the text rate.
    pub responses_text_only: u64,
    /// Google Search queries the responses ran
    /// (`groundingMetadata.webSearchQueries` entries); priced per model in
    /// `grounding`, not in this row's cost.
    pub search_queries: u64,
    /// Money for the prompt tokens; `null` when not priced.
    pub input_cost: Option<Money>,
    /// Money for the image output tokens; `null` when not priced.
    pub image_output_cost: Option<Money>,
    /// Money for the text and thinking tokens; `null` when not priced.
    pub text_output_cost: Option<Money>,
    /// Money for the row, exact; `null` when not priced.
    pub cost: Option<Money>,
    /// Why the row is not priced, when it is not.
    pub unpriced_reason: Option<String>,
    /// Lifecycle warnings for the IDs its model versions name.
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// Whether the row's responses give no token counts (and so are not
    /// priced, whatever the card says).
    #[serde(skip)]
    pub without_token_counts: bool,
    /// For the row of the model versions the card does not know past the
    /// first few, how many there are (`model_versions` is then empty).
    #[serde(skip)]
    pub other_versions: u64,
    /// For the row of a model and lane's sizes past the first 50, which
    /// share one row (`size` is then `(N other sizes)`): how many sizes it
    /// holds, counted up to 1,000 (1,000 means at least that many). Left
    /// out for every other row.
    #[serde(skip_serializing_if = "is_zero")]
    pub other_sizes: u64,
}

/// Whether `count` is 0, for leaving a field out.
fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// The grand total.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TallyTotal {
    /// Responses, priced or not.
    pub responses: u64,
    /// Responses priced.
    pub priced_responses: u64,
    /// Responses the card does not price (unknown model, or a lane the
    /// model lacks); when not 0 the cost is incomplete and the exit code
    /// is 6.
    pub unpriced_responses: u64,
    /// Responses on provisioned throughput: billed by the commitment, not
    /// in the cost, and not counted as unpriced.
    pub provisioned_responses: u64,
    /// Inline images in all responses.
    pub images: u64,
    /// Money for prompt tokens of priced responses; `null` when there
    /// are responses to price and none could be.
    pub input_cost: Option<Money>,
    /// Money for image output tokens of priced responses; `null` as for
    /// `input_cost`.
    pub image_output_cost: Option<Money>,
    /// Money for text and thinking tokens of priced responses; `null` as
    /// for `input_cost`.
    pub text_output_cost: Option<Money>,
    /// Money for the search queries priced (`grounding.cost`); `null`
    /// when none of the queries could be priced.
    pub grounding_cost: Option<Money>,
    /// Money for every priced response and the search queries priced, exact.
    pub cost: Money,
    /// Lines that could not be read: when not 0 the cost is incomplete and
    /// the exit code is 6.
    pub malformed_lines: u64,
    /// Streams that carried no usage: when not 0 the cost is incomplete.
    pub streams_without_usage: u64,
    /// Whether every response and every search query was priced and every
    /// line read.
    pub complete: bool,
    /// Responses without `candidatesTokensDetails`.
    pub responses_without_output_split: u64,
    /// Of those, responses priced all at the image rate (an upper bound).
    pub responses_output_upper_bound: u64,
    /// Of those, responses priced all at the text rate (no image part).
    pub responses_text_only: u64,
    /// Google Search queries in all responses.
    pub search_queries: u64,
}

/// Responses for keys seen before.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Duplicates {
    /// Extra responses (a key seen three times counts 2), with the first
    /// few listed.
    #[serde(flatten)]
    pub responses: Sightings<DuplicateKey>,
    /// Money those extra responses cost (priced ones only); already in
    /// the total.
    pub cost: Money,
}

/// Error lines.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct ErrorLines {
    /// Error lines by code, in code order (`null`: no integer code).
    pub by_code: Vec<ErrorCount>,
    /// Every error line counted, the first few listed.
    #[serde(flatten)]
    pub lines: Sightings<ErrorLine>,
}

/// How many error lines had one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ErrorCount {
    /// The error code (`429`, `400`, ...), or `null`.
    pub code: Option<i64>,
    /// Lines with it.
    pub count: u64,
}

impl TallyReport {
    /// Reads every file of `request` and prices what it finds with `card`.
    pub fn build(card: &RateCard, request: &TallyRequest, today: Date) -> Result<TallyReport, TallyError> {
        let named = request.model.as_deref().map(|name| card.resolve(name)).transpose()?;
        let fallback = named.map(|found| found.model);
        let mut reader = BatchReader::new(request.strict);
        let mut responses = Responses::new(card, request.lane).attributed_by(request.by.clone());
        let (files, repeated) = distinct_files(&request.files);
        for path in files {
            reader.read_path(path, &request.scan, |place, line, first| responses.add(place, line, first))?;
        }
        responses.finish();
        if let Some(empty) = reader.all_empty::<OutputLine>() {
            return Err(empty.into());
        }
        let mut report = assemble(card, today, fallback, reader, responses, request.free_queries)?;
        let mut notices: Vec<Notice> = named
            .and_then(|found| lifecycle_warning(found, today))
            .map(Notice::Warning)
            .into_iter()
            .collect();
        for file in repeated {
            notices.push(Notice::Warning(format!(
                "`{}` is given more than once: it is tallied once",
                file.display()
            )));
        }
        for file in &report.empty_files {
            notices.push(Notice::Warning(format!("`{file}` is empty: nothing in it was tallied")));
        }
        for warning in report.rows.iter().flat_map(|row| &row.warnings) {
            warn_once(&mut notices, Some(warning.clone()));
        }
        let priced: Vec<&str> = report.rows.iter().filter_map(|row| row.model.as_deref()).collect();
        for note in card.models.iter().filter(|model| priced.contains(&model.id.as_str())) {
            if let Some(note) = priced_by_note(card, note).filter(|note| !notices.contains(note)) {
                notices.push(note);
            }
        }
        report.notices = notices;
        if let Some(limit) = request.fail_above {
            report.budget = Some(
                BudgetCheck::new("the tally's total", report.total.cost, limit, &report.card.currency)
                    .map_err(|_| TallyError::Overflow)?,
            );
        }
        Ok(report)
    }

    /// The sentence to exit 5 with, when the total is above `--fail-above`.
    pub fn over_budget(&self) -> Option<String> {
        let check = self.budget.as_ref().filter(|check| check.over).map(|check| check.reason.clone());
        check.or_else(|| attributions::over_budget(&self.attributions, &self.card.currency))
    }

    /// Holds each attribution to its group's budget (`[[group]]` of a
    /// plan): a group over its budget fails the tally (exit 5).
    pub fn with_budgets(mut self, budgets: &[GroupBudget]) -> Result<TallyReport, TallyError> {
        self.attributions = attributions::totals(&self.rows, budgets)?;
        Ok(self)
    }

    /// Whether some responses could not be priced or some lines read, so
    /// the total is short.
    pub fn is_incomplete(&self) -> bool {
        !self.total.complete
    }

    /// What the total leaves out, a part at a time; empty when complete.
    pub fn left_out(&self) -> Vec<Shortfall> {
        shortfalls(&self.total, &self.grounding)
    }

    /// What the total leaves out, in brief, when it is incomplete: `2
    /// responses not priced, 1 malformed line skipped` (what goes unpriced
    /// first, then what goes unread). The report's rows and notes say which
    /// and how to price them.
    pub fn left_out_summary(&self) -> Option<String> {
        let mut parts = self.left_out();
        parts.sort_by_key(|part| {
            matches!(part, Shortfall::MalformedLines(_) | Shortfall::StreamsWithoutUsage(_))
        });
        let parts: Vec<String> = parts
            .into_iter()
            .map(|part| {
                let (count, one, many, what) = match part {
                    Shortfall::UnpricedResponses(count) => (count, "response", "responses", "not priced"),
                    Shortfall::UnpricedQueries(count) => {
                        (count, "search query", "search queries", "not priced")
                    }
                    Shortfall::MalformedLines(count) => {
                        (count, "malformed line", "malformed lines", "skipped")
                    }
                    Shortfall::StreamsWithoutUsage(count) => (count, "stream", "streams", "without usage"),
                };
                format!("{} {what}", counted(count, one, many))
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The verdict's sentence when the total is incomplete: a short
    /// pointer to the report, which names the parts and their fixes.
    pub fn incomplete_reason(&self) -> Option<String> {
        self.left_out_summary().map(|parts| format!("the total is INCOMPLETE: {parts} (see the report)"))
    }
}

impl Outcome for TallyReport {
    fn verdict(&self) -> Verdict {
        match (self.over_budget(), self.incomplete_reason()) {
            (Some(reason), _) => Verdict::OverBudget(reason),
            (None, Some(reason)) => Verdict::Incomplete(reason),
            (None, None) => Verdict::Pass,
        }
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// The files to read, each once, in the order first given, and the ones
/// given again (as written, or by another path to the same file): a file
/// given twice would be billed twice.
pub(crate) fn distinct_files(files: &[PathBuf]) -> (Vec<&PathBuf>, Vec<&PathBuf>) {
    let mut seen: Vec<PathBuf> = Vec::new();
    let (mut distinct, mut repeated) = (Vec::new(), Vec::new());
    for file in files {
        // A file that cannot be resolved (stdin, a missing file) is known
        // by its name; reading it says what is wrong.
        let identity = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        if seen.contains(&identity) {
            if !repeated.contains(&file) {
                repeated.push(file);
            }
        } else {
            seen.push(identity);
            distinct.push(file);
        }
    }
    (distinct, repeated)
}

/// A part of the responses a tally's total leaves out: any makes the total
/// incomplete (exit code 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// Responses the card does not price (unknown model, or a lane the
    /// model lacks), provisioned throughput aside.
    UnpricedResponses(u64),
    /// Lines that could not be read.
    MalformedLines(u64),
    /// Search queries of models the card gives no grounding price.
    UnpricedQueries(u64),
    /// Streams whose chunks carry no token counts.
    StreamsWithoutUsage(u64),
}

/// What `total` and `grounding` leave out, in the order above.
fn shortfalls(total: &TallyTotal, grounding: &TallyGrounding) -> Vec<Shortfall> {
    [
        Shortfall::UnpricedResponses(total.unpriced_responses),
        Shortfall::MalformedLines(total.malformed_lines),
        Shortfall::UnpricedQueries(grounding.unpriced_queries),
        Shortfall::StreamsWithoutUsage(total.streams_without_usage),
    ]
    .into_iter()
    .filter(|part| part.count() > 0)
    .collect()
}

impl Shortfall {
    /// How many responses, lines, queries or streams.
    pub fn count(self) -> u64 {
        match self {
            Shortfall::UnpricedResponses(count)
            | Shortfall::MalformedLines(count)
            | Shortfall::UnpricedQueries(count)
            | Shortfall::StreamsWithoutUsage(count) => count,
        }
    }
}

mod assemble;
use crate::card::PricedBy;
use assemble::assemble;
mod attributions;
pub use attributions::AttributionTotal;

mod grounding;
pub use grounding::{GroundingRow, TallyGrounding};

#[cfg(test)]
mod tests;

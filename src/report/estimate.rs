//! `estimate`: what a batch input file will cost, before it is submitted,
//! and the requests in it that would change the bill or be refused.
//!
//! Each request is read for its `imageSize`, `candidateCount`, reference
//! images and prompt length; the scan sums them per size and the sums are
//! priced once at the end. Images are priced on the chosen basis (list or
//! tokens); the prompt is priced from its length at one token per four
//! characters, an estimate and labelled so; reference images (`image/*`
//! parts only) at the card's `input_image_tokens`. Media parts that are not
//! images (video, audio, PDF, other) are counted by kind and left unpriced:
//! the request does not show their length, which decides their tokens, so
//! the total is incomplete. Requests with a Google Search tool are counted:
//! search is billed per query after a monthly free allowance shared by the
//! account, which no file shows, so it is left out of the total and said
//! so, without making the total incomplete. Lines read = priced requests +
//! rejected requests + malformed lines + blank lines.

use std::path::PathBuf;

use serde::Serialize;
use time::Date;

use super::{BudgetCheck, CardInfo, Notice, Outcome, Verdict, incomplete, model_notices};
use crate::batch::{BatchFileError, MalformedLine, Sightings, describe_media};
use crate::batch::{BatchReader, MediaSums, Requests};
pub use crate::batch::{CHARS_PER_TOKEN, FindingKind, FindingLine};
use crate::card::{Model, NamedAs, RateCard, Status, UnknownModel};
use crate::count::counted;
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, Overflow, narrow};
use crate::pricing::{self, Basis, CostError, Gap, PricingError};
use crate::scan::{InputLine, MediaCounts, ScanOptions};
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
    /// Thinking tokens per image (an estimate), at the lane's text output
    /// rate; `None` when not given (a model that always thinks then gets a
    /// note that thinking is not included).
    pub thinking_tokens: Option<u64>,
    /// Stop at the first malformed line instead of counting it.
    pub strict: bool,
    /// How to scan.
    pub scan: ScanOptions,
    /// A limit the total must not exceed (`--fail-above`).
    pub fail_above: Option<Money>,
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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// Whether the card gives the model Google Search grounding.
    pub grounding: bool,
    /// Thinking tokens per image (an estimate, `--thinking-tokens`); 0 when
    /// not given.
    pub thinking_tokens: u64,
    /// Whether the model always thinks (and is billed for it) but no
    /// `--thinking-tokens` was given: the total leaves thinking out.
    pub thinking_not_included: bool,
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
    /// The requests the API would refuse, else `null`: with any, the
    /// command exits 7 once the report is written.
    pub refused: Option<Refused>,
    /// The `--fail-above` check of `total.cost`, else `null`.
    pub budget: Option<BudgetCheck>,
    /// A warning when the model named is retired or retiring.
    #[serde(skip)]
    pub notices: Vec<Notice>,
}

/// The refused requests of `lines`, where there are any.
fn refused(lines: &EstimateLines) -> Option<Refused> {
    (lines.rejected_requests > 0).then(|| Refused {
        requests: lines.rejected_requests,
        reason: format!(
            "the API would refuse {} (the report lists them under `rejected`); fix them before submitting the file",
            counted(lines.rejected_requests, "request", "requests")
        ),
    })
}

/// Requests the API would refuse (findings whose `effect` is `rejected`):
/// they cost nothing, but the job would not make what they ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Refused {
    /// How many (`lines.rejected_requests`).
    pub requests: u64,
    /// One sentence: how many, and what to do.
    pub reason: String,
}

/// How many lines of each kind were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EstimateRow {
    /// The size, exactly as the API's `imageSize` needs it.
    pub size: ImageSize,
    /// Requests.
    pub requests: u64,
    /// Of which set no `imageSize` and get the model's default.
    pub requests_without_size: u64,
    /// Images asked for: the sum of `candidateCount` (1 when unset).
    pub images: u64,
    /// Money per image on the chosen basis.
    pub image_unit_price: Money,
    /// Money for the images.
    pub image_cost: Money,
    /// Characters of prompt text (text parts and system instructions).
    pub prompt_chars: u64,
    /// Estimated prompt tokens: ceil(chars / 4) per request, summed.
    pub prompt_tokens_estimated: u64,
    /// Money for the estimated prompt tokens at the input rate; `null`
    /// when the card gives no input rate on the lane.
    pub prompt_cost: Option<Money>,
    /// Reference images: inline and `fileData` parts with an `image/*`
    /// MIME type.
    pub reference_images: u64,
    /// Of which inline.
    pub inline_images: u64,
    /// Of which `fileData` parts.
    pub file_parts: u64,
    /// Media parts that are not images, by kind (`video`, `audio`, `pdf`,
    /// `other`: any other MIME type, or none): not priced.
    pub other_media: MediaCounts,
    /// Requests with a Google Search tool (their search cost is not in `cost`).
    pub search_requests: u64,
    /// Estimated thinking tokens: `thinking_tokens` per image × images.
    pub thinking_tokens_estimated: u64,
    /// Money for them at the lane's text output rate; `null` when the
    /// card gives no text output rate on the lane.
    pub thinking_cost: Option<Money>,
    /// Input tokens of the reference images; `null` when the card gives no
    /// `input_image_tokens` for the model.
    pub reference_image_tokens: Option<u64>,
    /// Money for the reference images; `null` when they cannot be priced.
    pub reference_cost: Option<Money>,
    /// Money for the row: images, prompt and reference images, as far as
    /// they could be priced.
    pub cost: Money,
    /// What the row's cost leaves out and why, when it leaves something
    /// out (a part the card cannot price, media that are not images).
    pub unpriced_reason: Option<String>,
}

/// The grand total.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EstimateTotal {
    /// Requests priced.
    pub requests: u64,
    /// Images asked for by them.
    pub images: u64,
    /// Money for images.
    pub image_cost: Money,
    /// Money for prompts (estimated); `null` when the card gives no
    /// input rate on the lane (`unpriced_input_tokens` counts them).
    pub prompt_cost: Option<Money>,
    /// Money for reference images; `null` when some could not be priced
    /// (`unpriced_reference_images`, `unpriced_input_tokens` count them).
    pub reference_cost: Option<Money>,
    /// Money for estimated thinking; `null` when the card gives no text
    /// output rate on the lane (`unpriced_thinking_tokens` counts them).
    pub thinking_cost: Option<Money>,
    /// Money in all.
    pub cost: Money,
    /// Reference images left unpriced (the card lacks `input_image_tokens`);
    /// when not 0 the total is incomplete and the exit code is 6.
    pub unpriced_reference_images: u64,
    /// Input tokens (prompts, reference images) left unpriced because the
    /// card gives no input rate on the lane; when not 0 the total is
    /// incomplete and the exit code is 6.
    pub unpriced_input_tokens: u64,
    /// Estimated thinking tokens left unpriced because the card gives no
    /// text output rate on the lane; when not 0 the total is incomplete and
    /// the exit code is 6.
    pub unpriced_thinking_tokens: u64,
    /// Media parts that are not images, by kind.
    pub other_media: MediaCounts,
    /// All of `other_media`: left unpriced (their tokens depend on a length
    /// the request does not show); when not 0 the total is incomplete and
    /// the exit code is 6.
    pub unpriced_media: u64,
    /// Requests with a Google Search tool (grounding).
    pub search_requests: u64,
    /// `false` when some requests ask for Google Search: their search cost
    /// (per query, after a monthly free allowance shared by the account)
    /// cannot be estimated and is not in `cost`. It does not make the total
    /// incomplete.
    pub search_cost_included: bool,
    /// Whether everything in the priced requests that can be estimated was
    /// priced.
    pub complete: bool,
}

/// Every request with one kind of finding.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
        let priced = Priced {
            lane: request.lane,
            basis: request.basis,
            requested_as,
            thinking: request.thinking_tokens,
        };
        let mut report = assemble(card, requests, reader, priced, today)?;
        report.notices = model_notices(card, resolved, today, &[request.lane]);
        if let Some(limit) = request.fail_above {
            report.budget = Some(
                BudgetCheck::new("the estimate's total", report.total.cost, limit, &report.card.currency)
                    .map_err(|_| EstimateError::Overflow)?,
            );
        }
        Ok(report)
    }

    /// The sentence to exit 5 with, when the total is above `--fail-above`.
    pub fn over_budget(&self) -> Option<&str> {
        self.budget.as_ref().filter(|check| check.over).map(|check| check.reason.as_str())
    }

    /// Whether some part of the requests could not be priced, so the total is short.
    pub fn is_incomplete(&self) -> bool {
        !self.total.complete
    }

    /// What the total leaves out, a part at a time; empty when complete.
    pub fn left_out(&self) -> Vec<LeftOut> {
        let total = &self.total;
        let mut parts = Vec::new();
        if total.unpriced_reference_images > 0 {
            parts.push(LeftOut {
                brief: counted(total.unpriced_reference_images, "reference image", "reference images"),
                what: counted(total.unpriced_reference_images, "reference image", "reference images"),
                why: format!(
                    "the rate card gives no input_image_tokens for {}; add it to {}",
                    self.model,
                    crate::card::ADD_TO_A_CARD
                ),
                skipped: false,
            });
        }
        if total.unpriced_input_tokens > 0 {
            parts.push(LeftOut {
                brief: counted(total.unpriced_input_tokens, "input token", "input tokens"),
                what: counted(total.unpriced_input_tokens, "input token", "input tokens"),
                why: format!(
                    "the rate card gives no {} input rate for {}; add it to {}",
                    self.lane,
                    self.model,
                    crate::card::ADD_TO_A_CARD
                ),
                skipped: false,
            });
        }
        if total.unpriced_thinking_tokens > 0 {
            parts.push(LeftOut {
                brief: counted(total.unpriced_thinking_tokens, "thinking token", "thinking tokens"),
                what: counted(total.unpriced_thinking_tokens, "thinking token", "thinking tokens"),
                why: format!(
                    "the rate card gives no {} text output rate for {}; add it to {}",
                    self.lane,
                    self.model,
                    crate::card::ADD_TO_A_CARD
                ),
                skipped: false,
            });
        }
        if total.unpriced_media > 0 {
            parts.push(LeftOut {
                brief: counted(total.unpriced_media, "non-image media part", "non-image media parts"),
                what: format!(
                    "{} ({})",
                    counted(
                        total.unpriced_media,
                        "media part that is not an image",
                        "media parts that are not images"
                    ),
                    describe_media(&total.other_media)
                ),
                why: "they are billed as input tokens by their length, which a request does not show".into(),
                skipped: false,
            });
        }
        if self.lines.malformed_lines > 0 {
            parts.push(LeftOut {
                brief: counted(self.lines.malformed_lines, "malformed line", "malformed lines"),
                what: counted(self.lines.malformed_lines, "malformed line", "malformed lines"),
                why: if self.lines.malformed_lines == 1 {
                    "it could not be read (the report lists it); fix or remove it".into()
                } else {
                    "they could not be read (the report lists them); fix or remove them".into()
                },
                skipped: true,
            });
        }
        parts
    }
}

impl EstimateReport {
    /// What the total leaves out, in brief, when it is incomplete: `2
    /// reference images not priced, 1 malformed line skipped`.
    pub fn left_out_summary(&self) -> Option<String> {
        let left_out = self.left_out();
        let brief = |skipped: bool| {
            let parts: Vec<&str> = left_out
                .iter()
                .filter(|part| part.skipped == skipped)
                .map(|part| part.brief.as_str())
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        };
        let parts: Vec<String> = [
            brief(false).map(|parts| format!("{parts} not priced")),
            brief(true).map(|parts| format!("{parts} skipped")),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

impl Outcome for EstimateReport {
    /// The dearest verdict first: over the limit, then a total that may
    /// hide cost, then requests that cost nothing but would fail.
    fn verdict(&self) -> Verdict {
        if let Some(reason) = self.over_budget() {
            Verdict::OverBudget(reason.to_string())
        } else if self.is_incomplete() {
            incomplete("the total is", &self.left_out_summary().unwrap_or_default())
        } else if let Some(refused) = &self.refused {
            Verdict::Refused(refused.reason.clone())
        } else {
            Verdict::Pass
        }
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// A part of the requests the total leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// What, counted: `2 reference images`.
    pub what: String,
    /// Why, and the fix where there is one.
    pub why: String,
    /// Whether the part was skipped unread (malformed lines), not left
    /// unpriced.
    pub skipped: bool,
    /// What, counted, in brief: `4 non-image media parts`.
    pub brief: String,
}

/// How the requests are priced, and the name the model was given as.
struct Priced {
    lane: Lane,
    basis: Basis,
    requested_as: Option<String>,
    /// Thinking tokens per image, where given.
    thinking: Option<u64>,
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
            format!(
                "the API refuses these: candidateCount takes a whole number from 1 to {}, as a number or a string holding one",
                crate::batch::MOST_CANDIDATES
            )
        }
        FindingKind::OtherModel => format!(
            "these name another model than --model; they are priced as {}, so check which model the job runs",
            model.id
        ),
        FindingKind::DuplicateKey => {
            "each request runs and is billed; output lines will repeat the key".into()
        }
        FindingKind::UnpricedReferenceImages => format!(
            "the rate card gives no input_image_tokens for {}, so these reference images are not priced: add it to {}",
            model.id,
            crate::card::ADD_TO_A_CARD
        ),
        FindingKind::UnpricedMedia => "video, audio, PDF and other parts that are not images are billed as input tokens by their length, which a request does not show: not priced, so the total is incomplete".into(),
        FindingKind::SearchTool if model.grounding => "these ask for Google Search: each search query is billed (per 1,000, after the monthly free allowance), which cannot be known before the job runs, so it is not in the total; `nbcost tally` prices the queries from the output".into(),
        FindingKind::SearchTool => format!(
            "these ask for Google Search, but the rate card gives {} no grounding: the API may refuse the tool; no search cost is in the total",
            model.id
        ),
    }
}

mod assemble;
use assemble::assemble;

#[cfg(test)]
mod tests;

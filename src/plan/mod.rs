//! Workload plans: a month's mix of image work, read from a TOML file
//! (`load.rs`) and priced line by line against a rate card (`price.rs`).
//!
//! A plan line asks for a number of *accepted* images a month from one model,
//! size and lane. Rejections (images thrown away and generated again) and
//! escalations (requests that fail on one line and are redone on another)
//! change how many images are generated, and so what the month costs.
//!
//! Fractional images do not exist: every derived count (escalated requests,
//! images generated to cover rejections, grounded prompts) is rounded *up* to
//! a whole image, once per line per month, so a plan never under-budgets and
//! every figure stays an exact whole count × an exact price.

mod load;
mod price;

use rust_decimal::Decimal;

use crate::card::RateCard;
use crate::lane::Lane;
use crate::size::ImageSize;

pub use load::PlanError;
pub use price::{GOOGLE, GroundingUse, LineComponent, PricedLine, PricedPlan, price};

/// A validated plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The plan's name, where the file gives one.
    pub name: Option<String>,
    /// Where the plan was read from (a path, for messages).
    pub source: String,
    /// The lines, in file order.
    pub lines: Vec<PlanLine>,
    /// Budgets per attribution (`[[group]]`), for `tally --by`.
    pub groups: Vec<GroupBudget>,
}

/// A month's budget for one attribution (`tally --by`): a team's key
/// prefix, a label's value or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBudget {
    /// The attribution, as `--by` gives it.
    pub name: String,
    /// Money a month, in the card's currency.
    pub monthly_budget: crate::money::Money,
}

/// How a line's volume was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volume {
    /// `images_per_month = N`.
    PerMonth(u64),
    /// `images_per_day = N` on `days = D` days of the month.
    PerDay {
        /// Accepted images a day.
        images: u64,
        /// Working days in the month.
        days: u64,
    },
}

/// One workload line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    /// The line's name, unique in the plan.
    pub name: String,
    /// The model as written: an ID, a successor ID or an alias.
    pub model: String,
    /// The size; `None` means the model's default.
    pub size: Option<ImageSize>,
    /// The lane (`standard` unless the line says).
    pub lane: Lane,
    /// The volume as written.
    pub volume: Volume,
    /// Accepted images wanted a month from this line's own work.
    pub images_per_month: u64,
    /// Text input tokens per request.
    pub prompt_tokens: u64,
    /// Reference images per request.
    pub reference_images: u64,
    /// Thinking tokens per request: an estimate, billed as text output.
    pub thinking_tokens: Option<u64>,
    /// The share of generated images thrown away and generated again (0 to
    /// below 1).
    pub rejection_rate: Decimal,
    /// Requests that fail here and are redone on another line.
    pub escalation: Option<Escalation>,
    /// Google Search grounding on this line's requests.
    pub grounding: Option<Grounding>,
    /// Whether the line may move to the batch lane (`--what-if batch`).
    pub batch_ok: bool,
    /// A provider route (its owner) to price the images at, instead of Google.
    pub provider: Option<String>,
}

/// A `batch_ok` line that stays on its lane in a batch what-if.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Unmoved {
    /// The line's name.
    pub line: String,
    /// The model's full ID.
    pub model: String,
    /// The lane it stays on.
    pub lane: Lane,
    /// Why it cannot move: `Nano Banana 2.1 (gemini-nano-banana-2.1) has
    /// no batch lane in the rate card (it has standard)`.
    pub reason: String,
}

impl PlanLine {
    /// Why the card cannot price this line on the batch lane, if it cannot;
    /// `None` for a model the card does not know (pricing says so).
    fn batch_refusal(&self, card: &RateCard) -> Option<Unmoved> {
        let model = card.resolve(&self.model).ok()?.model;
        let size = self.size.unwrap_or(model.default_size);
        let reason = if !model.tokens.contains_key(&Lane::Batch) {
            format!(
                "{} ({}) has no batch lane in the rate card (it has {})",
                model.name,
                model.id,
                model.lane_list()
            )
        } else {
            let owner = self.provider.as_ref()?;
            if card.route(owner, &model.id, size, Lane::Batch).is_some() {
                return None;
            }
            format!("`{owner}` has no batch route for {} {size} in the rate card", model.id)
        };
        Some(Unmoved { line: self.name.clone(), model: model.id.clone(), lane: self.lane, reason })
    }
}

/// A share of a line's requests redone on another line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    /// The name of the line that redoes them.
    pub to: String,
    /// The share of requests that fail here (0 to 1).
    pub share: Decimal,
}

/// How a line uses Google Search grounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grounding {
    /// The share of requests sent with grounding on (above 0, at most 1).
    pub share: Decimal,
    /// Search queries one grounded prompt makes.
    pub queries_per_prompt: u64,
}

impl Plan {
    /// The plan's name for titles: its own name, or its file.
    pub fn title(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.source)
    }

    /// The same plan with every `batch_ok` line that can run on the batch
    /// lane moved there, and the `batch_ok` lines that stay where they are
    /// because the card cannot price them on batch (their model has no
    /// batch lane, or their provider no batch route), with why.
    pub fn with_batch_lanes(&self, card: &RateCard) -> (Plan, Vec<Unmoved>) {
        let mut plan = self.clone();
        let mut unmoved = Vec::new();
        for line in plan.lines.iter_mut().filter(|line| line.batch_ok && line.lane != Lane::Batch) {
            match line.batch_refusal(card) {
                Some(stay) => unmoved.push(stay),
                None => line.lane = Lane::Batch,
            }
        }
        (plan, unmoved)
    }

    /// The same mix at `percent`% of each line's monthly volume, rounded down
    /// to whole images.
    pub fn scaled(&self, percent: u64) -> Plan {
        let mut plan = self.clone();
        for line in &mut plan.lines {
            let scaled = u128::from(line.images_per_month) * u128::from(percent) / 100;
            line.images_per_month = u64::try_from(scaled).unwrap_or(u64::MAX);
            line.volume = Volume::PerMonth(line.images_per_month);
        }
        plan
    }

    /// The line called `name`.
    pub fn line(&self, name: &str) -> Option<&PlanLine> {
        self.lines.iter().find(|line| line.name == name)
    }
}

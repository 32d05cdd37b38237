//! `budget`: the reverse question, "what does this amount buy?". Whole
//! images per model × size × lane, never rounded up, with what is left over;
//! or the largest multiple of a plan's mix that fits.
//!
//! Exactness: for every row, `images × price ≤ amount` and
//! `(images + 1) × price > amount`, both checked with exact arithmetic.

use serde::Serialize;
use time::Date;

use super::{
    CardInfo, Notice, Outcome, Verdict, incomplete, nothing_offered, plan_notices, rows_notices, why_no_rows,
};
use crate::card::PricedBy;
use crate::card::{Grade, Model, RateCard, Status, UnknownModel};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, Overflow};
use crate::plan::{self, GOOGLE, Plan, PlanError};
use crate::pricing::{self, Basis, Gap, PricingError};
use crate::size::ImageSize;

/// The largest multiple of a plan that is searched for, in percent.
const MAX_PERCENT: u64 = 1_000_000_000_000;

/// What to fit into the amount, validated. Empty lists mean everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BudgetRequest {
    /// Money to spend.
    pub amount: Money,
    /// Models as typed.
    pub models: Vec<String>,
    /// Sizes.
    pub sizes: Vec<ImageSize>,
    /// Lanes.
    pub lanes: Vec<Lane>,
    /// Spread the images over this many days.
    pub days: Option<u64>,
    /// List or token prices.
    pub basis: Basis,
    /// Thinking tokens per image (an estimate), added to each Google row's
    /// per-image price at the lane's text output rate; `None` when not
    /// given. Not used with a plan, whose lines give their own.
    pub thinking_tokens: Option<u64>,
}

/// Why a budget cannot be worked out.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// No such model.
    #[error(transparent)]
    UnknownModel(#[from] UnknownModel),
    /// The engine refused.
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// The plan cannot be priced.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The filters leave nothing to price.
    #[error("{0}; `nbcost rates` lists the sizes and lanes")]
    NothingToPrice(String),
    /// The plan costs nothing at any volume.
    #[error("the plan costs nothing, so no amount bounds it; give its lines a volume")]
    FreePlan,
    /// A count outgrew exact arithmetic.
    #[error("the amount buys more images than nbcost can count exactly; give a smaller amount")]
    TooLarge,
}

impl Kind for BudgetError {
    fn kind(&self) -> ErrorKind {
        match self {
            BudgetError::UnknownModel(error) => error.kind(),
            BudgetError::Pricing(error) => error.kind(),
            BudgetError::NothingToPrice(_) => ErrorKind::Usage,
            BudgetError::Plan(_) | BudgetError::FreePlan | BudgetError::TooLarge => ErrorKind::Input,
        }
    }
}

/// The answer to `nbcost budget`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BudgetReport {
    /// The rate card the prices come from.
    pub card: CardInfo,
    /// Money to spend, exact.
    pub amount: Money,
    /// `list` or `tokens`.
    pub basis: Basis,
    /// The days the images are spread over, where given.
    pub days: Option<u64>,
    /// Thinking tokens per image (an estimate) in every Google row's price;
    /// left out of the JSON when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_tokens: Option<u64>,
    /// Whether a model priced always thinks (and is billed for it) but no
    /// `--thinking-tokens` was given: its rows leave thinking out, so the
    /// amount buys fewer images than shown.
    pub thinking_not_included: bool,
    /// The product names of the models that always think, when thinking is
    /// not included (for the note).
    #[serde(skip)]
    pub always_thinking: Vec<String>,
    /// One row per model × size × lane (and provider route); empty with `--plan`.
    pub rows: Vec<BudgetRow>,
    /// Models named with `--model` that give no row for the sizes and lanes
    /// asked for, each with why; left out of the JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedModel>,
    /// The plan's mix scaled to fit, with `--plan`; else `null`.
    pub plan: Option<PlanFit>,
    /// Whether every part was priced: `false` when the card cannot price a
    /// plan line's reference images, or a row's thinking (no text output
    /// rate on its lane), so that what the amount buys is overstated.
    pub complete: bool,
    /// A warning for each model priced (or named by the plan's lines) that
    /// is retired or retiring.
    #[serde(skip)]
    pub notices: Vec<Notice>,
}

/// A model named that gives no row for the sizes and lanes asked for.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SkippedModel {
    /// The model's full ID.
    pub model: String,
    /// Why: `Nano Banana 2 Lite makes 1K only`.
    pub reason: String,
}

/// What the amount buys of one model, size and lane.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BudgetRow {
    /// The model's full ID.
    pub model: String,
    /// The model's product name.
    pub model_name: String,
    /// The size.
    pub size: ImageSize,
    /// The lane.
    pub lane: Lane,
    /// The model's status on the day: `active`, `deprecated`, `shut-down`
    /// or `disputed`.
    pub status: Status,
    /// Whose price it is: `Google`, or a provider route's owner.
    pub priced_by: String,
    /// Where the card in force does not list the model (it came out after
    /// the card): the later card whose prices it carries, its price at
    /// release (`October 2026 (embedded 2026-10)`); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "PricedBy::serialize_name")]
    #[schemars(with = "Option<String>")]
    pub priced_by_card: Option<PricedBy>,
    /// How well Google's per-image price is sourced: `published`,
    /// `transcribed` or `derived` (tokens × rate, no per-image price
    /// published).
    pub grade: Grade,
    /// Money per image, exact (thinking included where asked for).
    pub unit_price: Money,
    /// Of which thinking, with `--thinking-tokens` on a Google row, `null`
    /// where the lane has no text output rate in the card (never $0); left
    /// out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_unit_price: Option<Option<Money>>,
    /// Whether thinking was asked for but the lane has no text output rate
    /// in the card: `unit_price` is the image alone. Left out when `false`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub thinking_unpriced: bool,
    /// Why thinking is not priced, where it is not; left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpriced_reason: Option<String>,
    /// Whole images the amount buys (rounded down).
    pub images: u64,
    /// `images ÷ days`, rounded down, where days are given.
    pub images_per_day: Option<u64>,
    /// `images × unit_price`, exact.
    pub spent: Money,
    /// `amount − spent`, exact: less than one more image.
    pub left_over: Money,
}

/// The largest multiple of a plan that fits.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanFit {
    /// The plan's name, where given.
    pub name: Option<String>,
    /// The plan file.
    pub source: String,
    /// The multiple in whole percent of the plan's volumes (100 = the plan as written).
    pub percent: u64,
    /// Each line's accepted images a month at that multiple (rounded down).
    pub lines: Vec<PlanFitLine>,
    /// Money a month at that multiple, exact.
    pub total: Money,
    /// `amount − total`, exact.
    pub left_over: Money,
    /// Money a month one percent more would cost (above the amount).
    pub next_percent_total: Money,
}

/// One plan line at the fitted multiple.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanFitLine {
    /// The line's name.
    pub name: String,
    /// Accepted images a month, of the line's own volume.
    pub images_per_month: u64,
    /// Accepted images a day, rounded down, where days are given.
    pub images_per_day: Option<u64>,
    /// Images generated (and billed) a month on the line: its own, those
    /// other lines escalate to it and the retries, as `plan` counts them.
    /// A line only escalations reach has no images of its own but these.
    pub generated: u64,
    /// As `plan` gives it: the later card whose prices the line's model
    /// carries, where the card in force does not list it; left out
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "PricedBy::serialize_name")]
    #[schemars(with = "Option<String>")]
    pub priced_by_card: Option<PricedBy>,
}

impl BudgetReport {
    /// What `request.amount` buys with `card` as of `today`.
    pub fn build(card: &RateCard, request: &BudgetRequest, today: Date) -> Result<BudgetReport, BudgetError> {
        let models = card.models_named(&request.models)?;
        let mut rows = Vec::new();
        for model in models {
            for row in &model.sizes {
                if !request.sizes.is_empty() && !request.sizes.contains(&row.size) {
                    continue;
                }
                for lane in
                    model.lanes().filter(|lane| request.lanes.is_empty() || request.lanes.contains(lane))
                {
                    let (image, grade) = pricing::image_price(model, row.size, lane, request.basis)?;
                    let thinking = match request.thinking_tokens {
                        Some(tokens) => Some(
                            pricing::with_thinking(image, pricing::rates(model, lane)?, tokens)
                                .map_err(|Overflow| BudgetError::TooLarge)?,
                        ),
                        None => None,
                    };
                    let google = thinking.map_or(image, |priced| priced.unit_price);
                    let mut google_row = fit(model, row.size, lane, (GOOGLE, grade), google, request, today)?;
                    if let Some(priced) = thinking {
                        google_row.thinking_unit_price = Some(priced.thinking);
                        google_row.thinking_unpriced = priced.thinking.is_none();
                        google_row.unpriced_reason = priced.thinking.is_none().then(|| {
                            format!("thinking (estimate): {}", Gap::NoRate("text output").reason(model, lane))
                        });
                    }
                    rows.push(google_row);
                    for route in card.routes.iter().filter(|route| route.covers(&model.id, row.size, lane)) {
                        rows.push(fit(
                            model,
                            row.size,
                            lane,
                            (&route.owner, grade),
                            Money::new(route.price),
                            request,
                            today,
                        )?);
                    }
                }
            }
        }
        let named = card.models_named(&request.models)?;
        if rows.is_empty() {
            let why = nothing_offered(&named, !request.models.is_empty(), &request.sizes, &request.lanes);
            return Err(BudgetError::NothingToPrice(why));
        }
        // A model named that gives no row is said, not dropped silently.
        let mut skipped: Vec<SkippedModel> = Vec::new();
        for model in named.into_iter().filter(|_| !request.models.is_empty()) {
            if let Some(reason) = why_no_rows(model, &request.sizes, &request.lanes)
                && !skipped.iter().any(|skip| skip.model == model.id)
            {
                skipped.push(SkippedModel { model: model.id.clone(), reason });
            }
        }
        let mut always_thinking: Vec<String> = Vec::new();
        if request.thinking_tokens.is_none() {
            for model in card.models_named(&request.models)?.into_iter().filter(|model| model.always_thinks) {
                if rows.iter().any(|row| row.model == model.id) && !always_thinking.contains(&model.name) {
                    always_thinking.push(model.name.clone());
                }
            }
        }
        let shown: Vec<(&str, Lane)> = rows.iter().map(|row| (row.model.as_str(), row.lane)).collect();
        let notices = rows_notices(card, &request.models, &shown, request.thinking_tokens.is_some(), today);
        Ok(BudgetReport {
            card: CardInfo::new(card, today),
            amount: request.amount,
            basis: request.basis,
            days: request.days,
            thinking_tokens: request.thinking_tokens,
            thinking_not_included: !always_thinking.is_empty(),
            always_thinking,
            complete: rows.iter().all(|row| !row.thinking_unpriced),
            rows,
            skipped,
            plan: None,
            notices,
        })
    }

    /// The largest multiple (in whole percent) of `plan` that `request.amount`
    /// buys with `card` as of `today`.
    pub fn build_for_plan(
        card: &RateCard,
        plan: &Plan,
        request: &BudgetRequest,
        today: Date,
    ) -> Result<BudgetReport, BudgetError> {
        // The month's cost never falls as volumes grow, so the search is a
        // bisection between a multiple that fits and one that does not.
        let mut complete = true;
        let mut cost = |percent: u64| -> Result<Option<Money>, BudgetError> {
            match plan::price(&plan.scaled(percent), card, request.basis) {
                Ok(priced) => {
                    complete &= priced.complete();
                    Ok(Some(priced.total))
                }
                Err(PlanError::TooLarge { .. }) => Ok(None),
                Err(other) => Err(other.into()),
            }
        };
        let fits = |total: Option<Money>| total.is_some_and(|total| total <= request.amount);
        let (mut low, mut high) = (0u64, 100u64);
        while fits(cost(high)?) {
            if cost(high)? == Some(Money::ZERO) && high >= MAX_PERCENT {
                return Err(BudgetError::FreePlan);
            }
            if high >= MAX_PERCENT {
                return Err(BudgetError::TooLarge);
            }
            low = high;
            high = high.saturating_mul(2).min(MAX_PERCENT);
        }
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            if fits(cost(middle)?) {
                low = middle;
            } else {
                high = middle;
            }
        }
        // A multiple the plan cannot be priced at is the plan's to say (its
        // line too large to price), not the amount's.
        let scaled = plan.scaled(low);
        let priced = plan::price(&scaled, card, request.basis)?;
        complete &= priced.complete();
        let total = priced.total;
        let next = plan::price(&plan.scaled(low + 1), card, request.basis)?.total;
        Ok(BudgetReport {
            card: CardInfo::new(card, today),
            amount: request.amount,
            basis: request.basis,
            days: request.days,
            thinking_tokens: None,
            thinking_not_included: false,
            always_thinking: Vec::new(),
            rows: Vec::new(),
            skipped: Vec::new(),
            plan: Some(PlanFit {
                name: plan.name.clone(),
                source: plan.source.clone(),
                percent: low,
                lines: scaled
                    .lines
                    .iter()
                    .zip(&priced.lines)
                    .map(|(line, priced)| PlanFitLine {
                        name: line.name.clone(),
                        images_per_month: line.images_per_month,
                        images_per_day: request.days.map(|days| line.images_per_month / days.max(1)),
                        generated: priced.generated,
                        priced_by_card: priced.priced_by_card.clone(),
                    })
                    .collect(),
                total,
                left_over: request.amount.minus(total).map_err(|_| BudgetError::TooLarge)?,
                next_percent_total: next,
            }),
            complete,
            notices: plan_notices(card, plan, today),
        })
    }
}

impl Outcome for BudgetReport {
    fn verdict(&self) -> Verdict {
        match (self.complete, &self.plan) {
            (true, _) => Verdict::Pass,
            (false, Some(_)) => incomplete("the fit is", "parts of the plan not priced"),
            (false, None) => {
                let unpriced = self.rows.iter().filter(|row| row.thinking_unpriced).count() as u64;
                let rows = crate::count::counted(unpriced, "row", "rows");
                incomplete(&format!("what the amount buys on {rows} is"), "thinking not priced")
            }
        }
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// What the amount buys at `price` an image.
fn fit(
    model: &Model,
    size: ImageSize,
    lane: Lane,
    (priced_by, grade): (&str, Grade),
    price: Money,
    request: &BudgetRequest,
    today: Date,
) -> Result<BudgetRow, BudgetError> {
    let bought = pricing::whole_images(request.amount, price).map_err(|Overflow| BudgetError::TooLarge)?;
    Ok(BudgetRow {
        model: model.id.clone(),
        model_name: model.name.clone(),
        size,
        lane,
        status: model.status(today),
        priced_by: priced_by.to_string(),
        priced_by_card: model.priced_by.clone(),
        grade,
        unit_price: price,
        thinking_unit_price: None,
        thinking_unpriced: false,
        unpriced_reason: None,
        images: bought.images,
        images_per_day: request.days.map(|days| bought.images / days.max(1)),
        spent: bought.spent,
        left_over: bought.left_over,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::today;
    use rust_decimal::Decimal;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn request(amount: &str) -> BudgetRequest {
        BudgetRequest { amount: Money::new(d(amount)), ..BudgetRequest::default() }
    }

    #[test]
    fn fits_every_model_size_and_lane_with_days() {
        let mut wanted = request("500");
        wanted.models = vec!["flash".into()];
        wanted.sizes = vec![ImageSize::K1];
        wanted.days = Some(30);
        let report = BudgetReport::build(&RateCard::embedded(), &wanted, today()).unwrap();
        let rows: Vec<_> =
            report.rows.iter().map(|r| (r.lane, r.images, r.images_per_day, r.left_over.amount())).collect();
        // 500 ÷ 0.067 = 7,462.68...; 500 ÷ 0.034 = 14,705.88...
        assert_eq!(
            rows,
            [(Lane::Standard, 7462, Some(248), d("0.046")), (Lane::Batch, 14_705, Some(490), d("0.03"))]
        );
    }

    /// 1,000 thinking tokens an image on the October card: Pro 1K batch is
    /// $0.067 + $0.006 = $0.073, so $100 buys 1,369 images ($99.937, $0.063
    /// left); Lite 1K batch is $0.0168 + 1,000 × $0.75 per 1M (batch = 50%
    /// of standard's $1.50) = $0.01755: 5,698 images ($99.9999, $0.0001
    /// left). On a card without Lite's batch text output rate: 5,952 images
    /// at the image's $0.0168, unpriced, and the report is incomplete.
    #[test]
    fn adds_thinking_to_each_rows_price() {
        let mut wanted = request("100");
        wanted.models = vec!["pro".into(), "lite".into()];
        wanted.sizes = vec![ImageSize::K1];
        wanted.lanes = vec![Lane::Batch];
        wanted.thinking_tokens = Some(1000);
        let october = RateCard::embedded_named("2026-10").unwrap();
        let report = BudgetReport::build(&october, &wanted, today()).unwrap();
        let rows: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.unit_price.amount(), r.images, r.left_over.amount(), r.thinking_unpriced))
            .collect();
        assert_eq!(rows, [(d("0.073"), 1369, d("0.063"), false), (d("0.01755"), 5698, d("0.0001"), false)]);
        assert!(report.complete);
        let card = crate::report::testing::lite_batch_without_text_rates();
        let report = BudgetReport::build(&card, &wanted, today()).unwrap();
        let rows: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.unit_price.amount(), r.images, r.left_over.amount(), r.thinking_unpriced))
            .collect();
        assert_eq!(rows, [(d("0.073"), 1369, d("0.063"), false), (d("0.0168"), 5952, d("0.0064"), true)]);
        assert!(!report.complete);
        assert!(!report.thinking_not_included);
        wanted.thinking_tokens = None;
        let without = BudgetReport::build(&card, &wanted, today()).unwrap();
        assert!(without.thinking_not_included && without.complete);
        assert_eq!(without.always_thinking, ["Nano Banana Pro"]);
    }

    /// The example plan costs $2,579.75613 at 100%, but grounding's free
    /// allowance does not shrink with it. At 21%: catalog 4,200 → 4,667
    /// generated, $233.35 + $2.61352; social 2,100 → 105 escalated, ⌈1,995 ÷
    /// 0.8⌉ = 2,494 + 105 = 2,599 generated, $174.133 + $0.38985, every
    /// grounded prompt free; finals 210 + 105 = 315 × ($0.24 + $0.012 +
    /// $0.00112) = $79.7328; legacy 420 × $0.0195 = $8.19. Total $498.40917.
    /// At 22% the same steps give $522.14689, above $500.
    #[test]
    fn fits_the_largest_multiple_of_a_plan() {
        let plan = Plan::from_toml(include_str!("../../examples/plan.toml"), "examples/plan.toml").unwrap();
        let report =
            BudgetReport::build_for_plan(&RateCard::embedded(), &plan, &request("500"), today()).unwrap();
        let fit = report.plan.unwrap();
        assert_eq!(fit.percent, 21);
        assert_eq!((fit.total.amount(), fit.next_percent_total.amount()), (d("498.40917"), d("522.14689")));
        assert_eq!(fit.left_over, d("1.59083"));
        assert!(
            fit.total <= Money::new(d("500")) && fit.next_percent_total > Money::new(d("500")),
            "{} {}",
            fit.total,
            fit.next_percent_total
        );
        let volumes: Vec<_> = fit.lines.iter().map(|l| l.images_per_month).collect();
        assert_eq!(volumes, [4200, 2100, 210, 420]);
    }
}

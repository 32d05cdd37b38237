//! `plan`: a month of image work priced line by line and component by
//! component, with each line's share, the cost per accepted image, an
//! optional batch what-if and an optional budget gate.

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::{
    BudgetCheck, CardInfo, Notice, Outcome, RatioSchema, Verdict, incomplete, not_priced, plan_notices, ratio,
};
use crate::card::{RateCard, Status};
use crate::lane::Lane;
use crate::money::{Currency, Money, round};
use crate::plan::{self, Plan, PlanError, PricedLine, PricedPlan, Unmoved};
use crate::pricing::{Basis, Component};

/// Decimal places of the cost per accepted image: a quotient, so it cannot
/// always be exact, and is rounded (half away from zero) to this many places.
pub const PER_IMAGE_PLACES: u32 = 6;

/// How to price a plan, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanRequest {
    /// List or token prices.
    pub basis: Basis,
    /// Also price the plan with every `batch_ok` line on the batch lane.
    pub what_if_batch: bool,
    /// A monthly budget the plan must not exceed.
    pub fail_above: Option<Money>,
}

/// The answer to `nbcost plan`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanReport {
    /// The rate card the prices come from.
    pub card: CardInfo,
    /// The plan's name (or `null`) and file.
    pub plan: PlanInfo,
    /// `list` or `tokens`.
    pub basis: Basis,
    /// One entry per plan line, in plan order.
    pub lines: Vec<LineReport>,
    /// Money a month, exact: the sum of the lines.
    pub total: Money,
    /// Accepted images a month.
    pub accepted_images: u64,
    /// Images generated (and billed) a month, retries and escalations included.
    pub generated_images: u64,
    /// `total ÷ accepted_images`, rounded to 6 places (`null` with no images).
    pub cost_per_accepted_image: Option<Money>,
    /// Google Search grounding across the plan, where any line uses it.
    pub grounding: Option<GroundingSummary>,
    /// The plan with every `batch_ok` line on batch (`--what-if batch`), else `null`.
    pub what_if: Option<WhatIf>,
    /// The `--fail-above` check, else `null`.
    pub budget: Option<BudgetCheck>,
    /// Whether the total holds every part of the plan: no line has an
    /// `unpriced` part.
    pub complete: bool,
    /// A warning for each model the plan's lines name that is retired or
    /// retiring.
    #[serde(skip)]
    pub notices: Vec<Notice>,
}

/// Which plan was priced.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanInfo {
    /// The name in `[plan]`, where given.
    pub name: Option<String>,
    /// The plan file.
    pub source: String,
}

/// A priced line with its share of the plan.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LineReport {
    /// The line, its flow of requests and its components.
    #[serde(flatten)]
    pub line: PricedLine,
    /// The line's share of the monthly total, in percent, to 4 places.
    #[serde(serialize_with = "ratio")]
    #[schemars(with = "RatioSchema")]
    pub share_percent: Decimal,
    /// The line's total ÷ the images accepted on it, rounded to 6 places
    /// (`null` when it accepts none).
    pub cost_per_accepted_image: Option<Money>,
    /// The status on the day of the model ID the line names: `active`,
    /// `deprecated`, `shut-down` or `disputed`.
    pub status: Status,
}

impl PlanReport {
    /// `amount`'s share of the monthly total, in percent (0 when the total
    /// is 0): a line's or a component's share.
    pub fn share_percent(&self, amount: Money) -> Decimal {
        amount.percent_of(self.total).unwrap_or_default()
    }
}

/// Grounding across the plan.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroundingSummary {
    /// Grounded prompts a month the card gives free, shared by every line.
    pub free_prompts_per_month: u64,
    /// How many the plan uses.
    pub free_prompts_used: u64,
    /// Grounded prompts sent across the plan.
    pub grounded_prompts: u64,
    /// Search queries charged across the plan.
    pub paid_queries: u64,
    /// Money for them, exact.
    pub total: Money,
}

/// The plan with its `batch_ok` lines moved to the batch lane.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WhatIf {
    /// The lane the lines move to (`batch`).
    pub lane: Lane,
    /// The lines that moved (marked `batch_ok` and not already on batch).
    pub moved: Vec<String>,
    /// The `batch_ok` lines that stay on their lane because the card cannot
    /// price them on batch, each with why.
    pub unmoved: Vec<Unmoved>,
    /// Money a month after the move, exact.
    pub total: Money,
    /// Money a month saved against the plan as written, exact.
    pub saving: Money,
    /// Every line before and after.
    pub lines: Vec<WhatIfLine>,
}

/// One line before and after the what-if.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WhatIfLine {
    /// The line's name.
    pub name: String,
    /// Its lane as written.
    pub lane: Lane,
    /// Its lane in the what-if.
    pub what_if_lane: Lane,
    /// Money a month as written.
    pub total: Money,
    /// Money a month in the what-if.
    pub what_if_total: Money,
    /// `total − what_if_total`.
    pub saving: Money,
}

/// A plan whose monthly total is above `--fail-above`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct OverBudget {
    /// The sentence the report gives.
    pub reason: String,
}

impl PlanReport {
    /// Prices `plan` with `card` as of `today`.
    pub fn build(
        card: &RateCard,
        plan: &Plan,
        request: &PlanRequest,
        today: Date,
    ) -> Result<PlanReport, PlanError> {
        let priced = plan::price(plan, card, request.basis)?;
        let what_if =
            if request.what_if_batch { Some(what_if(card, plan, &priced, request.basis)?) } else { None };
        let too_large = || PlanError::TooLarge { plan: plan.source.clone(), line: "(all lines)".into() };
        let budget = match request.fail_above {
            Some(limit) => Some(
                BudgetCheck::new(
                    "the plan's monthly total",
                    priced.total,
                    limit,
                    &Currency::of(&card.meta.currency),
                )
                .map_err(|_| too_large())?,
            ),
            None => None,
        };
        let grounding_total = Money::sum(
            priced
                .lines
                .iter()
                .flat_map(|line| &line.components)
                .filter(|c| c.component == Component::Grounding)
                .map(|c| c.total),
        )
        .map_err(|_| too_large())?;
        let grounding = priced.free_prompts_per_month.map(|free| {
            let used: Vec<_> = priced.lines.iter().filter_map(|line| line.grounding).collect();
            GroundingSummary {
                free_prompts_per_month: free,
                free_prompts_used: priced.free_prompts_used,
                grounded_prompts: used.iter().map(|g| g.grounded_prompts).sum(),
                paid_queries: used.iter().map(|g| g.paid_queries).sum(),
                total: grounding_total,
            }
        });
        Ok(PlanReport {
            card: CardInfo::new(card, today),
            plan: PlanInfo { name: plan.name.clone(), source: plan.source.clone() },
            basis: request.basis,
            cost_per_accepted_image: per_image(priced.total, priced.accepted_images),
            lines: priced
                .lines
                .iter()
                .zip(&plan.lines)
                .map(|(line, planned)| LineReport {
                    status: card
                        .resolve(&planned.model)
                        .map_or(Status::Active, |found| found.life.status(today)),
                    share_percent: line.total.percent_of(priced.total).unwrap_or_default(),
                    cost_per_accepted_image: per_image(line.total, line.accepted),
                    line: line.clone(),
                })
                .collect(),
            total: priced.total,
            accepted_images: priced.accepted_images,
            generated_images: priced.generated_images,
            grounding,
            what_if,
            budget,
            complete: priced.complete(),
            notices: plan_notices(card, plan, today),
        })
    }

    /// The reason to exit 5, when the total is above `--fail-above`.
    pub fn over_budget(&self) -> Option<OverBudget> {
        self.budget
            .as_ref()
            .filter(|check| check.over)
            .map(|check| OverBudget { reason: check.reason.clone() })
    }
}

impl Outcome for PlanReport {
    fn verdict(&self) -> Verdict {
        match self.over_budget() {
            Some(over) => Verdict::OverBudget(over.reason),
            None if !self.complete => incomplete(
                "the plan's total is",
                &not_priced(self.lines.iter().flat_map(|line| &line.line.unpriced)),
            ),
            None => Verdict::Pass,
        }
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// `total ÷ images`, rounded to [`PER_IMAGE_PLACES`].
pub(crate) fn per_image(total: Money, images: u64) -> Option<Money> {
    let share = total.amount().checked_div(Decimal::from(images))?;
    Some(Money::new(round(share, PER_IMAGE_PLACES)))
}

fn what_if(card: &RateCard, plan: &Plan, priced: &PricedPlan, basis: Basis) -> Result<WhatIf, PlanError> {
    let (moved_plan, unmoved) = plan.with_batch_lanes(card);
    let after = plan::price(&moved_plan, card, basis)?;
    let too_large = || PlanError::TooLarge { plan: plan.source.clone(), line: "(all lines)".into() };
    let lines = priced
        .lines
        .iter()
        .zip(&after.lines)
        .map(|(before, after)| {
            Ok(WhatIfLine {
                name: before.name.clone(),
                lane: before.lane,
                what_if_lane: after.lane,
                total: before.total,
                what_if_total: after.total,
                saving: before.total.minus(after.total).map_err(|_| too_large())?,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    Ok(WhatIf {
        lane: Lane::Batch,
        moved: lines
            .iter()
            .filter(|line| line.lane != line.what_if_lane)
            .map(|line| line.name.clone())
            .collect(),
        unmoved,
        total: after.total,
        saving: priced.total.minus(after.total).map_err(|_| too_large())?,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Format, Report, Style, render};
    use crate::report::testing::today;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn example() -> Plan {
        Plan::from_toml(include_str!("../../examples/plan.toml"), "examples/plan.toml").unwrap()
    }

    fn build(request: PlanRequest) -> PlanReport {
        PlanReport::build(&RateCard::embedded(), &example(), &request, today()).unwrap()
    }

    #[test]
    fn totals_the_example_plan_and_its_cost_per_accepted_image() {
        let report = build(PlanRequest::default());
        assert_eq!(report.total, d("2579.75613"));
        // 2,579.75613 ÷ 33,000 = 0.0781744281...
        assert_eq!(report.cost_per_accepted_image, Some(Money::new(d("0.078174"))));
        let shares: Vec<_> = report.lines.iter().map(|l| l.share_percent.round_dp(2)).collect();
        assert_eq!(shares, [d("43.55"), d("40.22"), d("14.72"), d("1.51")]);
        let grounding = report.grounding.unwrap();
        assert_eq!(
            (grounding.free_prompts_used, grounding.paid_queries, grounding.total.amount()),
            (5000, 14_750, d("206.50"))
        );
    }

    /// `finals` is the only batch_ok line not on batch: 1,500 Pro 4K images
    /// at $0.12 = $180, thinking $0.006 × 1,500 = $9, one reference image
    /// 560 × $1/1M = $0.00056 × 1,500 = $0.84: $189.84, saving $189.84.
    #[test]
    fn moves_batch_ok_lines_to_batch_and_shows_the_saving() {
        let report = build(PlanRequest { what_if_batch: true, ..PlanRequest::default() });
        let what_if = report.what_if.unwrap();
        assert_eq!(what_if.moved, ["finals"]);
        assert_eq!(what_if.lines[2].what_if_total, d("189.84"));
        assert_eq!(what_if.saving, d("189.84"));
        assert_eq!(what_if.total, d("2389.91613"));
    }

    #[test]
    fn says_why_a_plan_is_over_budget() {
        let report = build(PlanRequest { fail_above: Some(Money::new(d("2500"))), ..PlanRequest::default() });
        let over = report.over_budget().unwrap();
        assert_eq!(
            over.to_string(),
            "the plan's monthly total $2,579.75613 is over --fail-above $2,500.00 by $79.75613"
        );
        let within =
            build(PlanRequest { fail_above: Some(Money::new(d("2579.75613"))), ..PlanRequest::default() });
        assert!(within.over_budget().is_none());
        let mut out = Vec::new();
        render(&report, Format::Json, Style::default(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["report"], "plan");
        assert_eq!(value["budget"]["over"], true);
        assert_eq!(value["budget"]["excess"], "79.75613");
        assert_eq!(value["lines"][1]["grounding"]["paid_queries"], 14_750);
        assert_eq!(value["lines"][0]["components"][1]["component"], "reference_images");
    }

    #[test]
    fn lays_out_one_row_per_line_and_component() {
        let document = build(PlanRequest::default()).document();
        let rows = &document.tables[0].rows;
        // catalog: image, references; social: image, text, grounding;
        // finals: image, references, thinking; legacy: image.
        assert_eq!(rows.len(), 9);
        assert_eq!(document.title, "Plan: Example shop, one month: $2,579.76 a month");
    }
}

//! Pricing a plan: requests flow down escalation chains, rejections add
//! images, grounded prompts share the card's free monthly allowance, and each
//! line's cost is split into components. Exact [`Money`] throughout.
//!
//! For a line asked for `D` accepted images a month, receiving `E` escalated
//! requests from other lines, with escalation share `e` and rejection rate `r`:
//!
//! - requests `W = D + E`
//! - escalated out `X = ⌈W × e⌉` (each costs one image here, then moves on)
//! - accepted here `A = W − X`
//! - generated `G = X + ⌈A ÷ (1 − r)⌉`
//! - grounded prompts `P = ⌈G × share⌉`; the card's free prompts go to the
//!   lines in plan order; each paid prompt makes `queries_per_prompt` queries.
//!
//! Per-request components (text input, reference images, thinking) are
//! charged on every generated image, since each one is a request.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Plan, PlanError, PlanLine};
use crate::card::{Grade, Model, RateCard};
use crate::count;
use crate::lane::Lane;
use crate::money::{Money, Overflow};
use crate::pricing::{self, Basis, PricingError, Unpriced};
use crate::size::ImageSize;

/// Who prices the components nbcost takes from the card itself.
pub const GOOGLE: &str = "Google";

/// A part of a plan line's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanComponent {
    /// The generated images.
    ImageOutput,
    /// The text prompt, as input tokens.
    TextInput,
    /// Reference images, as input tokens.
    ReferenceImages,
    /// Thinking tokens, billed as text output (an estimate).
    Thinking,
    /// Google Search queries past the free allowance.
    Grounding,
}

impl PlanComponent {
    /// The component's name in tables.
    pub fn label(self) -> &'static str {
        match self {
            PlanComponent::ImageOutput => "image output",
            PlanComponent::TextInput => "text input",
            PlanComponent::ReferenceImages => "reference images",
            PlanComponent::Thinking => "thinking (estimate)",
            PlanComponent::Grounding => "grounding",
        }
    }
}

/// One component of one line for the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineComponent {
    /// What is priced.
    pub component: PlanComponent,
    /// Whose price it is: `Google`, or a provider route's owner.
    pub priced_by: String,
    /// Whether the quantity is an estimate (thinking tokens).
    pub estimate: bool,
    /// Tokens per request behind a token-priced component.
    pub tokens_per_request: Option<u64>,
    /// How many units are charged for the month.
    pub quantity: u64,
    /// `images`, `requests` or `queries`.
    pub unit: &'static str,
    /// Dollars per unit, exact.
    pub unit_price: Money,
    /// Dollars for the month, exact: `quantity × unit_price`.
    pub total: Money,
    /// Google's own price per unit, shown beside a provider's figure.
    pub google_unit_price: Option<Money>,
}

/// How a line used Google Search grounding this month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroundingUse {
    /// Grounded prompts sent (generated images × the grounded share, rounded up).
    pub grounded_prompts: u64,
    /// How many of them the free monthly allowance covered.
    pub free_prompts: u64,
    /// Search queries one grounded prompt makes.
    pub queries_per_prompt: u64,
    /// Queries charged: (grounded − free prompts) × queries per prompt.
    pub paid_queries: u64,
}

/// One plan line, priced for the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricedLine {
    /// The line's name.
    pub name: String,
    /// The model's full ID.
    pub model: String,
    /// The model's product name.
    pub model_name: String,
    /// The size as the API writes it.
    pub size: ImageSize,
    /// The lane.
    pub lane: Lane,
    /// Whose per-image price the images are charged at: `Google` or the route's owner.
    pub priced_by: String,
    /// Accepted images the line itself is asked for a month.
    pub images_per_month: u64,
    /// Requests escalated here from other lines.
    pub escalated_in: u64,
    /// Requests handled: own images plus escalated in.
    pub requests: u64,
    /// Requests that fail here and are redone on `escalated_to`.
    pub escalated_out: u64,
    /// The line that redoes them.
    pub escalated_to: Option<String>,
    /// Images accepted on this line.
    pub accepted: u64,
    /// Images generated (and billed) on this line, retries included.
    pub generated: u64,
    /// Grounding, where the line uses it.
    pub grounding: Option<GroundingUse>,
    /// Whether the model always thinks but the line gives no thinking estimate.
    pub thinking_not_counted: bool,
    /// How well Google's per-image price for the line is sourced:
    /// `published`, `transcribed` or `derived` (tokens × rate, where no
    /// per-image price is published for the lane).
    pub price_grade: Grade,
    /// Parts of the line the card has no figure for (reference images
    /// without `input_image_tokens`, a rate the card leaves out): left out of
    /// the total, which is then incomplete.
    pub unpriced: Vec<Unpriced>,
    /// The parts of the cost, image output first.
    pub components: Vec<LineComponent>,
    /// Dollars for the month, exact: the sum of the components.
    pub total: Money,
}

/// A plan, priced for the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedPlan {
    /// The lines, in plan order.
    pub lines: Vec<PricedLine>,
    /// Dollars for the month: the sum of the lines.
    pub total: Money,
    /// Accepted images a month across the plan (every escalated request is
    /// accepted on the line it ends on).
    pub accepted_images: u64,
    /// Images generated (and billed) a month across the plan.
    pub generated_images: u64,
    /// The card's free grounded prompts a month, where grounding is used.
    pub free_prompts_per_month: Option<u64>,
    /// How many of them the plan uses.
    pub free_prompts_used: u64,
}

/// A line's model, size and lane, checked against the card.
struct Setup<'card> {
    model: &'card Model,
    size: ImageSize,
    /// Dollars per image: Google's, or the route's.
    image_price: Money,
    /// How well Google's per-image price is sourced.
    grade: Grade,
    /// Google's price per image, where a route prices the line.
    google_price: Option<Money>,
    priced_by: String,
}

/// Prices `plan` with `card` on `basis`.
pub fn price(plan: &Plan, card: &RateCard, basis: Basis) -> Result<PricedPlan, PlanError> {
    let setups =
        plan.lines.iter().map(|line| setup(plan, card, line, basis)).collect::<Result<Vec<_>, _>>()?;
    let flows = flows(plan)?;
    let mut free_left = card.grounding.map_or(0, |g| g.free_prompts_per_month);
    let mut lines = Vec::with_capacity(plan.lines.len());
    for ((line, setup), flow) in plan.lines.iter().zip(&setups).zip(&flows) {
        let too_large = |Overflow| PlanError::TooLarge { plan: plan.source.clone(), line: line.name.clone() };
        let grounding = match (line.grounding, card.grounding) {
            (Some(wanted), Some(_)) => {
                let grounded_prompts =
                    ceil_share(flow.generated, wanted.share).ok_or(Overflow).map_err(too_large)?;
                let free_prompts = grounded_prompts.min(free_left);
                free_left -= free_prompts;
                let paid_queries = (grounded_prompts - free_prompts)
                    .checked_mul(wanted.queries_per_prompt)
                    .ok_or(Overflow)
                    .map_err(too_large)?;
                Some(GroundingUse {
                    grounded_prompts,
                    free_prompts,
                    queries_per_prompt: wanted.queries_per_prompt,
                    paid_queries,
                })
            }
            _ => None,
        };
        let (components, unpriced) =
            components(card, line, setup, flow.generated, grounding).map_err(too_large)?;
        let total = Money::sum(components.iter().map(|c| c.total)).map_err(too_large)?;
        lines.push(PricedLine {
            name: line.name.clone(),
            model: setup.model.id.clone(),
            model_name: setup.model.name.clone(),
            size: setup.size,
            lane: line.lane,
            priced_by: setup.priced_by.clone(),
            images_per_month: line.images_per_month,
            escalated_in: flow.requests - line.images_per_month,
            requests: flow.requests,
            escalated_out: flow.escalated_out,
            escalated_to: line.escalation.as_ref().map(|e| e.to.clone()),
            accepted: flow.requests - flow.escalated_out,
            generated: flow.generated,
            grounding,
            thinking_not_counted: setup.model.always_thinks && line.thinking_tokens.is_none(),
            price_grade: setup.grade,
            unpriced,
            components,
            total,
        });
    }
    let overflow = |Overflow| PlanError::TooLarge { plan: plan.source.clone(), line: "(all lines)".into() };
    let total = Money::sum(lines.iter().map(|line| line.total)).map_err(overflow)?;
    let count = |values: Vec<u64>| values.into_iter().try_fold(0u64, u64::checked_add).ok_or(Overflow);
    let accepted_images = count(lines.iter().map(|l| l.accepted).collect()).map_err(overflow)?;
    let generated_images = count(lines.iter().map(|l| l.generated).collect()).map_err(overflow)?;
    let grounded = lines.iter().any(|line| line.grounding.is_some());
    let free_prompts_used = lines.iter().filter_map(|l| l.grounding).map(|g| g.free_prompts).sum();
    Ok(PricedPlan {
        lines,
        total,
        accepted_images,
        generated_images,
        free_prompts_per_month: card.grounding.filter(|_| grounded).map(|g| g.free_prompts_per_month),
        free_prompts_used,
    })
}

fn setup<'card>(
    plan: &Plan,
    card: &'card RateCard,
    line: &PlanLine,
    basis: Basis,
) -> Result<Setup<'card>, PlanError> {
    let at = Some(line.name.as_str());
    let invalid =
        |key: &str, problem: String, fix: String| PlanError::invalid(&plan.source, at, key, problem, fix);
    let model = card
        .resolve(&line.model)
        .map_err(|err| invalid("model", "names no model in the rate card".into(), err.to_string()))?
        .model;
    let size = line.size.unwrap_or(model.default_size);
    if model.size(size).is_none() {
        return Err(invalid(
            "size",
            format!("is {size}, which {} does not offer", model.id),
            format!("give one of {}", model.size_list()),
        ));
    }
    if !model.tokens.contains_key(&line.lane) {
        return Err(invalid(
            "lane",
            format!("is {}, a lane {} does not have in the rate card", line.lane, model.id),
            format!("give one of {}", model.lane_list()),
        ));
    }
    if line.grounding.is_some() && !(model.grounding && card.grounding.is_some()) {
        return Err(invalid(
            "grounding",
            format!("is set, but {} has no Google Search grounding in the rate card", model.id),
            "remove it, or use a model with grounding (`nbcost rates show MODEL` says)".into(),
        ));
    }
    let (google, grade) = pricing::image_price(model, size, line.lane, basis).map_err(|err| match err {
        PricingError::Overflow { .. } => {
            PlanError::TooLarge { plan: plan.source.clone(), line: line.name.clone() }
        }
        other => invalid("model", other.to_string(), "check the rate card".into()),
    })?;
    match &line.provider {
        None => Ok(Setup {
            model,
            size,
            image_price: google,
            grade,
            google_price: None,
            priced_by: GOOGLE.into(),
        }),
        Some(owner) => {
            let route = card.route(owner, &model.id, size, line.lane).ok_or_else(|| {
                let offered: Vec<_> = card
                    .routes
                    .iter()
                    .filter(|route| route.model == model.id)
                    .map(|route| {
                        let size = route.size.map_or("every size".to_string(), |s| s.to_string());
                        format!("{} ({size}, {})", route.owner, route.lane)
                    })
                    .collect();
                let fix = if offered.is_empty() {
                    format!(
                        "the card has no provider route for {}; add a [[route]] or remove `provider`",
                        model.id
                    )
                } else {
                    format!("routes for {}: {}", model.id, offered.join(", "))
                };
                invalid(
                    "provider",
                    format!("names `{owner}`, which has no route for {} {size} {}", model.id, line.lane),
                    fix,
                )
            })?;
            Ok(Setup {
                model,
                size,
                image_price: Money::new(route.price),
                grade,
                google_price: Some(google),
                priced_by: route.owner.clone(),
            })
        }
    }
}

/// Requests, escalations and generated images of one line.
#[derive(Debug, Clone, Copy, Default)]
struct Flow {
    requests: u64,
    escalated_out: u64,
    generated: u64,
}

/// Each line's flow, with escalated requests added to their target lines
/// before those are worked out.
fn flows(plan: &Plan) -> Result<Vec<Flow>, PlanError> {
    let target = |line: &PlanLine| {
        line.escalation.as_ref().and_then(|e| plan.lines.iter().position(|other| other.name == e.to))
    };
    let mut waiting = vec![0usize; plan.lines.len()];
    for line in &plan.lines {
        if let Some(to) = target(line) {
            waiting[to] += 1;
        }
    }
    let mut flows: Vec<Flow> =
        plan.lines.iter().map(|line| Flow { requests: line.images_per_month, ..Flow::default() }).collect();
    let mut ready: Vec<usize> = (0..plan.lines.len()).rev().filter(|&i| waiting[i] == 0).collect();
    let mut done = 0;
    while let Some(index) = ready.pop() {
        done += 1;
        let line = &plan.lines[index];
        let too_large = || PlanError::TooLarge { plan: plan.source.clone(), line: line.name.clone() };
        let requests = flows[index].requests;
        let escalated_out = match &line.escalation {
            Some(escalation) => ceil_share(requests, escalation.share).ok_or_else(too_large)?,
            None => 0,
        };
        let kept = requests - escalated_out;
        let generated = ceil_cover(kept, line.rejection_rate)
            .and_then(|cover| cover.checked_add(escalated_out))
            .ok_or_else(too_large)?;
        flows[index].escalated_out = escalated_out;
        flows[index].generated = generated;
        if let Some(to) = target(line) {
            flows[to].requests = flows[to].requests.checked_add(escalated_out).ok_or_else(too_large)?;
            waiting[to] -= 1;
            if waiting[to] == 0 {
                ready.push(to);
            }
        }
    }
    if done < plan.lines.len() {
        let stuck = plan.lines.iter().zip(&waiting).find(|(_, w)| **w > 0).map(|(l, _)| l.name.as_str());
        return Err(PlanError::invalid(
            &plan.source,
            stuck,
            "escalation.to",
            "is part of a loop of escalations",
            "end every chain of escalations on a line without one",
        ));
    }
    Ok(flows)
}

/// `⌈count × share⌉`, exactly.
fn ceil_share(count: u64, share: Decimal) -> Option<u64> {
    let (numerator, scale) = parts(share)?;
    let denominator = 10u128.checked_pow(scale)?;
    let product = u128::from(count).checked_mul(numerator)?;
    u64::try_from(product.div_ceil(denominator)).ok()
}

/// `⌈kept ÷ (1 − rate)⌉`: images to generate so that `kept` survive a
/// rejection rate `rate`, exactly.
fn ceil_cover(kept: u64, rate: Decimal) -> Option<u64> {
    let (numerator, scale) = parts(rate)?;
    let whole = 10u128.checked_pow(scale)?;
    let keep_share = whole.checked_sub(numerator).filter(|share| *share > 0)?;
    let product = u128::from(kept).checked_mul(whole)?;
    u64::try_from(product.div_ceil(keep_share)).ok()
}

/// A share from 0 to 1 as `numerator / 10^scale`.
fn parts(share: Decimal) -> Option<(u128, u32)> {
    if share.is_sign_negative() && !share.is_zero() {
        return None;
    }
    Some((u128::try_from(share.mantissa()).ok()?, share.scale()))
}

fn components(
    card: &RateCard,
    line: &PlanLine,
    setup: &Setup<'_>,
    generated: u64,
    grounding: Option<GroundingUse>,
) -> Result<(Vec<LineComponent>, Vec<Unpriced>), Overflow> {
    let rates = setup.model.tokens[&line.lane];
    let mut unpriced = Vec::new();
    // A part priced per request, or the reason it cannot be: a rate the card leaves out.
    let per_request = |component: PlanComponent,
                       tokens: u64,
                       rate: Option<Decimal>,
                       what: &str,
                       estimate|
     -> Result<Result<LineComponent, Unpriced>, Overflow> {
        let Some(rate) = rate else {
            return Ok(Err(Unpriced {
                part: format!("{} ({} requests a month)", component.label(), count::grouped(generated)),
                reason: format!("the rate card gives no {} {what} rate for {}", line.lane, setup.model.id),
            }));
        };
        let unit_price = Money::per_million(tokens, rate)?;
        Ok(Ok(LineComponent {
            component,
            priced_by: GOOGLE.into(),
            estimate,
            tokens_per_request: Some(tokens),
            quantity: generated,
            unit: "requests",
            unit_price,
            total: unit_price.times(generated)?,
            google_unit_price: None,
        }))
    };
    let mut parts = vec![LineComponent {
        component: PlanComponent::ImageOutput,
        priced_by: setup.priced_by.clone(),
        estimate: false,
        tokens_per_request: None,
        quantity: generated,
        unit: "images",
        unit_price: setup.image_price,
        total: setup.image_price.times(generated)?,
        google_unit_price: setup.google_price,
    }];
    let mut wanted = Vec::new();
    if line.prompt_tokens > 0 {
        wanted.push(per_request(PlanComponent::TextInput, line.prompt_tokens, rates.input, "input", false)?);
    }
    match (line.reference_images, setup.model.input_image_tokens) {
        (0, _) => {}
        (images, Some(per_image)) => {
            let tokens = images.checked_mul(per_image).ok_or(Overflow)?;
            wanted.push(per_request(PlanComponent::ReferenceImages, tokens, rates.input, "input", false)?);
        }
        (images, None) => wanted.push(Err(Unpriced {
            part: format!(
                "{} a month",
                count::counted(
                    images.checked_mul(generated).ok_or(Overflow)?,
                    "reference image",
                    "reference images"
                )
            ),
            reason: format!("the rate card gives no input_image_tokens for {}", setup.model.id),
        })),
    }
    if let Some(tokens) = line.thinking_tokens.filter(|tokens| *tokens > 0) {
        wanted.push(per_request(PlanComponent::Thinking, tokens, rates.text_output, "text output", true)?);
    }
    for part in wanted {
        match part {
            Ok(component) => parts.push(component),
            Err(missing) => unpriced.push(missing),
        }
    }
    if let (Some(used), Some(prices)) = (grounding, card.grounding) {
        parts.push(LineComponent {
            component: PlanComponent::Grounding,
            priced_by: GOOGLE.into(),
            estimate: false,
            tokens_per_request: None,
            quantity: used.paid_queries,
            unit: "queries",
            unit_price: Money::per_thousand(1, prices.price_per_1000_queries)?,
            total: Money::per_thousand(used.paid_queries, prices.price_per_1000_queries)?,
            google_unit_price: None,
        });
    }
    Ok((parts, unpriced))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn priced(text: &str) -> PricedPlan {
        price(&Plan::from_toml(text, "plan.toml").unwrap(), &RateCard::embedded(), Basis::List).unwrap()
    }

    #[test]
    fn rounds_derived_counts_up_to_whole_images() {
        let cases = [
            (1000, "0", 0),
            (1000, "0.1", 100),
            (999, "0.1", 100),
            (1, "0.000000001", 1),
            (0, "0.5", 0),
            (7, "1", 7),
        ];
        for (count, share, want) in cases {
            assert_eq!(ceil_share(count, d(share)), Some(want), "{count} x {share}");
        }
        let covers =
            [(900, "0.1", 1000), (1000, "0.2", 1250), (1000, "0.1", 1112), (1, "0.5", 2), (5, "0", 5)];
        for (kept, rate, want) in covers {
            assert_eq!(ceil_cover(kept, d(rate)), Some(want), "{kept} / (1 - {rate})");
        }
        assert_eq!(ceil_cover(5, d("1")), None);
    }

    /// Three models, both lanes, rejections, an escalation, reference images,
    /// thinking and grounding past the free allowance, worked out by hand:
    ///
    /// `catalog` (Nano Banana 2 2K batch, list $0.050): 20,000 requests, 10%
    /// rejected: ⌈20,000 ÷ 0.9⌉ = 22,223 images × $0.050 = $1,111.15;
    /// 2 reference images × 1,120 tokens = 2,240 tokens × $0.25/1M =
    /// $0.00056 a request × 22,223 = $12.44488. Line: $1,123.59488.
    ///
    /// `social` (Nano Banana 2 1K standard, $0.067): 400 a day × 25 days =
    /// 10,000 requests; 5% escalate to `finals`: 500, each one image here.
    /// 9,500 kept, 20% rejected: ⌈9,500 ÷ 0.8⌉ = 11,875; generated 12,375.
    /// Images 12,375 × $0.067 = $829.125. Prompt 300 tokens × $0.50/1M =
    /// $0.00015 × 12,375 = $1.85625. Grounding on every request: 12,375
    /// prompts, 5,000 free, 7,375 paid × 2 queries = 14,750 queries ×
    /// $0.014 = $206.50. Line: $1,037.48125.
    ///
    /// `finals` (Nano Banana Pro 4K standard, $0.24): 1,000 own + 500
    /// escalated = 1,500 requests, 0% rejected: 1,500 images × $0.24 = $360;
    /// thinking 1,000 tokens × $12/1M = $0.012 × 1,500 = $18; 1 reference
    /// image × 560 tokens × $2/1M = $0.00112 × 1,500 = $1.68. Line: $379.68.
    ///
    /// `legacy` (Nano Banana 1K batch, $0.0195): 2,000 images, 0% rejected:
    /// $39.00.
    ///
    /// Total: 1,123.59488 + 1,037.48125 + 379.68 + 39 = $2,579.75613 for
    /// 20,000 + 9,500 + 1,500 + 2,000 = 33,000 accepted images.
    #[test]
    fn prices_the_hand_checked_plan() {
        let plan = priced(include_str!("../../examples/plan.toml"));
        let totals: Vec<_> =
            plan.lines.iter().map(|l| (l.name.as_str(), l.generated, l.total.amount())).collect();
        assert_eq!(
            totals,
            [
                ("catalog", 22_223, d("1123.59488")),
                ("social", 12_375, d("1037.48125")),
                ("finals", 1_500, d("379.68")),
                ("legacy", 2_000, d("39")),
            ]
        );
        assert_eq!(plan.total, d("2579.75613"));
        assert_eq!(plan.accepted_images, 33_000);
        let social = &plan.lines[1];
        assert_eq!((social.escalated_out, social.accepted), (500, 9_500));
        assert_eq!(
            social.grounding,
            Some(GroundingUse {
                grounded_prompts: 12_375,
                free_prompts: 5_000,
                queries_per_prompt: 2,
                paid_queries: 14_750
            })
        );
        let grounding = social.components.last().unwrap();
        assert_eq!((grounding.component, grounding.total.amount()), (PlanComponent::Grounding, d("206.50")));
        let finals = &plan.lines[2];
        assert_eq!((finals.escalated_in, finals.requests, finals.accepted), (500, 1_500, 1_500));
        let parts: Vec<_> = finals.components.iter().map(|c| (c.component, c.total.amount())).collect();
        assert_eq!(
            parts,
            [
                (PlanComponent::ImageOutput, d("360")),
                (PlanComponent::ReferenceImages, d("1.68")),
                (PlanComponent::Thinking, d("18")),
            ]
        );
    }

    #[test]
    fn shares_the_free_grounding_allowance_in_plan_order() {
        let plan = priced(
            r#"
[[line]]
name = "a"
model = "flash"
images_per_month = 3000
grounding = { queries_per_prompt = 1 }

[[line]]
name = "b"
model = "pro"
images_per_month = 3000
grounding = { share = "0.5", queries_per_prompt = 3 }
"#,
        );
        let used: Vec<_> = plan.lines.iter().map(|l| l.grounding.unwrap()).collect();
        assert_eq!((used[0].free_prompts, used[0].paid_queries), (3000, 0));
        assert_eq!((used[1].grounded_prompts, used[1].free_prompts, used[1].paid_queries), (1500, 1500, 0));
        assert_eq!(plan.free_prompts_used, 4500);
    }

    #[test]
    fn names_the_line_and_key_the_card_refuses() {
        let cases = [
            (
                "model = \"flsh\"",
                "line `x`: `model` names no model in the rate card; unknown model `flsh`: did you mean `flash`?",
            ),
            (
                "model = \"pro\"\nsize = \"512\"",
                "line `x`: `size` is 512, which gemini-3-pro-image-preview does not offer; give one of 1K, 2K, 4K",
            ),
            (
                "model = \"flash\"\nlane = \"flex\"",
                "line `x`: `lane` is flex, a lane gemini-3.1-flash-image-preview does not have in the rate card; give one of standard, batch",
            ),
            (
                "model = \"nano-banana\"\ngrounding = { queries_per_prompt = 1 }",
                "line `x`: `grounding` is set, but gemini-2.5-flash-image has no Google Search grounding",
            ),
            (
                "model = \"flash\"\nprovider = \"Nobody\"",
                "line `x`: `provider` names `Nobody`, which has no route for gemini-3.1-flash-image-preview 1K standard",
            ),
        ];
        for (body, want) in cases {
            let plan =
                Plan::from_toml(&format!("[[line]]\nname = \"x\"\nimages_per_month = 1\n{body}"), "p.toml")
                    .unwrap();
            let err = price(&plan, &RateCard::embedded(), Basis::List).unwrap_err().to_string();
            assert!(err.starts_with("plan `p.toml`: "), "{err}");
            assert!(err.contains(want), "`{err}` lacks `{want}`");
        }
    }

    mod properties {
        use super::*;
        use crate::plan::{Escalation, Grounding, Volume};
        use proptest::prelude::*;

        /// Model alias, its sizes.
        const MODELS: [(&str, &[ImageSize]); 3] = [
            ("flash", &[ImageSize::S512, ImageSize::K1, ImageSize::K2, ImageSize::K4]),
            ("pro", &[ImageSize::K1, ImageSize::K2, ImageSize::K4]),
            ("nano-banana", &[ImageSize::K1]),
        ];

        prop_compose! {
            fn any_line()(
                model in 0usize..3,
                size in 0usize..4,
                batch in any::<bool>(),
                images in 0u64..200_000,
                prompt_tokens in 0u64..4_000,
                reference_images in 0u64..6,
                thinking in proptest::option::of(0u64..4_000),
                rejection in 0i64..96,
                grounded in proptest::option::of((1i64..=100, 1u64..5)),
                escalation in proptest::option::of(0i64..=100),
                batch_ok in any::<bool>(),
            ) -> (PlanLine, Option<i64>) {
                let (alias, sizes) = MODELS[model];
                let line = PlanLine {
                    name: String::new(),
                    model: alias.into(),
                    size: Some(sizes[size % sizes.len()]),
                    lane: if batch { Lane::Batch } else { Lane::Standard },
                    volume: Volume::PerMonth(images),
                    images_per_month: images,
                    prompt_tokens,
                    reference_images,
                    thinking_tokens: thinking,
                    rejection_rate: Decimal::new(rejection, 2),
                    escalation: None,
                    // Nano Banana has no grounding in the card.
                    grounding: grounded
                        .filter(|_| alias != "nano-banana")
                        .map(|(share, queries)| Grounding { share: Decimal::new(share, 2), queries_per_prompt: queries }),
                    batch_ok,
                    provider: None,
                };
                (line, escalation)
            }
        }

        /// Plans of 1 to 6 lines whose escalations only go to later lines,
        /// so that they never loop.
        fn any_plan() -> impl Strategy<Value = Plan> {
            proptest::collection::vec(any_line(), 1..7).prop_map(|drafts| {
                let count = drafts.len();
                let lines = drafts
                    .into_iter()
                    .enumerate()
                    .map(|(index, (mut line, escalation))| {
                        line.name = format!("line{index}");
                        if index + 1 < count {
                            line.escalation = escalation.map(|share| Escalation {
                                to: format!("line{}", count - 1),
                                share: Decimal::new(share, 2),
                            });
                        }
                        line
                    })
                    .collect();
                Plan { name: None, source: "generated".into(), lines }
            })
        }

        fn on_lane(plan: &Plan, lane: Lane) -> Plan {
            let mut plan = plan.clone();
            for line in &mut plan.lines {
                line.lane = lane;
            }
            plan
        }

        proptest! {
            #[test]
            fn totals_equal_the_sum_of_their_parts(plan in any_plan(), tokens in any::<bool>()) {
                let basis = if tokens { Basis::Tokens } else { Basis::List };
                let priced = price(&plan, &RateCard::embedded(), basis).unwrap();
                let lines = priced.lines.iter().fold(Decimal::ZERO, |sum, line| sum + line.total.amount());
                prop_assert_eq!(priced.total, lines);
                for line in &priced.lines {
                    let parts = line.components.iter().fold(Decimal::ZERO, |sum, c| sum + c.total.amount());
                    prop_assert_eq!(line.total, parts);
                    for c in &line.components {
                        prop_assert_eq!(c.total, c.unit_price.amount() * Decimal::from(c.quantity));
                    }
                }
                let demand: u64 = plan.lines.iter().map(|line| line.images_per_month).sum();
                prop_assert_eq!(priced.accepted_images, demand);
            }

            #[test]
            fn batch_never_costs_more_than_standard(plan in any_plan(), tokens in any::<bool>()) {
                let basis = if tokens { Basis::Tokens } else { Basis::List };
                let card = RateCard::embedded();
                let standard = price(&on_lane(&plan, Lane::Standard), &card, basis).unwrap();
                let batch = price(&on_lane(&plan, Lane::Batch), &card, basis).unwrap();
                prop_assert!(batch.total <= standard.total, "{} > {}", batch.total, standard.total);
                let moved = price(&plan.with_batch_lanes(), &card, basis).unwrap();
                let written = price(&plan, &card, basis).unwrap();
                prop_assert!(moved.total <= written.total);
            }

            #[test]
            fn cost_grows_with_volume(plan in any_plan(), percent in 0u64..300, more in 0u64..300) {
                let card = RateCard::embedded();
                let smaller = price(&plan.scaled(percent), &card, Basis::List).unwrap();
                let larger = price(&plan.scaled(percent + more), &card, Basis::List).unwrap();
                prop_assert!(smaller.total <= larger.total, "{} > {}", smaller.total, larger.total);
            }
        }
    }
}

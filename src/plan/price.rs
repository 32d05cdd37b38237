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

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Plan, PlanError, PlanLine};
use crate::card::PricedBy;
use crate::card::{Grade, Model, RateCard};
use crate::count;
use crate::lane::Lane;
use crate::money::{Money, Overflow};
use crate::pricing::{self, Basis, Component, Extras, Gap, PricingError, Unpriced};
use crate::size::ImageSize;

/// Who prices the components nbcost takes from the card itself.
pub const GOOGLE: &str = "Google";

/// One component of one line for the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LineComponent {
    /// What is priced.
    pub component: Component,
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
    /// Money per unit, exact.
    pub unit_price: Money,
    /// Money for the month, exact: `quantity × unit_price`.
    pub total: Money,
    /// Google's own price per unit, shown beside a provider's figure.
    pub google_unit_price: Option<Money>,
    /// Money for the month at Google's price, beside a provider's
    /// `total` (tables only).
    #[serde(skip)]
    pub google_total: Option<Money>,
}

/// How a line used Google Search grounding this month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
    /// Where the card in force does not list the model (it came out after
    /// the card): the later card whose prices it carries, its price at
    /// release (`October 2026 (embedded 2026-10)`); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "PricedBy::serialize_name")]
    #[schemars(with = "Option<String>")]
    pub priced_by_card: Option<PricedBy>,
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
    /// Money for the month, exact: the sum of the components.
    pub total: Money,
}

/// A plan, priced for the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedPlan {
    /// The lines, in plan order.
    pub lines: Vec<PricedLine>,
    /// Money for the month: the sum of the lines.
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

impl PricedPlan {
    /// Whether the total holds every part of the plan: no line leaves a
    /// part out (see [`PricedLine::unpriced`]).
    pub fn complete(&self) -> bool {
        self.lines.iter().all(|line| line.unpriced.is_empty())
    }
}

/// A line's model, size and lane, checked against the card.
struct Setup<'card> {
    model: &'card Model,
    size: ImageSize,
    /// Money per image: Google's, or the route's.
    image_price: Money,
    /// How well Google's per-image price is sourced.
    grade: Grade,
    /// Google's price per image, where a route prices the line.
    google_price: Option<Money>,
    priced_by: String,
}

/// Prices `plan` with `card` on `basis`.
pub fn price(plan: &Plan, card: &RateCard, basis: Basis) -> Result<PricedPlan, PlanError> {
    if plan.lines.is_empty() {
        return Err(PlanError::invalid(
            &plan.source,
            None,
            "line",
            "is missing: the plan has only [[group]] budgets, which `nbcost tally --by RULE --plan` reads",
            "add a [[line]] table to price",
        ));
    }
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
            priced_by_card: setup.model.priced_by.clone(),
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
    let index: HashMap<&str, usize> =
        plan.lines.iter().enumerate().map(|(at, line)| (line.name.as_str(), at)).collect();
    let target = |line: &PlanLine| line.escalation.as_ref().and_then(|e| index.get(e.to.as_str()).copied());
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
    let model = setup.model;
    let mut parts = vec![LineComponent {
        component: Component::ImageOutput,
        priced_by: setup.priced_by.clone(),
        estimate: false,
        tokens_per_request: None,
        quantity: generated,
        unit: "images",
        unit_price: setup.image_price,
        total: setup.image_price.times(generated)?,
        google_unit_price: setup.google_price,
        google_total: setup.google_price.map(|google| google.times(generated)).transpose()?,
    }];
    let mut unpriced = Vec::new();
    let extras = Extras {
        prompt_tokens: line.prompt_tokens,
        input_images: line.reference_images,
        thinking_tokens: line.thinking_tokens.unwrap_or(0),
    };
    for part in pricing::request_parts(model, &model.tokens[&line.lane], extras)? {
        match part.price {
            Ok(unit_price) => parts.push(LineComponent {
                component: part.component,
                priced_by: GOOGLE.into(),
                estimate: part.component == Component::Thinking,
                tokens_per_request: Some(part.tokens),
                quantity: generated,
                unit: "requests",
                unit_price,
                total: unit_price.times(generated)?,
                google_unit_price: None,
                google_total: None,
            }),
            Err(gap) => unpriced.push(Unpriced {
                part: match gap {
                    Gap::NoImageTokens => format!(
                        "{} a month",
                        count::counted(
                            line.reference_images.checked_mul(generated).ok_or(Overflow)?,
                            "reference image",
                            "reference images"
                        )
                    ),
                    Gap::NoRate(_) => {
                        format!("{} ({} requests a month)", part.component.label(), count::grouped(generated))
                    }
                },
                reason: gap.reason(model, line.lane),
                component: part.component,
            }),
        }
    }
    if let (Some(used), Some(prices)) = (grounding, card.grounding) {
        parts.push(LineComponent {
            component: Component::Grounding,
            priced_by: GOOGLE.into(),
            estimate: false,
            tokens_per_request: None,
            quantity: used.paid_queries,
            unit: "queries",
            unit_price: pricing::grounding_cost(&prices, 1)?,
            total: pricing::grounding_cost(&prices, used.paid_queries)?,
            google_unit_price: None,
            google_total: None,
        });
    }
    Ok((parts, unpriced))
}

#[cfg(test)]
mod tests;

//! `quote`: what a number of images of one model and size cost, per lane.

use serde::Serialize;
use time::Date;

use super::{
    BudgetCheck, CardInfo, Lifecycle, Notice, Outcome, Verdict, incomplete, model_notices, not_priced,
};
use crate::card::PricedBy;
use crate::card::{Grade, LaneRule, NamedAs, RateCard, UnknownModel};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Currency, Money};
use crate::pricing::{self, Basis, Component, Extras, PricingError, Unpriced};
use crate::size::ImageSize;

/// What to quote, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRequest {
    /// The model as typed: an ID, a successor ID or an alias.
    pub model: String,
    /// The size; `None` means the model's default.
    pub size: Option<ImageSize>,
    /// How many images.
    pub count: u64,
    /// One lane, or every lane the model has.
    pub lane: Option<Lane>,
    /// List or token prices.
    pub basis: Basis,
    /// Prompt tokens and reference images per image.
    pub extras: Extras,
    /// Whether `--thinking-tokens` was given (0 included): without it, a
    /// model that always thinks gets a note that thinking is not included.
    pub thinking_given: bool,
    /// A limit the quoted total must not exceed (`--fail-above`).
    pub fail_above: Option<Money>,
}

/// Why a quote cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    /// No such model.
    #[error(transparent)]
    UnknownModel(#[from] UnknownModel),
    /// The engine refused.
    #[error(transparent)]
    Pricing(#[from] PricingError),
}

impl Kind for QuoteError {
    fn kind(&self) -> ErrorKind {
        match self {
            QuoteError::UnknownModel(error) => error.kind(),
            QuoteError::Pricing(error) => error.kind(),
        }
    }
}

/// The answer to `nbcost quote`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct QuoteReport {
    /// The rate card in force on the day asked about.
    pub card: CardInfo,
    /// Where that card does not list the model (it came out after the
    /// card): the later card whose prices it carries, its price at release
    /// (`October 2026 (embedded 2026-10)`); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "PricedBy::serialize_name")]
    #[schemars(with = "Option<String>")]
    pub priced_by: Option<PricedBy>,
    /// The model's full ID in the card.
    pub model: String,
    /// The model's product name.
    pub model_name: String,
    /// The name as typed, when it was an alias or the successor's ID.
    pub requested_as: Option<String>,
    /// The model's lifecycle as of today.
    pub lifecycle: Lifecycle,
    /// The size, exactly as the API's `imageSize` needs it.
    pub size: ImageSize,
    /// Whether the size is the model's default because none was given.
    pub size_is_default: bool,
    /// Image output tokens per image.
    pub output_tokens: u64,
    /// How many images.
    pub count: u64,
    /// `list` (published per-image prices) or `tokens` (tokens × per-1M rate).
    pub basis: Basis,
    /// Text input tokens per image.
    pub prompt_tokens: u64,
    /// Reference images per image.
    pub input_images: u64,
    /// Thinking tokens per image (an estimate), at the text output rate.
    pub thinking_tokens: u64,
    /// Whether the model always thinks (and is billed for it) but no
    /// `--thinking-tokens` was given: the prices leave thinking out.
    pub thinking_not_included: bool,
    /// One entry per lane.
    pub quotes: Vec<LaneQuote>,
    /// Parts asked for that the card cannot price (reference images on a
    /// model without an input-image token count, a rate the card leaves
    /// out), each with the reason: left out of every total.
    pub unpriced: Vec<Unpriced>,
    /// Whether every total holds every part asked for (`unpriced` is empty).
    pub complete: bool,
    /// The `--fail-above` check, else `null`.
    pub budget: Option<QuoteBudget>,
    /// A warning when the model named is retired or retiring.
    #[serde(skip)]
    pub notices: Vec<Notice>,
}

/// The `--fail-above` check of a quote: the total on the one lane asked
/// for with `--lane`, else on the dearest lane shown, so that every lane
/// the quote shows fits the budget when the check passes.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct QuoteBudget {
    /// The lane whose total was checked.
    pub lane: Lane,
    /// The check itself.
    #[serde(flatten)]
    pub check: BudgetCheck,
}

/// The price on one lane.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LaneQuote {
    /// `standard`, `batch`, ...
    pub lane: Lane,
    /// Money per image, every component, exact.
    pub unit_price: Money,
    /// Money for `count` images, exact.
    pub total: Money,
    /// How well the per-image price is sourced: `published`, `transcribed`,
    /// or `derived` (tokens × rate: no per-image price is published for the
    /// lane).
    pub grade: Grade,
    /// Money saved against the standard lane, negative where the lane
    /// costs more (`null` on standard itself, or with one lane asked for).
    pub saving_vs_standard: Option<Money>,
    /// The parts of the price: image output, then text input and reference
    /// images where asked for.
    pub components: Vec<QuoteComponent>,
    /// The parts asked for that the card cannot price on this lane (left
    /// out of its total); the report's `unpriced` says them for JSON.
    #[serde(skip)]
    pub unpriced: Vec<Unpriced>,
}

/// One part of a lane's price.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct QuoteComponent {
    /// `image_output`, `text_input` or `reference_images`.
    pub component: Component,
    /// Tokens per image behind the part.
    pub tokens: u64,
    /// Money per image, exact.
    pub unit_price: Money,
    /// Money for `count` images, exact.
    pub total: Money,
    /// Where the card gives no rate for the part on the lane: Google's
    /// published rule that gave it (`batch = 50% of standard`), the figure
    /// then graded derived; `null` for a rate the card gives.
    pub rule: Option<&'static str>,
}

impl QuoteReport {
    /// Prices `request` with `card` as of `today`.
    pub fn build(card: &RateCard, request: &QuoteRequest, today: Date) -> Result<QuoteReport, QuoteError> {
        let resolved = card.resolve(&request.model)?;
        let model = resolved.model;
        let size = request.size.unwrap_or(model.default_size);
        let lanes: Vec<Lane> = match request.lane {
            Some(lane) => vec![lane],
            None => model.lanes().collect(),
        };
        let prices = lanes
            .into_iter()
            .map(|lane| {
                let (_, grade) = pricing::image_price(model, size, lane, request.basis)?;
                Ok((pricing::price(model, size, lane, request.count, request.basis, request.extras)?, grade))
            })
            .collect::<Result<Vec<_>, PricingError>>()?;
        let standard = if request.lane.is_none() {
            prices.iter().find(|(p, _)| p.lane == Lane::Standard).map(|(p, _)| p.total)
        } else {
            None
        };
        let unpriced = prices.first().map(|(price, _)| price.unpriced.clone()).unwrap_or_default();
        let quotes = prices
            .into_iter()
            .map(|(price, grade)| {
                // A saving too large to compute is refused, never left out.
                let saving_vs_standard = standard
                    .filter(|_| price.lane != Lane::Standard)
                    .map(|standard| standard.minus(price.total))
                    .transpose()
                    .map_err(|_| PricingError::Overflow { count: request.count })?;
                Ok(LaneQuote {
                    lane: price.lane,
                    unit_price: price.unit_price,
                    total: price.total,
                    grade,
                    saving_vs_standard,
                    components: price
                        .components
                        .into_iter()
                        .map(|c| QuoteComponent {
                            component: c.component,
                            tokens: c.tokens,
                            unit_price: c.unit_price,
                            total: c.total,
                            rule: c.rule.map(LaneRule::text),
                        })
                        .collect(),
                    unpriced: price.unpriced,
                })
            })
            .collect::<Result<Vec<LaneQuote>, PricingError>>()?;
        let budget = match request.fail_above {
            Some(limit) => {
                let currency = Currency::of(&card.meta.currency);
                budget_check(&quotes, request.lane.is_some(), request.count, (limit, &currency))?
            }
            None => None,
        };
        let notices = {
            // Derived rates are said only for lanes whose input or text
            // output rate priced a part asked for.
            let extras = request.extras;
            let used = extras.prompt_tokens > 0 || extras.input_images > 0 || extras.thinking_tokens > 0;
            let rated: Vec<Lane> = quotes.iter().filter(|_| used).map(|quote| quote.lane).collect();
            model_notices(card, resolved, today, &rated)
        };
        Ok(QuoteReport {
            card: CardInfo::new(card, today),
            priced_by: model.priced_by.clone(),
            model: resolved.id.to_string(),
            model_name: model.name.clone(),
            requested_as: (resolved.named_as == NamedAs::Alias).then(|| request.model.clone()),
            lifecycle: Lifecycle::new(resolved.life, today),
            size,
            size_is_default: request.size.is_none(),
            output_tokens: model.size(size).map_or(0, |row| row.output_tokens),
            count: request.count,
            basis: request.basis,
            prompt_tokens: request.extras.prompt_tokens,
            input_images: request.extras.input_images,
            thinking_tokens: request.extras.thinking_tokens,
            thinking_not_included: model.always_thinks && !request.thinking_given,
            quotes,
            complete: unpriced.is_empty(),
            unpriced,
            budget,
            notices,
        })
    }

    /// The sentence to exit 5 with, when the checked total is above `--fail-above`.
    pub fn over_budget(&self) -> Option<&str> {
        self.budget.as_ref().filter(|budget| budget.check.over).map(|budget| budget.check.reason.as_str())
    }
}

impl Outcome for QuoteReport {
    /// Over the limit fails as such even when incomplete: the missing part
    /// can only add to the total.
    fn verdict(&self) -> Verdict {
        match self.over_budget() {
            Some(reason) => Verdict::OverBudget(reason.to_string()),
            None if !self.complete => incomplete("every total is", &not_priced(&self.unpriced)),
            None => Verdict::Pass,
        }
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// The check of the lane asked for, else of the dearest lane shown.
fn budget_check(
    quotes: &[LaneQuote],
    one_lane: bool,
    count: u64,
    (limit, currency): (Money, &Currency),
) -> Result<Option<QuoteBudget>, PricingError> {
    let Some(checked) = quotes.iter().max_by_key(|quote| quote.total) else {
        return Ok(None);
    };
    let what = if one_lane || quotes.len() == 1 {
        format!("the quote's total on {}", checked.lane)
    } else {
        format!("the quote's total on {} (dearest lane)", checked.lane)
    };
    let check = BudgetCheck::new(&what, checked.total, limit, currency)
        .map_err(|_| PricingError::Overflow { count })?;
    Ok(Some(QuoteBudget { lane: checked.lane, check }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Cell, Format, Report, Style, render};
    use crate::report::testing::today;

    fn request(model: &str, size: Option<&str>, count: u64) -> QuoteRequest {
        QuoteRequest {
            model: model.into(),
            size: size.map(|s| s.parse().unwrap()),
            count,
            lane: None,
            basis: Basis::List,
            extras: Extras::default(),
            thinking_given: false,
            fail_above: None,
        }
    }

    fn json(report: &QuoteReport) -> serde_json::Value {
        let mut out = Vec::new();
        render(report, Format::Json, Style::default(), &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn quotes_1000_flash_images_at_2k_on_both_lanes() {
        let report =
            QuoteReport::build(&RateCard::embedded(), &request("flash", Some("2K"), 1000), today()).unwrap();
        let value = json(&report);
        assert_eq!(value["schema"], 1);
        assert_eq!(value["report"], "quote");
        assert_eq!(value["model"], "gemini-3.1-flash-image-preview");
        assert_eq!(value["size"], "2K");
        assert_eq!(value["count"], 1000);
        assert_eq!(value["basis"], "list");
        assert_eq!(value["quotes"][0]["lane"], "standard");
        assert_eq!(value["quotes"][0]["unit_price"], "0.101");
        assert_eq!(value["quotes"][0]["total"], "101.00");
        assert_eq!(value["quotes"][0]["saving_vs_standard"], serde_json::Value::Null);
        assert_eq!(value["quotes"][1]["lane"], "batch");
        assert_eq!(value["quotes"][1]["unit_price"], "0.05");
        assert_eq!(value["quotes"][1]["total"], "50.00");
        assert_eq!(value["quotes"][1]["saving_vs_standard"], "51.00");
        assert_eq!(value["card"]["age_days"], 215);
    }

    #[test]
    fn uses_the_default_size_and_says_so() {
        let report = QuoteReport::build(&RateCard::embedded(), &request("pro", None, 10), today()).unwrap();
        assert_eq!(report.size, ImageSize::K1);
        assert!(report.size_is_default);
        let facts = report.document().facts;
        assert!(facts.iter().any(|(_, v)| v == "1K (the model's default: no --size given)"), "{facts:?}");
    }

    #[test]
    fn quotes_one_lane_when_asked_without_a_saving() {
        let mut wanted = request("nano-banana", None, 1000);
        wanted.lane = Some(Lane::Batch);
        let report = QuoteReport::build(&RateCard::embedded(), &wanted, today()).unwrap();
        assert_eq!(report.quotes.len(), 1);
        assert_eq!(report.quotes[0].total, Money::new("19.5".parse().unwrap()));
        assert_eq!(report.quotes[0].saving_vs_standard, None);
    }

    #[test]
    fn refuses_a_size_the_model_lacks() {
        let err =
            QuoteReport::build(&RateCard::embedded(), &request("pro", Some("512"), 1), today()).unwrap_err();
        assert_eq!(err.to_string(), "gemini-3-pro-image-preview has no size `512`: it offers 1K, 2K, 4K");
    }

    /// The cells of the lane table as people read them.
    fn shown(report: &QuoteReport) -> Vec<Vec<String>> {
        let table = &report.document().tables[0];
        table
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| crate::render::human(cell, &Currency::usd())).collect())
            .collect()
    }

    fn dollars(text: &str) -> rust_decimal::Decimal {
        text.replace(['$', ','], "").parse().unwrap()
    }

    /// 10 Nano Banana images: $0.39 on standard, $0.195 on batch. Rounded
    /// to the cent the batch total ($0.20) and the saving ($0.20) would not
    /// be the difference of the totals ($0.39 − $0.20 = $0.19).
    #[test]
    fn shows_sub_cent_totals_where_the_cents_would_not_add_up() {
        let report =
            QuoteReport::build(&RateCard::embedded(), &request("nano-banana", None, 10), today()).unwrap();
        let rows = shown(&report);
        assert_eq!(rows[0][..3], ["standard", "$0.039", "$0.39"]);
        assert_eq!(rows[1][..4], ["batch", "$0.0195", "$0.195", "$0.195"]);
        assert!(
            report.document().notes.iter().any(|note| note == "batch saves $0.195 (50.0%) against standard.")
        );
    }

    /// For every model and size of the card and counts 1 to 120, each
    /// saving shown is the standard total shown minus the lane's total shown.
    #[test]
    fn every_saving_shown_is_the_difference_of_the_totals_shown() {
        let card = RateCard::embedded();
        for model in &card.models {
            for size in model.sizes.iter().map(|row| row.size) {
                for count in 1..=120 {
                    let mut wanted = request(&model.id, None, count);
                    wanted.size = Some(size);
                    let report = QuoteReport::build(&card, &wanted, today()).unwrap();
                    let rows = shown(&report);
                    let Some(standard) = rows.iter().find(|row| row[0] == "standard") else { continue };
                    for row in rows.iter().filter(|row| !row[3].is_empty()) {
                        assert_eq!(
                            dollars(&standard[2]) - dollars(&row[2]),
                            dollars(&row[3]),
                            "{} {size} × {count} on {}",
                            model.id,
                            row[0]
                        );
                    }
                }
            }
        }
    }
    /// For every model of the October card at its default size, counts 1
    /// to 60, prompts and reference images and thinking: on each lane, the
    /// parts the breakdown shows add up to the total the lane table shows,
    /// and none that costs something reads $0.00.
    #[test]
    fn every_breakdown_shown_adds_up_to_its_lanes_total() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        for model in &card.models {
            for count in 1..=60 {
                let mut wanted = request(&model.id, None, count);
                wanted.extras = Extras { prompt_tokens: 333, input_images: 3, thinking_tokens: 777 };
                let report = QuoteReport::build(&card, &wanted, today()).unwrap();
                let document = report.document();
                let human = |cell: &Cell| crate::render::human(cell, &Currency::usd());
                let Some(breakdown) = document.tables.get(1) else { continue };
                for lane in &document.tables[0].rows {
                    let parts: Vec<String> = breakdown
                        .rows
                        .iter()
                        .filter(|row| human(&row[0]) == human(&lane[0]))
                        .map(|row| human(&row[4]))
                        .filter(|part| part.starts_with('$'))
                        .collect();
                    let sum: rust_decimal::Decimal = parts.iter().map(|part| dollars(part)).sum();
                    assert_eq!(sum, dollars(&human(&lane[2])), "{} × {count}: {parts:?}", model.id);
                    assert!(!parts.contains(&"$0.00".to_string()), "{} × {count}: {parts:?}", model.id);
                }
            }
        }
    }
}

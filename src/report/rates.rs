//! `rates`: what the card holds (`rates`), one model in full (`rates show`),
//! and a check of a card's published prices against tokens × rate
//! (`rates check`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::{CardInfo, DaySchema, Lifecycle, Notice, Outcome, Verdict, lifecycle_warning, priced_by_note};
use crate::card::PricedBy;
use crate::card::{Grade, History, Model, RateCard, SkuRule, UnknownModel};
use crate::lane::Lane;
use crate::money::{Money, Overflow};
use crate::pricing::{self, Basis};
use crate::size::ImageSize;

/// The answer to `nbcost rates`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RatesReport {
    /// The card's facts.
    pub card: CardInfo,
    /// The pages the figures come from.
    pub sources: Vec<String>,
    /// How well the card's figures are sourced, unless a model, lane or
    /// size says otherwise: `published` or `transcribed`.
    pub grade: Grade,
    /// Every model, in card order.
    pub models: Vec<ModelSummary>,
    /// The day the report is for (today, or `--as-of`).
    #[schemars(with = "DaySchema")]
    pub day: Date,
    /// Every card of the dated history (those built into nbcost and the
    /// user's own), oldest `effective` date first, and which is in force on
    /// the day.
    pub cards: Vec<CardSummary>,
    /// How the SKUs on Google's bill map to models, lanes and parts, for
    /// `nbcost reconcile`, in the order they are tried: the card's own
    /// rules, then the history's, newest card first.
    pub skus: Vec<SkuRule>,
}

/// A card of the dated history.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CardSummary {
    /// The name `--rates` and `diff` take, such as `2026-10` (a user card's
    /// file stem).
    pub name: String,
    /// Where it comes from: `embedded 2026-10`, or `user card PATH`.
    pub source: String,
    /// The date people call it by.
    pub dated: String,
    /// The first day its prices apply.
    #[schemars(with = "DaySchema")]
    pub effective: Date,
    /// The day its figures were last checked.
    #[schemars(with = "DaySchema")]
    pub checked: Date,
    /// Whether it is the card in force on the day (the default).
    pub in_force: bool,
}

/// An ID the model answered to before, with its own lifecycle.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FormerSummary {
    /// The old ID (it still resolves, at the model's prices unless the card
    /// in force lists it itself).
    pub id: String,
    /// Where it stands as of today.
    pub lifecycle: Lifecycle,
}

/// A model in brief.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ModelSummary {
    /// The full ID.
    pub id: String,
    /// The product name.
    pub name: String,
    /// Short names that resolve to it.
    pub aliases: Vec<String>,
    /// Its sizes, as the API writes them.
    pub sizes: Vec<ImageSize>,
    /// The size a request without `imageSize` gets.
    pub default_size: ImageSize,
    /// Its lanes.
    pub lanes: Vec<Lane>,
    /// Whether the free tier covers it.
    pub free_tier: bool,
    /// Where it stands as of today.
    pub lifecycle: Lifecycle,
    /// IDs it answered to before (previews), which still resolve.
    pub former: Vec<FormerSummary>,
    /// Where the card does not list the model (it came out after the
    /// card): the later card whose prices it carries, its price at release
    /// (`October 2026 (embedded 2026-10)`); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "PricedBy::serialize_name")]
    #[schemars(with = "Option<String>")]
    pub priced_by: Option<PricedBy>,
}

impl ModelSummary {
    fn new(model: &Model, today: Date) -> ModelSummary {
        ModelSummary {
            id: model.id.clone(),
            name: model.name.clone(),
            aliases: model.aliases.clone(),
            sizes: model.sizes.iter().map(|row| row.size).collect(),
            default_size: model.default_size,
            lanes: model.lanes().collect(),
            free_tier: model.free_tier,
            lifecycle: Lifecycle::new(&model.life, today),
            former: model
                .former
                .iter()
                .map(|former| FormerSummary {
                    id: former.id.clone(),
                    lifecycle: Lifecycle::new(&former.life, today),
                })
                .collect(),
            priced_by: model.priced_by.clone(),
        }
    }
}

impl RatesReport {
    /// The card's contents as of `today`, and the cards of `history`.
    pub fn build(card: &RateCard, history: &History, today: Date) -> RatesReport {
        let in_force = history.in_force(today).map(|card| &card.meta.origin);
        RatesReport {
            card: CardInfo::new(card, today),
            sources: card.meta.sources.clone(),
            grade: card.meta.grade,
            models: card.models.iter().map(|model| ModelSummary::new(model, today)).collect(),
            day: today,
            cards: history
                .cards()
                .map(|each| CardSummary {
                    name: each.meta.origin.name(),
                    source: each.meta.origin.source(),
                    in_force: in_force == Some(&each.meta.origin),
                    dated: each.meta.dated.clone(),
                    effective: each.meta.effective,
                    checked: each.meta.checked,
                })
                .collect(),
            skus: history.sku_rules(card),
        }
    }
}

/// The answer to `nbcost rates show MODEL`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ModelReport {
    /// The card's facts.
    pub card: CardInfo,
    /// The model in brief, with `priced_by` where the card does not list it.
    #[serde(flatten)]
    pub summary: ModelSummary,
    /// The ID that replaces it, where known.
    pub successor: Option<String>,
    /// Tokens one reference image counts, where known.
    pub input_image_tokens: Option<u64>,
    /// Whether Google Search grounding is offered.
    pub grounding: bool,
    /// Whether thinking is always on (and billed as text output).
    pub always_thinks: bool,
    /// Per-1M-token rates per lane.
    pub tokens: BTreeMap<Lane, TokenRatesOut>,
    /// Each size with its tokens and published prices.
    pub size_prices: Vec<SizePrices>,
    /// A warning when the model shown is retired or retiring.
    #[serde(skip)]
    pub notices: Vec<Notice>,
}

/// Money per 1M tokens on one lane.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TokenRatesOut {
    /// Text and image input; `null` where the sources give no rate.
    pub input: Option<Money>,
    /// Text and thinking output; `null` where the sources give no rate.
    pub text_output: Option<Money>,
    /// Image output.
    pub image_output: Money,
    /// `published` or `transcribed`: the grade of the rates the card gives.
    pub grade: Grade,
    /// The input rate's grade: `derived` where the lane's rule gave it.
    pub input_grade: Grade,
    /// The text output rate's grade: `derived` where the lane's rule gave it.
    pub text_output_grade: Grade,
    /// Google's published rule that gave the rates the card leaves out
    /// (`batch = 50% of standard`), or `null`.
    pub rule: Option<&'static str>,
}

/// One size's prices.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SizePrices {
    /// The size.
    pub size: ImageSize,
    /// Image output tokens per image.
    pub output_tokens: u64,
    /// The published per-image price on each lane that has one, exact.
    pub price: BTreeMap<Lane, Money>,
    /// How well those prices are sourced: `published` or `transcribed`.
    pub grade: Grade,
    /// Lanes the model has but with no published per-image price: output
    /// tokens × the lane's rate, graded `derived`.
    pub derived: BTreeMap<Lane, Money>,
}

impl ModelReport {
    /// The model `name` in full, as of `today`.
    pub fn build(card: &RateCard, name: &str, today: Date) -> Result<ModelReport, UnknownModel> {
        let resolved = card.resolve(name)?;
        let model = resolved.model;
        let derived = |row: &crate::card::SizeRow| -> BTreeMap<Lane, Money> {
            model
                .lanes()
                .filter_map(|lane| match pricing::image_price(model, row.size, lane, Basis::List) {
                    Ok((price, Grade::Derived)) => Some((lane, price)),
                    _ => None,
                })
                .collect()
        };
        Ok(ModelReport {
            card: CardInfo::new(card, today),
            summary: ModelSummary::new(model, today),
            successor: model.life.successor.clone(),
            input_image_tokens: model.input_image_tokens,
            grounding: model.grounding,
            always_thinks: model.always_thinks,
            tokens: model
                .tokens
                .iter()
                .map(|(lane, rates)| {
                    (
                        *lane,
                        TokenRatesOut {
                            input: rates.input.map(Money::new),
                            text_output: rates.text_output.map(Money::new),
                            image_output: Money::new(rates.image_output),
                            grade: rates.grade,
                            input_grade: rates.input_grade(),
                            text_output_grade: rates.text_output_grade(),
                            rule: rates.derived.map(|derived| derived.rule.text()),
                        },
                    )
                })
                .collect(),
            size_prices: model
                .sizes
                .iter()
                .map(|row| SizePrices {
                    size: row.size,
                    output_tokens: row.output_tokens,
                    price: row.price.iter().map(|(lane, price)| (*lane, Money::new(*price))).collect(),
                    grade: row.grade,
                    derived: derived(row),
                })
                .collect(),
            // Its derived rates are said in the report itself.
            notices: lifecycle_warning(resolved, today)
                .map(Notice::Warning)
                .into_iter()
                .chain(priced_by_note(card, resolved.model))
                .collect(),
        })
    }
}

/// The answer to `nbcost rates check`: the card is valid, and here is every
/// published price beside tokens × rate.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CheckReport {
    /// The card's facts.
    pub card: CardInfo,
    /// Always `true`: an invalid card is an error, not a report.
    pub valid: bool,
    /// How many models the card has.
    pub models: usize,
    /// How many published per-image prices it has.
    pub prices: usize,
    /// How many per-image prices are derived (no published figure).
    pub derived: usize,
    /// One row per model × size × lane.
    pub rows: Vec<CheckRow>,
}

/// A published price beside its token equivalent.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CheckRow {
    /// The model's full ID.
    pub model: String,
    /// The size.
    pub size: ImageSize,
    /// The lane.
    pub lane: Lane,
    /// Image output tokens per image.
    pub output_tokens: u64,
    /// The published per-image price; `null` where none is published and
    /// nbcost prices at `tokens_price` (graded `derived`).
    pub published: Option<Money>,
    /// `published`, `transcribed` or `derived`.
    pub grade: Grade,
    /// Output tokens × the lane's image output rate per 1M.
    pub tokens_price: Money,
    /// `published − tokens_price`: positive when the published figure is
    /// dearer; `null` where nothing is published.
    pub difference: Option<Money>,
}

impl CheckRow {
    /// `difference` as a percentage of `tokens_price`; `None` where nothing
    /// is published (or tokens × rate is zero).
    pub fn difference_percent(&self) -> Option<Decimal> {
        self.difference.and_then(|difference| difference.percent_of(self.tokens_price))
    }
}

impl CheckReport {
    /// Checks `card` as of `today`.
    pub fn build(card: &RateCard, today: Date) -> Result<CheckReport, Overflow> {
        let mut rows = Vec::new();
        for model in &card.models {
            for row in &model.sizes {
                for lane in model.lanes() {
                    let too_large = |_| Overflow;
                    let (_, grade) =
                        pricing::image_price(model, row.size, lane, Basis::List).map_err(too_large)?;
                    let tokens_price =
                        pricing::one_image(model, row.size, lane, Basis::Tokens).map_err(too_large)?;
                    let published = row.price.get(&lane).map(|price| Money::new(*price));
                    rows.push(CheckRow {
                        model: model.id.clone(),
                        size: row.size,
                        lane,
                        output_tokens: row.output_tokens,
                        published,
                        grade,
                        tokens_price,
                        difference: published.map(|published| published.minus(tokens_price)).transpose()?,
                    });
                }
            }
        }
        Ok(CheckReport {
            card: CardInfo::new(card, today),
            valid: true,
            models: card.models.len(),
            prices: rows.iter().filter(|row| row.published.is_some()).count(),
            derived: rows.iter().filter(|row| row.published.is_none()).count(),
            rows,
        })
    }
}

impl Outcome for RatesReport {
    fn verdict(&self) -> Verdict {
        Verdict::Pass
    }

    fn notices(&self) -> &[Notice] {
        &[]
    }
}

impl Outcome for ModelReport {
    fn verdict(&self) -> Verdict {
        Verdict::Pass
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

impl Outcome for CheckReport {
    fn verdict(&self) -> Verdict {
        Verdict::Pass
    }

    fn notices(&self) -> &[Notice] {
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::today;

    /// The April card knew of no retirement yet: every model is active in it.
    #[test]
    fn lists_every_model_with_its_sizes_and_lanes() {
        let report = RatesReport::build(&RateCard::embedded(), &History::embedded(), today());
        let summary: Vec<String> = report
            .models
            .iter()
            .map(|m| format!("{} {:?} {:?} {}", m.id, m.sizes, m.lanes, m.lifecycle.status.name()))
            .collect();
        assert_eq!(
            summary,
            [
                "gemini-3.1-flash-image-preview [S512, K1, K2, K4] [Standard, Batch] active",
                "gemini-3-pro-image-preview [K1, K2, K4] [Standard, Batch] active",
                "gemini-2.5-flash-image [K1] [Standard, Batch] active",
            ]
        );
        assert_eq!(report.sources.len(), 3);
    }

    #[test]
    fn shows_one_model_in_full() {
        let report = ModelReport::build(&RateCard::embedded(), "nano-banana", today()).unwrap();
        assert_eq!(report.summary.id, "gemini-2.5-flash-image");
        assert_eq!(report.size_prices[0].price[&Lane::Batch].plain(), "0.0195");
        assert_eq!(report.tokens[&Lane::Batch].image_output, rust_decimal::Decimal::from(15));
        assert_eq!(report.input_image_tokens, Some(258));
    }

    #[test]
    fn checks_published_prices_against_tokens() {
        let report = CheckReport::build(&RateCard::embedded(), today()).unwrap();
        assert_eq!(report.prices, 16);
        let flash_1k = report
            .rows
            .iter()
            .find(|r| {
                r.model == "gemini-3.1-flash-image-preview"
                    && r.size == ImageSize::K1
                    && r.lane == Lane::Standard
            })
            .unwrap();
        assert_eq!(flash_1k.published.unwrap().to_string(), "0.067");
        assert_eq!(flash_1k.tokens_price.to_string(), "0.0672");
        assert_eq!(flash_1k.difference.unwrap().plain(), "-0.0002");
        let exact = report.rows.iter().filter(|r| r.difference.is_some_and(Money::is_zero)).count();
        // Only Nano Banana Pro 4K is published at exactly tokens x rate.
        assert_eq!(exact, 2);
    }
}

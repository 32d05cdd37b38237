//! `rates`: what the card holds (`rates`), one model in full (`rates show`),
//! and a check of a card's published prices against tokens × rate
//! (`rates check`).

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use super::{CardInfo, Lifecycle};
use crate::card::{Model, RateCard, UnknownModel};
use crate::lane::Lane;
use crate::money::{Money, Overflow};
use crate::size::ImageSize;

/// The answer to `nbcost rates`.
#[derive(Debug, Clone, Serialize)]
pub struct RatesReport {
    /// The card's facts.
    pub card: CardInfo,
    /// The pages the figures come from.
    pub sources: Vec<String>,
    /// Every model, in card order.
    pub models: Vec<ModelSummary>,
}

/// A model in brief.
#[derive(Debug, Clone, Serialize)]
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
            lifecycle: Lifecycle::new(model, today),
        }
    }
}

impl RatesReport {
    /// The card's contents as of `today`.
    pub fn build(card: &RateCard, today: Date) -> RatesReport {
        RatesReport {
            card: CardInfo::new(card, today),
            sources: card.meta.sources.clone(),
            models: card.models.iter().map(|model| ModelSummary::new(model, today)).collect(),
        }
    }
}

/// The answer to `nbcost rates show MODEL`.
#[derive(Debug, Clone, Serialize)]
pub struct ModelReport {
    /// The card's facts.
    pub card: CardInfo,
    /// The model in brief.
    #[serde(flatten)]
    pub summary: ModelSummary,
    /// The ID that replaces it at the same prices, where known.
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
}

/// Dollars per 1M tokens on one lane.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRatesOut {
    /// Text and image input.
    pub input: Money,
    /// Text and thinking output.
    pub text_output: Money,
    /// Image output.
    pub image_output: Money,
}

/// One size's published prices.
#[derive(Debug, Clone, Serialize)]
pub struct SizePrices {
    /// The size.
    pub size: ImageSize,
    /// Image output tokens per image.
    pub output_tokens: u64,
    /// The published per-image price on each lane, exact.
    pub price: BTreeMap<Lane, Money>,
}

impl ModelReport {
    /// The model `name` in full, as of `today`.
    pub fn build(card: &RateCard, name: &str, today: Date) -> Result<ModelReport, UnknownModel> {
        let model = card.resolve(name)?.model;
        Ok(ModelReport {
            card: CardInfo::new(card, today),
            summary: ModelSummary::new(model, today),
            successor: model.successor.clone(),
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
                            input: Money::new(rates.input),
                            text_output: Money::new(rates.text_output),
                            image_output: Money::new(rates.image_output),
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
                })
                .collect(),
        })
    }
}

/// The answer to `nbcost rates check`: the card is valid, and here is every
/// published price beside tokens × rate.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The card's facts.
    pub card: CardInfo,
    /// Always `true`: an invalid card is an error, not a report.
    pub valid: bool,
    /// How many models the card has.
    pub models: usize,
    /// How many published per-image prices it has.
    pub prices: usize,
    /// One row per model × size × lane.
    pub rows: Vec<CheckRow>,
}

/// A published price beside its token equivalent.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    /// The model's full ID.
    pub model: String,
    /// The size.
    pub size: ImageSize,
    /// The lane.
    pub lane: Lane,
    /// Image output tokens per image.
    pub output_tokens: u64,
    /// The published per-image price.
    pub published: Money,
    /// Output tokens × the lane's image output rate per 1M.
    pub tokens_price: Money,
    /// `published − tokens_price`: positive when the published figure is dearer.
    pub difference: Money,
}

impl CheckReport {
    /// Checks `card` as of `today`.
    pub fn build(card: &RateCard, today: Date) -> Result<CheckReport, Overflow> {
        let mut rows = Vec::new();
        for model in &card.models {
            for row in &model.sizes {
                for (lane, published) in &row.price {
                    let tokens_price =
                        Money::per_million(row.output_tokens, model.tokens[lane].image_output)?;
                    rows.push(CheckRow {
                        model: model.id.clone(),
                        size: row.size,
                        lane: *lane,
                        output_tokens: row.output_tokens,
                        published: Money::new(*published),
                        tokens_price,
                        difference: Money::new(*published).minus(tokens_price)?,
                    });
                }
            }
        }
        Ok(CheckReport {
            card: CardInfo::new(card, today),
            valid: true,
            models: card.models.len(),
            prices: rows.len(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::today;

    #[test]
    fn lists_every_model_with_its_sizes_and_lanes() {
        let report = RatesReport::build(&RateCard::embedded(), today());
        let summary: Vec<String> = report
            .models
            .iter()
            .map(|m| format!("{} {:?} {:?} {}", m.id, m.sizes, m.lanes, m.lifecycle.status))
            .collect();
        assert_eq!(
            summary,
            [
                "gemini-3.1-flash-image-preview [S512, K1, K2, K4] [Standard, Batch] shut-down",
                "gemini-3-pro-image-preview [K1, K2, K4] [Standard, Batch] shut-down",
                "gemini-2.5-flash-image [K1] [Standard, Batch] shut-down",
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
        assert_eq!(flash_1k.published.to_string(), "0.067");
        assert_eq!(flash_1k.tokens_price.to_string(), "0.0672");
        assert_eq!(flash_1k.difference.plain(), "-0.0002");
        let exact = report.rows.iter().filter(|r| r.difference.is_zero()).count();
        // Only Nano Banana Pro 4K is published at exactly tokens x rate.
        assert_eq!(exact, 2);
    }
}

//! The rate card: which models exist, what their sizes and lanes cost, and
//! where each figure comes from.
//!
//! [`RateCard::embedded`] is the April 2026 card compiled into the binary;
//! [`RateCard::from_file`] and [`RateCard::from_toml`] read a user's card with
//! the same strict rules (see `load.rs`).

mod load;
mod resolve;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use rust_decimal::Decimal;
use time::Date;

use crate::lane::Lane;
use crate::size::ImageSize;

pub(crate) use load::CardDecimal;
pub use load::CardError;
pub use resolve::{NamedAs, Resolved, UnknownModel};

/// The default card's text, as shipped in `rates/default.toml`.
pub const DEFAULT_CARD_TOML: &str = include_str!("../../rates/default.toml");

/// A validated rate card.
#[derive(Debug, Clone)]
pub struct RateCard {
    /// When and where the figures come from.
    pub meta: CardMeta,
    /// The models, in the card's order.
    pub models: Vec<Model>,
    /// Google Search grounding prices, where the card has them.
    pub grounding: Option<Grounding>,
    /// Other providers' own per-image prices for the card's models, in card
    /// order. Never Google's figures: each carries its owner.
    pub routes: Vec<Route>,
}

/// A provider's own per-image price for one of the card's models, such as a
/// gateway that resells it. The figure belongs to `owner`, not to Google.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Who sets the price (the provider's name).
    pub owner: String,
    /// The provider's own name for the offer, where it has one.
    pub name: Option<String>,
    /// The card model it resells (its full ID).
    pub model: String,
    /// The size the price is for; `None` means every size of the model.
    pub size: Option<ImageSize>,
    /// The Google lane it stands beside (`standard` unless the card says).
    pub lane: Lane,
    /// The provider's price per image.
    pub price: Decimal,
    /// Where the provider publishes the price.
    pub source: String,
}

impl Route {
    /// Whether the route prices `model` at `size` on `lane`.
    pub fn covers(&self, model: &str, size: ImageSize, lane: Lane) -> bool {
        self.model == model && self.lane == lane && self.size.is_none_or(|own| own == size)
    }

    /// `owner` with the provider's name for the offer, for labels.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{} ({name})", self.owner),
            None => self.owner.clone(),
        }
    }
}

/// Where a card was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOrigin {
    /// The card compiled into the binary.
    Embedded,
    /// A file the user named.
    File(PathBuf),
}

impl fmt::Display for CardOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CardOrigin::Embedded => f.write_str("the embedded default card"),
            CardOrigin::File(path) => write!(f, "`{}`", path.display()),
        }
    }
}

/// The card's own facts: its name, dates and sources.
#[derive(Debug, Clone)]
pub struct CardMeta {
    /// A name for the card.
    pub name: String,
    /// The date people call it by, such as `April 2026`.
    pub dated: String,
    /// The first day the prices apply.
    pub effective: Date,
    /// The day the figures were last checked against their sources.
    pub checked: Date,
    /// The currency of every price (`USD`).
    pub currency: String,
    /// The pages the figures come from.
    pub sources: Vec<String>,
    /// Where the card was read from.
    pub origin: CardOrigin,
}

impl CardMeta {
    /// Whole days from the check date to `today` (0 if `today` is earlier).
    pub fn age_days(&self, today: Date) -> u64 {
        u64::try_from((today - self.checked).whole_days()).unwrap_or(0)
    }
}

/// One model and its prices.
#[derive(Debug, Clone)]
pub struct Model {
    /// The full model ID, as the API names it.
    pub id: String,
    /// The product name (`Nano Banana 2`).
    pub name: String,
    /// Short names that resolve to this model.
    pub aliases: Vec<String>,
    /// The ID that replaces this one at the same prices, where known.
    pub successor: Option<String>,
    /// The release (or GA) date.
    pub released: Option<Date>,
    /// The date the ID was deprecated.
    pub deprecated: Option<Date>,
    /// The date the ID stops (or stopped) answering.
    pub shutdown: Option<Date>,
    /// Whether the free tier covers this model.
    pub free_tier: bool,
    /// The size a request gets when it sets none.
    pub default_size: ImageSize,
    /// Whether the API accepts `imageSize` for this model at all.
    pub takes_image_size: bool,
    /// Tokens one reference (input) image counts, where known.
    pub input_image_tokens: Option<u64>,
    /// Whether Google Search grounding is offered (at the card's grounding prices).
    pub grounding: bool,
    /// Whether the model always thinks, with thinking billed as text output.
    pub always_thinks: bool,
    /// Per-1M-token rates for each lane the model has.
    pub tokens: BTreeMap<Lane, TokenRates>,
    /// The sizes, smallest first.
    pub sizes: Vec<SizeRow>,
}

/// Dollars per 1M tokens on one lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRates {
    /// Text and image input.
    pub input: Decimal,
    /// Text and thinking output.
    pub text_output: Decimal,
    /// Image output.
    pub image_output: Decimal,
}

/// One size of one model.
#[derive(Debug, Clone)]
pub struct SizeRow {
    /// The size.
    pub size: ImageSize,
    /// Image output tokens one image of this size counts.
    pub output_tokens: u64,
    /// The published per-image price on each lane.
    pub price: BTreeMap<Lane, Decimal>,
}

/// Google Search grounding prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grounding {
    /// Grounded prompts a month that cost nothing, shared by the models.
    pub free_prompts_per_month: u64,
    /// Dollars per 1,000 search queries past the free allowance.
    pub price_per_1000_queries: Decimal,
}

impl RateCard {
    /// The card compiled into the binary.
    pub fn embedded() -> RateCard {
        RateCard::from_toml(DEFAULT_CARD_TOML, CardOrigin::Embedded)
            .expect("the embedded card is validated by the test suite")
    }

    /// The model with this exact ID.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|model| model.id == id)
    }

    /// The route `owner` (any case) offers for `model` at `size` on `lane`.
    pub fn route(&self, owner: &str, model: &str, size: ImageSize, lane: Lane) -> Option<&Route> {
        self.routes
            .iter()
            .find(|route| route.owner.eq_ignore_ascii_case(owner) && route.covers(model, size, lane))
    }
}

impl Model {
    /// The row for `size`, if the model offers it.
    pub fn size(&self, size: ImageSize) -> Option<&SizeRow> {
        self.sizes.iter().find(|row| row.size == size)
    }

    /// The lanes the model has, in report order.
    pub fn lanes(&self) -> impl Iterator<Item = Lane> + '_ {
        self.tokens.keys().copied()
    }

    /// The sizes as the API writes them, for messages (`1K, 2K, 4K`).
    pub fn size_list(&self) -> String {
        self.sizes.iter().map(|row| row.size.api_value()).collect::<Vec<_>>().join(", ")
    }

    /// The lanes by name, for messages (`standard, batch`).
    pub fn lane_list(&self) -> String {
        self.lanes().map(Lane::name).collect::<Vec<_>>().join(", ")
    }

    /// Whether `today` is on or after the shutdown date.
    pub fn is_shut_down(&self, today: Date) -> bool {
        self.shutdown.is_some_and(|day| day <= today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_card_loads() {
        let card = RateCard::embedded();
        let ids: Vec<_> = card.models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            ["gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview", "gemini-2.5-flash-image"]
        );
        assert_eq!(card.meta.dated, "April 2026");
        assert_eq!(card.meta.checked.to_string(), "2026-04-20");
        assert_eq!(card.meta.origin, CardOrigin::Embedded);
    }

    #[test]
    fn counts_the_card_age_in_days() {
        let card = RateCard::embedded();
        let today = Date::from_calendar_date(2026, time::Month::November, 21).unwrap();
        assert_eq!(card.meta.age_days(today), 215);
        let before = Date::from_calendar_date(2026, time::Month::January, 1).unwrap();
        assert_eq!(card.meta.age_days(before), 0);
    }
}

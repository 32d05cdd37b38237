//! The rate card: which models exist, what their sizes and lanes cost, and
//! where each figure comes from.
//!
//! Dated cards are compiled into the binary ([`EMBEDDED`], one per file in
//! `rates/`); [`History`] builds any day's card from all of them (and from
//! the user's own cards). [`RateCard::from_file`] and [`RateCard::from_toml`]
//! read a user's card with the same strict rules (see `load.rs`).

mod compiled;
mod history;
mod lane_rule;
mod lifecycle;
mod load;
mod raw;
mod resolve;
mod sku;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use time::Date;

use crate::lane::Lane;
use crate::size::ImageSize;

pub use history::{History, HistoryError, UserCards};
pub use lane_rule::{Derived, LaneRule};
pub use lifecycle::{FormerId, Life, Status};
pub use load::CardError;
pub(crate) use raw::CardDecimal;
pub use resolve::{NamedAs, Resolved, UnknownModel};
pub use sku::{Part, SkuRule, find_rule};

/// A card compiled into the binary: its name (the file's stem in `rates/`,
/// which `--rates NAME` takes), its text, and its compiled form (see
/// `compiled.rs`; an empty file is passed over, so a new card can start
/// with one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedCard {
    /// The name, such as `2026-10`.
    pub name: &'static str,
    /// The TOML text.
    pub toml: &'static str,
    /// `rates/compiled/NAME.bin`: the card as loaded from `toml`, encoded.
    pub compiled: &'static [u8],
}

/// The embedded cards, oldest first.
pub const EMBEDDED: [EmbeddedCard; 2] = [
    EmbeddedCard {
        name: "2026-04",
        toml: include_str!("../../rates/2026-04.toml"),
        compiled: include_bytes!("../../rates/compiled/2026-04.bin"),
    },
    EmbeddedCard {
        name: "2026-10",
        toml: include_str!("../../rates/2026-10.toml"),
        compiled: include_bytes!("../../rates/compiled/2026-10.bin"),
    },
];

/// The April 2026 card's text, which many tests price against.
pub const APRIL_2026_TOML: &str = EMBEDDED[0].toml;

/// A validated rate card. (`Serialize` and `Deserialize` are for the
/// embedded cards' compiled form, see `compiled.rs`; cards are read from TOML.)
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// How the SKUs on Google's bill name the card's models, lanes and
    /// parts (`[[sku]]`), in the order they are tried. Left out of the
    /// embedded cards' compiled form (decoding and cloning them on every
    /// start cost a quote a tenth of its start-up): [`History::sku_rules`]
    /// reads an embedded card's from its TOML when a command asks.
    #[serde(skip)]
    pub skus: Vec<SkuRule>,
    /// Models a later card knows that were not yet released on the card's
    /// day (see [`History::on`]), so that asking for one says so.
    #[serde(skip)]
    pub unreleased: Vec<Unreleased>,
}

/// A model released after the day a card answers for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreleased {
    /// Its ID.
    pub id: String,
    /// The names that would have meant it (its ID, aliases and former IDs,
    /// less those a released model has).
    pub names: Vec<String>,
    /// Its release date.
    pub released: Date,
}

/// The card whose prices a model carries, where it is not the card in force
/// on the day (a model the card in force does not list is priced as the
/// first card that lists it gives it: its price at release).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedBy {
    /// That card, for people: `October 2026 (embedded 2026-10)`.
    pub card: String,
    /// Its short key, as CSV rows carry it (`2026-10`).
    pub key: String,
    /// The day it takes effect.
    pub effective: Date,
}

impl PricedBy {
    /// The card a CSV row names: `priced_by`'s key where a later card
    /// prices the row, else `in_force`, the key of the card in force.
    pub fn key_or<'a>(priced_by: Option<&'a PricedBy>, in_force: &'a str) -> &'a str {
        priced_by.map_or(in_force, |by| by.key.as_str())
    }

    /// The fact a table shows for model `id` priced this way, beside the
    /// card in force (`in_force`, its date as people read it).
    pub fn fact(&self, id: &str, in_force: &str) -> String {
        format!("{}, the first card to list {id} ({in_force} does not)", self.card)
    }

    /// Serializes a report's `priced_by` as the card's name, for people
    /// and scripts alike (`October 2026 (embedded 2026-10)`); a field that
    /// uses it leaves out `None`.
    pub fn serialize_name<S: serde::Serializer>(
        priced_by: &Option<PricedBy>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match priced_by {
            Some(by) => serializer.serialize_str(&by.card),
            None => serializer.serialize_none(),
        }
    }
}

/// A provider's own per-image price for one of the card's models, such as a
/// gateway that resells it. The figure belongs to `owner`, not to Google.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// A card compiled into the binary, by its name.
    Embedded(&'static str),
    /// A file the user named.
    File(PathBuf),
    /// A card in the user's own folder of cards, named by its file stem.
    User(PathBuf),
}

impl CardOrigin {
    /// A placeholder until the reader of a card says where it came from.
    fn unknown() -> CardOrigin {
        CardOrigin::Embedded("")
    }

    /// The embedded card's name, or the file's path, as given.
    pub fn name(&self) -> String {
        match self {
            CardOrigin::Embedded(name) => name.to_string(),
            CardOrigin::File(path) => crate::toml_file::display_name(path),
            CardOrigin::User(path) => path.file_stem().unwrap_or_default().to_string_lossy().into_owned(),
        }
    }

    /// Where the card came from, for reports: `embedded 2026-10`, or the
    /// file's path.
    pub fn source(&self) -> String {
        match self {
            CardOrigin::Embedded(name) => format!("embedded {name}"),
            CardOrigin::File(path) => crate::toml_file::display_name(path),
            CardOrigin::User(path) => format!("user card {}", crate::toml_file::display_name(path)),
        }
    }
}

impl fmt::Display for CardOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CardOrigin::Embedded(name) => write!(f, "the embedded card {name}"),
            CardOrigin::File(path) | CardOrigin::User(path) => {
                write!(f, "`{}`", crate::toml_file::display_name(path))
            }
        }
    }
}

/// The card's own facts: its name, dates and sources.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// How well the card's figures are sourced, unless a model, lane or
    /// size says otherwise.
    pub grade: Grade,
    /// The pages the figures come from.
    pub sources: Vec<String>,
    /// Where the card was read from (set by whoever reads it).
    #[serde(skip, default = "CardOrigin::unknown")]
    pub origin: CardOrigin,
}

impl CardMeta {
    /// Whole days from the check date to `today` (0 if `today` is earlier).
    pub fn age_days(&self, today: Date) -> u64 {
        u64::try_from((today - self.checked).whole_days()).unwrap_or(0)
    }
}

/// One model and its prices.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Model {
    /// The full model ID, as the API names it.
    pub id: String,
    /// The product name (`Nano Banana 2`).
    pub name: String,
    /// Short names that resolve to this model.
    pub aliases: Vec<String>,
    /// The ID's life: release, deprecation, shutdown, successor.
    pub life: Life,
    /// IDs the model answered to before (previews), each with its own life;
    /// they still resolve, so that old logs price.
    pub former: Vec<FormerId>,
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
    /// The card the prices come from where it is not the card in force on
    /// the day asked about (see [`History::on`]).
    #[serde(skip)]
    pub priced_by: Option<PricedBy>,
    /// Former IDs that the card in force on the day lists as models of
    /// their own (a preview it still prices), each as that card prices it
    /// and under the ID's own life: such an ID resolves to its entry here,
    /// not to this model (see [`History::on`]).
    #[serde(skip)]
    pub former_priced: Vec<Model>,
}

/// Money per 1M tokens on one lane. A rate the sources do not give is
/// `None`: what it would price is left out and said, never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenRates {
    /// Text and image input.
    pub input: Option<Decimal>,
    /// Text and thinking output.
    pub text_output: Option<Decimal>,
    /// Image output.
    pub image_output: Decimal,
    /// How well the rates the card gives are sourced.
    pub grade: Grade,
    /// The rates worked out by Google's published rule for the lane, where
    /// the card gives the lane but not all of its rates.
    #[serde(default)]
    pub derived: Option<Derived>,
}

impl TokenRates {
    /// The grade of the input rate: [`Grade::Derived`] where the lane's rule gave it.
    pub fn input_grade(&self) -> Grade {
        if self.derived.is_some_and(|derived| derived.input) { Grade::Derived } else { self.grade }
    }

    /// The grade of the text output rate: [`Grade::Derived`] where the lane's rule gave it.
    pub fn text_output_grade(&self) -> Grade {
        if self.derived.is_some_and(|derived| derived.text_output) { Grade::Derived } else { self.grade }
    }
}

/// How well a figure is sourced.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// On a capture of Google's own page.
    Published,
    /// Transcribed from Google's page by dated third-party copies.
    Transcribed,
    /// Worked out here: output tokens × the per-1M rate, where Google
    /// publishes no per-image price.
    Derived,
}

impl Grade {
    /// The grade's name, as cards and reports write it.
    pub fn name(self) -> &'static str {
        match self {
            Grade::Published => "published",
            Grade::Transcribed => "transcribed",
            Grade::Derived => "derived",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One size of one model.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SizeRow {
    /// The size.
    pub size: ImageSize,
    /// Image output tokens one image of this size counts.
    pub output_tokens: u64,
    /// The published per-image price on each lane that has one; a lane of
    /// the model without one is priced at tokens × rate ([`Grade::Derived`]).
    pub price: BTreeMap<Lane, Decimal>,
    /// How well the size's token count and prices are sourced.
    pub grade: Grade,
}

/// Google Search grounding prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grounding {
    /// Grounded prompts a month that cost nothing, shared by the models.
    pub free_prompts_per_month: u64,
    /// Money per 1,000 search queries past the free allowance.
    pub price_per_1000_queries: Decimal,
}

impl RateCard {
    /// The April 2026 card, which most tests price against.
    pub fn embedded() -> RateCard {
        RateCard::embedded_named("2026-04").expect("the April 2026 card is embedded")
    }

    /// The embedded card called `name` (`2026-04`, `2026-10`), if there is one.
    pub fn embedded_named(name: &str) -> Option<RateCard> {
        let index = EMBEDDED.iter().position(|card| card.name == name)?;
        Some(parsed_embedded(index).clone())
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

/// Where a figure the cards lack goes: the user's own card, which joins the
/// history (README, "Adding a price"). Every "add it to a card" message
/// ends with this.
pub const ADD_TO_A_CARD: &str = "a card of your own in ~/.config/nbcost/rates (README: \"Adding a price\")";

/// A `YYYY-MM-DD` day, exactly (four plain year digits), as the command line
/// and `diff` take one.
pub fn parse_day(text: &str) -> Option<Date> {
    let text = text.trim();
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(at, byte)| match at {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    let format = time::macros::format_description!("[year]-[month]-[day]");
    shape.then(|| Date::parse(text, format).ok()).flatten()
}

/// The SKU rules of the embedded card called `name`, read from its TOML
/// (its compiled form leaves them out); none for a name that is no
/// embedded card's.
pub fn embedded_sku_rules(name: &str) -> Vec<SkuRule> {
    EMBEDDED
        .iter()
        .find(|card| card.name == name)
        .and_then(|card| RateCard::from_toml(card.toml, CardOrigin::Embedded(card.name)).ok())
        .map(|card| card.skus)
        .unwrap_or_default()
}

/// The embedded cards this process has parsed, by their index in [`EMBEDDED`].
static PARSED: [OnceLock<RateCard>; EMBEDDED.len()] = [const { OnceLock::new() }; EMBEDDED.len()];

/// The embedded cards, oldest first, each decoded (or parsed) once.
fn embedded_cards() -> impl Iterator<Item = &'static RateCard> {
    (0..EMBEDDED.len()).map(parsed_embedded)
}

/// The embedded card that takes effect last, decoded (or parsed) once, and
/// no other: [`EMBEDDED`] lists the cards in the order they take effect.
fn newest_embedded_card() -> &'static RateCard {
    parsed_embedded(EMBEDDED.len() - 1)
}

/// The embedded cards' metas, oldest first, each decoded alone unless its
/// card is decoded already: `--version` names their dates and needs no
/// model.
pub fn embedded_metas() -> impl Iterator<Item = CardMeta> {
    (0..EMBEDDED.len()).map(|index| match PARSED[index].get().map(|card| card.meta.clone()) {
        Some(meta) => meta,
        None => compiled::embedded_meta(index)
            .map(|meta| CardMeta { origin: CardOrigin::Embedded(EMBEDDED[index].name), ..meta })
            .unwrap_or_else(|| parsed_embedded(index).meta.clone()),
    })
}

/// How many of the embedded cards this process has parsed so far: none
/// until a command asks for a card, and each at most once (start-up tests
/// hold the command line to that).
pub fn embedded_cards_parsed() -> usize {
    PARSED.iter().filter(|card| card.get().is_some()).count()
}

/// The embedded card at `index` of [`EMBEDDED`], decoded (or parsed) on first use and
/// kept for the rest of the process: a command parses each card at most
/// once, and one that never asks for a card (`--version`, `--help`, `man`)
/// parses none.
fn parsed_embedded(index: usize) -> &'static RateCard {
    PARSED[index].get_or_init(|| {
        let embedded = EMBEDDED[index];
        match compiled::embedded(index) {
            Some(mut card) => {
                card.meta.origin = CardOrigin::Embedded(embedded.name);
                card
            }
            None => RateCard::from_toml(embedded.toml, CardOrigin::Embedded(embedded.name))
                .expect("the embedded cards are validated by the test suite"),
        }
    })
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

    /// Every name that resolves to the model: its ID, its former IDs, its
    /// aliases.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.id).chain(self.former.iter().map(|former| &former.id)).chain(&self.aliases)
    }

    /// The model's status on `today`, under its own ID.
    pub fn status(&self, today: Date) -> Status {
        self.life.status(today)
    }

    /// The per-image price published for `size` on `lane`, and its grade;
    /// `None` where the card gives none (the price is then derived).
    pub fn list_price(&self, size: ImageSize, lane: Lane) -> Option<(Decimal, Grade)> {
        let row = self.size(size)?;
        row.price.get(&lane).map(|price| (*price, row.grade))
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
        assert_eq!(card.meta.origin, CardOrigin::Embedded("2026-04"));
    }

    #[test]
    fn the_card_in_force_is_the_newest_effective_on_the_day() {
        let cases = [
            (time::macros::date!(2026 - 01 - 01), None),
            (time::macros::date!(2026 - 04 - 20), Some("2026-04")),
            (time::macros::date!(2026 - 10 - 05), Some("2026-04")),
            (time::macros::date!(2026 - 10 - 06), Some("2026-10")),
            (time::macros::date!(2026 - 11 - 21), Some("2026-10")),
        ];
        for (day, name) in cases {
            let history = History::embedded();
            let in_force = history.in_force(day).map(|card| card.meta.origin.clone());
            assert_eq!(in_force, name.map(CardOrigin::Embedded), "{day}");
        }
        assert!(RateCard::embedded_named("2026-07").is_none());
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

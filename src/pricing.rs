//! The pricing engine: a model, a size, a lane and a count in; exact
//! [`Money`] out. No I/O.
//!
//! Google bills image output by tokens; the per-image prices it publishes are
//! rounded equivalents. [`Basis::List`] prices with the published figure (what
//! people quote), [`Basis::Tokens`] with tokens × the per-1M rate (what the
//! invoice computes).

use std::fmt;

use serde::Serialize;

use rust_decimal::Decimal;

use crate::card::{Grade, Grounding, LaneRule, Model, TokenRates};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, Overflow};
use crate::size::ImageSize;

/// Which figure an image is priced at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The published per-image price.
    #[default]
    List,
    /// Image output tokens × the per-1M-token rate.
    Tokens,
}

impl Basis {
    /// The basis's name as the command line writes it.
    pub fn name(self) -> &'static str {
        match self {
            Basis::List => "list",
            Basis::Tokens => "tokens",
        }
    }
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a request adds to each image beyond the image itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extras {
    /// Text input tokens per request.
    pub prompt_tokens: u64,
    /// Reference images per request.
    pub input_images: u64,
    /// Thinking tokens per request (an estimate), billed at the lane's text
    /// output rate. Nano Banana Pro always thinks: without this its
    /// thinking is not in the price.
    pub thinking_tokens: u64,
}

/// A part of a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// The generated image.
    ImageOutput,
    /// The text prompt, as input tokens.
    TextInput,
    /// Reference images, as input tokens.
    ReferenceImages,
    /// Thinking, as text output tokens (an estimate).
    Thinking,
    /// Google Search queries past the free allowance (plan lines only).
    Grounding,
}

impl Component {
    /// The component's name as JSON and CSV write it.
    pub fn name(self) -> &'static str {
        match self {
            Component::ImageOutput => "image_output",
            Component::TextInput => "text_input",
            Component::ReferenceImages => "reference_images",
            Component::Thinking => "thinking",
            Component::Grounding => "grounding",
        }
    }

    /// The component's name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Component::ImageOutput => "image output",
            Component::TextInput => "text input",
            Component::ReferenceImages => "reference images",
            Component::Thinking => "thinking (estimate)",
            Component::Grounding => "grounding",
        }
    }
}

/// One component priced per image and in total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentPrice {
    /// What is priced.
    pub component: Component,
    /// The tokens behind it per image (for a list-price image, the output
    /// tokens the published price stands for).
    pub tokens: u64,
    /// Money per image.
    pub unit_price: Money,
    /// Money for the whole count.
    pub total: Money,
    /// The published rule that gave the part's rate, where the card gives
    /// none for the lane ([`LaneRule`]); `None` for a rate the card gives.
    pub rule: Option<LaneRule>,
}

/// The price of `count` images on one lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanePrice {
    /// The lane.
    pub lane: Lane,
    /// Money per image, all components.
    pub unit_price: Money,
    /// Money for the whole count.
    pub total: Money,
    /// The parts, image output first; extras only where asked for.
    pub components: Vec<ComponentPrice>,
    /// Parts asked for that the card has no figure for (reference images on
    /// a model without `input_image_tokens`, a rate the card leaves out):
    /// left out of the total, never guessed, so the total is incomplete.
    pub unpriced: Vec<Unpriced>,
}

/// Why a price cannot be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// The model has no such size.
    #[error("{model} has no size `{size}`: it offers {offered}")]
    SizeNotOffered {
        /// The model ID.
        model: String,
        /// The size asked for.
        size: ImageSize,
        /// The sizes it has.
        offered: String,
    },
    /// The model has no such lane.
    #[error("{model} has no {lane} lane in this card: it has {offered}")]
    LaneNotOffered {
        /// The model ID.
        model: String,
        /// The lane asked for.
        lane: Lane,
        /// The lanes it has.
        offered: String,
    },
    /// The figure outgrew exact arithmetic: the price of one image (with
    /// its reference images and thinking tokens) where `count` is 1, else
    /// the total of `count` images.
    #[error("{}", overflow_message(*.count))]
    Overflow {
        /// The count asked for.
        count: u64,
    },
}

fn overflow_message(count: u64) -> String {
    if count == 1 {
        "the price of one image, with its reference images and thinking tokens, is too large to compute exactly; ask for fewer reference images or thinking tokens, or check the card's prices".to_string()
    } else {
        format!(
            "the price of {} is too large to compute exactly; ask for fewer images or check the card's prices",
            crate::count::counted(count, "image", "images")
        )
    }
}

impl Kind for PricingError {
    /// A figure too large to compute is the input's fault; anything else is
    /// a size, lane or count the user asked for.
    fn kind(&self) -> ErrorKind {
        match self {
            PricingError::Overflow { .. } => ErrorKind::Input,
            _ => ErrorKind::Usage,
        }
    }
}

/// The price of one image of `size` on `lane`, on `basis`.
pub fn one_image(model: &Model, size: ImageSize, lane: Lane, basis: Basis) -> Result<Money, PricingError> {
    image_price(model, size, lane, basis).map(|(price, _)| price)
}

/// The price of one image of `size` on `lane`, on `basis`, and how well it
/// is sourced. On the list basis a lane without a published per-image price
/// is priced at output tokens × rate, graded [`Grade::Derived`].
pub fn image_price(
    model: &Model,
    size: ImageSize,
    lane: Lane,
    basis: Basis,
) -> Result<(Money, Grade), PricingError> {
    let row = model.size(size).ok_or_else(|| PricingError::SizeNotOffered {
        model: model.id.clone(),
        size,
        offered: model.size_list(),
    })?;
    let rates = rates(model, lane)?;
    let by_tokens = || {
        Money::per_million(row.output_tokens, rates.image_output)
            .map_err(|Overflow| PricingError::Overflow { count: 1 })
    };
    match (basis, row.price.get(&lane)) {
        (Basis::List, Some(price)) => Ok((Money::new(*price), row.grade)),
        (Basis::List, None) => Ok((by_tokens()?, Grade::Derived)),
        (Basis::Tokens, _) => Ok((by_tokens()?, rates.grade.max(row.grade))),
    }
}

/// The model's token rates on `lane`.
pub fn rates(model: &Model, lane: Lane) -> Result<&TokenRates, PricingError> {
    model.tokens.get(&lane).ok_or_else(|| PricingError::LaneNotOffered {
        model: model.id.clone(),
        lane,
        offered: model.lane_list(),
    })
}

/// What tokens cost on one lane, billed as Google bills them: input, image
/// output, and text output (thinking included) at their per-1M rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCost {
    /// Input (prompt text and images).
    pub input: Money,
    /// Image output.
    pub image_output: Money,
    /// Text and thinking output.
    pub text_output: Money,
    /// The three together.
    pub total: Money,
}

/// Why tokens cannot be priced exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostError {
    /// The figure outgrew exact arithmetic.
    Overflow,
    /// The card gives no rate for this kind of token on the lane
    /// (`input`, `text output`): never guessed.
    NoRate(&'static str),
}

impl From<Overflow> for CostError {
    fn from(Overflow: Overflow) -> Self {
        CostError::Overflow
    }
}

/// The cost of `input`, `image_output` and `text_output` tokens at `rates`.
pub fn token_cost(
    rates: &TokenRates,
    input: u64,
    image_output: u64,
    text_output: u64,
) -> Result<TokenCost, CostError> {
    let input = input_cost(rates, input)?;
    let image_output = Money::per_million(image_output, rates.image_output)?;
    let text_output = text_output_cost(rates, text_output)?;
    Ok(TokenCost { input, image_output, text_output, total: Money::sum([input, image_output, text_output])? })
}

/// The cost of `tokens` input tokens (prompt text, reference images) at `rates`.
pub fn input_cost(rates: &TokenRates, tokens: u64) -> Result<Money, CostError> {
    rate_cost(tokens, rates.input, "input")
}

/// The cost of `tokens` text or thinking output tokens at `rates`.
pub fn text_output_cost(rates: &TokenRates, tokens: u64) -> Result<Money, CostError> {
    rate_cost(tokens, rates.text_output, "text output")
}

/// The cost of `tokens` thinking tokens at `rates`: Google bills thinking
/// as text output, at the lane's text output rate.
pub fn thinking_cost(rates: &TokenRates, tokens: u64) -> Result<Money, CostError> {
    text_output_cost(rates, tokens)
}

/// One image's price with an estimate of thinking added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithThinking {
    /// Money per image: the image, plus thinking where it could be priced.
    pub unit_price: Money,
    /// Money of thinking per image; `None` when the lane has no text
    /// output rate in the card (left out of `unit_price`, never guessed).
    pub thinking: Option<Money>,
}

/// `image` (one image's price) with `thinking_tokens` thinking tokens per
/// image added at the lane's text output rate.
pub fn with_thinking(
    image: Money,
    rates: &TokenRates,
    thinking_tokens: u64,
) -> Result<WithThinking, Overflow> {
    match thinking_cost(rates, thinking_tokens) {
        Ok(thinking) => Ok(WithThinking { unit_price: image.plus(thinking)?, thinking: Some(thinking) }),
        Err(CostError::NoRate(_)) => Ok(WithThinking { unit_price: image, thinking: None }),
        Err(CostError::Overflow) => Err(Overflow),
    }
}

/// No tokens cost nothing, whatever the rate; some tokens need the rate.
fn rate_cost(tokens: u64, rate: Option<Decimal>, what: &'static str) -> Result<Money, CostError> {
    match (tokens, rate) {
        (0, _) => Ok(Money::ZERO),
        (_, None) => Err(CostError::NoRate(what)),
        (_, Some(rate)) => Ok(Money::per_million(tokens, rate)?),
    }
}

/// The cost of `queries` Google Search queries at the card's grounding
/// price (per 1,000 queries), the free allowance already taken off.
pub fn grounding_cost(prices: &Grounding, queries: u64) -> Result<Money, Overflow> {
    Money::per_thousand(queries, prices.price_per_1000_queries)
}

/// A part of a price the card has no figure for: left out of the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Unpriced {
    /// What is left out, such as `reference images`.
    pub part: String,
    /// Why, such as `the rate card gives no input_image_tokens for X`.
    pub reason: String,
    /// The component left out, for the rows that show it as not priced.
    #[serde(skip)]
    pub component: Component,
}

/// The input tokens of `images` reference images of `model`: the card's
/// `input_image_tokens` each, billed at the lane's input rate (see
/// [`input_cost`]); `None` where the card gives the model no
/// `input_image_tokens` (no reference images count no tokens, whatever the
/// card gives).
pub fn reference_tokens(model: &Model, images: u64) -> Result<Option<u64>, Overflow> {
    if images == 0 {
        return Ok(Some(0));
    }
    model.input_image_tokens.map(|per_image| images.checked_mul(per_image).ok_or(Overflow)).transpose()
}

/// Why the card cannot price a part of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// The card gives no rate for these tokens (`input`, `text output`) on
    /// the lane.
    NoRate(&'static str),
    /// The card gives the model no `input_image_tokens`.
    NoImageTokens,
}

impl Gap {
    /// Why, in words: `the rate card gives no batch input rate for X`.
    pub fn reason(self, model: &Model, lane: Lane) -> String {
        match self {
            Gap::NoRate(what) => format!("the rate card gives no {lane} {what} rate for {}", model.id),
            Gap::NoImageTokens => format!("the rate card gives no input_image_tokens for {}", model.id),
        }
    }
}

/// A part a request adds beyond its image, priced per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestPart {
    /// Text input, reference images or thinking.
    pub component: Component,
    /// Its tokens per request (0 where the card cannot count them).
    pub tokens: u64,
    /// Money per request, or why the card cannot price it: never guessed.
    pub price: Result<Money, Gap>,
    /// The rule that gave its rate, where the card gives none for the lane.
    pub rule: Option<LaneRule>,
}

/// The parts `extras` add to each request of `model` at a lane's `rates`,
/// in the order text input, reference images, thinking; a part not asked
/// for is not listed.
pub fn request_parts(
    model: &Model,
    rates: &TokenRates,
    extras: Extras,
) -> Result<Vec<RequestPart>, Overflow> {
    // A part billed as tokens at one of the lane's rates.
    let by_rate = |component, tokens, cost: fn(&TokenRates, u64) -> Result<Money, CostError>| {
        let price = match cost(rates, tokens) {
            Ok(unit) => Ok(unit),
            Err(CostError::NoRate(what)) => Err(Gap::NoRate(what)),
            Err(CostError::Overflow) => return Err(Overflow),
        };
        let derived = rates.derived.filter(|derived| match component {
            Component::Thinking => derived.text_output,
            _ => derived.input,
        });
        Ok(RequestPart { component, tokens, price, rule: derived.map(|derived| derived.rule) })
    };
    let mut parts = Vec::new();
    if extras.prompt_tokens > 0 {
        parts.push(by_rate(Component::TextInput, extras.prompt_tokens, input_cost)?);
    }
    if extras.input_images > 0 {
        let component = Component::ReferenceImages;
        parts.push(match reference_tokens(model, extras.input_images)? {
            Some(tokens) => by_rate(component, tokens, input_cost)?,
            None => RequestPart { component, tokens: 0, price: Err(Gap::NoImageTokens), rule: None },
        });
    }
    if extras.thinking_tokens > 0 {
        parts.push(by_rate(Component::Thinking, extras.thinking_tokens, thinking_cost)?);
    }
    Ok(parts)
}

/// The price of `count` images of `size` on `lane`, with `extras` per image.
pub fn price(
    model: &Model,
    size: ImageSize,
    lane: Lane,
    count: u64,
    basis: Basis,
    extras: Extras,
) -> Result<LanePrice, PricingError> {
    let image = one_image(model, size, lane, basis)?;
    let rates = rates(model, lane)?;
    let overflow = |Overflow| PricingError::Overflow { count };
    let image_tokens = model.size(size).map_or(0, |row| row.output_tokens);
    let mut parts = vec![(Component::ImageOutput, image_tokens, image, None)];
    let mut unpriced = Vec::new();
    for part in request_parts(model, rates, extras).map_err(overflow)? {
        match part.price {
            Ok(unit) => parts.push((part.component, part.tokens, unit, part.rule)),
            Err(gap) => unpriced.push(Unpriced {
                part: part.component.label().to_string(),
                reason: gap.reason(model, lane),
                component: part.component,
            }),
        }
    }
    let components = parts
        .into_iter()
        .map(|(component, tokens, unit_price, rule)| {
            let total = unit_price.times(count).map_err(overflow)?;
            Ok(ComponentPrice { component, tokens, unit_price, total, rule })
        })
        .collect::<Result<Vec<_>, PricingError>>()?;
    let unit_price = Money::sum(components.iter().map(|c| c.unit_price)).map_err(overflow)?;
    let total = Money::sum(components.iter().map(|c| c.total)).map_err(overflow)?;
    Ok(LanePrice { lane, unit_price, total, components, unpriced })
}

/// What an amount buys at one price per image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bought {
    /// Whole images, never rounded up.
    pub images: u64,
    /// Money they cost: `images × price`.
    pub spent: Money,
    /// Money left: the amount less `spent`.
    pub left_over: Money,
}

/// The most whole images at `price` that `amount` pays for: `images × price
/// ≤ amount < (images + 1) × price`, checked exactly; with what they cost
/// and what is left over.
pub fn whole_images(amount: Money, price: Money) -> Result<Bought, Overflow> {
    if price <= Money::ZERO {
        return Err(Overflow);
    }
    let estimate = amount.amount().checked_div(price.amount()).ok_or(Overflow)?.floor();
    let mut count = u64::try_from(estimate.max(Decimal::ZERO)).map_err(|_| Overflow)?;
    // The quotient may be off by one in its last digit: settle it exactly.
    while count > 0 && price.times(count)? > amount {
        count -= 1;
    }
    while count < u64::MAX && price.times(count + 1).is_ok_and(|cost| cost <= amount) {
        count += 1;
    }
    let spent = price.times(count)?;
    Ok(Bought { images: count, spent, left_over: amount.minus(spent)? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::RateCard;
    use rust_decimal::Decimal;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn model(card: &RateCard, name: &str) -> Model {
        card.resolve(name).unwrap().model.clone()
    }

    /// Every row of the table "Published per-image prices versus tokens" in
    /// the facts the card is built from: model, size, tokens × rate standard,
    /// published standard, tokens × rate batch, published batch.
    #[test]
    fn reproduces_every_published_figure_and_its_token_equivalent() {
        let card = RateCard::embedded();
        let rows = [
            ("flash", "512", "0.04482", "0.045", "0.02241", "0.022"),
            ("flash", "1K", "0.0672", "0.067", "0.0336", "0.034"),
            ("flash", "2K", "0.1008", "0.101", "0.0504", "0.050"),
            ("flash", "4K", "0.1512", "0.151", "0.0756", "0.076"),
            ("pro", "1K", "0.1344", "0.134", "0.0672", "0.067"),
            ("pro", "2K", "0.1344", "0.134", "0.0672", "0.067"),
            ("pro", "4K", "0.24", "0.24", "0.12", "0.12"),
            ("nano-banana", "1K", "0.0387", "0.039", "0.01935", "0.0195"),
        ];
        for (name, size, tokens_std, list_std, tokens_batch, list_batch) in rows {
            let model = model(&card, name);
            let size: ImageSize = size.parse().unwrap();
            let at = |lane, basis| one_image(&model, size, lane, basis).unwrap();
            assert_eq!(at(Lane::Standard, Basis::Tokens), d(tokens_std), "{name} {size}");
            assert_eq!(at(Lane::Standard, Basis::List), d(list_std), "{name} {size}");
            assert_eq!(at(Lane::Batch, Basis::Tokens), d(tokens_batch), "{name} {size}");
            assert_eq!(at(Lane::Batch, Basis::List), d(list_batch), "{name} {size}");
        }
    }

    /// Every per-image figure of the October 2026 card, on both bases, with
    /// its grade: model, size, lane, list price, grade, tokens × rate.
    /// Published rounding shows where list and tokens differ (2.1 at 4K is
    /// listed 0.113 and bills 0.1134); Pro on Priority has no published
    /// figure and is derived (1120 × $216 per 1M = 0.24192).
    #[test]
    fn reproduces_every_figure_of_the_october_card() {
        use Grade::{Derived, Transcribed};
        use Lane::{Batch, Flex, Priority, Standard};
        let card = RateCard::embedded_named("2026-10").unwrap();
        let rows = [
            ("nano-banana-2.1", "1K", Standard, "0.0336", Transcribed, "0.0336"),
            ("nano-banana-2.1", "2K", Standard, "0.0504", Transcribed, "0.0504"),
            ("nano-banana-2.1", "4K", Standard, "0.113", Transcribed, "0.1134"),
            ("flash", "512", Standard, "0.045", Transcribed, "0.04482"),
            ("flash", "512", Batch, "0.022", Transcribed, "0.02241"),
            ("flash", "1K", Standard, "0.067", Transcribed, "0.0672"),
            ("flash", "1K", Batch, "0.034", Transcribed, "0.0336"),
            ("flash", "2K", Standard, "0.101", Transcribed, "0.1008"),
            ("flash", "2K", Batch, "0.050", Transcribed, "0.0504"),
            ("flash", "4K", Standard, "0.151", Transcribed, "0.1512"),
            ("flash", "4K", Batch, "0.076", Transcribed, "0.0756"),
            ("lite", "1K", Standard, "0.0336", Transcribed, "0.0336"),
            ("lite", "1K", Batch, "0.0168", Transcribed, "0.0168"),
            ("pro", "1K", Standard, "0.134", Transcribed, "0.1344"),
            ("pro", "1K", Batch, "0.067", Transcribed, "0.0672"),
            ("pro", "1K", Flex, "0.067", Transcribed, "0.0672"),
            ("pro", "1K", Priority, "0.24192", Derived, "0.24192"),
            ("pro", "2K", Standard, "0.134", Transcribed, "0.1344"),
            ("pro", "2K", Batch, "0.067", Transcribed, "0.0672"),
            ("pro", "2K", Flex, "0.067", Transcribed, "0.0672"),
            ("pro", "2K", Priority, "0.24192", Derived, "0.24192"),
            ("pro", "4K", Standard, "0.24", Transcribed, "0.24"),
            ("pro", "4K", Batch, "0.12", Transcribed, "0.12"),
            ("pro", "4K", Flex, "0.12", Transcribed, "0.12"),
            ("pro", "4K", Priority, "0.432", Derived, "0.432"),
            ("nano-banana", "1K", Standard, "0.039", Transcribed, "0.0387"),
            ("nano-banana", "1K", Batch, "0.0195", Transcribed, "0.01935"),
            ("nano-banana", "1K", Flex, "0.0195", Transcribed, "0.01935"),
            ("nano-banana", "1K", Priority, "0.0702", Transcribed, "0.06966"),
        ];
        let mut offered = 0;
        for model in &card.models {
            offered += model.sizes.len() * model.tokens.len();
        }
        assert_eq!(rows.len(), offered, "one row per model × size × lane the card offers");
        for (name, size, lane, list, grade, tokens) in rows {
            let model = model(&card, name);
            let size: ImageSize = size.parse().unwrap();
            let (price, got_grade) = image_price(&model, size, lane, Basis::List).unwrap();
            assert_eq!((price, got_grade), (Money::new(d(list)), grade), "{name} {size} {lane} list");
            let by_tokens = one_image(&model, size, lane, Basis::Tokens).unwrap();
            assert_eq!(by_tokens, Money::new(d(tokens)), "{name} {size} {lane} tokens");
        }
    }

    /// The published volume figure reproduces on both cards: 1,000 Nano
    /// Banana 2 images at 2K are $101 standard and $50 batch.
    #[test]
    fn both_cards_price_1000_nano_banana_2_images_at_2k_as_published() {
        for name in ["2026-04", "2026-10"] {
            let card = RateCard::embedded_named(name).unwrap();
            let flash = model(&card, "flash");
            let total = |lane| {
                price(&flash, ImageSize::K2, lane, 1000, Basis::List, Extras::default()).unwrap().total
            };
            assert_eq!(
                (total(Lane::Standard), total(Lane::Batch)),
                (Money::new(d("101")), Money::new(d("50"))),
                "{name}"
            );
        }
    }

    /// The volume figures people quote: 1,000 Nano Banana 2 images at 2K,
    /// 10,000 at 1K and at 4K, and 1,000 at 1K on both bases.
    #[test]
    fn reproduces_the_quoted_volume_figures() {
        let card = RateCard::embedded();
        let flash = model(&card, "flash");
        let cases = [
            ("2K", 1_000, Lane::Standard, Basis::List, "101"),
            ("2K", 1_000, Lane::Batch, Basis::List, "50"),
            ("1K", 10_000, Lane::Standard, Basis::List, "670"),
            ("1K", 10_000, Lane::Batch, Basis::List, "340"),
            ("4K", 10_000, Lane::Standard, Basis::List, "1510"),
            ("4K", 10_000, Lane::Batch, Basis::List, "760"),
            ("1K", 1_000, Lane::Standard, Basis::List, "67"),
            ("1K", 1_000, Lane::Standard, Basis::Tokens, "67.20"),
            // The batch-rounding example (docs/prices.md): the invoice for 10,000.
            ("1K", 10_000, Lane::Batch, Basis::Tokens, "336"),
        ];
        for (size, count, lane, basis, want) in cases {
            let size = size.parse().unwrap();
            let got = price(&flash, size, lane, count, basis, Extras::default()).unwrap();
            assert_eq!(got.total, d(want), "{count} at {size} {lane} {basis}");
            assert_eq!(got.components.len(), 1);
        }
    }

    #[test]
    fn prices_prompt_tokens_and_reference_images_as_their_own_lines() {
        let card = RateCard::embedded();
        let pro = model(&card, "pro");
        let extras = Extras { prompt_tokens: 200, input_images: 2, thinking_tokens: 0 };
        let got = price(&pro, ImageSize::K1, Lane::Standard, 100, Basis::List, extras).unwrap();
        // 200 tokens x $2.00/1M = $0.0004; 2 x 560 tokens x $2.00/1M = $0.00224.
        let parts: Vec<_> = got
            .components
            .iter()
            .map(|c| (c.component, c.tokens, c.unit_price.amount(), c.total.amount()))
            .collect();
        assert_eq!(
            parts,
            [
                (Component::ImageOutput, 1120, d("0.134"), d("13.4")),
                (Component::TextInput, 200, d("0.0004"), d("0.04")),
                (Component::ReferenceImages, 1120, d("0.00224"), d("0.224")),
            ]
        );
        assert_eq!(got.unit_price, d("0.13664"));
        assert_eq!(got.total, d("13.664"));
    }

    /// Pro at 4K on standard with 1,000 thinking tokens per image: 1000 ×
    /// $12 per 1M = $0.012 each, so 0.24 + 0.012 = 0.252 per image and
    /// 25.20 for 100; on batch 1000 × $6 per 1M = 0.006, 0.126 and 12.60.
    #[test]
    fn prices_thinking_at_the_lanes_text_output_rate() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let pro = model(&card, "pro");
        let extras = Extras { thinking_tokens: 1000, ..Extras::default() };
        for (lane, thinking, unit, total) in
            [(Lane::Standard, "0.012", "0.252", "25.20"), (Lane::Batch, "0.006", "0.126", "12.60")]
        {
            let got = price(&pro, ImageSize::K4, lane, 100, Basis::List, extras).unwrap();
            let last = got.components.last().unwrap();
            assert_eq!(
                (last.component, last.tokens, last.unit_price),
                (Component::Thinking, 1000, Money::new(d(thinking)))
            );
            assert_eq!((got.unit_price, got.total), (Money::new(d(unit)), Money::new(d(total))), "{lane}");
        }
        // Without a batch text output rate, thinking is left unpriced, never guessed.
        let card = crate::report::testing::lite_batch_without_text_rates();
        let lite = model(&card, "lite");
        let got = price(&lite, ImageSize::K1, Lane::Batch, 1, Basis::List, extras).unwrap();
        assert_eq!(got.unpriced.len(), 1);
        assert_eq!(got.unpriced[0].part, "thinking (estimate)");
    }

    /// Pro on batch: $0.067 at 1K plus 1,000 thinking tokens × $6 per 1M =
    /// $0.073; Lite on batch: $0.0168 + 1,000 × $0.75 per 1M (the rule's
    /// 50% of standard) = $0.01755; without that rate, the image alone.
    #[test]
    fn adds_thinking_to_an_image_where_the_lane_has_a_text_rate() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let pro = model(&card, "pro");
        let priced = with_thinking(Money::new(d("0.067")), rates(&pro, Lane::Batch).unwrap(), 1000).unwrap();
        assert_eq!(
            (priced.unit_price, priced.thinking),
            (Money::new(d("0.073")), Some(Money::new(d("0.006"))))
        );
        let lite = model(&card, "lite");
        let derived =
            with_thinking(Money::new(d("0.0168")), rates(&lite, Lane::Batch).unwrap(), 1000).unwrap();
        assert_eq!(
            (derived.unit_price, derived.thinking),
            (Money::new(d("0.01755")), Some(Money::new(d("0.00075"))))
        );
        let card = crate::report::testing::lite_batch_without_text_rates();
        let lite = model(&card, "lite");
        let unpriced =
            with_thinking(Money::new(d("0.0168")), rates(&lite, Lane::Batch).unwrap(), 1000).unwrap();
        assert_eq!((unpriced.unit_price, unpriced.thinking), (Money::new(d("0.0168")), None));
        let none = with_thinking(Money::new(d("0.0168")), rates(&lite, Lane::Batch).unwrap(), 0).unwrap();
        assert_eq!(none.thinking, Some(Money::ZERO));
    }

    /// A part the card has no figure for is listed with why, never priced:
    /// reference images without `input_image_tokens`, text and thinking on
    /// a lane without input and text output rates (Lite on batch, on a card
    /// where no rule gives them).
    #[test]
    fn says_why_a_part_of_a_request_cannot_be_priced() {
        let card = crate::report::testing::lite_batch_without_text_rates();
        let mut lite = model(&card, "lite");
        lite.input_image_tokens = None;
        let extras = Extras { prompt_tokens: 100, input_images: 2, thinking_tokens: 500 };
        let parts = request_parts(&lite, rates(&lite, Lane::Batch).unwrap(), extras).unwrap();
        let got: Vec<_> = parts.iter().map(|part| (part.component, part.tokens, part.price)).collect();
        assert_eq!(
            got,
            [
                (Component::TextInput, 100, Err(Gap::NoRate("input"))),
                (Component::ReferenceImages, 0, Err(Gap::NoImageTokens)),
                (Component::Thinking, 500, Err(Gap::NoRate("text output"))),
            ]
        );
        assert_eq!(
            Gap::NoImageTokens.reason(&lite, Lane::Batch),
            "the rate card gives no input_image_tokens for gemini-3.1-flash-lite-image"
        );
        assert_eq!(
            Gap::NoRate("text output").reason(&lite, Lane::Batch),
            "the rate card gives no batch text output rate for gemini-3.1-flash-lite-image"
        );
        assert_eq!(reference_tokens(&model(&card, "pro"), 3).unwrap(), Some(1680));
    }

    #[test]
    fn refuses_a_size_the_model_does_not_offer() {
        let card = RateCard::embedded();
        let err = one_image(&model(&card, "pro"), ImageSize::S512, Lane::Standard, Basis::List).unwrap_err();
        assert_eq!(err.to_string(), "gemini-3-pro-image-preview has no size `512`: it offers 1K, 2K, 4K");
    }

    #[test]
    fn refuses_a_lane_the_model_does_not_have() {
        let card = RateCard::embedded();
        let err = one_image(&model(&card, "flash"), ImageSize::K1, Lane::Flex, Basis::List).unwrap_err();
        assert_eq!(
            err.to_string(),
            "gemini-3.1-flash-image-preview has no flex lane in this card: it has standard, batch"
        );
    }

    #[test]
    fn an_absurd_count_is_an_error_not_a_wrapped_number() {
        let card = RateCard::embedded();
        let flash = model(&card, "flash");
        // The largest count still prices exactly.
        let max =
            price(&flash, ImageSize::K4, Lane::Standard, u64::MAX, Basis::List, Extras::default()).unwrap();
        assert_eq!(max.total, d("0.151") * Decimal::from(u64::MAX));
        let mut huge = flash.clone();
        huge.sizes[0].price.insert(Lane::Standard, d("79228162514264337593543950"));
        let err = price(&huge, ImageSize::S512, Lane::Standard, 1_000_000, Basis::List, Extras::default())
            .unwrap_err();
        assert_eq!(err, PricingError::Overflow { count: 1_000_000 });
        let extras = Extras { prompt_tokens: 0, input_images: u64::MAX, thinking_tokens: 0 };
        let err = price(&flash, ImageSize::K1, Lane::Standard, 1, Basis::List, extras).unwrap_err();
        assert_eq!(err, PricingError::Overflow { count: 1 });
    }

    #[test]
    fn counts_whole_images_never_rounding_up() {
        let cases = [
            ("500", "0.067", 7462, "0.046"),
            ("500", "0.05", 10_000, "0"),
            ("101", "0.101", 1000, "0"),
            ("0.10", "0.101", 0, "0.10"),
            ("0", "0.039", 0, "0"),
            ("1", "0.0195", 51, "0.0055"),
        ];
        for (amount, price, images, left) in cases {
            let bought = whole_images(Money::new(d(amount)), Money::new(d(price))).unwrap();
            assert_eq!(bought.images, images, "{amount} at {price}");
            assert_eq!(bought.left_over, d(left), "{amount} at {price}");
            assert_eq!(d(amount) - Decimal::from(images) * d(price), d(left), "{amount} at {price}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// The count fits and one more image does not, at any amount and
            /// any price, including every price of the default card.
            #[test]
            fn the_count_fits_and_one_more_does_not(
                cents in 0i64..100_000_000_000,
                scale in 0u32..5,
                price_digits in 1i64..1_000_000,
                price_scale in 0u32..7,
            ) {
                let amount = Decimal::new(cents, scale);
                let price = Decimal::new(price_digits, price_scale);
                let count = whole_images(Money::new(amount), Money::new(price)).unwrap().images;
                prop_assert!(Decimal::from(count) * price <= amount);
                prop_assert!(Decimal::from(count + 1) * price > amount);
                for model in &RateCard::embedded().models {
                    for row in &model.sizes {
                        for price in row.price.values() {
                            let count = whole_images(Money::new(amount), Money::new(*price)).unwrap().images;
                            prop_assert!(Decimal::from(count) * *price <= amount);
                            prop_assert!(Decimal::from(count + 1) * *price > amount);
                        }
                    }
                }
            }
        }
    }
}

//! The raw shapes of a rate card as TOML holds them (serde, strict:
//! unknown keys are errors), before `load.rs` checks their rules. Money is
//! read as [`CardDecimal`]: exact from a string, or from a number by its
//! written digits.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::value::Datetime;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCard {
    pub(super) card: RawMeta,
    #[serde(default, rename = "model")]
    pub(super) models: Vec<RawModel>,
    pub(super) grounding: Option<RawGrounding>,
    #[serde(default, rename = "route")]
    pub(super) routes: Vec<RawRoute>,
    #[serde(default, rename = "sku")]
    pub(super) skus: Vec<RawSku>,
}

/// `[[sku]]`: how a bill's SKU names a card model, lane and part.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSku {
    pub(super) pattern: String,
    pub(super) id: Option<String>,
    pub(super) model: String,
    pub(super) lane: Option<String>,
    pub(super) part: String,
}

/// `[[route]]`: a provider's own per-image price for a card model.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoute {
    pub(super) model: String,
    pub(super) owner: String,
    pub(super) name: Option<String>,
    pub(super) size: Option<String>,
    pub(super) lane: Option<String>,
    pub(super) price: CardDecimal,
    pub(super) source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    pub(super) name: String,
    pub(super) dated: Option<String>,
    pub(super) effective: Datetime,
    pub(super) checked: Datetime,
    #[serde(default = "usd")]
    pub(super) currency: String,
    pub(super) grade: Option<String>,
    #[serde(default)]
    pub(super) sources: Vec<String>,
}

fn usd() -> String {
    "USD".into()
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModel {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    pub(super) successor: Option<String>,
    pub(super) released: Option<Datetime>,
    pub(super) deprecated: Option<Datetime>,
    pub(super) shutdown: Option<Datetime>,
    pub(super) shutdown_disputed: Option<String>,
    #[serde(default)]
    pub(super) former: Vec<RawFormer>,
    pub(super) grade: Option<String>,
    #[serde(default)]
    pub(super) free_tier: bool,
    pub(super) default_size: Option<String>,
    #[serde(default = "yes")]
    pub(super) takes_image_size: bool,
    pub(super) input_image_tokens: Option<u64>,
    #[serde(default)]
    pub(super) grounding: bool,
    #[serde(default)]
    pub(super) always_thinks: bool,
    #[serde(default)]
    pub(super) tokens: BTreeMap<String, RawTokens>,
    #[serde(default, rename = "size")]
    pub(super) sizes: Vec<RawSize>,
}

/// `[[model.former]]`: an ID the model answered to before.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFormer {
    pub(super) id: String,
    pub(super) released: Option<Datetime>,
    pub(super) deprecated: Option<Datetime>,
    pub(super) shutdown: Option<Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTokens {
    pub(super) input: Option<CardDecimal>,
    pub(super) text_output: Option<CardDecimal>,
    pub(super) image_output: CardDecimal,
    pub(super) grade: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSize {
    pub(super) size: String,
    pub(super) output_tokens: u64,
    pub(super) grade: Option<String>,
    #[serde(default)]
    pub(super) price: BTreeMap<String, CardDecimal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrounding {
    pub(super) free_prompts_per_month: u64,
    pub(super) price_per_1000_queries: CardDecimal,
}

/// A decimal read from a TOML string (exact), integer, or float.
///
/// A float is read by its shortest decimal form, which is the literal as
/// written for anything up to 15 significant digits; longer ones are refused
/// because the float may already have lost digits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CardDecimal(pub(crate) Decimal);

impl<'de> Deserialize<'de> for CardDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CardDecimalVisitor)
    }
}

pub(super) struct CardDecimalVisitor;

impl Visitor<'_> for CardDecimalVisitor {
    type Value = CardDecimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a price as a string such as \"0.0195\", or a number")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<CardDecimal, E> {
        parse_decimal(text.trim()).map(CardDecimal).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<CardDecimal, E> {
        Ok(CardDecimal(Decimal::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<CardDecimal, E> {
        Ok(CardDecimal(Decimal::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<CardDecimal, E> {
        if !value.is_finite() {
            return Err(E::custom(format!("`{value}` is not a price")));
        }
        let text = value.to_string();
        let digits = text.trim_start_matches(['-', '0', '.']).chars().filter(char::is_ascii_digit).count();
        if digits > 15 {
            return Err(E::custom(format!(
                "`{text}` has more digits than a TOML float keeps exactly; write it as a string, such as \"{text}\""
            )));
        }
        parse_decimal(&text).map(CardDecimal).map_err(E::custom)
    }
}

/// The most decimals a price, rate or share may have. Every figure is
/// computed exactly: a rate per 1M tokens of 12 decimals is one of 18 per
/// token, and counts of images or tokens multiply it within the 28 digits
/// an exact decimal holds. A finer figure is no real price, and would make
/// a quote of one image fail as "too large".
pub(crate) const MAX_DECIMALS: u32 = 12;

pub(super) fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let value = Decimal::from_str_exact(text)
        .map_err(|_| format!("`{text}` is not a decimal number such as \"0.0195\""))?;
    if value.scale() > MAX_DECIMALS {
        return Err(format!(
            "`{text}` has more than {MAX_DECIMALS} decimals, more than any price needs and more than nbcost can multiply exactly; round it"
        ));
    }
    Ok(value)
}

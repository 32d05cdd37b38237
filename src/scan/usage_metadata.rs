//! A response's `usageMetadata`, read into [`Usage`]: the token counts, their
//! split by modality (`promptTokensDetails`, `candidatesTokensDetails`) and
//! the lane fields (`serviceTier`, `trafficType`). The Interactions and
//! chat-completion readers fill the same [`Usage`] from their own `usage`.
//!
//! Each count is checked only when the object is done, so that a later
//! duplicate can replace an earlier bad value; camelCase wins over
//! snake_case, and `null` counts as absent.

use super::field_walk::{Cased, for_each_element, for_each_field};
use super::json_cursor::{JsonCursor, Parsed, ValueKind, unsigned_value};
use super::served_tier::{ServiceTier, TierValue, TrafficType};

/// What a response's `usageMetadata` says: token counts (absent counts
/// are 0) and the lane fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// `promptTokenCount`.
    pub prompt_tokens: u64,
    /// TEXT entries of `promptTokensDetails`.
    pub prompt_text_tokens: u64,
    /// IMAGE entries of `promptTokensDetails`.
    pub prompt_image_tokens: u64,
    /// `candidatesTokenCount`.
    pub candidates_tokens: u64,
    /// TEXT entries of `candidatesTokensDetails`.
    pub candidate_text_tokens: u64,
    /// IMAGE entries of `candidatesTokensDetails`.
    pub candidate_image_tokens: u64,
    /// `thoughtsTokenCount`.
    pub thoughts_tokens: u64,
    /// `totalTokenCount`.
    pub total_tokens: u64,
    /// Whether `promptTokensDetails` was given; without it the split of the
    /// prompt by modality is unknown rather than zero.
    pub prompt_details_present: bool,
    /// Whether `candidatesTokensDetails` was given; without it the split of
    /// the output between image and text is unknown rather than zero.
    pub candidates_details_present: bool,
    /// `serviceTier`, when given (Developer API).
    pub service_tier: Option<TierValue<ServiceTier>>,
    /// `trafficType`, when given (Vertex AI).
    pub traffic_type: Option<TierValue<TrafficType>>,
}

impl Usage {
    /// Whether any token count that prices was given: a Vertex AI stream
    /// chunk may carry only `trafficType`, and a usage block may be empty
    /// or give only `totalTokenCount`, which cannot be split into input,
    /// image and text. Without one the response cannot be priced, and
    /// pricing it at zero would hide a bill.
    pub fn has_counts(&self) -> bool {
        self.prompt_tokens > 0
            || self.candidates_tokens > 0
            || self.thoughts_tokens > 0
            || self.prompt_details_present
            || self.candidates_details_present
    }
}

/// The token counts as read, each checked only when the object is done so
/// that a later duplicate can replace an earlier bad value.
#[derive(Default)]
struct UsageFields {
    prompt: Cased<Option<u64>>,
    candidates: Cased<Option<u64>>,
    thoughts: Cased<Option<u64>>,
    total: Cased<Option<u64>>,
    prompt_details: Cased<Result<ModalityTokens, String>>,
    candidates_details: Cased<Result<ModalityTokens, String>>,
    service_tier: Cased<TierValue<ServiceTier>>,
    traffic_type: Cased<TierValue<TrafficType>>,
}

/// Token counts of one `*TokensDetails` array, by modality.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ModalityTokens {
    text: u64,
    image: u64,
}

/// Reads a `usageMetadata` member: `None` for null, else the usage or the
/// first reason it cannot be read.
pub(super) fn read_usage_metadata(cursor: &mut JsonCursor<'_>) -> Parsed<Option<Result<Usage, String>>> {
    cursor.read_nullable(ValueKind::Object, read_usage, || Err("usageMetadata is not an object".to_owned()))
}

fn read_usage(cursor: &mut JsonCursor<'_>) -> Parsed<Result<Usage, String>> {
    let mut fields = UsageFields::default();
    for_each_field(cursor, |name, cursor| {
        let (slot, camel) = match name {
            "promptTokenCount" => (&mut fields.prompt, true),
            "prompt_token_count" => (&mut fields.prompt, false),
            "candidatesTokenCount" => (&mut fields.candidates, true),
            "candidates_token_count" => (&mut fields.candidates, false),
            "thoughtsTokenCount" => (&mut fields.thoughts, true),
            "thoughts_token_count" => (&mut fields.thoughts, false),
            "totalTokenCount" => (&mut fields.total, true),
            "total_token_count" => (&mut fields.total, false),
            "promptTokensDetails" | "prompt_tokens_details" => {
                let details = read_details(cursor, "promptTokensDetails")?;
                fields.prompt_details.set(name == "promptTokensDetails", details);
                return Ok(());
            }
            "candidatesTokensDetails" | "candidates_tokens_details" => {
                let details = read_details(cursor, "candidatesTokensDetails")?;
                fields.candidates_details.set(name == "candidatesTokensDetails", details);
                return Ok(());
            }
            "serviceTier" | "service_tier" => {
                let tier = read_tier(cursor, ServiceTier::from_value)?;
                fields.service_tier.set(name == "serviceTier", tier);
                return Ok(());
            }
            "trafficType" | "traffic_type" => {
                let traffic = read_tier(cursor, TrafficType::from_value)?;
                fields.traffic_type.set(name == "trafficType", traffic);
                return Ok(());
            }
            _ => return cursor.skip_value(),
        };
        let count = read_count(cursor)?;
        slot.set(camel, count);
        Ok(())
    })?;
    Ok(fields.into_usage())
}

/// Reads a lane field: `None` for null. The string is borrowed from the
/// line (unless it has escapes) and mapped at once, so nothing is kept but
/// the enum, or a few inline bytes of a value not recognised.
fn read_tier<T>(cursor: &mut JsonCursor<'_>, known: fn(&str) -> Option<T>) -> Parsed<Option<TierValue<T>>> {
    cursor.read_nullable(
        ValueKind::String,
        |cursor| Ok(TierValue::from_string(&cursor.read_string()?, known)),
        || TierValue::NotAString,
    )
}

/// Reads a token count: `None` for null, `Some(None)` for a value that is
/// not a non-negative integer.
pub(super) fn read_count(cursor: &mut JsonCursor<'_>) -> Parsed<Option<Option<u64>>> {
    cursor.read_nullable(ValueKind::Number, |cursor| Ok(unsigned_value(cursor.read_number()?)), || None)
}

impl UsageFields {
    fn into_usage(self) -> Result<Usage, String> {
        let count = |slot: Cased<Option<u64>>, name: &str| match slot.resolve() {
            None => Ok(0),
            Some(Some(count)) => Ok(count),
            Some(None) => Err(format!("{name} is not a non-negative integer")),
        };
        let prompt_tokens = count(self.prompt, "promptTokenCount")?;
        let candidates_tokens = count(self.candidates, "candidatesTokenCount")?;
        let thoughts_tokens = count(self.thoughts, "thoughtsTokenCount")?;
        let total_tokens = count(self.total, "totalTokenCount")?;
        let prompt_details = self.prompt_details.resolve().transpose()?;
        let candidates_details = self.candidates_details.resolve().transpose()?;
        Ok(Usage {
            prompt_tokens,
            prompt_text_tokens: prompt_details.map_or(0, |details| details.text),
            prompt_image_tokens: prompt_details.map_or(0, |details| details.image),
            candidates_tokens,
            candidate_text_tokens: candidates_details.map_or(0, |details| details.text),
            candidate_image_tokens: candidates_details.map_or(0, |details| details.image),
            thoughts_tokens,
            total_tokens,
            prompt_details_present: prompt_details.is_some(),
            candidates_details_present: candidates_details.is_some(),
            service_tier: self.service_tier.resolve(),
            traffic_type: self.traffic_type.resolve(),
        })
    }
}

/// Reads a `*TokensDetails` value: `None` for null, else the sums or the
/// first reason it cannot be read.
fn read_details(cursor: &mut JsonCursor<'_>, name: &str) -> Parsed<Option<Result<ModalityTokens, String>>> {
    cursor.read_nullable(
        ValueKind::Array,
        |cursor| sum_details(cursor, name),
        || Err(format!("{name} is not an array")),
    )
}

/// Adds up the entries of a `*TokensDetails` array by modality.
fn sum_details(cursor: &mut JsonCursor<'_>, name: &str) -> Parsed<Result<ModalityTokens, String>> {
    let mut sums = Ok(ModalityTokens::default());
    for_each_element(cursor, |cursor| {
        let entry = match cursor.peek_kind()? {
            ValueKind::Object => read_detail_entry(cursor, name)?,
            _ => cursor.skip_value().map(|()| Err(format!("{name} entry is not an object")))?,
        };
        if let Ok(totals) = &mut sums {
            match entry {
                Ok((Modality::Text, tokens)) => totals.text += tokens,
                Ok((Modality::Image, tokens)) => totals.image += tokens,
                Ok((Modality::Other, _)) => {}
                Err(reason) => sums = Err(reason),
            }
        }
        Ok(())
    })?;
    Ok(sums)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Modality {
    Text,
    Image,
    Other,
}

fn read_detail_entry(cursor: &mut JsonCursor<'_>, name: &str) -> Parsed<Result<(Modality, u64), String>> {
    let mut modality = Modality::Other;
    let mut tokens: Cased<Option<u64>> = Cased::default();
    for_each_field(cursor, |field, cursor| {
        match field {
            "modality" => {
                modality = match cursor.peek_kind()? {
                    ValueKind::String => match &*cursor.read_string()? {
                        "TEXT" => Modality::Text,
                        "IMAGE" => Modality::Image,
                        _ => Modality::Other,
                    },
                    _ => cursor.skip_value().map(|()| Modality::Other)?,
                };
            }
            "tokenCount" | "token_count" => {
                let count = read_count(cursor)?;
                tokens.set(field == "tokenCount", count);
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(match tokens.resolve() {
        None => Ok((modality, 0)),
        Some(Some(count)) => Ok((modality, count)),
        Some(None) => Err(format!("tokenCount in {name} is not a non-negative integer")),
    })
}

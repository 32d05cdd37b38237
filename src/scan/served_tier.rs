//! What a response's `usageMetadata` says about the lane it was served on:
//! `serviceTier` (Developer API) and `trafficType` (Vertex AI), mapped to
//! small enums while scanning so that the hot path allocates nothing. A
//! value that is none of the known spellings is kept, as written, in a
//! short inline buffer, so that the report can name it instead of guessing.

use std::fmt;

/// `usageMetadata.serviceTier` (`service_tier`), Developer API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceTier {
    /// `standard`, `SERVICE_TIER_STANDARD`.
    Standard,
    /// `flex`, `SERVICE_TIER_FLEX`.
    Flex,
    /// `priority`, `SERVICE_TIER_PRIORITY`.
    Priority,
    /// `unspecified`, `SERVICE_TIER_UNSPECIFIED`: Google bills it as standard.
    Unspecified,
}

impl ServiceTier {
    /// Reads a value in any case, with or without the older
    /// `SERVICE_TIER_` prefix.
    pub fn from_value(value: &str) -> Option<ServiceTier> {
        let bare = match value.get(..13) {
            Some(prefix) if prefix.eq_ignore_ascii_case("SERVICE_TIER_") => &value[13..],
            _ => value,
        };
        [
            ("standard", ServiceTier::Standard),
            ("flex", ServiceTier::Flex),
            ("priority", ServiceTier::Priority),
            ("unspecified", ServiceTier::Unspecified),
        ]
        .into_iter()
        .find(|(name, _)| bare.eq_ignore_ascii_case(name))
        .map(|(_, tier)| tier)
    }
}

/// `usageMetadata.trafficType` (`traffic_type`), Vertex AI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrafficType {
    /// `ON_DEMAND`: the standard lane.
    OnDemand,
    /// `ON_DEMAND_FLEX`.
    OnDemandFlex,
    /// `ON_DEMAND_PRIORITY`.
    OnDemandPriority,
    /// `PROVISIONED_THROUGHPUT`: billed by the customer's commitment.
    ProvisionedThroughput,
    /// `TRAFFIC_TYPE_UNSPECIFIED`: says nothing of the lane.
    Unspecified,
}

impl TrafficType {
    /// Reads a value in any case.
    pub fn from_value(value: &str) -> Option<TrafficType> {
        [
            ("ON_DEMAND", TrafficType::OnDemand),
            ("ON_DEMAND_FLEX", TrafficType::OnDemandFlex),
            ("ON_DEMAND_PRIORITY", TrafficType::OnDemandPriority),
            ("PROVISIONED_THROUGHPUT", TrafficType::ProvisionedThroughput),
            ("TRAFFIC_TYPE_UNSPECIFIED", TrafficType::Unspecified),
        ]
        .into_iter()
        .find(|(name, _)| value.eq_ignore_ascii_case(name))
        .map(|(_, kind)| kind)
    }
}

/// A lane field as read: a known value, or what was there instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TierValue<T> {
    /// One of the known spellings.
    Known(T),
    /// A string that is none of them, as written.
    Unrecognised(ShortText),
    /// A number, boolean, array or object.
    NotAString,
}

impl<T> TierValue<T> {
    /// Maps a string value with `known`, keeping it when it is unknown.
    pub fn from_string(value: &str, known: fn(&str) -> Option<T>) -> TierValue<T> {
        match known(value) {
            Some(known) => TierValue::Known(known),
            None => TierValue::Unrecognised(ShortText::new(value)),
        }
    }
}

/// Up to [`ShortText::CAPACITY`] bytes of a string, cut at a character
/// boundary, held inline (`Copy`, no allocation).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShortText {
    bytes: [u8; ShortText::CAPACITY],
    len: u8,
    cut: bool,
}

impl ShortText {
    /// The most bytes kept.
    pub const CAPACITY: usize = 40;

    /// Keeps the start of `text`.
    pub fn new(text: &str) -> ShortText {
        let mut len = text.len().min(Self::CAPACITY);
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        let mut bytes = [0; Self::CAPACITY];
        bytes[..len].copy_from_slice(&text.as_bytes()[..len]);
        ShortText { bytes, len: len as u8, cut: len < text.len() }
    }

    /// The text kept.
    pub fn as_str(&self) -> &str {
        // Cut at a character boundary of a `str`, so always UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// Whether the text was longer than what is kept.
    pub fn is_cut(&self) -> bool {
        self.cut
    }
}

impl fmt::Display for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.cut { f.write_str("…") } else { Ok(()) }
    }
}

impl fmt::Debug for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_service_tier_spelling() {
        let cases = [
            ("standard", Some(ServiceTier::Standard)),
            ("STANDARD", Some(ServiceTier::Standard)),
            ("flex", Some(ServiceTier::Flex)),
            ("priority", Some(ServiceTier::Priority)),
            ("unspecified", Some(ServiceTier::Unspecified)),
            ("SERVICE_TIER_STANDARD", Some(ServiceTier::Standard)),
            ("SERVICE_TIER_FLEX", Some(ServiceTier::Flex)),
            ("service_tier_priority", Some(ServiceTier::Priority)),
            ("Service_Tier_Unspecified", Some(ServiceTier::Unspecified)),
            ("SERVICE_TIER_", None),
            ("SERVICE_TIER_BATCH", None),
            ("turbo", None),
            ("", None),
            ("é", None),
        ];
        for (value, want) in cases {
            assert_eq!(ServiceTier::from_value(value), want, "{value}");
        }
    }

    #[test]
    fn reads_every_traffic_type_spelling() {
        let cases = [
            ("ON_DEMAND", Some(TrafficType::OnDemand)),
            ("on_demand", Some(TrafficType::OnDemand)),
            ("ON_DEMAND_FLEX", Some(TrafficType::OnDemandFlex)),
            ("ON_DEMAND_PRIORITY", Some(TrafficType::OnDemandPriority)),
            ("PROVISIONED_THROUGHPUT", Some(TrafficType::ProvisionedThroughput)),
            ("TRAFFIC_TYPE_UNSPECIFIED", Some(TrafficType::Unspecified)),
            ("ON_DEMAND_TURBO", None),
            ("standard", None),
        ];
        for (value, want) in cases {
            assert_eq!(TrafficType::from_value(value), want, "{value}");
        }
    }

    #[test]
    fn keeps_the_start_of_a_long_value_at_a_character_boundary() {
        let long = format!("{}é", "x".repeat(ShortText::CAPACITY - 1));
        let kept = ShortText::new(&long);
        assert_eq!(kept.as_str().len(), ShortText::CAPACITY - 1);
        assert!(kept.is_cut());
        assert_eq!(kept.to_string(), format!("{}…", "x".repeat(ShortText::CAPACITY - 1)));
        assert_eq!(ShortText::new("turbo").to_string(), "turbo");
    }
}

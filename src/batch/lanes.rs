//! The lane each response is billed on, decided line by line: Google bills
//! what was served, and the lines say what that was.
//!
//! The rules, first match wins:
//! 1. `--lane`, when given, for every response;
//! 2. a response wrapped in a `response` member (a batch output line):
//!    `batch`;
//! 3. `usageMetadata.serviceTier` (Developer API): `standard`, `flex`,
//!    `priority`; `unspecified` is billed as `standard`;
//! 4. `usageMetadata.trafficType` (Vertex AI): `ON_DEMAND` → standard,
//!    `ON_DEMAND_FLEX` → flex, `ON_DEMAND_PRIORITY` → priority,
//!    `PROVISIONED_THROUGHPUT` → provisioned (the customer's commitment
//!    bills it, not tokens); `TRAFFIC_TYPE_UNSPECIFIED` says nothing;
//! 5. otherwise `standard`, counted as assumed; a value of either field
//!    that is not recognised is kept so the report can name it.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::lane::Lane;
use crate::scan::{ServiceTier, ShortText, TierValue, TrafficType, Usage};

/// What a response is billed on: a priced lane, or provisioned throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BilledLane {
    /// A lane priced per token by the card.
    Lane(Lane),
    /// Vertex AI provisioned throughput: billed by the customer's
    /// commitment, never per token.
    Provisioned,
}

impl BilledLane {
    /// The name reports write: a lane's name, or `provisioned`.
    pub fn name(self) -> &'static str {
        match self {
            BilledLane::Lane(lane) => lane.name(),
            BilledLane::Provisioned => "provisioned",
        }
    }
}

impl fmt::Display for BilledLane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for BilledLane {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The published schema of what [`BilledLane`]'s `Serialize` writes.
impl schemars::JsonSchema for BilledLane {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BilledLane".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut names: Vec<&str> = Lane::ALL.iter().map(|lane| lane.name()).collect();
        names.push(BilledLane::Provisioned.name());
        schemars::json_schema!({
            "description": "The lane the responses were billed on: a lane's name, or `provisioned`",
            "type": "string",
            "enum": names,
        })
    }
}

/// The `usageMetadata` field a lane value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TierField {
    /// `serviceTier` (Developer API).
    ServiceTier,
    /// `trafficType` (Vertex AI).
    TrafficType,
}

impl TierField {
    /// The field's name as the REST API writes it.
    pub fn name(self) -> &'static str {
        match self {
            TierField::ServiceTier => "serviceTier",
            TierField::TrafficType => "trafficType",
        }
    }
}

/// A lane value that is none of the known spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnrecognisedTier {
    /// The field it was in.
    pub field: TierField,
    /// The value as written (its start); `None` when it was not a string.
    pub value: Option<ShortText>,
}

/// The lane of one response and how sure the rules are of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneDecision {
    /// What the response is billed on.
    pub lane: BilledLane,
    /// Whether no rule knew the lane, so `standard` was assumed.
    pub assumed: bool,
    /// When assumed, the value not recognised that left the lane unknown.
    pub unrecognised: Option<UnrecognisedTier>,
}

impl LaneDecision {
    fn known(lane: BilledLane) -> LaneDecision {
        LaneDecision { lane, assumed: false, unrecognised: None }
    }
}

/// Applies the rules (see the module) to one response.
#[inline]
pub fn decide_lane(lane_override: Option<Lane>, wrapped: bool, usage: &Usage) -> LaneDecision {
    if let Some(lane) = lane_override {
        return LaneDecision::known(BilledLane::Lane(lane));
    }
    if wrapped {
        return LaneDecision::known(BilledLane::Lane(Lane::Batch));
    }
    if let Some(TierValue::Known(tier)) = usage.service_tier {
        let lane = match tier {
            ServiceTier::Standard | ServiceTier::Unspecified => Lane::Standard,
            ServiceTier::Flex => Lane::Flex,
            ServiceTier::Priority => Lane::Priority,
        };
        return LaneDecision::known(BilledLane::Lane(lane));
    }
    let traffic = match usage.traffic_type {
        Some(TierValue::Known(TrafficType::OnDemand)) => Some(BilledLane::Lane(Lane::Standard)),
        Some(TierValue::Known(TrafficType::OnDemandFlex)) => Some(BilledLane::Lane(Lane::Flex)),
        Some(TierValue::Known(TrafficType::OnDemandPriority)) => Some(BilledLane::Lane(Lane::Priority)),
        Some(TierValue::Known(TrafficType::ProvisionedThroughput)) => Some(BilledLane::Provisioned),
        _ => None,
    };
    if let Some(lane) = traffic {
        return LaneDecision::known(lane);
    }
    let unrecognised = unrecognised(TierField::ServiceTier, usage.service_tier)
        .or_else(|| unrecognised(TierField::TrafficType, usage.traffic_type));
    LaneDecision { lane: BilledLane::Lane(Lane::Standard), assumed: true, unrecognised }
}

fn unrecognised<T>(field: TierField, value: Option<TierValue<T>>) -> Option<UnrecognisedTier> {
    match value? {
        TierValue::Known(_) => None,
        TierValue::Unrecognised(text) => Some(UnrecognisedTier { field, value: Some(text) }),
        TierValue::NotAString => Some(UnrecognisedTier { field, value: None }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(service_tier: Option<&str>, traffic_type: Option<&str>) -> Usage {
        Usage {
            service_tier: service_tier.map(|value| TierValue::from_string(value, ServiceTier::from_value)),
            traffic_type: traffic_type.map(|value| TierValue::from_string(value, TrafficType::from_value)),
            ..Usage::default()
        }
    }

    /// (--lane, wrapped, serviceTier, trafficType, lane, assumed).
    type Case = (Option<Lane>, bool, Option<&'static str>, Option<&'static str>, BilledLane, bool);

    #[test]
    fn decides_the_lane_of_each_response_in_rule_order() {
        use BilledLane::{Lane as L, Provisioned};
        let (standard, batch, flex, priority) =
            (L(Lane::Standard), L(Lane::Batch), L(Lane::Flex), L(Lane::Priority));
        let cases: [Case; 31] = [
            // --lane beats everything, provisioned included.
            (Some(Lane::Priority), true, Some("flex"), Some("ON_DEMAND"), priority, false),
            (Some(Lane::Standard), false, None, Some("PROVISIONED_THROUGHPUT"), standard, false),
            (Some(Lane::Batch), false, None, None, batch, false),
            // A batch output line is batch, whatever it carries.
            (None, true, None, None, batch, false),
            (None, true, Some("priority"), None, batch, false),
            (None, true, None, Some("PROVISIONED_THROUGHPUT"), batch, false),
            // serviceTier, every spelling.
            (None, false, Some("standard"), None, standard, false),
            (None, false, Some("flex"), None, flex, false),
            (None, false, Some("priority"), None, priority, false),
            (None, false, Some("unspecified"), None, standard, false),
            (None, false, Some("SERVICE_TIER_STANDARD"), None, standard, false),
            (None, false, Some("SERVICE_TIER_FLEX"), None, flex, false),
            (None, false, Some("SERVICE_TIER_PRIORITY"), None, priority, false),
            (None, false, Some("SERVICE_TIER_UNSPECIFIED"), None, standard, false),
            (None, false, Some("Flex"), None, flex, false),
            (None, false, Some("service_tier_priority"), None, priority, false),
            // serviceTier before trafficType.
            (None, false, Some("flex"), Some("ON_DEMAND_PRIORITY"), flex, false),
            // trafficType, every value.
            (None, false, None, Some("ON_DEMAND"), standard, false),
            (None, false, None, Some("ON_DEMAND_FLEX"), flex, false),
            (None, false, None, Some("ON_DEMAND_PRIORITY"), priority, false),
            (None, false, None, Some("PROVISIONED_THROUGHPUT"), Provisioned, false),
            (None, false, None, Some("on_demand_priority"), priority, false),
            (None, false, None, Some("TRAFFIC_TYPE_UNSPECIFIED"), standard, true),
            // An unrecognised serviceTier gives way to a known trafficType.
            (None, false, Some("turbo"), Some("ON_DEMAND_FLEX"), flex, false),
            // Nothing known: standard, assumed.
            (None, false, None, None, standard, true),
            (None, false, Some("turbo"), None, standard, true),
            (None, false, Some("SERVICE_TIER_"), None, standard, true),
            (None, false, Some("batch"), None, standard, true),
            (None, false, None, Some("SPOT"), standard, true),
            (None, false, Some("turbo"), Some("TRAFFIC_TYPE_UNSPECIFIED"), standard, true),
            (None, false, Some(""), None, standard, true),
        ];
        for (lane_override, wrapped, tier, traffic, lane, assumed) in cases {
            let decision = decide_lane(lane_override, wrapped, &usage(tier, traffic));
            assert_eq!(
                (decision.lane, decision.assumed),
                (lane, assumed),
                "{lane_override:?} {wrapped} {tier:?} {traffic:?}"
            );
        }
    }

    #[test]
    fn names_the_value_that_left_the_lane_unknown() {
        let seen = |tier, traffic| decide_lane(None, false, &usage(tier, traffic)).unrecognised;
        let named = |field, value: &str| Some(UnrecognisedTier { field, value: Some(ShortText::new(value)) });
        assert_eq!(seen(Some("turbo"), None), named(TierField::ServiceTier, "turbo"));
        assert_eq!(seen(None, Some("SPOT")), named(TierField::TrafficType, "SPOT"));
        assert_eq!(seen(Some("turbo"), Some("SPOT")), named(TierField::ServiceTier, "turbo"));
        assert_eq!(seen(None, Some("TRAFFIC_TYPE_UNSPECIFIED")), None);
        assert_eq!(seen(None, None), None);
        let not_a_string = Usage { service_tier: Some(TierValue::NotAString), ..Usage::default() };
        assert_eq!(
            decide_lane(None, false, &not_a_string).unrecognised,
            Some(UnrecognisedTier { field: TierField::ServiceTier, value: None })
        );
    }
}

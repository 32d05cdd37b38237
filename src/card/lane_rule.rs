//! The rules Google publishes for a lane's rates (batch and flex at 50% of
//! standard, priority at 1.8 ×), by which a card's loader fills the rates
//! a lane leaves out, and the record of which rates a rule gave.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::TokenRates;
use crate::lane::Lane;

/// Which of a lane's rates a published rule gave, and the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Derived {
    /// The rule.
    pub rule: LaneRule,
    /// Whether the input rate is the rule's.
    pub input: bool,
    /// Whether the text output rate is the rule's.
    pub text_output: bool,
}

/// A rule Google publishes for a lane's rates, by which a rate the sources
/// leave out is worked out from the standard lane's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LaneRule {
    /// Batch: "50% of the standard cost" for every token (the Batch API page).
    BatchHalf,
    /// Flex: priced as Batch, 50% of standard (the Flex page).
    FlexHalf,
    /// Priority: 1.8 × standard on every token, for a model whose given
    /// priority rates are 1.8 × standard.
    PriorityTimes18,
}

impl LaneRule {
    /// The rule for `lane`, if it has one.
    pub fn of(lane: Lane) -> Option<LaneRule> {
        match lane {
            Lane::Standard => None,
            Lane::Batch => Some(LaneRule::BatchHalf),
            Lane::Flex => Some(LaneRule::FlexHalf),
            Lane::Priority => Some(LaneRule::PriorityTimes18),
        }
    }

    /// The factor on the standard rate.
    pub fn factor(self) -> Decimal {
        match self {
            LaneRule::BatchHalf | LaneRule::FlexHalf => Decimal::new(5, 1),
            LaneRule::PriorityTimes18 => Decimal::new(18, 1),
        }
    }

    /// The rule in words, as reports give it: `batch = 50% of standard`.
    pub fn text(self) -> &'static str {
        match self {
            LaneRule::BatchHalf => "batch = 50% of standard",
            LaneRule::FlexHalf => "flex = 50% of standard",
            LaneRule::PriorityTimes18 => "priority = 1.8 × standard",
        }
    }
}

/// Fills the rates a lane leaves out by Google's published rule for it
/// ([`LaneRule`]), from the standard lane's: batch and flex always (50%);
/// priority where the rates it gives are all 1.8 × standard. A lane the card
/// does not give stays absent, and a rate the card gives wins over the rule.
pub(super) fn derive_by_rule(lanes: &mut BTreeMap<Lane, TokenRates>) {
    let Some(standard) = lanes.get(&Lane::Standard).copied() else { return };
    for (lane, rates) in lanes.iter_mut() {
        let Some(rule) = LaneRule::of(*lane) else { continue };
        let by_rule = |rate: Decimal| (rate * rule.factor()).normalize();
        if rule == LaneRule::PriorityTimes18 {
            let given = [
                Some((rates.image_output, standard.image_output)),
                rates.input.zip(standard.input),
                rates.text_output.zip(standard.text_output),
            ];
            if !given.into_iter().flatten().all(|(own, base)| own == by_rule(base)) {
                continue;
            }
        }
        let input = rates.input.is_none() && standard.input.is_some();
        let text_output = rates.text_output.is_none() && standard.text_output.is_some();
        if !(input || text_output) {
            continue;
        }
        rates.input = rates.input.or(standard.input.map(by_rule));
        rates.text_output = rates.text_output.or(standard.text_output.map(by_rule));
        rates.derived = Some(Derived { rule, input, text_output });
    }
}

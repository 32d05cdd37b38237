//! Lanes: the ways a request can be sent, each with its own prices.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A pricing lane. The default card has `standard` and `batch`; a custom
/// card may add `flex` and `priority` where a provider publishes them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Lane {
    /// Real-time requests.
    Standard,
    /// The Batch API: 50% of the standard token rate.
    Batch,
    /// A cheaper, best-effort lane.
    Flex,
    /// A faster, dearer lane.
    Priority,
}

impl Lane {
    /// Every lane, in the order reports list them.
    pub const ALL: [Lane; 4] = [Lane::Standard, Lane::Batch, Lane::Flex, Lane::Priority];

    /// The lane's name as the card and the command line write it.
    pub fn name(self) -> &'static str {
        match self {
            Lane::Standard => "standard",
            Lane::Batch => "batch",
            Lane::Flex => "flex",
            Lane::Priority => "priority",
        }
    }
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A lane name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown lane `{0}`: use one of standard, batch, flex, priority")]
pub struct UnknownLane(pub String);

impl FromStr for Lane {
    type Err = UnknownLane;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        Lane::ALL.into_iter().find(|lane| lane.name() == wanted).ok_or_else(|| UnknownLane(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lane_names_in_any_case() {
        assert_eq!("Batch".parse::<Lane>(), Ok(Lane::Batch));
        assert_eq!("standard".parse::<Lane>(), Ok(Lane::Standard));
        assert!("bulk".parse::<Lane>().is_err());
    }
}

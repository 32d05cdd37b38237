//! Where a model ID stands in its life: released, deprecated, shut down,
//! and what replaces it. Every ID has its own life: a preview and its GA
//! successor are different IDs with different dates, and a GA ID is never
//! reported with its preview's status.

use serde::Serialize;
use time::Date;

/// The dated facts about one ID, as the card records them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct Life {
    /// The release (or GA) date.
    pub released: Option<Date>,
    /// The date the ID was deprecated.
    pub deprecated: Option<Date>,
    /// The date the ID stops (or stopped) answering.
    pub shutdown: Option<Date>,
    /// Where Google's own statements about the shutdown conflict: what the
    /// other statement says.
    pub shutdown_disputed: Option<String>,
    /// The ID that replaces this one, where known.
    pub successor: Option<String>,
    /// Whether the successor keeps this ID's prices (a preview and its GA
    /// ID are one model in the card).
    pub successor_same_prices: bool,
}

/// An ID the model answered to before, such as its preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FormerId {
    /// The old ID.
    pub id: String,
    /// Its own life; its successor is the model's current ID, at the same
    /// prices.
    pub life: Life,
}

/// An ID's status on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Answering, with no deprecation yet.
    Active,
    /// Deprecated: still answering, to be shut down.
    Deprecated,
    /// Shut down.
    ShutDown,
    /// Shut down according to one of Google's statements and still available
    /// according to another; new projects cannot use it either way.
    Disputed,
}

impl Status {
    /// The status as JSON and CSV write it (`shut-down`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Deprecated => "deprecated",
            Status::ShutDown => "shut-down",
            Status::Disputed => "disputed",
        }
    }

    /// Whether the ID should not be recommended or used for new work.
    pub fn is_retired(self) -> bool {
        matches!(self, Status::ShutDown | Status::Disputed)
    }
}

impl Life {
    /// The status on `today`.
    pub fn status(&self, today: Date) -> Status {
        match (self.shutdown, &self.shutdown_disputed, self.deprecated) {
            (Some(day), Some(_), _) if day <= today => Status::Disputed,
            (Some(day), None, _) if day <= today => Status::ShutDown,
            (_, _, Some(day)) if day <= today => Status::Deprecated,
            _ => Status::Active,
        }
    }

    /// One line for tables, such as
    /// `deprecated 2026-10-06, no shutdown date announced; successor gemini-nano-banana-2.1`.
    pub fn summary(&self, today: Date) -> String {
        let mut text = match (self.status(today), self.deprecated, self.shutdown) {
            (Status::Disputed, _, Some(day)) => format!("shut down {day} (disputed)"),
            (Status::ShutDown, _, Some(day)) => format!("shut down {day}"),
            (Status::Deprecated, Some(day), Some(end)) => format!("deprecated {day}, shuts down {end}"),
            (Status::Deprecated, Some(day), None) => {
                format!("deprecated {day}, no shutdown date announced")
            }
            (_, _, Some(end)) => format!("active; shutdown announced for {end}"),
            _ => "active".to_string(),
        };
        if let Some(successor) = &self.successor {
            text.push_str(&format!("; successor {successor}"));
        }
        text
    }

    /// A warning for `id` on `today`, unless it is active: what happened and
    /// what to call instead.
    pub fn warning(&self, id: &str, today: Date) -> Option<String> {
        // Short, one line: `nbcost rates show ID` tells the whole story.
        let instead = match &self.successor {
            Some(successor) if self.successor_same_prices => format!("; use `{successor}` (same prices)"),
            Some(successor) => format!("; successor `{successor}`"),
            None => String::new(),
        };
        match (self.status(today), self.deprecated, self.shutdown) {
            (Status::Disputed, _, Some(day)) => {
                Some(format!("`{id}` shut down {day}, disputed (see `nbcost rates show`){instead}"))
            }
            (Status::ShutDown, _, Some(day)) => Some(format!("`{id}` shut down {day}{instead}")),
            (Status::Deprecated, Some(day), shutdown) => {
                let end = shutdown.map_or(String::new(), |end| format!(", shuts down {end}"));
                Some(format!("`{id}` deprecated {day}{end}{instead}"))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn preview() -> Life {
        Life {
            released: Some(date!(2026 - 02 - 26)),
            deprecated: Some(date!(2026 - 05 - 28)),
            shutdown: Some(date!(2026 - 06 - 25)),
            successor: Some("gemini-3.1-flash-image".into()),
            successor_same_prices: true,
            ..Life::default()
        }
    }

    #[test]
    fn each_day_has_its_status() {
        let cases = [
            (date!(2026 - 04 - 20), Status::Active),
            (date!(2026 - 05 - 28), Status::Deprecated),
            (date!(2026 - 06 - 24), Status::Deprecated),
            (date!(2026 - 06 - 25), Status::ShutDown),
        ];
        for (day, status) in cases {
            assert_eq!(preview().status(day), status, "{day}");
        }
        let disputed = Life {
            shutdown: Some(date!(2026 - 10 - 02)),
            shutdown_disputed: Some("a changelog entry says otherwise".into()),
            ..Life::default()
        };
        assert_eq!(disputed.status(date!(2026 - 10 - 01)), Status::Active);
        assert_eq!(disputed.status(date!(2026 - 10 - 02)), Status::Disputed);
        assert!(Status::Disputed.is_retired() && Status::ShutDown.is_retired());
        assert!(!Status::Deprecated.is_retired());
    }

    #[test]
    fn warns_with_the_successor_and_whether_it_keeps_the_prices() {
        assert_eq!(
            preview().warning("gemini-3.1-flash-image-preview", date!(2026 - 11 - 21)).unwrap(),
            "`gemini-3.1-flash-image-preview` shut down 2026-06-25; use `gemini-3.1-flash-image` (same prices)"
        );
        assert_eq!(
            preview().warning("gemini-3.1-flash-image-preview", date!(2026 - 06 - 01)).unwrap(),
            "`gemini-3.1-flash-image-preview` deprecated 2026-05-28, shuts down 2026-06-25; use `gemini-3.1-flash-image` (same prices)"
        );
        let ga = Life {
            released: Some(date!(2026 - 05 - 28)),
            deprecated: Some(date!(2026 - 10 - 06)),
            successor: Some("gemini-nano-banana-2.1".into()),
            ..Life::default()
        };
        assert_eq!(
            ga.warning("gemini-3.1-flash-image", date!(2026 - 11 - 21)).unwrap(),
            "`gemini-3.1-flash-image` deprecated 2026-10-06; successor `gemini-nano-banana-2.1`"
        );
        assert_eq!(
            ga.summary(date!(2026 - 11 - 21)),
            "deprecated 2026-10-06, no shutdown date announced; successor gemini-nano-banana-2.1"
        );
        assert_eq!(ga.warning("gemini-3.1-flash-image", date!(2026 - 10 - 05)), None);
        assert_eq!(
            preview().summary(date!(2026 - 04 - 20)),
            "active; shutdown announced for 2026-06-25; successor gemini-3.1-flash-image"
        );
    }
}

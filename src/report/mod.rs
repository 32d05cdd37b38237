//! Reports: what each command answers, as documented data ready for any
//! renderer. Building a report prices things; rendering only writes them.

pub mod budget;
pub mod compare;
pub mod diff;
pub mod estimate;
pub mod plan;
pub mod quote;
pub mod rates;
pub mod tally;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use time::Date;

use crate::card::{CardOrigin, Model, NamedAs, RateCard, Resolved};
use crate::lane::Lane;
use crate::money::round;
use crate::size::ImageSize;

/// A card older than this many days gets a note: prices are date-bound.
pub const STALE_AFTER_DAYS: u64 = 90;

/// The rate card a report was priced with.
#[derive(Debug, Clone, Serialize)]
pub struct CardInfo {
    /// The card's name.
    pub name: String,
    /// The date people call it by (`April 2026`).
    pub dated: String,
    /// The first day its prices apply (`YYYY-MM-DD`).
    pub effective: Date,
    /// The day its figures were last checked (`YYYY-MM-DD`).
    pub checked: Date,
    /// Whole days from `checked` to today.
    pub age_days: u64,
    /// The currency of every amount.
    pub currency: String,
    /// `embedded`, or the path of the card file.
    pub source: String,
}

impl CardInfo {
    /// The facts about `card` as of `today`.
    pub fn new(card: &RateCard, today: Date) -> CardInfo {
        CardInfo {
            name: card.meta.name.clone(),
            dated: card.meta.dated.clone(),
            effective: card.meta.effective,
            checked: card.meta.checked,
            age_days: card.meta.age_days(today),
            currency: card.meta.currency.clone(),
            source: match &card.meta.origin {
                CardOrigin::Embedded => "embedded".into(),
                CardOrigin::File(path) => path.display().to_string(),
            },
        }
    }

    /// One line for tables: `April 2026 (checked 2026-04-20, 215 days ago; embedded)`.
    pub fn summary(&self) -> String {
        let age = match self.age_days {
            0 => "today".to_string(),
            1 => "1 day ago".to_string(),
            days => format!("{days} days ago"),
        };
        format!("{} (checked {}, {age}; {})", self.dated, self.checked, self.source)
    }
}

/// Where a model stands in its life as of today.
#[derive(Debug, Clone, Serialize)]
pub struct Lifecycle {
    /// `active`, `deprecated` or `shut-down`, as of today.
    pub status: &'static str,
    /// The release date, where known.
    pub released: Option<Date>,
    /// The deprecation date, where known.
    pub deprecated: Option<Date>,
    /// The shutdown date, where known.
    pub shutdown: Option<Date>,
    /// The ID that replaces this one at the same prices, where known.
    pub successor: Option<String>,
}

impl Lifecycle {
    /// `model`'s lifecycle as of `today`.
    pub fn new(model: &Model, today: Date) -> Lifecycle {
        let status = if model.is_shut_down(today) {
            "shut-down"
        } else if model.deprecated.is_some_and(|day| day <= today) {
            "deprecated"
        } else {
            "active"
        };
        Lifecycle {
            status,
            released: model.released,
            deprecated: model.deprecated,
            shutdown: model.shutdown,
            successor: model.successor.clone(),
        }
    }

    /// One line for tables, such as `shut down 2026-06-25; successor gemini-3.1-flash-image`.
    pub fn summary(&self) -> String {
        let mut text = match (self.status, self.deprecated, self.shutdown) {
            ("shut-down", _, Some(day)) => format!("shut down {day}"),
            ("deprecated", Some(day), Some(end)) => format!("deprecated {day}, shuts down {end}"),
            ("deprecated", Some(day), None) => format!("deprecated {day}"),
            (_, _, Some(end)) => format!("active; shutdown announced for {end}"),
            _ => "active".to_string(),
        };
        if let Some(successor) = &self.successor {
            text.push_str(&format!("; successor {successor}"));
        }
        text
    }
}

/// The note for a card checked more than [`STALE_AFTER_DAYS`] ago.
pub fn stale_card_note(card: &RateCard, today: Date) -> Option<String> {
    let age = card.meta.age_days(today);
    (age > STALE_AFTER_DAYS).then(|| {
        format!(
            "the rate card ({}) was checked on {}, {age} days ago; prices are date-bound: check the sources in `nbcost rates`, or pass a newer card with --rates",
            card.meta.dated, card.meta.checked
        )
    })
}

/// A warning for a model named by an ID that no longer answers, or will not
/// for long.
pub fn lifecycle_warning(resolved: Resolved<'_>, today: Date) -> Option<String> {
    let model = resolved.model;
    if resolved.named_as != NamedAs::Id {
        return None;
    }
    let instead = model
        .successor
        .as_ref()
        .map(|successor| format!("; call its successor `{successor}` (same prices)"))
        .unwrap_or_default();
    match (model.deprecated, model.shutdown) {
        (_, Some(shutdown)) if shutdown <= today => {
            Some(format!("`{}` was shut down on {shutdown}{instead}", model.id))
        }
        (Some(deprecated), shutdown) if deprecated <= today => {
            let end = shutdown.map(|day| format!(" and shuts down on {day}")).unwrap_or_default();
            Some(format!("`{}` is deprecated since {deprecated}{end}{instead}", model.id))
        }
        _ => None,
    }
}

/// Serializes a ratio as a decimal string rounded to 4 places.
pub(crate) fn ratio<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&round(*value, 4).to_string())
}

/// The size and lane filters that left nothing, for an error: `512 on flex`.
pub(crate) fn describe_filters(sizes: &[ImageSize], lanes: &[Lane]) -> String {
    let sizes: Vec<_> = sizes.iter().map(ImageSize::to_string).collect();
    let lanes: Vec<_> = lanes.iter().map(Lane::to_string).collect();
    let wanted: Vec<_> = [sizes.join(", "), lanes.join(", ")].into_iter().filter(|s| !s.is_empty()).collect();
    wanted.join(" on ")
}

#[cfg(test)]
pub(crate) mod testing {
    use time::{Date, Month};

    /// The day the tests pretend it is.
    pub fn today() -> Date {
        Date::from_calendar_date(2026, Month::November, 21).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::today;

    #[test]
    fn notes_a_stale_card() {
        let card = RateCard::embedded();
        let note = stale_card_note(&card, today()).unwrap();
        assert!(note.contains("checked on 2026-04-20, 215 days ago"), "{note}");
        let fresh = Date::from_calendar_date(2026, time::Month::May, 1).unwrap();
        assert_eq!(stale_card_note(&card, fresh), None);
    }

    #[test]
    fn warns_about_a_shut_down_id_and_names_its_successor() {
        let card = RateCard::embedded();
        let by_id = card.resolve("gemini-3.1-flash-image-preview").unwrap();
        assert_eq!(
            lifecycle_warning(by_id, today()).unwrap(),
            "`gemini-3.1-flash-image-preview` was shut down on 2026-06-25; call its successor `gemini-3.1-flash-image` (same prices)"
        );
        let by_alias = card.resolve("flash").unwrap();
        assert_eq!(lifecycle_warning(by_alias, today()), None);
        let by_successor = card.resolve("gemini-3.1-flash-image").unwrap();
        assert_eq!(lifecycle_warning(by_successor, today()), None);
        let deprecated_only = Date::from_calendar_date(2026, time::Month::June, 1).unwrap();
        assert_eq!(
            lifecycle_warning(by_id, deprecated_only).unwrap(),
            "`gemini-3.1-flash-image-preview` is deprecated since 2026-05-28 and shuts down on 2026-06-25; call its successor `gemini-3.1-flash-image` (same prices)"
        );
        let nano = card.resolve("gemini-2.5-flash-image").unwrap();
        assert_eq!(
            lifecycle_warning(nano, today()).unwrap(),
            "`gemini-2.5-flash-image` was shut down on 2026-10-02"
        );
    }

    #[test]
    fn summarises_a_lifecycle() {
        let card = RateCard::embedded();
        let flash = card.resolve("flash").unwrap().model;
        assert_eq!(
            Lifecycle::new(flash, today()).summary(),
            "shut down 2026-06-25; successor gemini-3.1-flash-image"
        );
        let april = Date::from_calendar_date(2026, time::Month::April, 20).unwrap();
        assert_eq!(
            Lifecycle::new(flash, april).summary(),
            "active; shutdown announced for 2026-06-25; successor gemini-3.1-flash-image"
        );
    }
}

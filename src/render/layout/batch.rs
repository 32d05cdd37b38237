//! What the layouts of the reports that read batch files (`estimate`,
//! `tally`, and `reconcile` for its responses) share: titles of cut lists,
//! the table of malformed lines, and a part of a total that may not be
//! priced.

use crate::batch::{MalformedLine, Sightings};
use crate::count::grouped;
use crate::money::{Currency, Money};
use crate::render::document::{Cell, Column, Table};

/// A table title with "first N of M" when the list is cut.
pub(super) fn listed_title<T>(title: &str, sightings: &Sightings<T>) -> String {
    if sightings.not_shown() > 0 {
        format!("{title}: first {} of {}", sightings.shown.len(), grouped(sightings.count))
    } else {
        title.to_string()
    }
}

/// The table of malformed lines, titled `title` (and how many are listed,
/// when not all are); with `one_file` read, its file goes without saying
/// (the facts name it).
pub(super) fn malformed_table(title: &str, malformed: &Sightings<MalformedLine>, one_file: bool) -> Table {
    let file = (!one_file).then(|| Column::new("file"));
    Table {
        title: Some(listed_title(title, malformed)),
        columns: file.into_iter().chain([Column::new("line"), Column::new("reason")]).collect(),
        rows: malformed
            .shown
            .iter()
            .map(|bad| {
                let file = (!one_file).then(|| Cell::text(&bad.file));
                file.into_iter().chain([Cell::Count(bad.line), Cell::text(&bad.reason)]).collect()
            })
            .collect(),
    }
}

/// A part of a total, every digit kept, or `not priced`: never $0.00 for
/// a part the card could not price.
pub(super) fn priced(currency: &Currency, part: Option<Money>) -> String {
    part.map_or("not priced".to_string(), |part| currency.unit(part))
}

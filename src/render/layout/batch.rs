//! What the layouts of the two batch-file reports (`estimate`, `tally`)
//! share: titles of cut lists and the table of malformed lines.

use crate::batch::{MalformedLine, Sightings};
use crate::count::grouped;
use crate::render::document::{Cell, Column, Table};

/// A table title with "first N of M" when the list is cut.
pub(super) fn listed_title<T>(title: &str, sightings: &Sightings<T>) -> String {
    if sightings.not_shown() > 0 {
        format!("{title}: first {} of {}", sightings.shown.len(), grouped(sightings.count))
    } else {
        title.to_string()
    }
}

/// The table of malformed lines.
pub(super) fn malformed_table(malformed: &Sightings<MalformedLine>) -> Table {
    Table {
        title: Some(listed_title("Malformed lines (skipped)", malformed)),
        columns: vec![Column::new("file"), Column::new("line"), Column::new("reason")],
        rows: malformed
            .shown
            .iter()
            .map(|bad| vec![Cell::text(&bad.file), Cell::Count(bad.line), Cell::text(&bad.reason)])
            .collect(),
    }
}

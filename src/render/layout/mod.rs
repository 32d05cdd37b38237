//! The layout of each report as a [`Document`](super::Document): its title,
//! facts, tables and notes. One file per report; the data and how it is
//! built live in `crate::report`.

mod batch;
mod budget;
mod compare;
mod diff;
mod estimate;
mod plan;
mod quote;
mod rates;
mod tally;

use time::Date;

use crate::render::document::{Cell, Column};

/// Columns for a CSV table, each keyed by its own name: CSV tables are never
/// shown to people, so their headings are their keys.
fn csv_columns(keys: &[&str]) -> Vec<Column> {
    keys.iter().map(|key| Column::new(*key, *key)).collect()
}

/// A boolean as CSV writes it.
fn csv_bool(value: bool) -> Cell {
    Cell::text(if value { "true" } else { "false" })
}

/// A date as CSV writes it (`YYYY-MM-DD`), empty for none.
fn csv_date(value: Option<Date>) -> Cell {
    value.map_or(Cell::Empty, |date| Cell::text(date.to_string()))
}

//! Output formats. One small renderer per format; the table and Markdown
//! renderers write a [`Document`], the JSON renderer serializes the report's
//! own documented structure, and the CSV renderer serializes the report's
//! rows ([`CsvRows`]).

mod csv;
pub mod document;
mod json;
mod layout;
mod markdown;
pub mod schema;
mod table;

use std::fmt;
use std::io::{self, Write};

use serde::Serialize;

use crate::count::grouped;
use crate::money::{Currency, round};
pub use csv::CsvRows;
pub use document::{Cell, Column, Document, Table};

/// The version of every JSON report's layout; it changes only when a field
/// changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Boxed tables for people.
    #[default]
    Table,
    /// One JSON object for scripts.
    Json,
    /// CSV with a fixed header, for spreadsheets.
    Csv,
    /// Markdown tables, for pull requests and docs.
    Markdown,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
        })
    }
}

/// How tables look; decided once, by the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Whether to use color and bold.
    pub color: bool,
    /// The width, in characters, that tables, facts and notes must fit:
    /// `None` writes every column at its full width.
    pub width: Option<u16>,
}

/// A report: a documented JSON structure, its published schema, its CSV
/// rows, and a layout for reading.
pub trait Report: Serialize + schemars::JsonSchema + CsvRows {
    /// The report's name in JSON (`"report": "quote"`).
    const KIND: &'static str;

    /// The report laid out for the table and Markdown renderers.
    fn document(&self) -> Document;
}

/// Writes `report` to `out` in `format`.
pub fn render<R: Report>(report: &R, format: Format, style: Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        Format::Table => table::write(&report.document(), style, out),
        Format::Csv => csv::write(report, out),
        Format::Markdown => markdown::write(&report.document(), out),
    }
}

/// How people read a cell (tables and Markdown), money in `currency`.
pub(crate) fn human(cell: &Cell, currency: &Currency) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Money(amount) => currency.total(*amount),
        Cell::Unit(amount) => currency.unit(*amount),
        Cell::Count(count) => grouped(*count),
        Cell::Ratio(ratio) => format!("{}×", round(*ratio, 2)),
        Cell::Percent(percent) => format!("{}%", round(*percent, 1)),
        Cell::Empty => String::new(),
    }
}

//! CSV: each report's rows, one flat row type per report, written with
//! `csv::Writer::serialize`. The header is the row type's field names, so it
//! cannot drift from the rows, and it is the same whatever the flags. Cells
//! are for machines: money as exact decimals, model IDs, names as the command
//! line takes them, an empty cell for none. A row is a view of the report:
//! building one picks figures out of the report and never computes them.
//!
//! Every report with a total ends its rows the same way: `unpriced_reason`
//! (what the row leaves out and why, empty when nothing) and `complete`
//! (whether the report's total holds every part asked for, the same on
//! every row), so that a row never passes for a whole figure it is not.
//!
//! One file per report's rows; the reports that share one (`rates`, `rates
//! show`, `rates check`) share a file. Every text cell passes the formula
//! guard (`formula.rs`): a cell a spreadsheet would run starts with `'`.

mod budget;
mod compare;
mod diff;
mod estimate;
mod formula;
mod plan;
mod quote;
mod rates;
mod reconcile;
mod tally;

use std::io::{self, Write};

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::count::counted;
use crate::money::round;

/// A report's CSV: its rows, each a flat struct whose fields are the
/// columns.
pub trait CsvRows {
    /// One row. Its `Default` value gives the header of a report with no
    /// rows (a `diff` of two cards with the same prices).
    type Row<'a>: Serialize + Default
    where
        Self: 'a;

    /// The rows, in the report's order.
    fn csv_rows(&self) -> impl Iterator<Item = Self::Row<'_>>;
}

/// Writes the header of `R`'s row type, then its rows.
pub(super) fn write<R: CsvRows>(report: &R, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
    writer.write_byte_record(&header::<R::Row<'_>>()?).map_err(io_error)?;
    for row in report.csv_rows() {
        writer.serialize(formula::Guarded(&row)).map_err(io_error)?;
    }
    writer.flush()
}

/// The header `csv` writes above a row of type `T`: its field names, taken
/// from a default row, so that a report with no rows still has its header.
fn header<T: Serialize + Default>() -> io::Result<csv::ByteRecord> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.serialize(T::default()).map_err(io_error)?;
    let written = writer.into_inner().map_err(|error| error.into_error())?;
    let mut reader = csv::Reader::from_reader(written.as_slice());
    reader.byte_headers().cloned().map_err(io_error)
}

/// The I/O error inside a CSV error, kept as it is so that the binary can
/// tell a closed pipe from a failure.
fn io_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A percentage, written rounded to 2 places (`-1.83`, `50.00`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Percent(pub Decimal);

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&round(self.0, 2))
    }
}

/// A list in one cell, its items separated by spaces.
fn words<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(" ")
}

/// The reason on a row of malformed lines a report's total leaves out:
/// `2 malformed lines skipped: the table and JSON list them`.
fn malformed_lines_skipped(count: u64) -> String {
    format!("{} skipped: the table and JSON list them", counted(count, "malformed line", "malformed lines"))
}

/// The `modelVersion`s of a row in one cell: each as written, `(none)` for
/// responses naming none, or, for the row that gathers the versions past
/// the first 50 the card does not know, `(N other versions)`.
fn versions_cell(versions: &[Option<String>], others: u64) -> String {
    match others {
        0 => words(versions.iter().map(|version| version.as_deref().unwrap_or("(none)"))),
        others => format!("({others} other versions)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    /// Two rows of every kind of cell, and a report holding them.
    #[derive(Default, Serialize)]
    struct Row {
        name: &'static str,
        #[serde(rename = "unit_price")]
        price: Money,
        cost: Option<Money>,
        count: u64,
        flag: bool,
        share: Percent,
    }

    struct Sample(Vec<(&'static str, &'static str, Option<&'static str>)>);

    impl CsvRows for Sample {
        type Row<'a> = Row;

        fn csv_rows(&self) -> impl Iterator<Item = Row> {
            self.0.iter().map(|(name, price, cost)| Row {
                name,
                price: Money::new(price.parse().unwrap()),
                cost: cost.map(|cost| Money::new(cost.parse().unwrap())),
                count: 1_000,
                flag: true,
                share: Percent("33.3333".parse().unwrap()),
            })
        }
    }

    pub(super) fn written<R: CsvRows>(report: &R) -> String {
        let mut out = Vec::new();
        write(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_header_is_the_row_types_fields() {
        let report = Sample(vec![("flash", "0.0195", Some("19.50"))]);
        assert_eq!(
            written(&report),
            "name,unit_price,cost,count,flag,share\nflash,0.0195,19.50,1000,true,33.33\n"
        );
    }

    #[test]
    fn a_report_without_rows_still_has_its_header() {
        assert_eq!(written(&Sample(Vec::new())), "name,unit_price,cost,count,flag,share\n");
    }

    #[test]
    fn money_keeps_every_digit_and_none_is_an_empty_cell() {
        let report = Sample(vec![("a", "0.000000250", None), ("b, with a comma", "101.000", Some("0"))]);
        assert_eq!(
            written(&report).lines().skip(1).collect::<Vec<_>>(),
            ["a,0.00000025,,1000,true,33.33", "\"b, with a comma\",101.00,0.00,1000,true,33.33"]
        );
    }

    #[test]
    fn a_percentage_is_rounded_to_two_places() {
        let percent = |text: &str| {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.serialize([Percent(text.parse().unwrap())]).unwrap();
            String::from_utf8(writer.into_inner().unwrap()).unwrap()
        };
        assert_eq!(percent("-1.8254"), "-1.83\n");
        assert_eq!(percent("50"), "50.00\n");
        assert_eq!(percent("0.005"), "0.01\n");
    }

    #[test]
    fn a_list_is_one_cell_of_words() {
        assert_eq!(words(["nb2", "flash"]), "nb2 flash");
        assert_eq!(words([]), "");
    }

    /// A row's versions as words, `(none)` for responses naming none; the
    /// row gathering versions past the first 50 says how many, never an
    /// empty cell that reads as no version.
    #[test]
    fn versions_are_words_and_the_gathered_row_says_how_many() {
        assert_eq!(versions_cell(&[Some("gemini-3-pro-image".into()), None], 0), "gemini-3-pro-image (none)");
        assert_eq!(versions_cell(&[], 12), "(12 other versions)");
    }
}

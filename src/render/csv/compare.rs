//! `compare` as CSV: the long form, one row per model × size × lane × count,
//! so that the header is the same whatever `--counts` asks for.

use rust_decimal::Decimal;
use serde::Serialize;

use super::CsvRows;
use crate::card::PricedBy;
use crate::money::Money;
use crate::report::compare::CompareReport;

/// One model, size and lane at one count.
#[derive(Debug, Default, Serialize)]
pub struct CountRow<'a> {
    model: &'a str,
    size: &'static str,
    lane: &'static str,
    count: u64,
    basis: &'static str,
    card: &'a str,
    /// `--thinking-tokens`, empty without it.
    thinking_tokens: Option<u64>,
    status: &'static str,
    unit_price: Money,
    output_tokens: u64,
    /// Rounded to 4 places, as in JSON.
    #[serde(serialize_with = "crate::report::ratio")]
    ratio_to_baseline: Decimal,
    total: Money,
    grade: &'static str,
    /// What the row's price leaves out and why; empty when nothing.
    unpriced_reason: Option<&'a str>,
    /// Whether every total of the comparison holds every part asked for.
    complete: bool,
}

impl CsvRows for CompareReport {
    type Row<'a> = CountRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = CountRow<'_>> {
        self.rows.iter().flat_map(move |row| {
            row.totals.iter().map(move |total| CountRow {
                model: &row.model,
                size: row.size.api_value(),
                lane: row.lane.name(),
                count: total.count,
                basis: self.basis.name(),
                // The card whose figures these are.
                card: PricedBy::key_or(row.priced_by.as_ref(), self.card.key()),
                thinking_tokens: self.thinking_tokens,
                status: row.status.name(),
                unit_price: row.unit_price,
                output_tokens: row.output_tokens,
                ratio_to_baseline: row.ratio_to_baseline,
                total: total.total,
                grade: row.grade.name(),
                unpriced_reason: row.unpriced_reason.as_deref(),
                complete: self.is_complete(),
            })
        })
    }
}

//! `reconcile` as CSV: one row per SKU (or mapping), unmatched SKU and
//! part not billed, with the totals' verdict on every row.

use serde::Serialize;

use super::CsvRows;
use crate::money::Money;
use crate::report::reconcile::{ReconcileReport, SkuStatus};

/// One SKU beside what was computed. Quantities are exact decimals (the
/// bill's) or whole counts (the responses'); an empty cell is none.
#[derive(Debug, Default, Serialize)]
pub struct SkuRowCsv<'a> {
    sku_description: &'a str,
    sku_id: Option<&'a str>,
    model: Option<&'a str>,
    lane: Option<&'static str>,
    part: Option<&'static str>,
    billed_quantity: String,
    computed_quantity: Option<u64>,
    billed_cost: Money,
    computed_cost: Option<Money>,
    difference: Option<Money>,
    /// `match`, `drift`, `unmatched_sku` or `not_billed`.
    status: &'static str,
    /// For a drift: `quantity` or `price`.
    gap: Option<&'static str>,
    card: &'a str,
    /// Whether the bill and the responses agree within the tolerance, the
    /// same on every row.
    within_tolerance: bool,
    /// Whether every bill row was read and every response priced, the
    /// same on every row.
    complete: bool,
    /// The day compared (`YYYY-MM-DD`); empty when the bills' whole period
    /// is. Last, so the columns before it keep their places.
    day: Option<&'a str>,
}

impl CsvRows for ReconcileReport {
    type Row<'a> = SkuRowCsv<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = SkuRowCsv<'_>> {
        let complete = self.malformed_bill_rows.is_empty() && self.responses_complete;
        let within = self.mismatch().is_none();
        self.rows.iter().map(move |row| SkuRowCsv {
            sku_description: &row.sku_description,
            sku_id: row.sku_id.as_deref(),
            model: row.model.as_deref(),
            lane: row.lane.map(|lane| lane.name()),
            part: row.part.map(|part| part.name()),
            billed_quantity: row.billed_quantity.normalize().to_string(),
            computed_quantity: row.computed_quantity,
            billed_cost: row.billed_cost,
            computed_cost: row.computed_cost,
            difference: row.difference,
            status: match row.status {
                SkuStatus::Match => "match",
                SkuStatus::Drift => "drift",
                SkuStatus::UnmatchedSku => "unmatched_sku",
                SkuStatus::NotBilled => "not_billed",
            },
            gap: row.gap.map(|gap| match gap {
                crate::report::reconcile::Gap::Quantity => "quantity",
                crate::report::reconcile::Gap::Price => "price",
            }),
            card: self.card.key(),
            within_tolerance: within,
            complete,
            day: row.day.as_deref(),
        })
    }
}

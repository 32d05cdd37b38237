//! `reconcile` as CSV: one row per SKU (or mapping), unmatched SKU and
//! part not billed, then one per group of responses the card cannot price,
//! with the totals' verdict on every row.

use serde::Serialize;

use super::{CsvRows, versions_cell};
use crate::money::Money;
use crate::report::reconcile::{ReconcileReport, SkuStatus};

/// One SKU beside what was computed, or responses left out of both sides
/// (`not_priced`). Quantities are exact decimals (the bill's) or whole
/// counts (the responses'); an empty cell is none.
#[derive(Debug, Default, Serialize)]
pub struct SkuRowCsv<'a> {
    sku_description: &'a str,
    sku_id: Option<&'a str>,
    model: Option<&'a str>,
    lane: Option<&'static str>,
    part: Option<&'static str>,
    billed_quantity: Option<String>,
    computed_quantity: Option<u64>,
    /// Empty on a `not_priced` row: no bill row is set beside it.
    billed_cost: Option<Money>,
    computed_cost: Option<Money>,
    difference: Option<Money>,
    /// `match`, `drift`, `unmatched_sku`, `not_billed` or `not_priced`.
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
    /// is. This column and those after it came later, after the first
    /// ones, which keep their places.
    day: Option<&'a str>,
    /// On a `not_priced` row: every `modelVersion` the responses wrote,
    /// `(none)` for those naming none.
    model_versions: Option<String>,
    /// On a `not_priced` row: how many responses.
    responses: Option<u64>,
    /// On a `not_priced` row: why the card cannot price them.
    unpriced_reason: Option<&'a str>,
}

impl CsvRows for ReconcileReport {
    type Row<'a> = SkuRowCsv<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = SkuRowCsv<'_>> {
        let complete = self.malformed_bill_rows.is_empty() && self.responses_complete;
        let within = self.mismatch().is_none();
        let skus = self.rows.iter().map(move |row| SkuRowCsv {
            sku_description: &row.sku_description,
            sku_id: row.sku_id.as_deref(),
            model: row.model.as_deref(),
            lane: row.lane.map(|lane| lane.name()),
            part: row.part.map(|part| part.name()),
            billed_quantity: Some(row.billed_quantity.normalize().to_string()),
            computed_quantity: row.computed_quantity,
            billed_cost: Some(row.billed_cost),
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
            ..SkuRowCsv::default()
        });
        let unpriced = self.unpriced_responses.iter().map(move |unpriced| SkuRowCsv {
            lane: Some(unpriced.lane.name()),
            status: "not_priced",
            card: self.card.key(),
            within_tolerance: within,
            complete,
            day: unpriced.day.as_deref(),
            model_versions: Some(versions_cell(&unpriced.model_versions, unpriced.other_versions)),
            responses: Some(unpriced.responses),
            unpriced_reason: Some(&unpriced.reason),
            ..SkuRowCsv::default()
        });
        skus.chain(unpriced)
    }
}

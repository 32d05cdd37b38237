//! `estimate` as CSV: one row per size.

use serde::Serialize;

use super::CsvRows;
use crate::money::Money;
use crate::report::estimate::EstimateReport;

/// The requests of one size, naming the file, model, lane, basis and card.
/// The thinking columns are always there (0 and empty without
/// `--thinking-tokens`), and a cost the card cannot price is empty, with
/// the reason in `unpriced_reason`.
#[derive(Debug, Default, Serialize)]
pub struct SizeRow<'a> {
    file: &'a str,
    model: &'a str,
    size: &'static str,
    lane: &'static str,
    basis: &'static str,
    card: &'a str,
    status: &'static str,
    requests: u64,
    requests_without_size: u64,
    images: u64,
    image_unit_price: Money,
    image_cost: Money,
    prompt_tokens_estimated: u64,
    prompt_cost: Option<Money>,
    reference_images: u64,
    reference_cost: Option<Money>,
    thinking_tokens_estimated: u64,
    thinking_cost: Option<Money>,
    search_requests: u64,
    cost: Money,
    /// What the row's cost leaves out and why; empty when nothing.
    unpriced_reason: Option<&'a str>,
    /// Whether the estimate's total holds everything it can estimate.
    complete: bool,
}

impl CsvRows for EstimateReport {
    type Row<'a> = SizeRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = SizeRow<'_>> {
        let thinking = self.thinking_tokens > 0;
        self.rows.iter().map(move |row| SizeRow {
            file: &self.file,
            model: &self.model,
            size: row.size.api_value(),
            lane: self.lane.name(),
            basis: self.basis.name(),
            card: self.card.key(),
            status: self.status.name(),
            requests: row.requests,
            requests_without_size: row.requests_without_size,
            images: row.images,
            image_unit_price: row.image_unit_price,
            image_cost: row.image_cost,
            prompt_tokens_estimated: row.prompt_tokens_estimated,
            prompt_cost: row.prompt_cost,
            reference_images: row.reference_images,
            reference_cost: row.reference_cost,
            thinking_tokens_estimated: row.thinking_tokens_estimated,
            thinking_cost: row.thinking_cost.filter(|_| thinking),
            search_requests: row.search_requests,
            cost: row.cost,
            unpriced_reason: row.unpriced_reason.as_deref(),
            complete: self.total.complete,
        })
    }
}

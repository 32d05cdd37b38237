//! `budget` as CSV: one header with or without `--plan`.

use serde::Serialize;

use super::CsvRows;
use crate::card::PricedBy;
use crate::money::Money;
use crate::report::budget::BudgetReport;

/// A model × size × lane and what the amount buys of it; or, with `--plan`,
/// a plan line (`plan`, `line`, `percent` and its images) with the model
/// columns empty. Each names the amount, basis and card.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct FitRow<'a> {
    model: Option<&'a str>,
    size: Option<&'static str>,
    lane: Option<&'static str>,
    amount: Money,
    basis: &'static str,
    card: &'a str,
    days: Option<u64>,
    thinking_tokens: Option<u64>,
    status: Option<&'static str>,
    priced_by: Option<&'a str>,
    unit_price: Option<Money>,
    thinking_unit_price: Option<Money>,
    /// Images the amount buys, or a plan line's images a month.
    images: u64,
    images_per_day: Option<u64>,
    spent: Option<Money>,
    left_over: Option<Money>,
    /// The plan file.
    plan: Option<&'a str>,
    line: Option<&'a str>,
    /// The whole percent of the plan that fits.
    percent: Option<u64>,
    /// What the row's price leaves out and why; empty when nothing.
    unpriced_reason: Option<&'a str>,
    /// Whether every figure of the report holds every part asked for:
    /// `false` means the amount buys less than the rows say.
    complete: bool,
    /// A plan line's images generated a month (its own, those escalated
    /// to it and the retries); empty on a model row.
    generated: Option<u64>,
}

impl CsvRows for BudgetReport {
    type Row<'a> = FitRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = FitRow<'_>> {
        let common = FitRow {
            amount: self.amount,
            basis: self.basis.name(),
            card: self.card.key(),
            days: self.days,
            thinking_tokens: self.thinking_tokens,
            complete: self.complete,
            ..FitRow::default()
        };
        let models = self.rows.iter().map(move |row| FitRow {
            model: Some(&row.model),
            size: Some(row.size.api_value()),
            lane: Some(row.lane.name()),
            status: Some(row.status.name()),
            priced_by: Some(&row.priced_by),
            // The card whose figures these are.
            card: PricedBy::key_or(row.priced_by_card.as_ref(), self.card.key()),
            unit_price: Some(row.unit_price),
            thinking_unit_price: row.thinking_unit_price.flatten(),
            images: row.images,
            images_per_day: row.images_per_day,
            spent: Some(row.spent),
            left_over: Some(row.left_over),
            unpriced_reason: row.unpriced_reason.as_deref(),
            ..common
        });
        let lines = self.plan.iter().flat_map(move |fit| {
            fit.lines.iter().map(move |line| FitRow {
                images: line.images_per_month,
                images_per_day: line.images_per_day,
                generated: Some(line.generated),
                // The card whose figures these are.
                card: PricedBy::key_or(line.priced_by_card.as_ref(), self.card.key()),
                plan: Some(&fit.source),
                line: Some(&line.name),
                percent: Some(fit.percent),
                ..common
            })
        });
        models.chain(lines)
    }
}

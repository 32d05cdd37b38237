//! How the `reconcile` report is laid out for the table and Markdown
//! renderers: the bills, then each SKU's quantities and money side by side,
//! then what is no usage.

use super::batch::malformed_table;
use super::tally::listed_versions;
use crate::count::counted;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::reconcile::*;
use crate::report::{Outcome, Verdict};

/// A quantity as people read it: whole numbers grouped, fractions exact.
fn quantity(value: rust_decimal::Decimal) -> Cell {
    match u64::try_from(value.normalize()) {
        Ok(whole) if value.fract().is_zero() => Cell::Count(whole),
        _ => Cell::text(value.normalize().to_string()),
    }
}

fn status_text(row: &SkuRow) -> String {
    match (row.status, row.gap) {
        (SkuStatus::Match, _) => "match".into(),
        (SkuStatus::Drift, Some(Gap::Quantity)) => "drift: qty".into(),
        (SkuStatus::Drift, _) => "drift: price".into(),
        (SkuStatus::UnmatchedSku, _) => "unmatched".into(),
        (SkuStatus::NotBilled, _) => "not billed".into(),
    }
}

/// The first few of `items`, `; `-joined, and how many more there are;
/// `None` for none.
fn named_first(items: &[String]) -> Option<String> {
    const SHOWN: usize = 5;
    let first = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("; ");
    match items.len() {
        0 => None,
        count if count > SHOWN => Some(format!("{first} and {} more", count - SHOWN)),
        _ => Some(first),
    }
}

impl Report for ReconcileReport {
    const KIND: &'static str = "reconcile";

    fn document(&self) -> Document {
        let currency = &self.card.currency;
        let total = &self.total;
        let mut facts: Vec<(String, String)> = self
            .bills
            .iter()
            .map(|bill| {
                let format = match bill.format {
                    crate::bill::BillFormat::ConsoleCsv => "console report CSV",
                    crate::bill::BillFormat::ExportJsonl => "billing export, JSON lines",
                };
                (
                    "bill".to_string(),
                    format!("{} ({format}, {})", bill.file, counted(bill.rows, "Gemini row", "Gemini rows")),
                )
            })
            .collect();
        facts.push(("compared".into(), self.compared.clone()));
        facts.push((
            "tolerance".into(),
            format!("{}% of the larger side", self.tolerance_percent.normalize()),
        ));
        facts.push((
            "billed".into(),
            format!(
                "{} (exactly {}) in usage; computed {} (exactly {}); difference {}",
                currency.total(total.billed_cost),
                total.billed_cost.plain(),
                currency.total(total.computed_cost),
                total.computed_cost.plain(),
                currency.unit(total.difference),
            ),
        ));
        facts.push((
            "not usage".into(),
            format!(
                "credits {}, tax {}, adjustments {}, other {}; the bill nets {}",
                currency.unit(total.credits),
                currency.unit(total.tax),
                currency.unit(total.adjustments),
                currency.unit(total.other),
                currency.unit(total.net),
            ),
        ));
        facts.push(("rate card".into(), self.card.summary()));
        let day_column = self.per_day.then(|| Column::new("day"));
        let mut tables = vec![Table {
            title: None,
            columns: day_column
                .into_iter()
                .chain([
                    Column::new("model"),
                    Column::new("part"),
                    // Quantities first: a gap there is metering, and at 80
                    // columns they stay where the money goes. Day by day,
                    // the day takes their room: the difference stays, and
                    // the status says which side differs.
                    Column::new("lane").optional(1),
                    Column::new("billed qty").optional(if self.per_day { 2 } else { 4 }),
                    Column::new("computed qty").optional(if self.per_day { 2 } else { 4 }),
                    Column::new("billed").optional(3),
                    Column::new("computed").optional(3),
                    Column::new("difference").optional(if self.per_day { 4 } else { 2 }),
                    Column::new("status"),
                ])
                .collect(),
            rows: self
                .rows
                .iter()
                .map(|row| {
                    let day = self.per_day.then(|| Cell::text(row.day.as_deref().unwrap_or("no day")));
                    day.into_iter()
                        .chain([
                            Cell::text(match (&row.model, row.status) {
                                (Some(model), _) => model.clone(),
                                (None, SkuStatus::UnmatchedSku) => row.sku_description.clone(),
                                (None, _) => "every model".to_string(),
                            }),
                            Cell::text(row.part.map_or("", |part| part.name())),
                            Cell::text(row.lane.map_or("", |lane| lane.name())),
                            quantity(row.billed_quantity),
                            row.computed_quantity.map_or(Cell::Empty, Cell::Count),
                            Cell::unit(row.billed_cost),
                            match (row.computed_cost, row.status) {
                                (Some(cost), _) => Cell::unit(cost),
                                (None, SkuStatus::UnmatchedSku) => Cell::Empty,
                                (None, _) => Cell::text("not priced"),
                            },
                            row.difference.map_or(Cell::Empty, Cell::unit),
                            Cell::text(status_text(row)),
                        ])
                        .collect()
                })
                .collect(),
        }];
        if !self.left_out_days.is_empty() {
            tables.push(Table {
                title: Some("Days left out: the bill may still revise them (--settle-days)".into()),
                columns: vec![Column::new("day"), Column::new("billed so far"), Column::new("computed")],
                rows: self
                    .left_out_days
                    .iter()
                    .map(|day| {
                        vec![
                            Cell::text(&day.day),
                            Cell::unit(day.billed_cost),
                            day.computed_cost.map_or(Cell::text("not priced"), Cell::unit),
                        ]
                    })
                    .collect(),
            });
        }
        if !self.unpriced_responses.is_empty() {
            let mut columns = vec![Column::new("model version"), Column::new("lane")];
            if self.per_day {
                columns.insert(0, Column::new("day"));
            }
            columns.extend([Column::new("responses"), Column::new("why")]);
            tables.push(Table {
                title: Some("Responses not priced: in no row and no total".into()),
                columns,
                rows: self
                    .unpriced_responses
                    .iter()
                    .map(|unpriced| {
                        let versions = listed_versions(&unpriced.model_versions, unpriced.other_versions);
                        let mut row = vec![
                            Cell::text(versions),
                            Cell::text(unpriced.lane.name()),
                            Cell::Count(unpriced.responses),
                            Cell::text(&unpriced.reason),
                        ];
                        if self.per_day {
                            row.insert(0, Cell::text(unpriced.day.as_deref().unwrap_or("no day")));
                        }
                        row
                    })
                    .collect(),
            });
        }
        if !self.malformed_response_lines.is_empty() {
            tables.push(malformed_table(
                "Response lines that could not be read (in no row and no total)",
                &self.malformed_response_lines,
                false,
            ));
        }
        // Each SKU once, though a day-by-day comparison bills it each day.
        let mut skus: Vec<&SkuRow> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for row in self.rows.iter().filter(|row| !row.sku_description.is_empty()) {
            if seen.insert((&row.sku_description, &row.sku_id)) {
                skus.push(row);
            }
        }
        if !skus.is_empty() {
            tables.push(Table {
                title: Some("SKUs".into()),
                columns: vec![Column::new("SKU"), Column::new("SKU ID").optional(1), Column::new("maps to")],
                rows: skus
                    .iter()
                    .map(|row| {
                        let maps = match (&row.model, row.part, row.lane) {
                            (model, Some(part), Some(lane)) => {
                                format!("{} {part} {lane}", model.as_deref().unwrap_or("every model"))
                            }
                            _ => "nothing: add a [[sku]] rule".to_string(),
                        };
                        vec![
                            Cell::text(&row.sku_description),
                            row.sku_id.as_deref().map_or(Cell::Empty, Cell::text),
                            Cell::text(maps),
                        ]
                    })
                    .collect(),
            });
        }
        if !self.malformed_bill_rows.is_empty() {
            tables.push(Table {
                title: Some("Bill rows that could not be read (the reconciliation is incomplete)".into()),
                columns: vec![Column::new("file"), Column::new("line"), Column::new("reason")],
                rows: self
                    .malformed_bill_rows
                    .iter()
                    .map(|bad| vec![Cell::text(&bad.file), Cell::Count(bad.line), Cell::text(&bad.reason)])
                    .collect(),
            });
        }
        // Each advice once (the rows share a few fixed ones); unmatched
        // SKUs, which may be many, in one note unless there is one.
        let mut notes: Vec<String> = Vec::new();
        let unmatched: Vec<&SkuRow> =
            self.rows.iter().filter(|row| row.status == SkuStatus::UnmatchedSku).collect();
        let advice =
            self.rows.iter().filter(|row| row.status != SkuStatus::UnmatchedSku || unmatched.len() == 1);
        for note in advice.filter_map(|row| row.note.as_ref()) {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        if unmatched.len() > 1 {
            notes.push(format!(
                "{} no [[sku]] rule maps are listed with their cost: add a rule for each to a card of your own (pattern, model, lane, part); JSON `rows[].note` gives each pattern.",
                counted(unmatched.len() as u64, "SKU", "SKUs")
            ));
        }
        for bill in &self.bills {
            if let Some(shown) = named_first(&bill.other_services) {
                notes.push(format!("{} also bills, not read: {shown}.", bill.file));
            }
        }
        if let Some(left_out) = self.responses_left_out() {
            notes
                .push(format!("The responses are incomplete: {left_out}. `nbcost tally` on them says more."));
        }
        let verdict = match (self.verdict(), self.left_out().is_empty()) {
            (Verdict::Pass, _) => "matches",
            (Verdict::Incomplete(_), _) => "cannot be compared in full (INCOMPLETE)",
            (_, true) => "does not match",
            (_, false) => "does not match, INCOMPLETE",
        };
        Document {
            title: format!(
                "Reconcile: the bill {verdict} ({} billed, {} computed)",
                currency.total(total.billed_cost),
                currency.total(total.computed_cost)
            ),
            facts,
            tables,
            notes,
            currency: currency.clone(),
        }
    }
}

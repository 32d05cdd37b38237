//! How the `budget` report is laid out for the table and Markdown renderers.

use crate::count::grouped;
use crate::money::{Currency, Money};
use crate::plan::GOOGLE;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::budget::*;

impl Report for BudgetReport {
    const KIND: &'static str = "budget";

    fn document(&self) -> Document {
        let currency = &self.card.currency;
        let mut facts = vec![("amount".to_string(), currency.unit(self.amount))];
        if let Some(days) = self.days {
            facts.push(("days".to_string(), format!("{days} (images a day, rounded down)")));
        }
        facts.push(("basis".to_string(), self.basis.to_string()));
        if let Some(tokens) = self.thinking_tokens {
            facts.push((
                "thinking".to_string(),
                format!(
                    "{} tokens an image (estimate), at each lane's text output rate, in every Google per-image price",
                    grouped(tokens)
                ),
            ));
        }
        facts.push(("rate card".to_string(), self.card.summary()));
        let mut notes = Vec::new();
        if self.plan.is_none() {
            notes.push(
                "Whole images only, rounded down: one more image would cost more than the amount."
                    .to_string(),
            );
        }
        let table = match &self.plan {
            Some(fit) => {
                facts.insert(0, ("plan".to_string(), fit.source.clone()));
                facts.push(("fits".to_string(), format!("{}% of the plan's volumes", grouped(fit.percent))));
                facts.push(("costs".to_string(), format!("{} a month", currency.unit(fit.total))));
                facts.push(("left over".to_string(), currency.unit(fit.left_over)));
                // One more image of some line may still fit; the plan's mix
                // grows only by whole percents of every line at once.
                notes.push(format!(
                    "Whole percents of the plan only, rounded down: the next, {}% of the plan, would cost {}, more than the amount. Line volumes are scaled by that percent and rounded down to whole images.",
                    grouped(fit.percent + 1),
                    currency.unit(fit.next_percent_total)
                ));
                plan_table(fit, self.days.is_some())
            }
            None => rows_table(&self.rows, self.amount, self.days.is_some(), currency),
        };
        for skip in &self.skipped {
            notes.push(format!("Left out: {} ({}).", skip.reason, skip.model));
        }
        if self.rows.iter().any(|row| row.priced_by != GOOGLE) {
            notes.push("Rows priced by a provider use that provider's own per-image price from the card's routes, not Google's.".into());
        }
        for name in &self.always_thinking {
            notes.push(format!(
                "{name} always thinks and is billed for it at the text output rate: thinking is not included, so the amount buys fewer images than shown (give --thinking-tokens N per image to price an estimate)."
            ));
        }
        if self.thinking_tokens.is_some() && self.rows.iter().any(|row| row.priced_by != GOOGLE) {
            notes.push(
                "Provider rows are the provider's per-image price alone: thinking is not added to them."
                    .into(),
            );
        }
        for row in self.rows.iter().filter(|row| row.thinking_unpriced) {
            notes.push(format!(
                "INCOMPLETE: {} {} on {}: the rate card gives no {} text output rate, so thinking is not priced and the amount buys fewer images than shown.",
                row.model, row.size, row.lane, row.lane
            ));
        }
        if self.rows.iter().any(|row| row.thinking_unpriced) {
            notes.push(format!("To price it, add the missing rates to {}.", crate::card::ADD_TO_A_CARD));
        }
        if !self.complete && self.plan.is_some() {
            notes.push(format!("INCOMPLETE: the plan's reference images on a model without input_image_tokens in the rate card are not priced, so the amount buys less than shown; add it to {}.", crate::card::ADD_TO_A_CARD));
        }
        let title = match &self.plan {
            Some(fit) => format!(
                "Budget: {} buys {}% of {}",
                currency.total(self.amount),
                grouped(fit.percent),
                fit.name.as_deref().unwrap_or(&fit.source)
            ),
            None => format!("Budget: what {} buys", currency.total(self.amount)),
        } + if self.complete { "" } else { " (INCOMPLETE)" };
        Document { title, facts, tables: vec![table], notes, currency: currency.clone() }
    }
}

fn rows_table(rows: &[BudgetRow], amount: Money, per_day: bool, currency: &Currency) -> Table {
    let mut columns = vec![
        Column::new("model"),
        Column::new("size"),
        Column::new("lane"),
        Column::new("priced by").optional(1),
        Column::new("per image"),
        Column::new("images"),
    ];
    if per_day {
        columns.push(Column::new("a day").optional(3));
    }
    columns.extend([Column::new("spent").optional(2), Column::new("left over").optional(1)]);
    let rows = rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell::text(&row.model_name),
                Cell::text(row.size.api_value()),
                Cell::text(row.lane.name()),
                Cell::text(if row.priced_by == GOOGLE {
                    row.priced_by.clone()
                } else {
                    format!("{} (provider)", row.priced_by)
                }),
                if row.grade == crate::card::Grade::Derived && row.priced_by == GOOGLE {
                    Cell::text(format!("{} (derived)", currency.unit(row.unit_price)))
                } else {
                    Cell::unit(row.unit_price)
                },
                Cell::Count(row.images),
            ];
            if per_day {
                cells.push(row.images_per_day.map_or(Cell::Empty, Cell::Count));
            }
            // Spent and left over add up to the amount: to the cent where
            // their cents still do, else every digit.
            let exact = !Money::sum_in_cents(&[row.spent, row.left_over], amount);
            let cell = |money: Money| if exact { Cell::unit(money) } else { Cell::money(money) };
            cells.extend([cell(row.spent), cell(row.left_over)]);
            cells
        })
        .collect();
    Table { title: None, columns, rows }
}

fn plan_table(fit: &PlanFit, per_day: bool) -> Table {
    let mut columns = vec![Column::new("line"), Column::new("images a month")];
    if per_day {
        columns.push(Column::new("a day"));
    }
    columns.push(Column::new("generated"));
    let rows = fit
        .lines
        .iter()
        .map(|line| {
            let mut cells = vec![Cell::text(&line.name), Cell::Count(line.images_per_month)];
            if per_day {
                cells.push(line.images_per_day.map_or(Cell::Empty, Cell::Count));
            }
            cells.push(Cell::Count(line.generated));
            cells
        })
        .collect();
    Table { title: None, columns, rows }
}

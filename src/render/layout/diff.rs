//! How the `diff` report is laid out for the table and Markdown renderers.

use crate::money::{Currency, Money};
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::diff::*;

impl Report for DiffReport {
    const KIND: &'static str = "diff";

    fn document(&self) -> Document {
        // The two cards price in one currency: `diff` refuses two.
        let currency = &self.old.currency;
        let mut facts = vec![
            ("old card".to_string(), format!("{}: {}", self.old.name, self.old.summary())),
            ("new card".to_string(), format!("{}: {}", self.new.name, self.new.summary())),
            (
                "changes".to_string(),
                format!("{} prices, {} model changes", self.changes.len(), self.models.len()),
            ),
        ];
        let mut tables = vec![Table {
            title: Some("Prices".into()),
            columns: vec![
                Column::new("subject"),
                Column::new("price"),
                // Whether the price changed, was added or removed: what
                // makes an empty `old` or `new` read right.
                Column::new("change"),
                Column::new("old"),
                Column::new("new"),
                Column::new("difference").optional(1),
            ],
            rows: self
                .changes
                .iter()
                .map(|change| {
                    vec![
                        Cell::text(&change.subject),
                        Cell::text(&change.item),
                        Cell::text(change.kind.name()),
                        change.old.map_or(Cell::Empty, Cell::unit),
                        change.new.map_or(Cell::Empty, Cell::unit),
                        change.change.map_or(Cell::Empty, Cell::unit),
                    ]
                })
                .collect(),
        }];
        if !self.models.is_empty() {
            tables.push(Table {
                title: Some("Models".into()),
                columns: vec![Column::new("model"), Column::new("change"), Column::new("detail")],
                rows: self
                    .models
                    .iter()
                    .map(|change| {
                        vec![
                            Cell::text(&change.model),
                            Cell::text(match change.kind {
                                ModelChangeKind::Renamed => "renamed",
                                ModelChangeKind::Added => "added",
                                ModelChangeKind::Removed => "removed",
                                ModelChangeKind::LaneAdded => "lane added",
                                ModelChangeKind::LaneRemoved => "lane removed",
                                ModelChangeKind::Lifecycle => "lifecycle",
                            }),
                            Cell::text(&change.detail),
                        ]
                    })
                    .collect(),
            });
        }
        let mut notes = Vec::new();
        if self.changes.is_empty() {
            notes.push("The two cards hold the same prices.".to_string());
        }
        if self.changes.iter().any(|change| change.subject.starts_with("route ")) {
            notes.push("A route's figures are its provider's own prices, not Google's.".into());
        }
        if let Some(plan) = &self.plan {
            facts.push(("plan".to_string(), plan.source.clone()));
            // To the cent, unless the rounded figures would not add up
            // (down the columns, or old to new along a row): then every digit.
            let column = |pick: fn(&crate::report::diff::LineDiff) -> Money, total: Money| {
                Money::sum_in_cents(&plan.lines.iter().map(pick).collect::<Vec<_>>(), total)
            };
            let cents = column(|line| line.old_total, plan.old_total)
                && column(|line| line.new_total, plan.new_total)
                && column(|line| line.change, plan.change)
                && Money::difference_in_cents(plan.new_total, plan.old_total, plan.change)
                && plan
                    .lines
                    .iter()
                    .all(|line| Money::difference_in_cents(line.new_total, line.old_total, line.change));
            let cell = |amount: Money| if cents { Cell::money(amount) } else { Cell::unit(amount) };
            facts.push((
                "monthly total".to_string(),
                format!(
                    "{} → {} ({})",
                    currency.total_if(plan.old_total, cents),
                    currency.total_if(plan.new_total, cents),
                    signed(currency, plan.change, cents)
                ),
            ));
            let mut rows: Vec<Vec<Cell>> = plan
                .lines
                .iter()
                .map(|line| {
                    vec![
                        Cell::text(&line.name),
                        cell(line.old_total),
                        cell(line.new_total),
                        cell(line.change),
                    ]
                })
                .collect();
            rows.push(vec![
                Cell::text("total"),
                cell(plan.old_total),
                cell(plan.new_total),
                cell(plan.change),
            ]);
            tables.push(Table {
                title: Some(format!("Plan: {}", plan.name.as_deref().unwrap_or(&plan.source))),
                columns: vec![
                    Column::new("line"),
                    Column::new("old card"),
                    Column::new("new card"),
                    Column::new("change"),
                ],
                rows,
            });
        }
        Document {
            title: format!("Rate card diff: {} → {}", self.old.dated, self.new.dated),
            facts,
            tables,
            notes,
            currency: currency.clone(),
        }
    }
}

fn signed(currency: &Currency, amount: Money, to_the_cent: bool) -> String {
    if !amount.is_negative() && !amount.is_zero() {
        format!("+{}", currency.total_if(amount, to_the_cent))
    } else {
        currency.total_if(amount, to_the_cent)
    }
}

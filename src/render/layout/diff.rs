//! How the `diff` report is laid out for the table, CSV and Markdown renderers.

use crate::money::Money;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::diff::*;

impl Report for DiffReport {
    const KIND: &'static str = "diff";

    fn document(&self) -> Document {
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
                Column::new("subject", "subject"),
                Column::new("price", "item"),
                Column::new("change", "kind").optional(1),
                Column::new("old", "old"),
                Column::new("new", "new"),
                Column::new("difference", "change"),
            ],
            rows: self
                .changes
                .iter()
                .map(|change| {
                    vec![
                        Cell::text(&change.subject),
                        Cell::text(&change.item),
                        Cell::text(match change.kind {
                            ChangeKind::Changed => "changed",
                            ChangeKind::Added => "added",
                            ChangeKind::Removed => "removed",
                        }),
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
                columns: vec![
                    Column::new("model", "model"),
                    Column::new("change", "kind"),
                    Column::new("detail", "detail"),
                ],
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
            facts.push((
                "monthly total".to_string(),
                format!(
                    "{} → {} ({})",
                    plan.old_total.dollars(),
                    plan.new_total.dollars(),
                    signed(plan.change)
                ),
            ));
            let mut rows: Vec<Vec<Cell>> = plan
                .lines
                .iter()
                .map(|line| {
                    vec![
                        Cell::text(&line.name),
                        Cell::money(line.old_total),
                        Cell::money(line.new_total),
                        Cell::money(line.change),
                    ]
                })
                .collect();
            rows.push(vec![
                Cell::text("total"),
                Cell::money(plan.old_total),
                Cell::money(plan.new_total),
                Cell::money(plan.change),
            ]);
            tables.push(Table {
                title: Some(format!("Plan: {}", plan.name.as_deref().unwrap_or(&plan.source))),
                columns: vec![
                    Column::new("line", "line"),
                    Column::new("old card", "old_total"),
                    Column::new("new card", "new_total"),
                    Column::new("change", "change"),
                ],
                rows,
            });
        }
        Document {
            title: format!("Rate card diff: {} → {}", self.old.dated, self.new.dated),
            facts,
            tables,
            notes,
        }
    }
}

fn signed(amount: Money) -> String {
    if !amount.is_negative() && !amount.is_zero() {
        format!("+{}", amount.dollars())
    } else {
        amount.dollars()
    }
}

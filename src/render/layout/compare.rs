//! How the `compare` report is laid out for the table and Markdown renderers.

use crate::card::{Grade, Status};
use crate::count::grouped;
use crate::pricing::Basis;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::compare::*;

/// A model's name with its status where it is not active.
fn with_status(name: &str, status: Status) -> String {
    match status {
        Status::Active => name.to_string(),
        other => format!("{name} ({})", other.name()),
    }
}

impl Report for CompareReport {
    const KIND: &'static str = "compare";

    fn document(&self) -> Document {
        let currency = &self.card.currency;
        let mut columns = vec![
            Column::new("model"),
            Column::new("size"),
            Column::new("lane"),
            Column::new("per image"),
            Column::new("tokens").optional(1),
            Column::new("vs baseline").optional(2),
        ];
        for (index, count) in self.counts.iter().enumerate() {
            let noun = if *count == 1 { "image" } else { "images" };
            let column = Column::new(format!("{} {noun}", grouped(*count)));
            // The first volume's total stays, so that a narrow table still says what the row costs.
            columns.push(if index == 0 { column } else { column.optional(3) });
        }
        let rows = self
            .rows
            .iter()
            .map(|row| {
                let mut cells = vec![
                    Cell::text(with_status(&row.model_name, row.status)),
                    Cell::text(row.size.api_value()),
                    Cell::text(row.lane.name()),
                    if row.grade == Grade::Derived {
                        Cell::text(format!("{} (derived)", currency.unit(row.unit_price)))
                    } else {
                        Cell::unit(row.unit_price)
                    },
                    Cell::Count(row.output_tokens),
                    Cell::Ratio(row.ratio_to_baseline),
                ];
                cells.extend(row.totals.iter().map(|t| Cell::money(t.total)));
                cells
            })
            .collect();
        let basis = match self.basis {
            Basis::List => "published per-image prices",
            Basis::Tokens => "tokens × per-1M-token rates",
        };
        let baseline_name = self
            .rows
            .iter()
            .find(|row| row.model == self.baseline.model)
            .map_or(self.baseline.model.clone(), |row| row.model_name.clone());
        let mut facts = vec![
            ("basis".to_string(), format!("{} ({basis})", self.basis)),
            (
                "baseline".to_string(),
                format!(
                    "{} {} {} at {} per image",
                    baseline_name,
                    self.baseline.size,
                    self.baseline.lane,
                    currency.unit(self.baseline.unit_price)
                ),
            ),
            ("rate card".to_string(), self.card.summary()),
        ];
        if let Some(tokens) = self.thinking_tokens {
            facts.insert(
                2,
                (
                    "thinking".to_string(),
                    format!(
                        "{} tokens an image (estimate), at each lane's text output rate, in every per-image price and total",
                        grouped(tokens)
                    ),
                ),
            );
        }
        let mut notes = Vec::new();
        match &self.cheapest {
            Some(cheapest) => {
                let passed: Vec<String> = cheapest
                    .passed_over
                    .iter()
                    .map(|model| format!("{} ({})", model.model, model.status.name()))
                    .collect();
                let skipped = if passed.is_empty() {
                    String::new()
                } else {
                    format!(" Cheaper rows of retired models are passed over: {}.", passed.join(", "))
                };
                notes.push(format!(
                    "Cheapest per image: {} {} on {} at {}.{skipped}",
                    cheapest.model_name,
                    cheapest.size,
                    cheapest.lane,
                    currency.unit(cheapest.unit_price)
                ));
            }
            None if self.rows.iter().all(|row| row.status.is_retired()) => {
                notes.push("No recommendation: every model compared is shut down or disputed.".into())
            }
            None => notes.push(
                "No recommendation: no row of a model still in use has its price whole (see INCOMPLETE below)."
                    .into(),
            ),
        }
        if self.rows.iter().any(|row| row.grade == Grade::Derived) {
            notes.push(
                "A derived price is output tokens × the lane's rate: no per-image price is published for it."
                    .into(),
            );
        }
        for name in &self.always_thinking {
            notes.push(format!(
                "{name} always thinks and is billed for it at the text output rate: thinking is not included (give --thinking-tokens N per image to price an estimate)."
            ));
        }
        for unpriced in &self.unpriced {
            notes.push(format!(
                "INCOMPLETE: the {} is not priced: {}; its price is the image alone and it is never recommended.",
                unpriced.part, unpriced.reason
            ));
        }
        if !self.unpriced.is_empty() {
            notes.push(format!("To price it, add the missing rates to {}.", crate::card::ADD_TO_A_CARD));
        }
        for skip in &self.skipped {
            notes.push(format!("Skipped: {} has no {} {}.", skip.model, skip.missing, skip.value));
        }
        let mut tables = vec![Table { title: None, columns, rows }];
        if !self.routes.is_empty() {
            notes.push("Provider routes are each provider's own prices from the card, not Google's.".into());
            tables.push(Table {
                title: Some("Provider routes beside Google's official price".into()),
                columns: vec![
                    Column::new("provider"),
                    Column::new("model"),
                    Column::new("size"),
                    Column::new("lane"),
                    Column::new("provider's price"),
                    Column::new("Google's price").optional(2),
                    Column::new("difference").optional(1),
                ],
                rows: self
                    .routes
                    .iter()
                    .map(|route| {
                        let owner = match &route.name {
                            Some(name) => format!("{} ({name})", route.owner),
                            None => route.owner.clone(),
                        };
                        vec![
                            Cell::text(format!("{owner}, provider's price")),
                            Cell::text(&route.model),
                            Cell::text(route.size.api_value()),
                            Cell::text(route.lane.name()),
                            Cell::unit(route.provider_price),
                            Cell::unit(route.google_price),
                            Cell::unit(route.difference),
                        ]
                    })
                    .collect(),
            });
        }
        Document {
            title: format!(
                "Compare: {} prices, {} rows{}",
                self.basis,
                self.rows.len(),
                if self.unpriced.is_empty() { "" } else { " (INCOMPLETE)" }
            ),
            facts,
            tables,
            notes,
            currency: currency.clone(),
        }
    }
}

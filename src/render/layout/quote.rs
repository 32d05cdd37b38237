//! How the `quote` report is laid out for the table and Markdown renderers.

use crate::card::Grade;
use crate::count::grouped;
use crate::lane::Lane;
use crate::money::Money;
use crate::pricing::Basis;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::quote::*;

impl Report for QuoteReport {
    const KIND: &'static str = "quote";

    fn document(&self) -> Document {
        let currency = &self.card.currency;
        let noun = if self.count == 1 { "image" } else { "images" };
        let mut facts = vec![
            ("model".to_string(), format!("{} ({})", self.model, self.model_name)),
            ("status".to_string(), self.lifecycle.summary()),
            (
                "size".to_string(),
                if self.size_is_default {
                    format!("{} (the model's default: no --size given)", self.size)
                } else {
                    self.size.to_string()
                },
            ),
            ("count".to_string(), format!("{} {noun}", grouped(self.count))),
            (
                "basis".to_string(),
                match self.basis {
                    Basis::List => "list: Google's published per-image price".to_string(),
                    Basis::Tokens => format!(
                        "tokens: {} image output tokens × the per-1M-token rate",
                        grouped(self.output_tokens)
                    ),
                },
            ),
            ("rate card".to_string(), self.card.summary()),
        ];
        if let Some(by) = &self.priced_by {
            facts.push(("priced by".to_string(), by.fact(&self.model, &self.card.dated)));
        }
        if let Some(typed) = &self.requested_as {
            let how = if self.lifecycle.successor.as_deref() == Some(typed.as_str()) {
                "the successor's ID; it keeps these prices"
            } else {
                "an alias"
            };
            facts[0].1.push_str(&format!(", named as `{typed}` ({how})"));
        }
        if let Some(budget) = &self.budget {
            facts.push((
                "budget".to_string(),
                format!("{} (the total on {})", budget.check.summary(), budget.lane),
            ));
        }
        // Totals to the cent, unless a saving would then not be the
        // difference of the totals shown beside it, or a lane's parts in the
        // breakdown would not add up to its total: then every digit.
        let standard_total = self.quotes.iter().find(|q| q.lane == Lane::Standard).map(|q| q.total);
        let cents = self.quotes.iter().all(|quote| match (standard_total, quote.saving_vs_standard) {
            (Some(standard), Some(saving)) => Money::difference_in_cents(standard, quote.total, saving),
            _ => true,
        }) && self.quotes.iter().all(|quote| {
            Money::parts_in_cents(&quote.components.iter().map(|c| c.total).collect::<Vec<_>>(), quote.total)
        });
        let total_cell = |amount: Money| if cents { Cell::money(amount) } else { Cell::unit(amount) };
        let mut tables = vec![Table {
            title: None,
            columns: vec![
                Column::new("lane"),
                Column::new("per image"),
                Column::new("total"),
                Column::new("saving vs standard").optional(2),
                Column::new("grade").optional(1),
            ],
            rows: self
                .quotes
                .iter()
                .map(|quote| {
                    vec![
                        Cell::text(quote.lane.name()),
                        Cell::unit(quote.unit_price),
                        total_cell(quote.total),
                        quote.saving_vs_standard.map_or(Cell::Empty, total_cell),
                        Cell::text(quote.grade.name()),
                    ]
                })
                .collect(),
        }];
        let extras = self.quotes.iter().any(|quote| quote.components.len() > 1 || !quote.unpriced.is_empty());
        if extras {
            tables.push(Table {
                title: Some("Breakdown".to_string()),
                columns: vec![
                    Column::new("lane"),
                    Column::new("component"),
                    Column::new("tokens per image").optional(1),
                    Column::new("per image"),
                    Column::new("total"),
                ],
                rows: self
                    .quotes
                    .iter()
                    .flat_map(|quote| {
                        let priced = quote.components.iter().map(|c| {
                            vec![
                                Cell::text(quote.lane.name()),
                                Cell::text(c.component.label()),
                                Cell::Count(c.tokens),
                                Cell::unit(c.unit_price),
                                total_cell(c.total),
                            ]
                        });
                        let unpriced = quote.unpriced.iter().map(|part| {
                            vec![
                                Cell::text(quote.lane.name()),
                                Cell::text(&part.part),
                                Cell::Empty,
                                Cell::text("not priced"),
                                Cell::text("not priced"),
                            ]
                        });
                        priced.chain(unpriced)
                    })
                    .collect(),
            });
        }
        let mut notes = Vec::new();
        let standard = self.quotes.iter().find(|q| q.lane == Lane::Standard);
        for quote in &self.quotes {
            if let (Some(saving), Some(standard)) = (quote.saving_vs_standard, standard)
                && let Some(share) = saving.percent_of(standard.total)
            {
                notes.push(if saving.is_negative() {
                    format!(
                        "{} costs {} ({}) more than standard.",
                        quote.lane,
                        currency.total_if(Money::ZERO.minus(saving).unwrap_or(saving), cents),
                        crate::render::human(&Cell::Percent(-share), currency)
                    )
                } else {
                    format!(
                        "{} saves {} ({}) against standard.",
                        quote.lane,
                        currency.total_if(saving, cents),
                        crate::render::human(&Cell::Percent(share), currency)
                    )
                });
            }
        }
        for quote in self.quotes.iter().filter(|quote| quote.grade == Grade::Derived) {
            notes.push(format!(
                "{}: no per-image price is published; derived from {} image output tokens × the lane's per-1M rate.",
                quote.lane,
                grouped(self.output_tokens)
            ));
        }
        for unpriced in &self.unpriced {
            notes.push(format!(
                "INCOMPLETE: every total leaves out the {}: {}; add it to {}.",
                unpriced.part,
                unpriced.reason,
                crate::card::ADD_TO_A_CARD
            ));
        }
        if self.thinking_not_included {
            notes.push(format!(
                "{} always thinks and is billed for it at the text output rate: thinking is not included (give --thinking-tokens N per image to price an estimate).",
                self.model_name
            ));
        } else if self.thinking_tokens > 0 {
            notes.push(
                "Thinking is an estimate (--thinking-tokens), billed at the lane's text output rate.".into(),
            );
        }
        if self.basis == Basis::List {
            notes.push(
                "List prices are the published per-image figures, which are rounded; Google bills tokens (see --basis tokens).".into(),
            );
        }
        Document {
            title: format!(
                "Quote: {} {} {noun} with {}{}",
                grouped(self.count),
                self.size,
                self.model_name,
                if self.complete { "" } else { " (INCOMPLETE)" }
            ),
            facts,
            tables,
            notes,
            currency: currency.clone(),
        }
    }
}

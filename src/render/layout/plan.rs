//! How the `plan` report is laid out for the table and Markdown renderers.

use rust_decimal::Decimal;

use crate::count::grouped;
use crate::money::Money;
use crate::plan::GOOGLE;
use crate::pricing::Basis;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::plan::*;

impl Report for PlanReport {
    const KIND: &'static str = "plan";

    fn document(&self) -> Document {
        let currency = &self.card.currency;
        let title = self.plan.name.as_deref().unwrap_or(&self.plan.source);
        let mut facts = vec![
            ("plan".to_string(), self.plan.source.clone()),
            ("basis".to_string(), basis_words(self.basis).to_string()),
            ("accepted".to_string(), format!("{} images a month", grouped(self.accepted_images))),
            (
                "generated".to_string(),
                format!("{} images a month (retries and escalations)", grouped(self.generated_images)),
            ),
        ];
        if let Some(per) = self.cost_per_accepted_image {
            facts.push(("per accepted".to_string(), format!("{} an image (rounded)", currency.unit(per))));
        }
        facts.push(("rate card".to_string(), self.card.summary()));
        if let Some(what_if) = &self.what_if {
            // To the cent, unless the rounded figures would not subtract to
            // the rounded saving: then every digit, the plan's total with them.
            let fact = if Money::difference_in_cents(self.total, what_if.total, what_if.saving) {
                format!(
                    "{} a month, saving {}",
                    currency.total(what_if.total),
                    currency.total(what_if.saving)
                )
            } else {
                format!(
                    "{} a month against {}, saving {}",
                    currency.unit(what_if.total),
                    currency.unit(self.total),
                    currency.unit(what_if.saving)
                )
            };
            facts.push(("what if batch".to_string(), fact));
        }
        if let Some(budget) = &self.budget {
            facts.push(("budget".to_string(), budget.summary()));
        }
        // To the cent, unless the rounded components would not add up to
        // their line's total, or the lines to the plan's (or a part that
        // costs something would read $0.00): then every digit, in both.
        let line_totals: Vec<Money> = self.lines.iter().map(|entry| entry.line.total).collect();
        let cents = Money::parts_in_cents(&line_totals, self.total)
            && self.lines.iter().all(|entry| {
                let parts: Vec<Money> = entry.line.components.iter().map(|c| c.total).collect();
                Money::parts_in_cents(&parts, entry.line.total)
            });
        let mut tables = vec![components_table(self, cents), lines_table(self, cents)];
        if let Some(table) = routes_table(self) {
            tables.push(table);
        }
        if let Some(what_if) = &self.what_if {
            tables.push(what_if_table(what_if));
        }
        Document {
            title: format!(
                "Plan: {title}: {} a month{}",
                currency.total(self.total),
                if self.complete { "" } else { " (INCOMPLETE)" }
            ),
            facts,
            tables,
            notes: notes(self),
            currency: currency.clone(),
        }
    }
}

fn routes_table(report: &PlanReport) -> Option<Table> {
    let rows: Vec<Vec<Cell>> = report
        .lines
        .iter()
        .flat_map(|entry| entry.line.components.iter().map(move |c| (&entry.line, c)))
        .filter_map(|(line, c)| {
            Some(vec![
                Cell::text(&line.name),
                Cell::text(format!("{} (provider)", c.priced_by)),
                Cell::unit(c.unit_price),
                Cell::unit(c.google_unit_price?),
                Cell::money(c.total),
                Cell::money(c.google_total?),
            ])
        })
        .collect();
    (!rows.is_empty()).then(|| Table {
        title: Some("Provider routes beside Google's official price".into()),
        columns: vec![
            Column::new("line"),
            Column::new("priced by"),
            Column::new("provider's price").optional(2),
            Column::new("Google's price").optional(1),
            Column::new("provider's total"),
            Column::new("at Google's price").optional(3),
        ],
        rows,
    })
}

fn basis_words(basis: Basis) -> &'static str {
    match basis {
        Basis::List => "list: Google's published per-image prices",
        Basis::Tokens => "tokens: image output tokens × the per-1M-token rate",
    }
}

fn components_table(report: &PlanReport, cents: bool) -> Table {
    let cell = move |amount: Money| if cents { Cell::money(amount) } else { Cell::unit(amount) };
    let rows = report
        .lines
        .iter()
        .flat_map(|entry| {
            let line = &entry.line;
            let priced = line.components.iter().map(move |c| {
                vec![
                    Cell::text(&line.name),
                    Cell::text(c.component.label()),
                    Cell::text(&c.priced_by),
                    c.tokens_per_request.map_or(Cell::Empty, Cell::Count),
                    Cell::Count(c.quantity),
                    Cell::text(c.unit),
                    Cell::unit(c.unit_price),
                    cell(c.total),
                    Cell::Percent(report.share_percent(c.total)),
                ]
            });
            let unpriced = line.unpriced.iter().map(move |part| {
                vec![
                    Cell::text(&line.name),
                    Cell::text(part.component.label()),
                    Cell::text(GOOGLE),
                    Cell::Empty,
                    Cell::Count(line.generated),
                    Cell::text("requests"),
                    Cell::text("not priced"),
                    Cell::text("not priced"),
                    Cell::Empty,
                ]
            });
            priced.chain(unpriced)
        })
        .collect();
    Table {
        title: Some("Costs by line and component".into()),
        columns: vec![
            Column::new("line"),
            Column::new("component"),
            Column::new("priced by").optional(3),
            Column::new("tokens / request").optional(1),
            Column::new("quantity").optional(5),
            Column::new("unit").optional(4),
            Column::new("per unit").optional(6),
            Column::new("total"),
            Column::new("share").optional(2),
        ],
        rows,
    }
}

fn lines_table(report: &PlanReport, cents: bool) -> Table {
    let cell = |amount: Money| if cents { Cell::money(amount) } else { Cell::unit(amount) };
    let mut rows: Vec<Vec<Cell>> = report
        .lines
        .iter()
        .map(|entry| {
            let line = &entry.line;
            vec![
                Cell::text(&line.name),
                Cell::text(&line.model_name),
                Cell::text(line.size.api_value()),
                Cell::text(line.lane.name()),
                match &line.escalated_to {
                    Some(to) => Cell::text(format!("{} → {to}", grouped(line.escalated_out))),
                    None => Cell::Empty,
                },
                Cell::Count(line.accepted),
                Cell::Count(line.generated),
                cell(line.total),
                Cell::Percent(entry.share_percent),
                entry.cost_per_accepted_image.map_or(Cell::Empty, Cell::unit),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::text("total"),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Count(report.accepted_images),
        Cell::Count(report.generated_images),
        cell(report.total),
        Cell::Percent(if report.total.is_zero() { Decimal::ZERO } else { Decimal::ONE_HUNDRED }),
        report.cost_per_accepted_image.map_or(Cell::Empty, Cell::unit),
    ]);
    Table {
        title: Some("Lines".into()),
        columns: vec![
            Column::new("line"),
            Column::new("model"),
            Column::new("size"),
            Column::new("lane"),
            Column::new("escalated").optional(1),
            Column::new("accepted").optional(4),
            Column::new("generated").optional(2),
            Column::new("total"),
            Column::new("share").optional(2),
            Column::new("per accepted image").optional(5),
        ],
        rows,
    }
}

fn what_if_table(what_if: &WhatIf) -> Table {
    // To the cent, unless a rounded saving would not be the difference of
    // the rounded totals beside it: then every digit.
    let cents = what_if
        .lines
        .iter()
        .all(|line| Money::difference_in_cents(line.total, line.what_if_total, line.saving));
    let cell = |amount: Money| if cents { Cell::money(amount) } else { Cell::unit(amount) };
    Table {
        title: Some("What if every batch_ok line runs on batch".into()),
        columns: vec![
            Column::new("line"),
            Column::new("lane").optional(2),
            Column::new("what-if lane").optional(1),
            Column::new("total"),
            Column::new("what-if total"),
            Column::new("saving"),
        ],
        rows: what_if
            .lines
            .iter()
            .map(|line| {
                vec![
                    Cell::text(&line.name),
                    Cell::text(line.lane.name()),
                    Cell::text(line.what_if_lane.name()),
                    cell(line.total),
                    cell(line.what_if_total),
                    cell(line.saving),
                ]
            })
            .collect(),
    }
}

fn notes(report: &PlanReport) -> Vec<String> {
    let mut notes = vec![
        "Derived counts (escalated requests, images generated to cover rejections, grounded prompts) are rounded up to whole images, once per line a month.".to_string(),
    ];
    if report.lines.iter().any(|l| l.line.components.iter().any(|c| c.estimate)) {
        notes.push(
            "Thinking is an estimate from the plan (thinking_tokens), billed at the lane's text output rate."
                .into(),
        );
    }
    for entry in report.lines.iter().filter(|entry| entry.line.price_grade == crate::card::Grade::Derived) {
        notes.push(format!(
            "Line `{}`: Google publishes no per-image price for {} on {}; it is derived from tokens × the lane's rate.",
            entry.line.name, entry.line.model_name, entry.line.lane
        ));
    }
    for entry in report.lines.iter().filter(|entry| entry.line.thinking_not_counted) {
        notes.push(format!(
            "Line `{}`: {} always thinks and bills thinking as text output, but the line gives no thinking_tokens estimate, so thinking is not counted.",
            entry.line.name, entry.line.model_name
        ));
    }
    for entry in &report.lines {
        for unpriced in &entry.line.unpriced {
            notes.push(format!(
                "INCOMPLETE: line `{}` leaves out {}: {}; add it to {}.",
                entry.line.name,
                unpriced.part,
                unpriced.reason,
                crate::card::ADD_TO_A_CARD
            ));
        }
    }
    if let Some(grounding) = &report.grounding {
        notes.push(format!(
            "Grounding: {} of the {} free grounded prompts a month used (shared by every line, given in plan order); {} paid search queries cost {}.",
            grouped(grounding.free_prompts_used),
            grouped(grounding.free_prompts_per_month),
            grouped(grounding.paid_queries),
            report.card.currency.total(grounding.total)
        ));
    }
    if report.lines.iter().any(|entry| entry.line.priced_by != GOOGLE) {
        notes.push("Figures priced by a provider are that provider's own prices from the rate card's routes, not Google's.".into());
    }
    if let Some(what_if) = &report.what_if {
        for stay in &what_if.unmoved {
            notes.push(format!(
                "What if batch: line `{}` stays on {}: {}.",
                stay.line, stay.lane, stay.reason
            ));
        }
        if what_if.moved.is_empty() && what_if.unmoved.is_empty() {
            notes.push(
                "What if batch: no line is marked batch_ok (or every such line is on batch already).".into(),
            );
        }
    }
    if let Some(budget) = &report.budget {
        notes.push(format!("Budget: {}.", budget.reason));
    }
    notes
}

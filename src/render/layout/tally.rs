//! How the `tally` report is laid out for the table and Markdown renderers.

use super::batch::{listed_title, malformed_table, priced};
use crate::attribution::MAX_ATTRIBUTIONS;
use crate::batch::BilledLane;
use crate::count::{counted, grouped};
use crate::money::{Currency, Money};
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::tally::*;

/// A row's card model: its name, or "not in the card".
fn model_cell(model: &Option<String>, name: &Option<String>) -> Cell {
    match (model, name) {
        (Some(_), Some(name)) => Cell::text(name),
        _ => Cell::text("not in the card"),
    }
}

fn versions_text(versions: &[Option<String>]) -> String {
    if versions.is_empty() {
        return "(other versions)".to_string();
    }
    versions.iter().map(|version| version.as_deref().unwrap_or("(none)")).collect::<Vec<_>>().join(", ")
}

/// A row's model versions, or how many it holds when they are too many to list.
fn row_versions(row: &TallyRow) -> String {
    listed_versions(&row.model_versions, row.other_versions)
}

/// `versions`, or, for the row of the versions past those listed, how
/// many `others` there are.
pub(super) fn listed_versions(versions: &[Option<String>], others: u64) -> String {
    match others {
        0 => versions_text(versions),
        others => format!("({} other versions)", grouped(others)),
    }
}

/// `5 batch, 2 standard (1 assumed), 1 provisioned`: the lanes with
/// responses, in report order.
fn lanes_text(lanes: &LaneSummary) -> String {
    let counts = [
        ("standard", lanes.standard),
        ("batch", lanes.batch),
        ("flex", lanes.flex),
        ("priority", lanes.priority),
        ("provisioned", lanes.provisioned),
    ];
    let mut parts: Vec<String> = counts
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(name, count)| {
            if *name == "standard" && lanes.assumed_standard > 0 {
                format!("{} {name} ({} assumed)", grouped(*count), grouped(lanes.assumed_standard))
            } else {
                format!("{} {name}", grouped(*count))
            }
        })
        .collect();
    if parts.is_empty() {
        parts.push("no responses".into());
    }
    match lanes.lane_override {
        Some(lane) => format!("{}, every response on {lane} by --lane", parts.join(", ")),
        None => format!("{}, as each line says", parts.join(", ")),
    }
}

/// `serviceTier `turbo` (2 responses)`, or `(not a string)` for a value that is not one.
fn unrecognised_text(value: &UnrecognisedLane) -> String {
    let written = value.value.as_ref().map_or("(not a string)".to_string(), |text| format!("`{text}`"));
    format!("{} {written} ({})", value.field, counted(value.responses, "response", "responses"))
}

impl Report for TallyReport {
    const KIND: &'static str = "tally";

    fn document(&self) -> Document {
        let currency = &self.card.currency;
        let lines = &self.lines;
        let mut facts = vec![
            ("files".to_string(), self.files.iter().map(|f| f.file.as_str()).collect::<Vec<_>>().join(", ")),
            (
                "lines".to_string(),
                format!(
                    "{} read = {}{} + {} (not billed) + {} (skipped) + {}",
                    grouped(lines.read),
                    counted(lines.responses, "response", "responses"),
                    if lines.chunk_lines > 0 {
                        format!(
                            " + {} (folded or without usage)",
                            counted(lines.chunk_lines, "chunk", "chunks")
                        )
                    } else {
                        String::new()
                    },
                    counted(lines.error_lines, "error line", "error lines"),
                    counted(lines.malformed_lines, "malformed line", "malformed lines"),
                    counted(lines.blank_lines, "blank line", "blank lines"),
                ),
            ),
            ("lanes".to_string(), lanes_text(&self.lanes)),
            ("basis".to_string(), "tokens: each response's usage × the card's per-1M-token rates".into()),
        ];
        let total = &self.total;
        let total_text = format!(
            "{} (exactly {}) for {}",
            currency.total(total.cost),
            total.cost.plain(),
            counted(total.priced_responses, "priced response", "priced responses")
        );
        facts.push(("total".to_string(), total_text));
        if self.streams.chunks > 0 {
            facts.push((
                "streams".to_string(),
                format!(
                    "{} folded into {}, each billed once at its final usage",
                    counted(self.streams.chunks, "chunk", "chunks"),
                    counted(self.streams.responses, "response", "responses")
                ),
            ));
        }
        // With nothing priced, parts of $0.00 would pass for a cost of none.
        if total.priced_responses > 0 || self.grounding.queries > 0 {
            let mut parts = format!(
                "input {}, image output {}, text and thinking {}",
                priced(currency, total.input_cost),
                priced(currency, total.image_output_cost),
                priced(currency, total.text_output_cost)
            );
            if self.grounding.queries > 0 {
                parts.push_str(&format!(", grounding {}", priced(currency, total.grounding_cost)));
            }
            facts.push(("cost by part".to_string(), parts));
        }
        if !self.duplicates.responses.is_empty() {
            facts.push((
                "repeated keys".to_string(),
                format!(
                    "{}, billed {} (in the total)",
                    counted(self.duplicates.responses.count, "extra response", "extra responses"),
                    currency.unit(self.duplicates.cost)
                ),
            ));
        }
        if let Some(model) = &self.fallback_model {
            facts.push(("--model".to_string(), format!("{model}, for responses without modelVersion")));
        }
        facts.push(("rate card".to_string(), self.card.summary()));
        if let Some(budget) = &self.budget {
            facts.push(("budget".to_string(), budget.summary()));
        }

        let grounding = &self.grounding;
        // With --by, each row's attribution comes first: what a reader
        // looks for is whose spend it is.
        let by = self.by.is_some();
        let mut tables = vec![Table {
            title: None,
            columns: by
                .then(|| Column::new(rule_title(self)))
                .into_iter()
                .chain([
                    Column::new("model"),
                    Column::new("model version").optional(4),
                    Column::new("size"),
                    Column::new("lane"),
                    Column::new("responses").optional(3),
                    Column::new("images"),
                    Column::new("input tokens").optional(2),
                    Column::new("image tokens").optional(1),
                    Column::new("text tokens").optional(1),
                    Column::new("thinking tokens").optional(1),
                    Column::new("cost"),
                ])
                .collect(),
            rows: self
                .rows
                .iter()
                .map(|row| {
                    by.then(|| Cell::text(attribution_text(&row.attribution, row.other_attributions)))
                        .into_iter()
                        .chain([
                            model_cell(&row.model, &row.model_name),
                            Cell::text(row_versions(row)),
                            Cell::text(&row.size),
                            Cell::text(row.lane.name()),
                            Cell::Count(row.responses),
                            Cell::Count(row.images),
                            Cell::Count(row.prompt_tokens),
                            Cell::Count(row.image_output_tokens),
                            Cell::Count(row.text_output_tokens),
                            Cell::Count(row.thoughts_tokens),
                            match (row.cost, row.lane) {
                                (Some(cost), _) => Cell::unit(cost),
                                (None, BilledLane::Provisioned) => Cell::text("commitment"),
                                (None, _) => Cell::text("not priced"),
                            },
                        ])
                        .collect()
                })
                .chain((grounding.queries > 0).then(|| grounding_line(grounding, by)))
                .collect(),
        }];
        if by {
            tables.push(attributions_table(self));
        }
        if grounding.queries > 0 {
            tables.push(grounding_table(grounding));
        }
        if self.files.len() > 1 {
            // Chunks get a column only where there are any, so the parts add up.
            let chunks = self.lines.chunk_lines > 0;
            tables.push(Table {
                title: Some("Lines per file".into()),
                columns: [Column::new("file"), Column::new("lines").optional(3), Column::new("responses")]
                    .into_iter()
                    .chain(chunks.then(|| Column::new("chunks").optional(1)))
                    .chain([
                        Column::new("error lines").optional(2),
                        Column::new("malformed").optional(2),
                        Column::new("blank").optional(1),
                    ])
                    .collect(),
                rows: self
                    .files
                    .iter()
                    .map(|file| {
                        [
                            Cell::text(&file.file),
                            Cell::Count(file.lines.read),
                            Cell::Count(file.lines.responses),
                        ]
                        .into_iter()
                        .chain(chunks.then_some(Cell::Count(file.lines.chunk_lines)))
                        .chain([
                            Cell::Count(file.lines.error_lines),
                            Cell::Count(file.lines.malformed_lines),
                            Cell::Count(file.lines.blank_lines),
                        ])
                        .collect()
                    })
                    .collect(),
            });
        }
        // With one file read (the facts name it), each line's file goes
        // without saying.
        let one_file = self.files.len() == 1;
        let file_column = || (!one_file).then(|| Column::new("file"));
        let file_cell = |file: &str| (!one_file).then(|| Cell::text(file));
        if !self.duplicates.responses.is_empty() {
            tables.push(Table {
                title: Some(listed_title(
                    "Repeated keys (each extra response is billed)",
                    &self.duplicates.responses,
                )),
                columns: [Column::new("key")]
                    .into_iter()
                    .chain(file_column())
                    .chain([Column::new("line"), Column::new("first seen")])
                    .collect(),
                rows: self
                    .duplicates
                    .responses
                    .shown
                    .iter()
                    .map(|dup| {
                        let first = if one_file {
                            format!("line {}", dup.first_line)
                        } else {
                            format!("{} line {}", dup.first_file, dup.first_line)
                        };
                        [Cell::text(&dup.key)]
                            .into_iter()
                            .chain(file_cell(&dup.file))
                            .chain([Cell::Count(dup.line), Cell::text(first)])
                            .collect()
                    })
                    .collect(),
            });
        }
        if !self.errors.lines.is_empty() {
            tables.push(Table {
                title: Some(listed_title("Error lines (not billed)", &self.errors.lines)),
                columns: file_column()
                    .into_iter()
                    .chain([
                        Column::new("line"),
                        Column::new("key"),
                        Column::new("code"),
                        Column::new("message"),
                    ])
                    .collect(),
                rows: self
                    .errors
                    .lines
                    .shown
                    .iter()
                    .map(|error| {
                        file_cell(&error.file)
                            .into_iter()
                            .chain([
                                Cell::Count(error.line),
                                Cell::text(error.key.clone().unwrap_or_default()),
                                error.code.map_or(Cell::Empty, |code| Cell::text(code.to_string())),
                                Cell::text(error.message.clone().unwrap_or_default()),
                            ])
                            .collect()
                    })
                    .collect(),
            });
        }
        if !self.malformed.is_empty() {
            tables.push(malformed_table("Malformed lines (skipped)", &self.malformed, one_file));
        }
        let mut notes = Vec::new();
        if total.responses_output_upper_bound > 0 {
            notes.push(format!(
                "{} no candidatesTokensDetails but image parts (or no candidates): all output is priced at the image rate (an upper bound).",
                counted(total.responses_output_upper_bound, "response has", "responses have")
            ));
        }
        if total.responses_text_only > 0 {
            notes.push(format!(
                "{} no image part: priced as text answers, all output tokens at the text rate.",
                counted(
                    total.responses_text_only,
                    "response without candidatesTokensDetails holds",
                    "responses without candidatesTokensDetails hold"
                )
            ));
        }
        notes.extend(grounding_notes(grounding, currency));
        if self.lanes.assumed_standard > 0 {
            notes.push(format!(
                "{} no lane (no batch output wrapper, no known serviceTier or trafficType): priced on standard.",
                counted(self.lanes.assumed_standard, "response gives", "responses give")
            ));
        }
        if !self.lanes.unrecognised.is_empty() {
            let values: Vec<String> = self.lanes.unrecognised.iter().map(unrecognised_text).collect();
            notes.push(format!(
                "Lane values not recognised, priced on standard (counted as assumed): {}.",
                values.join(", ")
            ));
        }
        if total.provisioned_responses > 0 {
            notes.push(format!(
                "{} on provisioned throughput (trafficType PROVISIONED_THROUGHPUT): billed by the commitment, not per token, so not in the total.",
                counted(total.provisioned_responses, "response was served", "responses were served")
            ));
        }
        for row in self.rows.iter().filter(|row| row.cost.is_none() && row.lane != BilledLane::Provisioned) {
            notes.push(format!(
                "Not priced: {} of model version {} on {}: {}.",
                counted(row.responses, "response", "responses"),
                row_versions(row),
                row.lane,
                row.unpriced_reason.as_deref().unwrap_or("unknown model")
            ));
        }
        for stream in &self.streams.without_usage.shown {
            notes.push(format!(
                "Not priced: the stream `{}` ({}, from {} line {}) carries no token counts: save it to its end.",
                stream.response_id,
                counted(stream.chunks, "chunk", "chunks"),
                stream.file,
                stream.line
            ));
        }
        if total.malformed_lines > 0 {
            notes.push(format!(
                "Skipped: {} (listed above): fix them, or check the file is what tally reads.",
                counted(total.malformed_lines, "malformed line", "malformed lines")
            ));
        }
        let cost = match self.left_out_summary() {
            None => currency.total(total.cost),
            Some(left_out) => {
                let priced = if self.grounding.unpriced_queries == 0 {
                    "the responses priced"
                } else {
                    "what is priced"
                };
                format!("{} for {priced}, INCOMPLETE: {left_out}", currency.total(total.cost))
            }
        };
        Document {
            title: format!("Tally: {}, {cost}", counted(total.responses, "response", "responses")),
            facts,
            tables,
            notes,
            currency: currency.clone(),
        }
    }
}

/// `2 responses` and/or `3 search queries`: what the total leaves out.
/// The grounding line of the main table: its queries and their cost.
fn grounding_line(grounding: &TallyGrounding, by: bool) -> Vec<Cell> {
    let mut line: Vec<Cell> = by.then_some(Cell::Empty).into_iter().collect();
    line.extend([Cell::text("grounding"), Cell::Empty, Cell::Empty, Cell::Empty]);
    line.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
    line.push(grounding.cost.map_or(Cell::text("not priced"), Cell::unit));
    line
}

/// An attribution as a reader sees it: its value, `(none)` for responses
/// the rule found none for, or how many attributions share the row.
fn attribution_text(attribution: &Option<String>, others: u64) -> String {
    match (attribution, others) {
        (_, others) if others >= MAX_ATTRIBUTIONS as u64 => format!("({}+ others)", grouped(others)),
        (_, others) if others > 0 => format!("({} others)", grouped(others)),
        (Some(value), _) => value.clone(),
        (None, _) => "(none)".to_string(),
    }
}

/// The attribution column's title: the rule, without its separator.
fn rule_title(report: &TallyReport) -> &str {
    report.by.as_deref().and_then(|by| by.split(" (").next()).unwrap_or("attribution")
}

/// What each attribution spent, with its budget where the plan gives one;
/// the grounding line makes the column add up to the total.
fn attributions_table(report: &TallyReport) -> Table {
    let budgets = report.attributions.iter().any(|total| total.monthly_budget.is_some());
    let grounding = report.grounding.queries > 0;
    Table {
        title: Some(format!("Cost by {}", report.by.as_deref().unwrap_or("attribution"))),
        columns: [
            Column::new(report.by.as_deref().unwrap_or("attribution")),
            Column::new("responses"),
            Column::new("images").optional(1),
            Column::new("cost"),
        ]
        .into_iter()
        .chain(budgets.then(|| [Column::new("budget"), Column::new("left")]).into_iter().flatten())
        .collect(),
        rows: report
            .attributions
            .iter()
            .map(|total| {
                let cost = if total.complete {
                    Cell::unit(total.cost)
                } else {
                    Cell::text(format!("{} + not priced", report.card.currency.unit(total.cost)))
                };
                [
                    Cell::text(attribution_text(&total.attribution, total.other_attributions)),
                    Cell::Count(total.responses),
                    Cell::Count(total.images),
                    cost,
                ]
                .into_iter()
                .chain(
                    budgets
                        .then(|| {
                            [
                                total.monthly_budget.map_or(Cell::Empty, Cell::unit),
                                match (total.left, total.over_budget) {
                                    (Some(left), true) => Cell::text(format!(
                                        "over by {}",
                                        report.card.currency.unit(Money::ZERO.minus(left).unwrap_or(left))
                                    )),
                                    (Some(left), false) => Cell::unit(left),
                                    (None, _) => Cell::Empty,
                                },
                            ]
                        })
                        .into_iter()
                        .flatten(),
                )
                .collect()
            })
            .chain(grounding.then(|| {
                [
                    Cell::text("search queries (whole tally)"),
                    Cell::Empty,
                    Cell::Empty,
                    report.grounding.cost.map_or(Cell::text("not priced"), Cell::unit),
                ]
                .into_iter()
                .chain(budgets.then_some([Cell::Empty, Cell::Empty]).into_iter().flatten())
                .collect()
            }))
            .collect(),
    }
}

/// Queries per model, what is free and what is paid.
fn grounding_table(grounding: &TallyGrounding) -> Table {
    Table {
        title: Some("Google Search grounding".into()),
        columns: vec![
            Column::new("model"),
            Column::new("model version").optional(4),
            Column::new("queries").optional(2),
            Column::new("free").optional(1),
            Column::new("paid").optional(1),
            Column::new("cost"),
        ],
        rows: grounding
            .models
            .iter()
            .map(|row| {
                vec![
                    model_cell(&row.model, &row.model_name),
                    Cell::text(versions_text(&row.model_versions)),
                    Cell::Count(row.queries),
                    Cell::Count(row.free_queries),
                    Cell::Count(row.paid_queries),
                    row.cost.map_or(Cell::text("not priced"), Cell::unit),
                ]
            })
            .collect(),
    }
}

/// What the grounding figures rest on, and what they leave out.
fn grounding_notes(grounding: &TallyGrounding, currency: &Currency) -> Vec<String> {
    let mut notes = Vec::new();
    if grounding.queries == 0 {
        return notes;
    }
    let price = grounding
        .price_per_1000_queries
        .map_or("no price in the card".to_string(), |price| format!("{} per 1,000", currency.total(price)));
    let allowance = grounding.free_prompts_per_month.map_or(String::new(), |free| {
        format!(" ({} grounded prompts a month, shared by the account's models)", grouped(free))
    });
    notes.push(format!(
        "Grounding: {} run ({price}). The free monthly allowance{allowance} cannot be seen in a file, so every query is priced as if it were used up; {}.",
        counted(grounding.queries, "search query", "search queries"),
        if grounding.free_queries > 0 {
            format!(
                "--free-queries {} took {} off",
                grouped(grounding.free_queries),
                counted(grounding.free_queries_used, "query", "queries")
            )
        } else {
            "--free-queries N takes N queries off".to_string()
        }
    ));
    for row in grounding.models.iter().filter(|row| row.cost.is_none()) {
        notes.push(format!(
            "Not priced: {} of model version {}: {} (pass a card that prices it with --rates).",
            counted(row.queries, "search query", "search queries"),
            versions_text(&row.model_versions),
            row.unpriced_reason.as_deref().unwrap_or("no grounding price")
        ));
    }
    notes
}

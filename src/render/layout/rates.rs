//! How the `rates` report is laid out for the table and Markdown renderers.

use crate::card::Grade;
use crate::count::counted;
use crate::lane::Lane;
use crate::money::Money;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::CardInfo;
use crate::report::rates::*;

impl Report for RatesReport {
    const KIND: &'static str = "rates";

    fn document(&self) -> Document {
        let mut facts = card_facts(&self.card);
        facts.push(("figures".to_string(), grade_words(self.grade).to_string()));
        for source in &self.sources {
            facts.push(("source".to_string(), source.clone()));
        }
        facts.push((
            "SKU map".to_string(),
            format!(
                "{} mapping the bill's SKUs to models, lanes and parts for `nbcost reconcile` (--format json lists them)",
                crate::count::counted(self.skus.len() as u64, "rule", "rules")
            ),
        ));
        let join = |items: Vec<String>| items.join(", ");
        let rows = self
            .models
            .iter()
            .map(|model| {
                vec![
                    Cell::text(&model.id),
                    Cell::text(&model.name),
                    Cell::text(model.aliases.join(", ")),
                    Cell::text(join(model.sizes.iter().map(ToString::to_string).collect())),
                    Cell::text(model.default_size.api_value()),
                    Cell::text(join(model.lanes.iter().map(ToString::to_string).collect())),
                    Cell::text(if model.free_tier { "yes" } else { "no" }),
                    Cell::text(model.lifecycle.released.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::text(model.lifecycle.summary()),
                ]
            })
            .collect();
        let former_rows: Vec<Vec<Cell>> = self
            .models
            .iter()
            .flat_map(|model| {
                model.former.iter().map(|former| {
                    vec![
                        Cell::text(&former.id),
                        Cell::text(&model.id),
                        Cell::text(former.lifecycle.summary()),
                    ]
                })
            })
            .collect();
        let card_rows = self
            .cards
            .iter()
            .map(|card| {
                vec![
                    Cell::text(&card.name),
                    Cell::text(&card.dated),
                    Cell::text(card.effective.to_string()),
                    Cell::text(card.checked.to_string()),
                    Cell::text(&card.source),
                    Cell::text(if card.in_force { "in force" } else { "" }),
                ]
            })
            .collect();
        Document {
            currency: self.card.currency.clone(),
            title: format!("Rate card: {} ({})", self.card.name, self.card.dated),
            facts,
            tables: vec![Table {
                title: None,
                // What a newcomer types (the ID or an alias, a size, a lane)
                // stays; the rest goes first in a narrow terminal.
                columns: vec![
                    Column::new("model"),
                    Column::new("name").optional(4),
                    Column::new("aliases"),
                    Column::new("sizes"),
                    Column::new("default").optional(2),
                    Column::new("lanes"),
                    Column::new("free tier").optional(1),
                    Column::new("released").optional(1),
                    Column::new("status").optional(3),
                ],
                rows,
            }]
            .into_iter()
            .chain((!former_rows.is_empty()).then(|| Table {
                title: Some("Former IDs (they still resolve, at the model's prices)".into()),
                columns: vec![
                    Column::new("former ID"),
                    Column::new("now"),
                    Column::new("status"),
                ],
                rows: former_rows,
            }))
            .chain(std::iter::once(Table {
                title: Some(format!(
                    "Rate cards: each day is priced from all of them (--rates NAME picks one); in force on {}",
                    self.day
                )),
                columns: vec![
                    Column::new("name"),
                    Column::new("dated"),
                    Column::new("effective"),
                    Column::new("checked"),
                    Column::new("source").optional(1),
                    Column::new(""),
                ],
                rows: card_rows,
            }))
            .collect(),
            notes: vec!["`nbcost rates show MODEL` gives a model's prices; `nbcost rates check` compares them with tokens × rate.".into()],
        }
    }
}

impl Report for ModelReport {
    const KIND: &'static str = "model";

    fn document(&self) -> Document {
        let model = &self.summary;
        let yes_no = |flag: bool| if flag { "yes" } else { "no" }.to_string();
        let mut facts = vec![
            ("model".to_string(), format!("{} ({})", model.id, model.name)),
            (
                "aliases".to_string(),
                if model.aliases.is_empty() { "none".into() } else { model.aliases.join(", ") },
            ),
            ("status".to_string(), model.lifecycle.summary()),
            ("disputed".to_string(), model.lifecycle.shutdown_disputed.clone().unwrap_or_default()),
            (
                "released".to_string(),
                model.lifecycle.released.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into()),
            ),
            ("default size".to_string(), model.default_size.to_string()),
            ("free tier".to_string(), yes_no(model.free_tier)),
            (
                "input image".to_string(),
                self.input_image_tokens.map_or("unknown".into(), |t| format!("{t} tokens")),
            ),
            ("grounding".to_string(), yes_no(self.grounding)),
            ("always thinks".to_string(), yes_no(self.always_thinks)),
            ("rate card".to_string(), self.card.summary()),
        ];
        if let Some(by) = &model.priced_by {
            facts.push(("priced by".to_string(), by.fact(&model.id, &self.card.dated)));
        }
        facts.retain(|(label, value)| label != "disputed" || !value.is_empty());
        for former in &model.former {
            facts.insert(
                2,
                ("former ID".to_string(), format!("{}: {}", former.id, former.lifecycle.summary())),
            );
        }
        let lanes: Vec<Lane> = self.tokens.keys().copied().collect();
        let mut size_columns = vec![Column::new("size"), Column::new("output tokens").optional(2)];
        size_columns.extend(lanes.iter().map(|lane| Column::new(format!("{lane} / image"))));
        size_columns.push(Column::new("grade").optional(1));
        let size_rows = self
            .size_prices
            .iter()
            .map(|row| {
                let mut cells = vec![Cell::text(row.size.api_value()), Cell::Count(row.output_tokens)];
                cells.extend(lanes.iter().map(|lane| match (row.price.get(lane), row.derived.get(lane)) {
                    (Some(price), _) => Cell::unit(*price),
                    (None, Some(derived)) => {
                        Cell::text(format!("{} (derived)", self.card.currency.unit(*derived)))
                    }
                    (None, None) => Cell::Empty,
                }));
                cells.push(Cell::text(row.grade.name()));
                cells
            })
            .collect();
        let derived = self.size_prices.iter().any(|row| !row.derived.is_empty());
        let token_rows = self
            .tokens
            .iter()
            .map(|(lane, rates)| {
                let rate = |rate: Option<Money>| rate.map_or(Cell::text("not given"), Cell::unit);
                vec![
                    Cell::text(lane.name()),
                    rate(rates.input),
                    rate(rates.text_output),
                    Cell::unit(rates.image_output),
                    Cell::text(rates.grade.name()),
                ]
            })
            .collect();
        Document {
            currency: self.card.currency.clone(),
            title: format!("{} ({})", model.name, model.id),
            facts,
            tables: vec![
                Table { title: Some("Sizes".into()), columns: size_columns, rows: size_rows },
                Table {
                    title: Some("Per 1M tokens".into()),
                    columns: vec![
                        Column::new("lane"),
                        Column::new("input"),
                        Column::new("text & thinking output"),
                        Column::new("image output"),
                        Column::new("grade").optional(1),
                    ],
                    rows: token_rows,
                },
            ],
            notes: derived
                .then(|| "A derived price is output tokens × the lane's image rate: Google publishes no per-image figure for it.".to_string())
                .into_iter()
                .chain(self.tokens.iter().filter_map(|(lane, rates)| {
                    let rule = rates.rule?;
                    let mut parts = Vec::new();
                    if rates.input_grade == Grade::Derived {
                        parts.push("input");
                    }
                    if rates.text_output_grade == Grade::Derived {
                        parts.push("text output");
                    }
                    Some(format!(
                        "{lane}: the {} rate{} derived by Google's published rule ({rule}); the card gives none.",
                        parts.join(" and "),
                        if parts.len() == 1 { " is" } else { "s are" }
                    ))
                }))
                .chain(std::iter::once(GRADES.to_string()))
                .collect(),
        }
    }
}

impl Report for CheckReport {
    const KIND: &'static str = "check";

    fn document(&self) -> Document {
        let rows = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    Cell::text(&row.model),
                    Cell::text(row.size.api_value()),
                    Cell::text(row.lane.name()),
                    Cell::Count(row.output_tokens),
                    row.published.map_or(Cell::text("none"), Cell::unit),
                    Cell::unit(row.tokens_price),
                    row.difference.map_or(Cell::Empty, Cell::unit),
                    row.difference_percent().map_or(Cell::Empty, Cell::Percent),
                    Cell::text(row.grade.name()),
                ]
            })
            .collect();
        let differing = self
            .rows
            .iter()
            .filter(|row| row.difference.is_some_and(|difference| !difference.is_zero()))
            .count();
        let mut notes = vec![format!(
            "{differing} of {} published prices differ from tokens × rate: Google publishes rounded per-image equivalents and bills tokens.",
            self.prices
        )];
        if self.derived > 0 {
            notes.push(format!(
                "{} derived: with no per-image figure published, nbcost prices at tokens × rate.",
                counted(self.derived as u64, "price is", "prices are")
            ));
        }
        notes.push(GRADES.to_string());
        Document {
            currency: self.card.currency.clone(),
            title: format!(
                "Rate card check: valid ({}, {}{})",
                counted(self.models as u64, "model", "models"),
                counted(self.prices as u64, "published price", "published prices"),
                if self.derived > 0 { format!(", {} derived", self.derived) } else { String::new() }
            ),
            facts: card_facts(&self.card),
            tables: vec![Table {
                title: None,
                columns: vec![
                    Column::new("model"),
                    Column::new("size"),
                    Column::new("lane"),
                    Column::new("tokens").optional(2),
                    Column::new("published"),
                    Column::new("tokens × rate").optional(4),
                    Column::new("difference"),
                    Column::new("difference %").optional(3),
                    Column::new("grade").optional(1),
                ],
                rows,
            }],
            notes,
        }
    }
}

/// What the grades mean, for notes.
const GRADES: &str = "Grades: published = on Google's own page; transcribed = from dated third-party copies of Google's page; derived = tokens × rate, where no per-image price is published, or a rate by Google's published rule for its lane.";

/// A card's default grade in words.
fn grade_words(grade: Grade) -> &'static str {
    match grade {
        Grade::Published => "published: from captures of Google's own pages, unless a row says otherwise",
        Grade::Transcribed => {
            "transcribed: from dated third-party copies of Google's pricing page, unless a row says otherwise"
        }
        Grade::Derived => "derived",
    }
}

fn card_facts(card: &CardInfo) -> Vec<(String, String)> {
    vec![
        ("card".to_string(), card.name.clone()),
        ("dated".to_string(), card.summary()),
        ("effective".to_string(), card.effective.to_string()),
        ("currency".to_string(), card.currency.to_string()),
    ]
}

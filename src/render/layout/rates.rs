//! How the `rates` report is laid out for the table, CSV and Markdown renderers.

use crate::lane::Lane;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::CardInfo;
use crate::report::rates::*;

impl Report for RatesReport {
    const KIND: &'static str = "rates";

    fn document(&self) -> Document {
        let mut facts = card_facts(&self.card);
        for source in &self.sources {
            facts.push(("source".to_string(), source.clone()));
        }
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
        Document {
            title: format!("Rate card: {} ({})", self.card.name, self.card.dated),
            facts,
            tables: vec![Table {
                title: None,
                columns: vec![
                    Column::new("model", "id"),
                    Column::new("name", "name"),
                    Column::new("aliases", "aliases"),
                    Column::new("sizes", "sizes"),
                    Column::new("default", "default_size"),
                    Column::new("lanes", "lanes"),
                    Column::new("free tier", "free_tier"),
                    Column::new("released", "released"),
                    Column::new("status", "status"),
                ],
                rows,
            }],
            notes: vec!["`nbcost rates show MODEL` gives a model's prices; `nbcost rates check` compares them with tokens × rate.".into()],
        }
    }
}

impl Report for ModelReport {
    const KIND: &'static str = "model";

    fn document(&self) -> Document {
        let model = &self.summary;
        let yes_no = |flag: bool| if flag { "yes" } else { "no" }.to_string();
        let facts = vec![
            ("model".to_string(), format!("{} ({})", model.id, model.name)),
            ("aliases".to_string(), model.aliases.join(", ")),
            ("status".to_string(), model.lifecycle.summary()),
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
        let lanes: Vec<Lane> = self.tokens.keys().copied().collect();
        let mut size_columns =
            vec![Column::new("size", "size"), Column::new("output tokens", "output_tokens")];
        size_columns
            .extend(lanes.iter().map(|lane| Column::new(format!("{lane} / image"), format!("{lane}_price"))));
        let size_rows = self
            .size_prices
            .iter()
            .map(|row| {
                let mut cells = vec![Cell::text(row.size.api_value()), Cell::Count(row.output_tokens)];
                cells.extend(
                    lanes.iter().map(|lane| row.price.get(lane).copied().map_or(Cell::Empty, Cell::unit)),
                );
                cells
            })
            .collect();
        let token_rows = self
            .tokens
            .iter()
            .map(|(lane, rates)| {
                vec![
                    Cell::text(lane.name()),
                    Cell::unit(rates.input),
                    Cell::unit(rates.text_output),
                    Cell::unit(rates.image_output),
                ]
            })
            .collect();
        Document {
            title: format!("{} ({})", model.name, model.id),
            facts,
            tables: vec![
                Table { title: Some("Sizes".into()), columns: size_columns, rows: size_rows },
                Table {
                    title: Some("Per 1M tokens".into()),
                    columns: vec![
                        Column::new("lane", "lane"),
                        Column::new("input", "input"),
                        Column::new("text & thinking output", "text_output"),
                        Column::new("image output", "image_output"),
                    ],
                    rows: token_rows,
                },
            ],
            notes: vec![],
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
                    Cell::unit(row.published),
                    Cell::unit(row.tokens_price),
                    Cell::unit(row.difference),
                    row.difference.percent_of(row.tokens_price).map_or(Cell::Empty, Cell::Percent),
                ]
            })
            .collect();
        let differing = self.rows.iter().filter(|row| !row.difference.is_zero()).count();
        Document {
            title: format!("Rate card check: valid ({} models, {} prices)", self.models, self.prices),
            facts: card_facts(&self.card),
            tables: vec![Table {
                title: None,
                columns: vec![
                    Column::new("model", "model"),
                    Column::new("size", "size"),
                    Column::new("lane", "lane"),
                    Column::new("tokens", "output_tokens"),
                    Column::new("published", "published"),
                    Column::new("tokens × rate", "tokens_price"),
                    Column::new("difference", "difference"),
                    Column::new("difference %", "difference_percent"),
                ],
                rows,
            }],
            notes: vec![format!(
                "{differing} of {} published prices differ from tokens × rate: Google publishes rounded per-image equivalents and bills tokens.",
                self.prices
            )],
        }
    }
}

fn card_facts(card: &CardInfo) -> Vec<(String, String)> {
    vec![
        ("card".to_string(), card.name.clone()),
        ("dated".to_string(), card.summary()),
        ("effective".to_string(), card.effective.to_string()),
        ("currency".to_string(), card.currency.clone()),
    ]
}

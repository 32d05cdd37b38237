//! How the `estimate` report is laid out for the table and Markdown renderers.

use super::batch::{malformed_table, priced};
use crate::batch::SHOWN_PER_KIND;
use crate::count::{counted, grouped};
use crate::pricing::Basis;
use crate::render::Report;
use crate::render::document::{Cell, Column, Document, Table};
use crate::report::estimate::*;
use crate::scan::MediaCounts;

/// A finding's name in tables.
fn label(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::MissingImageSize => "no imageSize",
        FindingKind::MisspelledImageSize => "imageSize misspelled",
        FindingKind::UnknownImageSize => "imageSize unknown",
        FindingKind::SizeNotOffered => "size not offered",
        FindingKind::ImageSizeNotTaken => "imageSize not taken",
        FindingKind::InvalidCandidateCount => "candidateCount invalid",
        FindingKind::OtherModel => "another model",
        FindingKind::DuplicateKey => "duplicate key",
        FindingKind::UnpricedReferenceImages => "reference images unpriced",
        FindingKind::UnpricedMedia => "media not priced",
        FindingKind::SearchTool => "Google Search",
    }
}

/// The media kinds with their counts, as table rows, kinds with none left out.
fn media_rows(media: &MediaCounts) -> Vec<Vec<Cell>> {
    [("video", media.video), ("audio", media.audio), ("PDF", media.pdf), ("other", media.other)]
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(kind, count)| vec![Cell::text(kind), Cell::Count(count)])
        .collect()
}

impl Report for EstimateReport {
    const KIND: &'static str = "estimate";

    fn document(&self) -> Document {
        let currency = &self.card.currency;
        let lines = &self.lines;
        let total = &self.total;
        let mut model = format!("{} ({})", self.model, self.model_name);
        if let Some(typed) = &self.requested_as {
            model.push_str(&format!(", named as `{typed}`"));
        }
        let left_out = self.left_out();
        let thinking = self.thinking_tokens > 0;
        let mut facts = vec![
            ("file".to_string(), self.file.clone()),
            ("model".to_string(), model),
            (
                "lines".to_string(),
                format!(
                    "{} read = {} + {} (not priced) + {} (skipped) + {}",
                    grouped(lines.read),
                    counted(lines.priced_requests, "priced request", "priced requests"),
                    counted(lines.rejected_requests, "rejected request", "rejected requests"),
                    counted(lines.malformed_lines, "malformed line", "malformed lines"),
                    counted(lines.blank_lines, "blank line", "blank lines"),
                ),
            ),
            ("lane".to_string(), self.lane.to_string()),
            (
                "basis".to_string(),
                match self.basis {
                    Basis::List => "images at the published per-image price".to_string(),
                    Basis::Tokens => "images at output tokens × the per-1M-token rate".to_string(),
                },
            ),
            (
                "prompts".to_string(),
                format!(
                    "ESTIMATED at 1 token per {} characters (rounded up per request), at the input rate",
                    self.chars_per_token
                ),
            ),
            (
                "total".to_string(),
                format!(
                    "{} (exactly {}): images {}, prompts {} (estimated), reference images {}{}{}",
                    currency.total(total.cost),
                    total.cost.plain(),
                    currency.unit(total.image_cost),
                    priced(currency, total.prompt_cost),
                    priced(currency, total.reference_cost),
                    if thinking {
                        format!(", thinking {} (estimated)", priced(currency, total.thinking_cost))
                    } else {
                        String::new()
                    },
                    self.left_out_summary().map_or(String::new(), |parts| format!("; INCOMPLETE: {parts}"))
                ),
            ),
        ];
        if total.unpriced_media > 0 {
            facts.push((
                "other media".to_string(),
                format!(
                    "{} ({}): NOT priced, so the total is INCOMPLETE",
                    counted(total.unpriced_media, "part that is not an image", "parts that are not images"),
                    crate::batch::describe_media(&total.other_media)
                ),
            ));
        }
        if thinking {
            facts.push((
                "thinking".to_string(),
                format!(
                    "ESTIMATED at {} tokens an image (--thinking-tokens), at the lane's text output rate",
                    grouped(self.thinking_tokens)
                ),
            ));
        }
        if total.search_requests > 0 {
            facts.push((
                "search".to_string(),
                if self.grounding {
                    format!(
                        "{} Google Search: the search cost is NOT in the total (billed per 1,000 queries after a monthly free allowance)",
                        counted(total.search_requests, "request asks for", "requests ask for")
                    )
                } else {
                    format!(
                        "{} Google Search, but the rate card gives {} no grounding: no search cost is in the total",
                        counted(total.search_requests, "request asks for", "requests ask for"),
                        self.model
                    )
                },
            ));
        }
        facts.push(("rate card".to_string(), self.card.summary()));
        if let Some(budget) = &self.budget {
            facts.push(("budget".to_string(), budget.summary()));
        }
        let mut tables = vec![Table {
            title: None,
            columns: vec![
                Column::new("size"),
                Column::new("requests").optional(3),
                Column::new("no imageSize").optional(1),
                Column::new("images"),
                Column::new("per image"),
                Column::new("images cost").optional(5),
                Column::new("prompt tokens (est.)").optional(2),
                Column::new("prompts cost (est.)").optional(4),
                Column::new("reference images").optional(2),
                Column::new("references cost").optional(4),
            ]
            .into_iter()
            .chain(thinking.then(|| Column::new("thinking tokens (est.)").optional(2)))
            .chain(thinking.then(|| Column::new("thinking cost (est.)").optional(4)))
            .chain([Column::new("cost")])
            .collect(),
            rows: self
                .rows
                .iter()
                .map(|row| {
                    let mut cells = vec![
                        Cell::text(row.size.api_value()),
                        Cell::Count(row.requests),
                        Cell::Count(row.requests_without_size),
                        Cell::Count(row.images),
                        Cell::unit(row.image_unit_price),
                        Cell::unit(row.image_cost),
                        Cell::Count(row.prompt_tokens_estimated),
                        row.prompt_cost.map_or(Cell::text("not priced"), Cell::unit),
                        Cell::Count(row.reference_images),
                        row.reference_cost.map_or(Cell::text("not priced"), Cell::unit),
                    ];
                    if thinking {
                        cells.push(Cell::Count(row.thinking_tokens_estimated));
                        cells.push(row.thinking_cost.map_or(Cell::text("not priced"), Cell::unit));
                    }
                    cells.push(Cell::unit(row.cost));
                    cells
                })
                .collect(),
        }];
        if total.unpriced_media > 0 {
            tables.push(Table {
                title: Some("Media that are not images (not priced)".into()),
                columns: vec![Column::new("media"), Column::new("parts")],
                rows: media_rows(&total.other_media),
            });
        }
        if !self.findings.is_empty() {
            tables.push(Table {
                title: Some("Findings".into()),
                columns: vec![
                    Column::new("finding"),
                    Column::new("requests"),
                    Column::new("effect"),
                    Column::new("what to do"),
                ],
                rows: self
                    .findings
                    .iter()
                    .map(|finding| {
                        vec![
                            Cell::text(label(finding.kind)),
                            Cell::Count(finding.requests.count),
                            Cell::text(finding.effect),
                            Cell::text(&finding.advice),
                        ]
                    })
                    .collect(),
            });
            let cut = self.findings.iter().any(|finding| finding.requests.not_shown() > 0);
            tables.push(Table {
                title: Some(if cut {
                    format!("Requests with findings (first {} of each)", SHOWN_PER_KIND)
                } else {
                    "Requests with findings".to_string()
                }),
                columns: vec![
                    Column::new("finding"),
                    Column::new("line"),
                    Column::new("key"),
                    Column::new("value as written"),
                ],
                rows: self
                    .findings
                    .iter()
                    .flat_map(|finding| {
                        finding.requests.shown.iter().map(|request| {
                            vec![
                                Cell::text(label(finding.kind)),
                                Cell::Count(request.line),
                                Cell::text(request.key.clone().unwrap_or_default()),
                                Cell::text(request.value.clone().unwrap_or_default()),
                            ]
                        })
                    })
                    .collect(),
            });
        }
        if !self.malformed.is_empty() {
            tables.push(malformed_table("Malformed lines (skipped)", &self.malformed, true));
        }
        let mut notes = vec![format!(
            "Prompt tokens are an estimate ({} characters a token); images and reference images are exact for the card.",
            self.chars_per_token
        )];
        if total.unpriced_media > 0 {
            notes.push(
                "Only image/* parts are reference images. Video, audio, PDF and other media are billed as input tokens by their length (duration, pages), which a request does not show: they are counted, not priced.".into(),
            );
        }
        if lines.rejected_requests > 0 {
            notes.push(format!(
                "{} would be refused by the API and {} not priced; fix them before submitting.",
                counted(lines.rejected_requests, "request", "requests"),
                if lines.rejected_requests == 1 { "is" } else { "are" }
            ));
        }
        if self.thinking_not_included {
            notes.push(format!(
                "{} always thinks and is billed for it at the text output rate: thinking is not included (give --thinking-tokens N per image to price an estimate).",
                self.model_name
            ));
        }
        notes.push(if thinking {
            "Text output is not included and thinking is an estimate; `nbcost tally` prices the output file exactly."
                .into()
        } else {
            "Text and thinking output are not included; `nbcost tally` prices the output file exactly.".into()
        });
        if !total.search_cost_included && self.grounding {
            notes.push(
                "Google Search (grounding) is billed per search query once the monthly free allowance shared by the account is used; neither the number of queries nor the allowance left shows in a request, so search is left out of the total (which is still complete for what it prices); `nbcost tally` prices the queries from the output file.".into(),
            );
        }
        if !total.complete {
            let parts: Vec<String> =
                left_out.iter().map(|part| format!("{}: {}", part.what, part.why)).collect();
            notes.push(format!("INCOMPLETE: {}.", parts.join("; ")));
        }
        Document {
            title: format!(
                "Estimate: {}, {} with {} on the {} lane, {}",
                counted(total.requests, "request", "requests"),
                counted(total.images, "image", "images"),
                self.model_name,
                self.lane,
                currency.total(total.cost)
            ),
            facts,
            tables,
            notes,
            currency: currency.clone(),
        }
    }
}

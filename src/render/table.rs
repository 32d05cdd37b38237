//! Tables for people: the title, aligned facts, boxed tables (comfy-table)
//! and notes. Bold and dim only when the binary says color is on.

use std::io::{self, Write};

use comfy_table::{Attribute, Cell as TableCell, CellAlignment, ContentArrangement, Table as Boxed, presets};

use super::{Style, human};
use crate::render::document::{Document, Table};

pub(super) fn write(document: &Document, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let (bold, dim) = if style.color {
        (anstyle::Style::new().bold(), anstyle::Style::new().dimmed())
    } else {
        (anstyle::Style::new(), anstyle::Style::new())
    };
    writeln!(out, "{bold}{}{bold:#}", document.title)?;
    let width = document.facts.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0);
    for (label, value) in &document.facts {
        writeln!(out, "  {dim}{label:<width$}{dim:#}  {value}")?;
    }
    for table in &document.tables {
        writeln!(out)?;
        if let Some(title) = &table.title {
            writeln!(out, "{bold}{title}{bold:#}")?;
        }
        writeln!(out, "{}", boxed(table, style))?;
    }
    if !document.notes.is_empty() {
        writeln!(out)?;
        for note in &document.notes {
            writeln!(out, "{dim}{note}{dim:#}")?;
        }
    }
    Ok(())
}

fn boxed(table: &Table, style: Style) -> Boxed {
    let mut boxed = Boxed::new();
    boxed.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    if style.color {
        boxed.enforce_styling();
    } else {
        boxed.force_no_tty();
    }
    boxed.set_header(table.columns.iter().map(|column| {
        let cell = TableCell::new(&column.header);
        if style.color { cell.add_attribute(Attribute::Bold) } else { cell }
    }));
    for row in &table.rows {
        boxed.add_row(row.iter().map(|cell| {
            let aligned = TableCell::new(human(cell));
            if cell.is_numeric() { aligned.set_alignment(CellAlignment::Right) } else { aligned }
        }));
    }
    for index in 0..table.columns.len() {
        if table.is_numeric(index)
            && let Some(column) = boxed.column_mut(index)
        {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    boxed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::render::document::{Cell, Column};

    fn sample() -> Document {
        Document {
            title: "Sample".into(),
            facts: vec![("model".into(), "flash".into()), ("count".into(), "1,000".into())],
            tables: vec![Table {
                title: None,
                columns: vec![Column::new("lane", "lane"), Column::new("total", "total")],
                rows: vec![
                    vec![Cell::text("standard"), Cell::Money(Money::new("101.000".parse().unwrap()))],
                    vec![Cell::text("batch"), Cell::Money(Money::new("50".parse().unwrap()))],
                ],
            }],
            notes: vec!["a note".into()],
        }
    }

    #[test]
    fn writes_a_plain_table_without_escape_codes() {
        let mut out = Vec::new();
        write(&sample(), Style { color: false }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "Sample
  model  flash
  count  1,000

┌──────────┬─────────┐
│ lane     ┆   total │
╞══════════╪═════════╡
│ standard ┆ $101.00 │
│ batch    ┆  $50.00 │
└──────────┴─────────┘

a note
"
        );
    }

    #[test]
    fn colors_only_when_asked() {
        let mut out = Vec::new();
        write(&sample(), Style { color: true }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\x1b[1mSample\x1b[0m"), "{text:?}");
    }
}

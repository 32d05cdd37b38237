//! Markdown: a heading, the facts as a list, GitHub-style tables and notes.

use std::io::{self, Write};

use super::human;
use crate::render::document::{Document, Table};

pub(super) fn write(document: &Document, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "### {}", escape(&document.title))?;
    if !document.facts.is_empty() {
        writeln!(out)?;
        for (label, value) in &document.facts {
            writeln!(out, "- **{}**: {}", escape(label), escape(value))?;
        }
    }
    for table in &document.tables {
        writeln!(out)?;
        if let Some(title) = &table.title {
            writeln!(out, "**{}**", escape(title))?;
            writeln!(out)?;
        }
        write_table(table, out)?;
    }
    if !document.notes.is_empty() {
        writeln!(out)?;
        for note in &document.notes {
            writeln!(out, "> {}", escape(note))?;
        }
    }
    Ok(())
}

fn write_table(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let headers: Vec<String> = table.columns.iter().map(|column| escape(&column.header)).collect();
    writeln!(out, "| {} |", headers.join(" | "))?;
    let rules: Vec<&str> =
        (0..table.columns.len()).map(|index| if table.is_numeric(index) { "---:" } else { "---" }).collect();
    writeln!(out, "| {} |", rules.join(" | "))?;
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|cell| escape(&human(cell))).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// Keeps table syntax intact: a `|` in a value would start a new cell.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

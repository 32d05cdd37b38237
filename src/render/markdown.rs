//! Markdown: a heading, the facts as a list, GitHub-style tables and notes.

use std::io::{self, Write};

use super::human;
use crate::money::Currency;
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
        write_table(table, &document.currency, out)?;
    }
    if !document.notes.is_empty() {
        writeln!(out)?;
        for note in &document.notes {
            writeln!(out, "> {}", escape(note))?;
        }
    }
    Ok(())
}

fn write_table(table: &Table, currency: &Currency, out: &mut dyn Write) -> io::Result<()> {
    let headers: Vec<String> = table.columns.iter().map(|column| escape(&column.header)).collect();
    writeln!(out, "| {} |", headers.join(" | "))?;
    let rules: Vec<&str> =
        (0..table.columns.len()).map(|index| if table.is_numeric(index) { "---:" } else { "---" }).collect();
    writeln!(out, "| {} |", rules.join(" | "))?;
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|cell| escape(&human(cell, currency))).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// Text as Markdown shows it and never as markup: a `|` would start a new
/// cell, a newline a new block (a heading, a list), `<` and `>` raw HTML,
/// `&` an entity (`&#124;` a pipe), a backtick or brackets code and links,
/// `*`, `_` and `~` emphasis and strike-through. Control characters are made
/// visible first (`\u{a}`), then each of those is escaped.
fn escape(text: &str) -> String {
    let shown = crate::visible::visible(text);
    let chars: Vec<char> = shown.chars().collect();
    let mut escaped = String::with_capacity(shown.len());
    for (at, &ch) in chars.iter().enumerate() {
        // Between two letters or digits (`image_output`) an underscore
        // cannot open or close emphasis, and is left as it reads.
        let inside_word = || {
            at > 0
                && chars[at - 1].is_alphanumeric()
                && chars.get(at + 1).is_some_and(|next| next.is_alphanumeric())
        };
        match ch {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '_' if inside_word() => escaped.push(ch),
            '\\' | '|' | '`' | '[' | ']' | '*' | '_' | '~' => {
                escaped.push('\\');
                escaped.push(ch);
            }
            _ => escaped.push(ch),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_markdown_would_read_as_markup() {
        let cases = [
            ("gemini-3-pro-image", r"gemini-3-pro-image"),
            ("a | b", r"a \| b"),
            (
                "bad\n### Tally: 0 responses, $0.00, complete",
                r"bad\\u{a}### Tally: 0 responses, $0.00, complete",
            ),
            ("<img src=x onerror=alert(1)>", r"&lt;img src=x onerror=alert(1)&gt;"),
            ("`code` [link](javascript:x)", r"\`code\` \[link\](javascript:x)"),
            ("\u{1b}]0;title\u{7}", r"\\u{1b}\]0;title\\u{7}"),
            ("**bold**/1 _em_ ~~gone~~", r"\*\*bold\*\*/1 \_em\_ \~\~gone\~\~"),
            ("&#124;pipe &amp;", r"&amp;#124;pipe &amp;amp;"),
            // Inside a word an underscore is no emphasis, and reads as it is.
            ("image_output text_output _x", r"image_output text_output \_x"),
        ];
        for (text, escaped) in cases {
            assert_eq!(escape(text), escaped, "{text:?}");
        }
    }
}

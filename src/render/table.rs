//! Tables for people: the title, aligned facts, boxed tables (comfy-table)
//! and notes. Bold and dim only when the binary says color is on.
//!
//! Given a width (the terminal's, or `COLUMNS`), everything fits it: a table
//! too wide first leaves out its empty columns, then its optional columns,
//! lowest rank first, and says which under it; if it is still too wide, its
//! cells wrap. Facts, titles, notes and cells wrap between words; a word too
//! long for its line (an ID, a path, a URL) breaks after a `-`, `/` or `.`
//! where one fits. Without a width, tables are written whole.

use std::cmp::Reverse;
use std::io::{self, Write};

use comfy_table::{
    Attribute, Cell as TableCell, CellAlignment, ColumnConstraint, ContentArrangement, Table as Boxed,
    Width as ColumnWidth, presets,
};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Style, human};
use crate::money::Currency;
use crate::render::document::{Document, Table};
use crate::visible::visible;

pub(super) fn write(document: &Document, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let (bold, dim) = if style.color {
        (anstyle::Style::new().bold(), anstyle::Style::new().dimmed())
    } else {
        (anstyle::Style::new(), anstyle::Style::new())
    };
    let width = style.width.map(usize::from);
    for line in wrap(&document.title, width) {
        writeln!(out, "{bold}{line}{bold:#}")?;
    }
    let label_width = document.facts.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0);
    // The value's column: two spaces, the widest label, two spaces.
    let indent = label_width + 4;
    for (label, value) in &document.facts {
        let mut lines = wrap(value, width.map(|width| width.saturating_sub(indent))).into_iter();
        let first = lines.next().unwrap_or_default();
        writeln!(out, "  {dim}{label:<label_width$}{dim:#}  {first}")?;
        for line in lines {
            writeln!(out, "{:indent$}{line}", "")?;
        }
    }
    for table in &document.tables {
        writeln!(out)?;
        if let Some(title) = &table.title {
            for line in wrap(title, width) {
                writeln!(out, "{bold}{line}{bold:#}")?;
            }
        }
        let (boxed, left_out) = fitted(table, &document.currency, style);
        writeln!(out, "{boxed}")?;
        if let (Some(width), false) = (style.width, left_out.is_empty()) {
            let note = format!(
                "Left out to fit {width} columns: {} (--wide or a wider terminal shows {}).",
                left_out.join(", "),
                if left_out.len() == 1 { "it" } else { "them" }
            );
            for line in wrap(&note, Some(usize::from(width))) {
                writeln!(out, "{dim}{line}{dim:#}")?;
            }
        }
    }
    if !document.notes.is_empty() {
        writeln!(out)?;
        for note in &document.notes {
            for line in wrap(note, width) {
                writeln!(out, "{dim}{line}{dim:#}")?;
            }
        }
    }
    Ok(())
}

/// The table boxed to fit `style.width`, and the headings of the columns
/// left out to fit it (in the table's order).
///
/// Columns go while the table is too wide even with its headings broken
/// between words (a column with nothing in it first, unsaid: it loses
/// nothing); then, if it is still wider than the room, its cells wrap too,
/// between words where the room allows (so numbers stay whole), else
/// breaking the longest words after a `-`, `/` or `.` (IDs, paths, URLs).
fn fitted<'a>(table: &'a Table, currency: &Currency, style: Style) -> (Boxed, Vec<&'a str>) {
    let mut shown: Vec<usize> = (0..table.columns.len()).collect();
    let Some(width) = style.width.map(usize::from) else {
        return (boxed(table, &shown, currency, style, None), Vec::new());
    };
    let measures: Vec<Measure> =
        (0..table.columns.len()).map(|index| Measure::of(table, index, currency)).collect();
    let across = |shown: &[usize], part: &dyn Fn(usize) -> usize| {
        // Each column's content, a space either side and a border on its left,
        // then the border on the right.
        shown.iter().map(|&index| part(index) + 3).sum::<usize>() + 1
    };
    let empty = |index: usize| {
        table
            .rows
            .iter()
            .all(|row| row.get(index).is_none_or(|cell| visible(&human(cell, currency)).trim().is_empty()))
    };
    let blank: Vec<usize> = shown.iter().copied().filter(|&index| empty(index)).collect();
    // A table with no rows keeps its headings: dropping every blank column
    // would leave an empty box.
    if blank.len() < shown.len() && across(&shown, &|index| measures[index].unbroken) > width {
        shown.retain(|index| !blank.contains(index));
    }
    let mut optional: Vec<usize> =
        shown.iter().copied().filter(|&index| table.columns[index].optional.is_some()).collect();
    // Lowest rank first; of equal ranks, the rightmost first.
    optional.sort_by_key(|&index| (table.columns[index].optional, Reverse(index)));
    let mut optional = optional.into_iter();
    while across(&shown, &|index| measures[index].unbroken) > width {
        let Some(index) = optional.next() else { break };
        shown.retain(|&shown| shown != index);
    }
    let mut boxed = boxed(table, &shown, currency, style, None);
    if across(&shown, &|index| measures[index].word) > width {
        // Some word must break: the widths are chosen here and the cells
        // wrapped to them, so that a word breaks where it reads best.
        let room = width.saturating_sub(across(&shown, &|_| 0));
        let widths = widths(&shown.iter().map(|&index| &measures[index]).collect::<Vec<_>>(), room);
        boxed = self::boxed(table, &shown, currency, style, Some(&widths));
    } else if across(&shown, &|index| measures[index].full) > width {
        boxed
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(u16::try_from(width).unwrap_or(u16::MAX));
        // A number is one word, so keeping words whole keeps numbers whole.
        for (position, &index) in shown.iter().enumerate() {
            if let Some(column) = boxed.column_mut(position) {
                // comfy-table's fixed widths count the padding.
                let floor = u16::try_from(measures[index].word + 2).unwrap_or(u16::MAX);
                column.set_constraint(ColumnConstraint::LowerBoundary(ColumnWidth::Fixed(floor)));
            }
        }
    }
    let left_out = (0..table.columns.len())
        .filter(|index| !shown.contains(index) && !blank.contains(index))
        .map(|index| table.columns[index].header.as_str())
        .collect();
    (boxed, left_out)
}

/// The content width of each of the columns `measures` so that together
/// they take no more than `room`: each starts at its full width, and the
/// widest is narrowed a character at a time, first down to its longest
/// word (breaking between words), then to its longest piece (breaking
/// words after `-`, `/`, `.`), then as far as it takes.
fn widths(measures: &[&Measure], room: usize) -> Vec<usize> {
    let mut widths: Vec<usize> = measures.iter().map(|measure| measure.full).collect();
    let floors: [&dyn Fn(&Measure) -> usize; 3] = [&|m| m.word, &|m| m.piece, &|_| 1];
    for floor in floors {
        while widths.iter().sum::<usize>() > room {
            let widest = (0..widths.len())
                .filter(|&position| widths[position] > floor(measures[position]))
                .max_by_key(|&position| (widths[position], position));
            let Some(position) = widest else { break };
            widths[position] -= 1;
        }
    }
    widths
}

/// How wide a column's content is, in terminal columns.
struct Measure {
    /// On one line.
    full: usize,
    /// With the heading broken between words, the cells whole.
    unbroken: usize,
    /// With everything broken between words: the longest word.
    word: usize,
    /// With words broken after `-`, `/` and `.` too: the longest piece.
    piece: usize,
}

impl Measure {
    fn of(table: &Table, index: usize, currency: &Currency) -> Measure {
        let line = |text: &str| text.lines().map(columns).max().unwrap_or(0);
        let word = |text: &str| text.split_whitespace().map(columns).max().unwrap_or(0);
        let piece = |text: &str| text.split_whitespace().flat_map(pieces).map(columns).max().unwrap_or(0);
        // Measured as shown: a control character takes the room of its
        // `\u{…}`, a wide character two columns.
        let header = &*visible(&table.columns[index].header);
        let cells: Vec<String> = table
            .rows
            .iter()
            .filter_map(|row| row.get(index))
            .map(|cell| visible(&human(cell, currency)).into_owned())
            .collect();
        let cell = cells.iter().map(|cell| line(cell)).max().unwrap_or(0);
        let cell_word = cells.iter().map(|cell| word(cell)).max().unwrap_or(0);
        // A figure never breaks at its decimal point.
        let cell_piece = if table.is_numeric(index) {
            cell_word
        } else {
            cells.iter().map(|cell| piece(cell)).max().unwrap_or(0)
        };
        Measure {
            full: line(header).max(cell).max(1),
            unbroken: word(header).max(cell).max(1),
            word: word(header).max(cell_word).max(1),
            piece: piece(header).max(cell_piece).max(1),
        }
    }
}

/// The columns `shown` of `table`, boxed; with `widths`, each column's
/// heading and cells are wrapped to its width first.
fn boxed(
    table: &Table,
    shown: &[usize],
    currency: &Currency,
    style: Style,
    widths: Option<&[usize]>,
) -> Boxed {
    let fit = |position: usize, text: &str| match widths {
        Some(widths) => wrap(text, widths.get(position).copied()).join("\n"),
        None => text.to_string(),
    };
    let mut boxed = Boxed::new();
    boxed.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    if style.color {
        boxed.enforce_styling();
    } else {
        boxed.force_no_tty();
    }
    boxed.set_header(shown.iter().enumerate().map(|(position, &index)| {
        let cell = TableCell::new(fit(position, &visible(&table.columns[index].header)));
        if style.color { cell.add_attribute(Attribute::Bold) } else { cell }
    }));
    for row in &table.rows {
        boxed.add_row(
            shown.iter().enumerate().filter_map(|(position, &index)| Some((position, row.get(index)?))).map(
                |(position, cell)| {
                    // Cells hold input (model versions, messages): shown, never acted on.
                    let aligned = TableCell::new(fit(position, &visible(&human(cell, currency))));
                    if cell.is_numeric() { aligned.set_alignment(CellAlignment::Right) } else { aligned }
                },
            ),
        );
    }
    for (position, &index) in shown.iter().enumerate() {
        if table.is_numeric(index)
            && let Some(column) = boxed.column_mut(position)
        {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    boxed
}

/// The pieces of `word` broken after each `-`, `/` and `.`:
/// `gemini-3.1-flash` is `gemini-`, `3.`, `1-`, `flash`.
fn pieces(word: &str) -> impl Iterator<Item = &str> {
    word.split_inclusive(['-', '/', '.'])
}

/// The columns `text` takes in a terminal: two for a wide character (CJK,
/// most emoji), none for a combining mark.
fn columns(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// The columns `ch` takes in a terminal.
fn char_columns(ch: char) -> usize {
    UnicodeWidthChar::width(ch).unwrap_or(0)
}

/// `text` in lines of at most `width` columns, broken between words (a
/// word longer than a line breaks after its last `-`, `/` or `.` that fits,
/// else where the line ends); unchanged without a width or when it fits.
/// Its control characters are shown, never sent to the terminal: a newline
/// in a title, fact or note comes from input (a model version, a file name)
/// and is written `\u{a}`, never started as a line of its own.
fn wrap(text: &str, width: Option<usize>) -> Vec<String> {
    let paragraph = visible(text);
    let Some(width) = width.filter(|&width| columns(&paragraph) > width) else {
        return vec![paragraph.into_owned()];
    };
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut length = 0;
    for word in paragraph.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let mut across: usize = word.iter().map(|&ch| char_columns(ch)).sum();
        if length > 0 && length + 1 + across > width {
            lines.push(std::mem::take(&mut line));
            length = 0;
        }
        while across > width {
            // The characters that fit (at least one, however wide), then
            // a break after the last `-`, `/` or `.` among them (an ID, a
            // path, a URL), else where the line ends.
            let mut fits = 0;
            let mut used = 0;
            for &ch in &word {
                used += char_columns(ch);
                if used > width {
                    break;
                }
                fits += 1;
            }
            let fits = fits.max(1);
            let cut = word[..fits]
                .iter()
                .rposition(|ch| matches!(ch, '-' | '/' | '.'))
                .map_or(fits, |separator| separator + 1);
            let rest = word.split_off(cut);
            lines.push(word.into_iter().collect());
            word = rest;
            across = word.iter().map(|&ch| char_columns(ch)).sum();
        }
        if length > 0 {
            line.push(' ');
            length += 1;
        }
        line.extend(&word);
        length += across;
    }
    lines.push(line);
    lines
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
                columns: vec![Column::new("lane"), Column::new("total")],
                rows: vec![
                    vec![Cell::text("standard"), Cell::Money(Money::new("101.000".parse().unwrap()))],
                    vec![Cell::text("batch"), Cell::Money(Money::new("50".parse().unwrap()))],
                ],
            }],
            notes: vec!["a note".into()],
            currency: Currency::usd(),
        }
    }

    /// A newline from input in a title, a fact or a note is shown, never
    /// started as a line that could pass for nbcost's own (`error: …`).
    #[test]
    fn a_newline_from_input_never_starts_a_line() {
        let mut document = sample();
        document.title = "Tally of a\nerror: forged title".into();
        document.facts.push(("files".into(), "/tmp/a\nerror: forged path".into()));
        document.notes.push("Not priced: model version x\nerror: forged line on standard.".into());
        for width in [None, Some(40)] {
            let mut out = Vec::new();
            write(&document, Style { color: false, width }, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(!text.lines().any(|line| line.trim_start().starts_with("error:")), "{text}");
            assert!(text.contains("x\\u{a}error:"), "{text}");
        }
    }

    #[test]
    fn writes_a_plain_table_without_escape_codes() {
        let mut out = Vec::new();
        write(&sample(), Style { color: false, width: None }, &mut out).unwrap();
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
    fn breaks_a_long_word_after_a_dash_a_slash_or_a_dot() {
        assert_eq!(wrap("gemini-3.1-flash-image-preview", Some(24)), ["gemini-3.1-flash-image-", "preview"]);
        assert_eq!(
            wrap("see https://ai.google.dev/gemini-api/docs/pricing", Some(20)),
            ["see", "https://ai.google.", "dev/gemini-api/docs/", "pricing"]
        );
        assert_eq!(wrap("abcdefghij", Some(4)), ["abcd", "efgh", "ij"]);
    }

    /// A table too wide for its words: the widest column gives way first,
    /// down to its longest word, then to its longest piece, so that an ID
    /// breaks after a dash, not mid-word.
    #[test]
    fn narrows_the_widest_column_first_and_keeps_pieces_whole() {
        let table = Table {
            title: None,
            columns: vec![Column::new("former ID"), Column::new("now"), Column::new("status")],
            rows: vec![vec![
                Cell::text("gemini-3.1-flash-image-preview"),
                Cell::text("gemini-3.1-flash-image"),
                Cell::text("shut down 2026-06-25; successor gemini-3.1-flash-image"),
            ]],
        };
        let document = Document { tables: vec![table], ..Document::default() };
        let mut out = Vec::new();
        write(&document, Style { color: false, width: Some(60) }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "\n
┌───────────────────┬───────────────────┬─────────────┐
│ former ID         ┆ now               ┆ status      │
╞═══════════════════╪═══════════════════╪═════════════╡
│ gemini-3.1-flash- ┆ gemini-3.1-flash- ┆ shut down   │
│ image-preview     ┆ image             ┆ 2026-06-25; │
│                   ┆                   ┆ successor   │
│                   ┆                   ┆ gemini-3.1- │
│                   ┆                   ┆ flash-image │
└───────────────────┴───────────────────┴─────────────┘
"
        );
    }

    #[test]
    fn colors_only_when_asked() {
        let mut out = Vec::new();
        write(&sample(), Style { color: true, width: None }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\x1b[1mSample\x1b[0m"), "{text:?}");
    }
}

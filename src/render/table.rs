//! Tables for people: the title, aligned facts, boxed tables (comfy-table)
//! and notes. Bold and dim only when the binary says color is on.
//!
//! Given a width (the terminal's, or `COLUMNS`), everything fits it: a table
//! too wide first leaves out its empty columns, then its optional columns,
//! lowest rank first, and says which under it; if it is still too wide, its
//! cells wrap. Facts, titles, notes and cells wrap between words; a word too
//! long for its line (an ID, a path, a URL) breaks after a `-`, `/` or `.`
//! where one fits. Without a width, tables are written whole.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::io::{self, Write};

use comfy_table::{
    Attribute, Cell as TableCell, CellAlignment, ColumnConstraint, ContentArrangement, Table as Boxed,
    Width as ColumnWidth, presets,
};

use super::{Style, human};
use crate::money::Currency;
use crate::render::document::{Document, Table};

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
        let (drawn, left_out) = fitted(table, &document.currency, style);
        writeln!(out, "{drawn}")?;
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

/// The table drawn to fit `style.width`, and the headings of the columns
/// left out to fit it (in the table's order).
///
/// Columns go while the table is too wide even with its headings broken
/// between words (a column with nothing in it first, unsaid: it loses
/// nothing); then, if it is still wider than the room, its cells wrap too,
/// between words where the room allows (so numbers stay whole), else
/// breaking the longest words after a `-`, `/` or `.` (IDs, paths, URLs).
fn fitted<'a>(table: &'a Table, currency: &Currency, style: Style) -> (String, Vec<&'a str>) {
    let mut shown: Vec<usize> = (0..table.columns.len()).collect();
    let Some(width) = style.width.map(usize::from) else {
        return (drawn(table, &shown, currency, style, None), Vec::new());
    };
    let measures: Vec<Measure> =
        (0..table.columns.len()).map(|index| Measure::of(table, index, currency)).collect();
    let across = |shown: &[usize], part: &dyn Fn(usize) -> usize| {
        // Each column's content, a space either side and a border on its left,
        // then the border on the right.
        shown.iter().map(|&index| part(index) + 3).sum::<usize>() + 1
    };
    let empty = |index: usize| {
        table.rows.iter().all(|row| row.get(index).is_none_or(|cell| human(cell, currency).trim().is_empty()))
    };
    let blank: Vec<usize> = shown.iter().copied().filter(|&index| empty(index)).collect();
    if across(&shown, &|index| measures[index].unbroken) > width {
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
    let drawn = if across(&shown, &|index| measures[index].word) > width {
        // Some word must break: the widths are chosen here and the cells
        // wrapped to them, so that a word breaks where it reads best.
        let room = width.saturating_sub(across(&shown, &|_| 0));
        let widths = widths(&shown.iter().map(|&index| &measures[index]).collect::<Vec<_>>(), room);
        self::drawn(table, &shown, currency, style, Some(&widths))
    } else if across(&shown, &|index| measures[index].full) > width {
        let mut boxed = boxed(table, &shown, currency, style, None);
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
        boxed.to_string()
    } else {
        self::drawn(table, &shown, currency, style, None)
    };
    let left_out = (0..table.columns.len())
        .filter(|index| !shown.contains(index) && !blank.contains(index))
        .map(|index| table.columns[index].header.as_str())
        .collect();
    (drawn, left_out)
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

/// How wide a column's content is, in characters.
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
        let line = |text: &str| text.lines().map(|line| line.chars().count()).max().unwrap_or(0);
        let word = |text: &str| text.split_whitespace().map(|word| word.chars().count()).max().unwrap_or(0);
        let piece = |text: &str| {
            text.split_whitespace().flat_map(pieces).map(|piece| piece.chars().count()).max().unwrap_or(0)
        };
        let header = &table.columns[index].header;
        let cells: Vec<String> =
            table.rows.iter().filter_map(|row| row.get(index)).map(|cell| human(cell, currency)).collect();
        let cell = cells.iter().map(|cell| line(cell)).max().unwrap_or(0);
        let cell_word = cells.iter().map(|cell| word(cell)).max().unwrap_or(0);
        Measure {
            full: line(header).max(cell).max(1),
            unbroken: word(header).max(cell).max(1),
            word: word(header).max(cell_word).max(1),
            piece: piece(header).max(cells.iter().map(|cell| piece(cell)).max().unwrap_or(0)).max(1),
        }
    }
}

/// The columns `shown` of `table`, drawn as [`boxed`] draws them when no
/// cell has to wrap to fit (comfy-table's `Disabled` arrangement): each
/// column as wide as its widest line, numbers to the right, the headings
/// bold when color is on. With `widths`, each column's heading and cells
/// are wrapped to its width first. Drawn here because comfy-table took a
/// tenth of a quote's instructions to draw its table (docs/speed.md); a
/// test holds the two to the same bytes.
fn drawn(
    table: &Table,
    shown: &[usize],
    currency: &Currency,
    style: Style,
    widths: Option<&[usize]>,
) -> String {
    if shown.is_empty() {
        return boxed(table, shown, currency, style, widths).to_string();
    }
    let fit = |position: usize, text: String| match widths {
        Some(widths) => wrap(&text, widths.get(position).copied()).join("\n"),
        None => text,
    };
    let right: Vec<bool> = shown.iter().map(|&index| table.is_numeric(index)).collect();
    // Each row (the headings first) as its cells: their text, and whether
    // it is aligned right.
    let heading = shown
        .iter()
        .enumerate()
        .map(|(position, &index)| (fit(position, table.columns[index].header.clone()), right[position]))
        .collect();
    let rows: Vec<Vec<(String, bool)>> = std::iter::once(heading)
        .chain(table.rows.iter().map(|row| {
            shown
                .iter()
                .enumerate()
                .filter_map(|(position, &index)| Some((position, row.get(index)?)))
                .map(|(position, cell)| {
                    // Cells hold input (model versions, messages): shown, never acted on.
                    let text = human(cell, currency);
                    let text = match crate::visible::visible(&text) {
                        Cow::Borrowed(_) => text,
                        Cow::Owned(shown) => shown,
                    };
                    (fit(position, text), cell.is_numeric() || right[position])
                })
                .collect()
        }))
        .collect();
    // Each column's content is as wide as its widest line, and at least 1.
    let mut content = vec![1; shown.len()];
    for row in &rows {
        for (width, (text, _)) in content.iter_mut().zip(row) {
            *width = text.split('\n').map(text_width).fold(*width, usize::max);
        }
    }
    let mut out =
        String::with_capacity((rows.len() + 3) * (content.iter().sum::<usize>() + 3 * content.len() + 1) * 3);
    let rule = |out: &mut String, [left, fill, junction, right]: [char; 4]| {
        out.push(left);
        for (position, width) in content.iter().enumerate() {
            if position > 0 {
                out.push(junction);
            }
            out.extend(std::iter::repeat_n(fill, width + 2));
        }
        out.push(right);
    };
    let bold = anstyle::Style::new().bold();
    let bold = [bold.render().to_string(), bold.render_reset().to_string()];
    rule(&mut out, ['┌', '─', '┬', '┐']);
    for (number, row) in rows.iter().enumerate() {
        let [start, end] = if number == 0 && style.color { [bold[0].as_str(), &bold[1]] } else { ["", ""] };
        let mut cells: Vec<std::str::Split<char>> = row.iter().map(|(text, _)| text.split('\n')).collect();
        // A row has a line even with no cell (comfy-table's blank cells).
        let height = row.iter().map(|(text, _)| text.split('\n').count()).max().unwrap_or(1);
        for _ in 0..height {
            out.push_str("\n│");
            for (position, width) in content.iter().enumerate() {
                if position > 0 {
                    out.push('┆');
                }
                let Some(text) = cells.get_mut(position).and_then(Iterator::next) else {
                    // A cell with fewer lines, or none, is blank there.
                    out.extend(std::iter::repeat_n(' ', width + 2));
                    continue;
                };
                let room = width.saturating_sub(text_width(text));
                let (before, after) = if row[position].1 { (room, 0) } else { (0, room) };
                out.push_str(start);
                out.extend(std::iter::repeat_n(' ', 1 + before));
                out.push_str(text);
                out.extend(std::iter::repeat_n(' ', after + 1));
                out.push_str(end);
            }
            out.push('│');
        }
        if number == 0 {
            out.push('\n');
            rule(&mut out, ['╞', '═', '╪', '╡']);
        }
    }
    out.push('\n');
    rule(&mut out, ['└', '─', '┴', '┘']);
    out
}

/// How many columns `text` takes on a terminal, as comfy-table counts them.
fn text_width(text: &str) -> usize {
    if text.bytes().all(|byte| matches!(byte, b' '..=b'~')) {
        return text.len();
    }
    unicode_width::UnicodeWidthStr::width(text)
}

/// The columns `shown` of `table`, boxed by comfy-table; with `widths`,
/// each column's heading and cells are wrapped to its width first.
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
        let cell = TableCell::new(fit(position, &table.columns[index].header));
        if style.color { cell.add_attribute(Attribute::Bold) } else { cell }
    }));
    for row in &table.rows {
        boxed.add_row(
            shown.iter().enumerate().filter_map(|(position, &index)| Some((position, row.get(index)?))).map(
                |(position, cell)| {
                    // Cells hold input (model versions, messages): shown, never acted on.
                    let aligned =
                        TableCell::new(fit(position, &crate::visible::visible(&human(cell, currency))));
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

/// `text` in lines of at most `width` characters, broken between words (a
/// word longer than a line breaks after its last `-`, `/` or `.` that fits,
/// else where the line ends); unchanged without a width or when it fits.
fn wrap(text: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else {
        return text.split('\n').map(|paragraph| crate::visible::visible(paragraph).into_owned()).collect();
    };
    let width = width.max(1);
    let mut lines = Vec::new();
    // A paragraph's control characters are shown, never sent to the terminal.
    for paragraph in text.split('\n').map(crate::visible::visible) {
        if paragraph.chars().count() <= width {
            lines.push(paragraph.to_string());
            continue;
        }
        let mut line = String::new();
        let mut length = 0;
        for word in paragraph.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            if length > 0 && length + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
                length = 0;
            }
            while word.len() > width {
                // Break after the last `-`, `/` or `.` that fits (an ID, a
                // path, a URL), else where the line ends.
                let cut = word[..width]
                    .iter()
                    .rposition(|ch| matches!(ch, '-' | '/' | '.'))
                    .map_or(width, |separator| separator + 1);
                let rest = word.split_off(cut);
                lines.push(word.into_iter().collect());
                word = rest;
            }
            if length > 0 {
                line.push(' ');
                length += 1;
            }
            line.extend(&word);
            length += word.len();
        }
        lines.push(line);
    }
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

    mod drawn_as_comfy_table_draws {
        use super::*;
        use proptest::prelude::*;
        use rust_decimal::Decimal;

        /// Text as tables hold it: words, numbers, wide and combining
        /// characters, control characters, blanks, several lines.
        fn text() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop_oneof![
                    Just("flash"),
                    Just("gemini-3.1-flash-image"),
                    Just("$0.101"),
                    Just(" "),
                    Just("×"),
                    Just("日本語"),
                    Just("é"),
                    Just("e\u{301}"),
                    Just("✓"),
                    Just("\n"),
                    Just("\t"),
                    Just("\u{1b}[1m"),
                    Just(""),
                ],
                0..6,
            )
            .prop_map(|parts| parts.concat())
        }

        fn cell() -> impl Strategy<Value = Cell> {
            prop_oneof![
                text().prop_map(Cell::Text),
                (0i64..10_000_000, 0u32..6)
                    .prop_map(|(units, scale)| Cell::Money(Money::new(Decimal::new(units, scale)))),
                (0i64..10_000_000, 0u32..8)
                    .prop_map(|(units, scale)| Cell::Unit(Money::new(Decimal::new(units, scale)))),
                any::<u64>().prop_map(Cell::Count),
                (0i64..100_000, 0u32..4).prop_map(|(units, scale)| Cell::Percent(Decimal::new(units, scale))),
                Just(Cell::Empty),
            ]
        }

        /// A table of 1 to 5 columns and up to 4 rows, each row as long as
        /// the table or shorter; which columns are shown; and widths to
        /// wrap the columns to, or none.
        fn table() -> impl Strategy<Value = (Table, Vec<usize>, Option<Vec<usize>>)> {
            (1usize..6).prop_flat_map(|columns| {
                (
                    prop::collection::vec(text(), columns),
                    prop::collection::vec(prop::collection::vec(cell(), 0..=columns), 0..5),
                    prop::collection::vec(any::<bool>(), columns),
                    prop::option::of(prop::collection::vec(1usize..30, columns)),
                )
                    .prop_map(|(headers, rows, shown, widths)| {
                        let table = Table {
                            title: None,
                            columns: headers.into_iter().map(Column::new).collect(),
                            rows,
                        };
                        let mut shown: Vec<usize> = (0..shown.len()).filter(|&index| shown[index]).collect();
                        if shown.is_empty() {
                            shown.push(0);
                        }
                        (table, shown, widths)
                    })
            })
        }

        proptest! {
            /// Any table drawn whole, or wrapped to widths, in color or
            /// not, is the bytes comfy-table writes for it.
            #[test]
            fn any_table_is_drawn_byte_for_byte((table, shown, widths) in table(), color in any::<bool>()) {
                let (currency, style) = (Currency::usd(), Style { color, width: None });
                let ours = drawn(&table, &shown, &currency, style, widths.as_deref());
                let theirs = boxed(&table, &shown, &currency, style, widths.as_deref()).to_string();
                prop_assert_eq!(ours, theirs);
            }
        }
    }

    #[test]
    fn colors_only_when_asked() {
        let mut out = Vec::new();
        write(&sample(), Style { color: true, width: None }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\x1b[1mSample\x1b[0m"), "{text:?}");
    }
}

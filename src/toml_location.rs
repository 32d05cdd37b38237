//! Where in a TOML text a parse error points, for one-line error messages.

use std::ops::Range;

/// ` line L, column C` for the start of `span` in `text`, or nothing when the
/// parser gave no span.
pub(crate) fn location(text: &str, span: Option<Range<usize>>) -> String {
    let Some(span) = span else { return String::new() };
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |tail| tail.chars().count()) + 1;
    format!(" line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_columns_from_one() {
        assert_eq!(location("a = 1\nbb = x", Some(11..12)), " line 2, column 6");
        assert_eq!(location("x", None), "");
        assert_eq!(location("x", Some(40..41)), " line 1, column 2");
    }

    #[test]
    fn never_splits_a_character() {
        // Byte 2 is inside `é`; the column counts characters.
        assert_eq!(location("é = 1", Some(1..2)), " line 1, column 1");
        assert_eq!(location("aé", Some(2..3)), " line 1, column 2");
    }
}

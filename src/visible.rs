//! Text from outside (a file, a card, a flag) shown to a person: control
//! characters are made visible (`\u{1b}`), so an escape sequence in a
//! `modelVersion`, an error message or a card name can never retitle the
//! terminal, clear the screen or write the clipboard, and a newline can never
//! start a line of its own in a table, a message or a SQL comment.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1, and the line and
/// paragraph separators) written as `\u{…}`; text without one is borrowed.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if is_control(ch) {
            shown.push_str(&format!("\\u{{{:x}}}", u32::from(ch)));
        } else {
            shown.push(ch);
        }
    }
    Cow::Owned(shown)
}

/// Whether `ch` is a control character a terminal or a reader may act on.
pub fn is_control(ch: char) -> bool {
    ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_control_characters_visible_and_leaves_the_rest() {
        let cases = [
            ("gemini-3-pro-image", "gemini-3-pro-image"),
            ("\u{1b}]0;owned\u{7}", "\\u{1b}]0;owned\\u{7}"),
            ("a\nb\r\tc", "a\\u{a}b\\u{d}\\u{9}c"),
            ("\u{9b}2J del\u{7f}", "\\u{9b}2J del\\u{7f}"),
            ("line\u{2028}sep", "line\\u{2028}sep"),
            ("Nano Banana ✓ 2K", "Nano Banana ✓ 2K"),
        ];
        for (text, shown) in cases {
            assert_eq!(visible(text), shown, "{text:?}");
        }
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
    }
}

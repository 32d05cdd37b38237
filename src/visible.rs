//! Text from outside (a file, a card, a flag) shown to a person: control
//! characters are made visible (`\u{1b}`), so an escape sequence in a
//! `modelVersion`, an error message or a card name can never retitle the
//! terminal, clear the screen or write the clipboard, and a newline can never
//! start a line of its own in a table, a message or a SQL comment. The
//! invisible marks that reorder text (bidirectional overrides, isolates and
//! marks) are shown the same way, so a name cannot read differently from
//! what it holds.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1, the line and
/// paragraph separators, the bidirectional controls and the invisible
/// characters a name could hide in) written as `\u{…}`; text without one
/// is borrowed.
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
    ch.is_control()
        || matches!(
            ch,
            '\u{2028}' | '\u{2029}'
            // Bidirectional embeddings and overrides, isolates, and marks.
            | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}'
            // Invisible: the byte-order mark, a zero-width space, word
            // joiner and invisible operators, the soft hyphen, the Mongolian
            // vowel separator. (The zero-width joiners, part of emoji and
            // scripts, stay.)
            | '\u{feff}' | '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{ad}' | '\u{180e}'
        )
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
            ("team-\u{202e}gnp.exe", "team-\\u{202e}gnp.exe"),
            ("\u{2066}a\u{2069}\u{200f}\u{61c}\u{feff}", "\\u{2066}a\\u{2069}\\u{200f}\\u{61c}\\u{feff}"),
            ("team\u{200b}a\u{2060}b\u{ad}c", "team\\u{200b}a\\u{2060}b\\u{ad}c"),
            ("Nano Banana ✓ 2K", "Nano Banana ✓ 2K"),
            // A joiner inside an emoji is part of the picture, not a control.
            ("👩\u{200d}💻 done", "👩\u{200d}💻 done"),
        ];
        for (text, shown) in cases {
            assert_eq!(visible(text), shown, "{text:?}");
        }
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
    }
}

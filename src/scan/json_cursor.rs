//! A forward-only JSON reader over one line, built to skip what it does not
//! need at memory speed.
//!
//! Batch output lines carry a base64 image of hundreds of kilobytes inside
//! `inlineData.data`. Building a DOM would copy that payload; this cursor
//! instead walks the structure, decodes only the strings the caller asks
//! for, and crosses every other string with `memchr2` for the closing quote
//! or a backslash, then checks the span with one vectorizable pass.
//!
//! It validates as strictly as `serde_json` does (grammar, escapes,
//! surrogate pairs, control characters, UTF-8, nesting depth, numbers out of
//! `f64` range), so a line is either JSON to both or to neither. The unit
//! tests and the property test in `scan::reference` hold it to that.

use std::borrow::Cow;

/// The deepest nesting `serde_json` accepts: its recursion limit is 128 and
/// it fails on entering the 128th container.
const MAX_DEPTH: usize = 127;

/// Where and why a line stopped being JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Byte offset into the line.
    pub(crate) position: usize,
    /// A short lowercase phrase.
    pub(crate) problem: &'static str,
}

pub(crate) type Parsed<T> = Result<T, SyntaxError>;

/// The kind of the value under the cursor, known from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

/// A cursor over the bytes of one JSON text.
pub(crate) struct JsonCursor<'a> {
    bytes: &'a [u8],
    position: usize,
    depth: usize,
}

impl<'a> JsonCursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0, depth: 0 }
    }

    fn fail<T>(&self, problem: &'static str) -> Parsed<T> {
        Err(SyntaxError { position: self.position, problem })
    }

    fn skip_whitespace(&mut self) {
        while let Some(&byte) = self.bytes.get(self.position) {
            if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                self.position += 1;
            } else {
                break;
            }
        }
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_whitespace();
        self.position == self.bytes.len()
    }

    /// Fails unless only whitespace is left.
    pub(crate) fn expect_end(&mut self) -> Parsed<()> {
        if self.at_end() { Ok(()) } else { self.fail("trailing characters") }
    }

    /// The kind of the next value, after whitespace.
    pub(crate) fn peek_kind(&mut self) -> Parsed<ValueKind> {
        self.skip_whitespace();
        match self.bytes.get(self.position) {
            Some(b'{') => Ok(ValueKind::Object),
            Some(b'[') => Ok(ValueKind::Array),
            Some(b'"') => Ok(ValueKind::String),
            Some(b'-' | b'0'..=b'9') => Ok(ValueKind::Number),
            Some(b't' | b'f') => Ok(ValueKind::Bool),
            Some(b'n') => Ok(ValueKind::Null),
            Some(_) => self.fail("expected value"),
            None => self.fail("eof while parsing a value"),
        }
    }

    /// Reads the value under the cursor the way the line readers take a
    /// member: `null` is absent (`None`), a value of `kind` is read by
    /// `read`, and a value of any other kind is crossed and stands as
    /// `other()` (a wrong-type mark, or a lenient default).
    #[inline]
    pub(crate) fn read_nullable<T>(
        &mut self,
        kind: ValueKind,
        read: impl FnOnce(&mut Self) -> Parsed<T>,
        other: impl FnOnce() -> T,
    ) -> Parsed<Option<T>> {
        match self.peek_kind()? {
            ValueKind::Null => self.skip_value().map(|()| None),
            found if found == kind => read(self).map(Some),
            _ => self.skip_value().map(|()| Some(other())),
        }
    }

    fn enter_container(&mut self, open: u8) -> Parsed<()> {
        self.skip_whitespace();
        if self.bytes.get(self.position) != Some(&open) {
            return self.fail("expected a container");
        }
        if self.depth == MAX_DEPTH {
            return self.fail("recursion limit exceeded");
        }
        self.depth += 1;
        self.position += 1;
        Ok(())
    }

    /// Consumes `{`. Follow with [`Self::next_field`] until it says `None`.
    pub(crate) fn enter_object(&mut self) -> Parsed<()> {
        self.enter_container(b'{')
    }

    /// Consumes `[`. Follow with [`Self::next_element`] until it says `false`.
    pub(crate) fn enter_array(&mut self) -> Parsed<()> {
        self.enter_container(b'[')
    }

    /// Moves to the next member of the object entered last and returns its
    /// name, leaving the cursor on its value; `None` after the closing `}`.
    /// `first` starts `true` for each object.
    pub(crate) fn next_field(&mut self, first: &mut bool) -> Parsed<Option<Cow<'a, str>>> {
        self.skip_whitespace();
        match self.bytes.get(self.position) {
            Some(b'}') => {
                self.position += 1;
                self.depth -= 1;
                return Ok(None);
            }
            Some(b',') if !*first => {
                self.position += 1;
                self.skip_whitespace();
            }
            Some(b'"') if *first => {}
            None => return self.fail("eof while parsing an object"),
            Some(_) if *first => return self.fail("key must be a string"),
            Some(_) => return self.fail("expected `,` or `}`"),
        }
        *first = false;
        if self.bytes.get(self.position) != Some(&b'"') {
            return if self.position == self.bytes.len() {
                self.fail("eof while parsing an object")
            } else {
                self.fail("key must be a string")
            };
        }
        let name = self.read_string()?;
        self.skip_whitespace();
        match self.bytes.get(self.position) {
            Some(b':') => self.position += 1,
            None => return self.fail("eof while parsing an object"),
            Some(_) => return self.fail("expected `:`"),
        }
        Ok(Some(name))
    }

    /// Moves to the next element of the array entered last; `false` after
    /// the closing `]`. `first` starts `true` for each array.
    pub(crate) fn next_element(&mut self, first: &mut bool) -> Parsed<bool> {
        self.skip_whitespace();
        match self.bytes.get(self.position) {
            Some(b']') => {
                // `[1,]` is caught here: after a comma we never come back
                // to this match before a value was read.
                self.position += 1;
                self.depth -= 1;
                return Ok(false);
            }
            Some(b',') if !*first => {
                self.position += 1;
                self.skip_whitespace();
                if self.bytes.get(self.position) == Some(&b']') {
                    return self.fail("trailing comma");
                }
            }
            None => return self.fail("eof while parsing a list"),
            Some(_) if *first => {}
            Some(_) => return self.fail("expected `,` or `]`"),
        }
        *first = false;
        Ok(true)
    }

    /// Reads a string value and decodes its escapes.
    pub(crate) fn read_string(&mut self) -> Parsed<Cow<'a, str>> {
        self.skip_whitespace();
        if self.bytes.get(self.position) != Some(&b'"') {
            return self.fail("expected a string");
        }
        self.position += 1;
        let start = self.position;
        let mut decoded: Option<String> = None;
        loop {
            let rest = &self.bytes[self.position..];
            let Some(offset) = memchr::memchr2(b'"', b'\\', rest) else {
                self.position = self.bytes.len();
                return self.fail("eof while parsing a string");
            };
            let segment = &rest[..offset];
            self.check_segment(segment)?;
            let special = rest[offset];
            if special == b'"' {
                let result = match decoded {
                    None => Cow::Borrowed(as_str(&self.bytes[start..self.position + offset])),
                    Some(mut owned) => {
                        owned.push_str(as_str(segment));
                        Cow::Owned(owned)
                    }
                };
                self.position += offset + 1;
                return Ok(result);
            }
            let owned = decoded.get_or_insert_with(String::new);
            owned.push_str(as_str(segment));
            self.position += offset;
            let character = self.read_escape()?;
            owned.push(character);
        }
    }

    /// Crosses a string value without decoding it, still validating it.
    pub(crate) fn skip_string(&mut self) -> Parsed<()> {
        self.skip_whitespace();
        if self.bytes.get(self.position) != Some(&b'"') {
            return self.fail("expected a string");
        }
        self.position += 1;
        loop {
            let rest = &self.bytes[self.position..];
            let Some(offset) = memchr::memchr2(b'"', b'\\', rest) else {
                self.position = self.bytes.len();
                return self.fail("eof while parsing a string");
            };
            self.check_segment(&rest[..offset])?;
            if rest[offset] == b'"' {
                self.position += offset + 1;
                return Ok(());
            }
            self.position += offset;
            self.read_escape()?;
        }
    }

    /// Checks a run of string bytes holding no quote and no backslash: no
    /// control characters, valid UTF-8. Only checks: a skipped string (an
    /// image payload, hundreds of kilobytes) is crossed by this one pass and
    /// never made into text, which would be a second pass over every byte.
    fn check_segment(&self, segment: &[u8]) -> Parsed<()> {
        if is_printable_ascii(segment) {
            return Ok(());
        }
        let fail_at = |index: usize, problem| SyntaxError { position: self.position + index, problem };
        std::str::from_utf8(segment)
            .map_err(|error| fail_at(error.valid_up_to(), "invalid unicode code point"))?;
        if let Some(index) = segment.iter().position(|&byte| byte < 0x20) {
            return Err(fail_at(index, "control character found while parsing a string"));
        }
        Ok(())
    }

    /// Reads one escape starting at the backslash under the cursor.
    fn read_escape(&mut self) -> Parsed<char> {
        self.position += 1;
        let Some(&letter) = self.bytes.get(self.position) else {
            return self.fail("eof while parsing a string");
        };
        self.position += 1;
        let simple = match letter {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.read_unicode_escape(),
            _ => {
                self.position -= 1;
                return self.fail("invalid escape");
            }
        };
        Ok(simple)
    }

    /// Reads the four hex digits after `\u`, and a second `\uXXXX` when the
    /// first is a leading surrogate.
    fn read_unicode_escape(&mut self) -> Parsed<char> {
        let unit = self.read_hex4()?;
        match unit {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.position..self.position + 2) != Some(b"\\u") {
                    return self.fail("lone leading surrogate in hex escape");
                }
                self.position += 2;
                let trailing = self.read_hex4()?;
                if !(0xDC00..=0xDFFF).contains(&trailing) {
                    return self.fail("lone leading surrogate in hex escape");
                }
                let scalar = 0x10000 + ((unit - 0xD800) << 10) + (trailing - 0xDC00);
                Ok(char::from_u32(scalar).unwrap_or(char::REPLACEMENT_CHARACTER))
            }
            0xDC00..=0xDFFF => self.fail("lone trailing surrogate in hex escape"),
            _ => Ok(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
    }

    fn read_hex4(&mut self) -> Parsed<u32> {
        let mut value = 0;
        for _ in 0..4 {
            let Some(&digit) = self.bytes.get(self.position) else {
                return self.fail("eof while parsing a string");
            };
            let nibble = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return self.fail("invalid escape"),
            };
            value = value * 16 + u32::from(nibble);
            self.position += 1;
        }
        Ok(value)
    }

    /// Reads a number and returns its text as written, after checking the
    /// JSON number grammar and that it fits an `f64` as `serde_json` needs.
    pub(crate) fn read_number(&mut self) -> Parsed<&'a [u8]> {
        self.skip_whitespace();
        let start = self.position;
        let bytes = self.bytes;
        let mut at = start;
        let negative = bytes.get(at) == Some(&b'-');
        if negative {
            at += 1;
        }
        match bytes.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => at += count_digits(bytes, at),
            None => {
                self.position = at;
                return self.fail("eof while parsing a value");
            }
            Some(_) => {
                self.position = at;
                return self.fail("invalid number");
            }
        }
        let mut is_integer = true;
        if bytes.get(at) == Some(&b'.') {
            is_integer = false;
            at += 1;
            let digits = count_digits(bytes, at);
            if digits == 0 {
                self.position = at;
                return self.fail("invalid number");
            }
            at += digits;
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            is_integer = false;
            at += 1;
            if matches!(bytes.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            let digits = count_digits(bytes, at);
            if digits == 0 {
                self.position = at;
                return self.fail("invalid number");
            }
            at += digits;
        }
        let text = &bytes[start..at];
        self.position = at;
        let fits_an_integer = is_integer && (unsigned_value(text).is_some() || signed_value(text).is_some());
        if !fits_an_integer {
            let finite = as_str(text).parse::<f64>().is_ok_and(f64::is_finite);
            if !finite {
                self.position = start;
                return self.fail("number out of range");
            }
        }
        Ok(text)
    }

    fn literal(&mut self, word: &'static [u8]) -> Parsed<()> {
        for &expected in word {
            match self.bytes.get(self.position) {
                Some(&byte) if byte == expected => self.position += 1,
                None => return self.fail("eof while parsing a value"),
                Some(_) => return self.fail("expected ident"),
            }
        }
        Ok(())
    }

    /// Reads `true` or `false`.
    pub(crate) fn read_bool(&mut self) -> Parsed<bool> {
        self.skip_whitespace();
        if self.bytes.get(self.position) == Some(&b't') {
            self.literal(b"true").map(|()| true)
        } else {
            self.literal(b"false").map(|()| false)
        }
    }

    /// Crosses any value, validating it.
    pub(crate) fn skip_value(&mut self) -> Parsed<()> {
        match self.peek_kind()? {
            ValueKind::String => self.skip_string(),
            ValueKind::Number => self.read_number().map(drop),
            ValueKind::Bool => self.read_bool().map(drop),
            ValueKind::Null => self.literal(b"null"),
            ValueKind::Object => {
                self.enter_object()?;
                let mut first = true;
                while self.next_field(&mut first)?.is_some() {
                    self.skip_value()?;
                }
                Ok(())
            }
            ValueKind::Array => {
                self.enter_array()?;
                let mut first = true;
                while self.next_element(&mut first)? {
                    self.skip_value()?;
                }
                Ok(())
            }
        }
    }

    /// Crosses any value and returns its text exactly as written.
    pub(crate) fn read_raw(&mut self) -> Parsed<&'a [u8]> {
        self.skip_whitespace();
        let start = self.position;
        self.skip_value()?;
        Ok(&self.bytes[start..self.position])
    }
}

fn count_digits(bytes: &[u8], from: usize) -> usize {
    bytes.get(from..).unwrap_or_default().iter().take_while(|byte| byte.is_ascii_digit()).count()
}

/// True when every byte is in `0x20..=0x7F`: no control character and no
/// UTF-8 to check. Written as a branch-free fold over fixed chunks so the
/// compiler vectorizes it; this is the loop that crosses image payloads.
fn is_printable_ascii(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(64);
    for chunk in &mut chunks {
        let outside = chunk.iter().fold(false, |outside, &byte| outside | ((byte as i8) < 0x20));
        if outside {
            return false;
        }
    }
    chunks.remainder().iter().all(|&byte| (byte as i8) >= 0x20)
}

/// Bytes already checked to be UTF-8 (or ASCII) as text.
fn as_str(bytes: &[u8]) -> &str {
    // Every caller passes bytes that `check_segment` or the number grammar
    // accepted, so this cannot fail; fall back to empty rather than panic.
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// The value of a JSON number's text when `serde_json` would read it as a
/// `u64`: digits only, no sign, fraction or exponent, and in range.
pub(crate) fn unsigned_value(text: &[u8]) -> Option<u64> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    text.iter().try_fold(0u64, |value, &digit| value.checked_mul(10)?.checked_add(u64::from(digit - b'0')))
}

/// The value of a JSON number's text when `serde_json` would read it as an
/// `i64`. Like `serde_json`, `-0` is a float, not an integer.
pub(crate) fn signed_value(text: &[u8]) -> Option<i64> {
    match text.strip_prefix(b"-") {
        None => unsigned_value(text).and_then(|value| i64::try_from(value).ok()),
        Some(magnitude_text) => {
            let magnitude = unsigned_value(magnitude_text)?;
            if magnitude == 0 {
                return None;
            }
            0i64.checked_sub_unsigned(magnitude)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips_as_json(text: &str) -> bool {
        let mut cursor = JsonCursor::new(text.as_bytes());
        cursor.skip_value().is_ok() && cursor.expect_end().is_ok()
    }

    fn serde_accepts(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text).is_ok()
    }

    #[test]
    fn agrees_with_serde_json_on_what_is_json() {
        let cases = [
            r#"{}"#,
            r#"[]"#,
            r#"{"a":1}"#,
            r#"{"a":1,}"#,
            r#"[1,]"#,
            r#"[,1]"#,
            r#"[1 2]"#,
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            r#"{1:2}"#,
            r#"{"a":1"#,
            r#""abc"#,
            r#""a\qb""#,
            r#""a\u12""#,
            r#""a\u12G4""#,
            r#""\uD83D\uDE00""#,
            r#""\uD83D""#,
            r#""\uD83Dx""#,
            r#""\uDE00""#,
            r#""\uD83D\u0041""#,
            "\"tab\there\"",
            "\"del\u{7f}ok\"",
            r#""é ünïcødé ✓""#,
            "01",
            "-",
            "-0",
            "1.",
            "1.5e",
            "1e+5",
            "1E-5",
            "1e400",
            "-1e400",
            "1e-400",
            "18446744073709551616",
            "-9223372036854775809",
            "true",
            "tru",
            "nul",
            "null x",
            "  {\"a\" : [ 1 , 2 ] }  ",
            "{\"a\":1}\r",
        ];
        for case in cases {
            assert_eq!(skips_as_json(case), serde_accepts(case), "case {case:?}");
        }
    }

    #[test]
    fn rejects_invalid_utf8_and_raw_control_bytes_like_serde_json() {
        for bytes in [&b"\"\xff\""[..], b"\"\xc3\x28\"", b"\"a\x01b\"", b"{\"\xe2\x82\":1}"] {
            let mut cursor = JsonCursor::new(bytes);
            assert!(cursor.skip_value().is_err(), "{bytes:?}");
            assert!(serde_json::from_slice::<serde_json::Value>(bytes).is_err());
        }
    }

    #[test]
    fn nests_exactly_as_deep_as_serde_json_allows() {
        for depth in [126, 127, 128, 129] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(skips_as_json(&text), serde_accepts(&text), "depth {depth}");
        }
    }

    #[test]
    fn decodes_escaped_strings() {
        let cases = [
            (r#""plain""#, "plain"),
            (r#""a\"b\\c\/d""#, "a\"b\\c/d"),
            (r#""\n\t\r\b\f""#, "\n\t\r\u{8}\u{c}"),
            (r#""\u0041\u00e9""#, "Aé"),
            (r#""\uD83D\uDE00!""#, "😀!"),
            (r#""ké\u0079""#, "kéy"),
        ];
        for (text, expected) in cases {
            let mut cursor = JsonCursor::new(text.as_bytes());
            assert_eq!(cursor.read_string().unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn reads_integers_the_way_serde_json_types_them() {
        let cases: [(&str, Option<u64>, Option<i64>); 7] = [
            ("0", Some(0), Some(0)),
            ("42", Some(42), Some(42)),
            ("-0", None, None),
            ("-7", None, Some(-7)),
            ("1.0", None, None),
            ("18446744073709551615", Some(u64::MAX), None),
            ("-9223372036854775808", None, Some(i64::MIN)),
        ];
        for (text, unsigned, signed) in cases {
            assert_eq!(unsigned_value(text.as_bytes()), unsigned, "{text}");
            assert_eq!(signed_value(text.as_bytes()), signed, "{text}");
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(value.as_u64(), unsigned, "serde u64 {text}");
            assert_eq!(value.as_i64(), signed, "serde i64 {text}");
        }
    }

    #[test]
    fn reads_a_nullable_member_as_absent_read_or_other() {
        let cases = [
            ("null", None),
            (r#""abc""#, Some("abc")),
            (r#"[1, {"b": "c"}]"#, Some("other")),
            ("7", Some("other")),
        ];
        for (text, expected) in cases {
            let mut cursor = JsonCursor::new(text.as_bytes());
            let read = cursor
                .read_nullable(
                    ValueKind::String,
                    |cursor| Ok(cursor.read_string()?.into_owned()),
                    || "other".to_owned(),
                )
                .unwrap();
            assert_eq!(read.as_deref(), expected, "{text}");
            assert!(cursor.at_end(), "the whole value is crossed: {text}");
        }
    }

    #[test]
    fn returns_raw_text_as_written() {
        let mut cursor = JsonCursor::new(br#"  {"a": [1, 2.50]}  "#);
        assert_eq!(cursor.read_raw().unwrap(), br#"{"a": [1, 2.50]}"#);
    }

    #[test]
    fn crosses_a_long_string_to_its_end_and_stops_at_a_bad_byte_anywhere_in_it() {
        let base = vec![b'A'; 300];
        for index in 0..base.len() {
            for special in [b'"', b'\\', 0x01, 0xff] {
                let mut body = base.clone();
                body[index] = special;
                let text = [&b"\""[..], &body, b"A\""].concat();
                let mut cursor = JsonCursor::new(&text);
                let skipped = cursor.skip_string();
                match special {
                    // The string ends at the quote, where the cursor stops.
                    b'"' => assert_eq!((skipped, cursor.position), (Ok(()), index + 2)),
                    // `\A` is no escape.
                    b'\\' => assert_eq!(skipped.unwrap_err().position, index + 2, "index {index}"),
                    _ => assert_eq!(skipped.unwrap_err().position, index + 1, "index {index} byte {special}"),
                }
            }
        }
        let whole = [&b"\""[..], &base, b"\" 1"].concat();
        let mut cursor = JsonCursor::new(&whole);
        assert_eq!((cursor.skip_string(), cursor.position), (Ok(()), base.len() + 2));
    }

    #[test]
    fn finds_non_ascii_in_every_position_of_a_long_span() {
        let base = vec![b'A'; 200];
        assert!(is_printable_ascii(&base));
        for index in 0..base.len() {
            for bad in [0x00, 0x1f, 0x80, 0xff] {
                let mut bytes = base.clone();
                bytes[index] = bad;
                assert!(!is_printable_ascii(&bytes), "index {index} byte {bad}");
            }
        }
    }
}

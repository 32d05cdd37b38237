//! One TOML file read strictly, the same way for rate cards and plans: the
//! bytes, then UTF-8 text, then TOML parsed into the file's raw shape (with
//! the line and column of any parse error), then the file's own rules, each
//! broken rule reported as a key, the problem and the fix.
//!
//! The loaders keep their own public error types; the pieces here are what
//! those errors carry and how the shared part of each message is written.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::de::DeValue;

/// Why a file's text could not be had.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The file could not be read.
    Unreadable(std::io::Error),
    /// The bytes are not a TOML file's text: not UTF-8, or more of them
    /// than any card or plan holds ([`LIMIT`]).
    NotText(Malformed),
}

/// The largest card or plan read (1 MiB): the October 2026 card, every
/// image model Google has shipped, is 22 KB; a plan a few hundred bytes. Past it the
/// file is refused before it is held, so `/dev/zero` or a log given by
/// mistake stops at once rather than filling memory.
pub(crate) const LIMIT: u64 = 1 << 20;

/// Text that is not the file it should be: not UTF-8, bad TOML, a wrong
/// type, an unknown or missing key. Displays as `{location}: {message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// ` line L, column C` where known, or nothing.
    pub location: String,
    /// What the parser said.
    pub message: String,
}

impl Malformed {
    /// A problem with the whole text, at no location.
    pub(crate) fn whole(message: impl Into<String>) -> Malformed {
        Malformed { location: String::new(), message: message.into() }
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A parsed value that breaks a rule. Displays as `` `{key}` {problem}; {fix} ``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The key path, such as `model[gemini-3-pro-image-preview].size[4K].price.batch`.
    pub key: String,
    /// What is wrong.
    pub problem: String,
    /// How to mend it.
    pub fix: String,
}

impl Invalid {
    /// A broken rule at `key`.
    pub(crate) fn new(key: impl Into<String>, problem: impl Into<String>, fix: impl Into<String>) -> Invalid {
        Invalid { key: key.into(), problem: problem.into(), fix: fix.into() }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}; {}", self.key, self.problem, self.fix)
    }
}

/// Whether `path` is `-`, standard input, as wherever nbcost reads a file.
pub fn is_stdin(path: &Path) -> bool {
    path == Path::new("-")
}

/// How messages and reports name the file at `path`: `stdin` for `-`.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) { "stdin".to_string() } else { path.display().to_string() }
}

/// The text of the file at `path` (standard input for `-`); `kind` names what the file should be in
/// the not-UTF-8 message (`a rate card`, `a plan`).
pub(crate) fn read(path: &Path, kind: &str) -> Result<String, ReadFailure> {
    let bytes = if is_stdin(path) {
        read_capped(std::io::stdin().lock(), kind)?
    } else {
        read_capped(std::fs::File::open(path).map_err(ReadFailure::Unreadable)?, kind)?
    };
    String::from_utf8(bytes).map_err(|err| {
        ReadFailure::NotText(Malformed::whole(format!(
            "not UTF-8 text (invalid byte at offset {}): {kind} is a TOML file",
            err.utf8_error().valid_up_to()
        )))
    })
}

/// At most [`LIMIT`] bytes of `source`; more is refused as not `kind`.
pub(crate) fn read_capped(source: impl std::io::Read, kind: &str) -> Result<Vec<u8>, ReadFailure> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut source.take(LIMIT + 1), &mut bytes).map_err(ReadFailure::Unreadable)?;
    if bytes.len() as u64 > LIMIT {
        return Err(ReadFailure::NotText(Malformed::whole(format!(
            "larger than {} MiB, where {kind} is a TOML file of a few kilobytes: check the path",
            LIMIT >> 20
        ))));
    }
    Ok(bytes)
}

/// The first value in `text` (already known to be valid TOML), in the
/// order the file gives them, that a card or plan may not hold, as a
/// broken rule at its key: a string with a control character, or a float
/// with more digits than it keeps. Both are read in one walk of the file.
pub(crate) fn broken_value(text: &str) -> Option<Invalid> {
    first_broken(text, &mut |key, value| control_character(key, value).or_else(|| inexact_float(key, value)))
}

/// A string with a control character: text in a card or plan reaches
/// tables, messages and SQL, where a newline or an escape sequence would
/// act rather than show.
fn control_character(key: &str, value: &DeValue<'_>) -> Option<Invalid> {
    match value {
        DeValue::String(value) if value.chars().any(crate::visible::is_control) => Some(Invalid::new(
            key,
            format!("holds a control character (`{}`)", crate::visible::visible(value)),
            "remove it: names, dates and sources are one line of plain text",
        )),
        _ => None,
    }
}

/// A number written as a float with more significant digits than a TOML
/// float (an `f64`) keeps: its written digits are lost when it is read
/// (`0.168017999999999999` reads as 0.168018), so a price or a budget
/// would silently be another figure. Written as a string, it is read
/// digit for digit.
fn inexact_float(key: &str, value: &DeValue<'_>) -> Option<Invalid> {
    match value {
        DeValue::Float(float) if significant_digits(float.as_str()) > 15 => {
            let written = float.as_str();
            Some(Invalid::new(
                key,
                format!("`{written}` has more digits than a TOML float keeps exactly"),
                format!("write it as a string, such as \"{}\"", written.replace('_', "")),
            ))
        }
        _ => None,
    }
}

/// The significant digits of a float as written: leading and trailing
/// zeros, the sign, `_` and the exponent left out.
fn significant_digits(written: &str) -> usize {
    let mantissa = written.split(['e', 'E']).next().unwrap_or(written);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

/// The first rule `check` finds broken at a value of `text`, in the
/// order the file gives them, with the value's key path
/// (`model[0].size[1].price.standard`).
fn first_broken(text: &str, check: &mut dyn FnMut(&str, &DeValue<'_>) -> Option<Invalid>) -> Option<Invalid> {
    let table = toml::de::DeTable::parse(text).ok()?;
    walk_table(table.get_ref(), &mut String::new(), check)
}

fn walk_table(
    table: &toml::de::DeTable<'_>,
    key: &mut String,
    check: &mut dyn FnMut(&str, &DeValue<'_>) -> Option<Invalid>,
) -> Option<Invalid> {
    for (name, value) in table {
        let depth = key.len();
        if !key.is_empty() {
            key.push('.');
        }
        key.push_str(name.get_ref());
        let broken = walk_value(value.get_ref(), key, check);
        key.truncate(depth);
        if broken.is_some() {
            return broken;
        }
    }
    None
}

fn walk_value(
    value: &DeValue<'_>,
    key: &mut String,
    check: &mut dyn FnMut(&str, &DeValue<'_>) -> Option<Invalid>,
) -> Option<Invalid> {
    match value {
        DeValue::Table(table) => walk_table(table, key, check),
        DeValue::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
            let depth = key.len();
            key.push_str(&format!("[{index}]"));
            let broken = walk_value(item.get_ref(), key, check);
            key.truncate(depth);
            broken
        }),
        leaf => check(key, leaf),
    }
}

/// `text` parsed as TOML into `T`, or where and why it is not one.
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Malformed> {
    toml::from_str(text).map_err(|err| {
        let message = err.message().trim();
        let line = err.span().map_or("", |span| line_at(text, span.start));
        Malformed {
            location: location(text, err.span()),
            message: plainer::<T>(text, message, line).unwrap_or_else(|| message.to_string()),
        }
    })
}

/// The parser's message in the file's own terms, where it names a mistake
/// people make: `[line]` for an array of tables (`[[line]]`), or a whole
/// number written as a float (`1e4`). `line` is the line the error is on.
fn plainer<T: DeserializeOwned>(text: &str, message: &str, line: &str) -> Option<String> {
    if let Some(number) = message
        .strip_prefix("invalid value: integer `-")
        .and_then(|rest| rest.strip_suffix("`, expected u64"))
    {
        let key = line.split('=').next().unwrap_or_default().trim();
        let what = if key.starts_with("images") {
            "a whole number of images, 1 or more"
        } else {
            "a whole number, 0 or more"
        };
        return Some(format!("`{key}` is -{number}: give {what}"));
    }
    let header = line.trim();
    let table = header
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .filter(|name| !name.starts_with('[') && !name.is_empty());
    if let Some(name) = table {
        let name = name.trim();
        let as_array = || {
            format!(
                "`{name}` must be an array of tables: write `[[{name}]]`, not `[{name}]`, before each one"
            )
        };
        if message.starts_with("invalid type: map, expected a sequence") {
            return Some(as_array());
        }
        if message == "duplicate key" {
            // Twice `[line]`: an array if `[[line]]` makes the file read.
            let fixed: String = text
                .lines()
                .map(|each| if each.trim() == header { format!("[[{name}]]\n") } else { format!("{each}\n") })
                .collect();
            let reads = match toml::from_str::<T>(&fixed) {
                Ok(_) => true,
                Err(err) => !err.message().contains("invalid type"),
            };
            return reads.then(as_array);
        }
    }
    let whole = ["expected u64", "expected u32", "expected usize", "expected u8", "expected u16"];
    if message.starts_with("invalid type: floating point") && whole.iter().any(|want| message.ends_with(want))
    {
        let (key, value) = line.split_once('=')?;
        let (key, value) = (key.trim(), value.split('#').next().unwrap_or_default().trim());
        let number: f64 = value.replace('_', "").parse().ok()?;
        let example = if number.fract() == 0.0 && number.abs() < 1e15 {
            format!("{}", number as i64)
        } else {
            "10000".to_string()
        };
        return Some(format!(
            "`{key}` is `{value}`, not a whole number: write a whole number such as {example}"
        ));
    }
    // A figure refused for its value (a card's price or rate, a plan's
    // share) is named by its key, where the line gives one: `key = value`,
    // or a key inside an inline table on the line.
    if message.starts_with('`') {
        let key = line.split('=').next().unwrap_or_default().trim();
        if !key.is_empty() && !key.starts_with('[') && key.len() < line.trim().len() {
            return Some(format!("`{key}`: {message}"));
        }
    }
    None
}

/// The whole line of `text` that holds byte `at`.
fn line_at(text: &str, at: usize) -> &str {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
    let end = text[at..].find('\n').map_or(text.len(), |newline| at + newline);
    &text[start..end]
}

/// ` line L, column C` for the start of `span` in `text`, or nothing when the
/// parser gave no span.
fn location(text: &str, span: Option<Range<usize>>) -> String {
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

    /// A file of exactly the limit is read; one byte more is refused
    /// without being held, whatever the source (`/dev/zero` never ends).
    #[test]
    fn counts_a_floats_written_significant_digits() {
        let cases = [
            ("0.168017999999999999", 18),
            ("0.0336", 3),
            ("-1_000.500", 5),
            ("1.5e-3", 2),
            ("1.000000000000000000", 1),
            ("123456789012345.6", 16),
        ];
        for (written, want) in cases {
            assert_eq!(significant_digits(written), want, "{written}");
        }
        let broken = broken_value("a = 1.0\n[t]\nb = [0.5, 0.333333333333333333]\n").unwrap();
        assert!(broken.to_string().contains("t.b[1]"), "{broken}");
        assert!(broken_value("a = \"0.333333333333333333\"\nb = 0.5\n").is_none());
    }

    #[test]
    fn reads_up_to_the_limit_and_refuses_more() {
        let limit = LIMIT as usize;
        assert_eq!(read_capped(&vec![b'#'; limit][..], "a plan").unwrap().len(), limit);
        let Err(ReadFailure::NotText(refused)) = read_capped(std::io::repeat(0), "a plan") else {
            panic!("an endless source was read");
        };
        assert_eq!(
            refused.message,
            "larger than 1 MiB, where a plan is a TOML file of a few kilobytes: check the path"
        );
    }

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

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Lines {
        line: Vec<Line>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Line {
        count: u64,
    }

    #[test]
    fn says_how_to_write_an_array_of_tables_and_a_whole_number() {
        let cases = [
            ("[line]\ncount = 1\n", " line 1, column 1: `line` must be an array of tables: write `[[line]]`"),
            ("[line]\ncount = 1\n[line]\ncount = 2\n", "`line` must be an array of tables: write `[[line]]`"),
            (
                "[[line]]\ncount = 1e4 # ten thousand\n",
                " line 2, column 9: `count` is `1e4`, not a whole number: write a whole number such as 10000",
            ),
            (
                "[[line]]\ncount = 2.5\n",
                "`count` is `2.5`, not a whole number: write a whole number such as 10000",
            ),
        ];
        for (text, want) in cases {
            let err = parse::<Lines>(text).unwrap_err().to_string();
            assert!(err.starts_with(want) || err.contains(want), "{text:?}: {err}");
        }
        // A table given twice that is no array keeps the parser's word.
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Single {
            plan: toml::Table,
        }
        let twice = parse::<Single>("[plan]\na = 1\n[plan]\nb = 2\n").unwrap_err();
        assert_eq!(twice.message, "duplicate key");
    }

    #[test]
    fn writes_the_shared_part_of_each_message() {
        let malformed: Result<toml::Table, _> = parse("a = 1\nb = ");
        let malformed = malformed.unwrap_err();
        assert!(malformed.to_string().starts_with(" line 2, column "), "{malformed}");
        assert_eq!(Malformed::whole("the card is empty").to_string(), ": the card is empty");
        assert_eq!(
            Invalid::new("card.name", "is empty", "name it").to_string(),
            "`card.name` is empty; name it"
        );
    }

    #[test]
    fn says_what_the_file_should_have_been() {
        let dir = std::env::temp_dir().join(format!("nbcost-toml-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("binary.toml");
        std::fs::write(&path, b"ab\xffcd").unwrap();
        match read(&path, "a plan") {
            Err(ReadFailure::NotText(malformed)) => assert_eq!(
                malformed.to_string(),
                ": not UTF-8 text (invalid byte at offset 2): a plan is a TOML file"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(read(&dir.join("missing.toml"), "a plan"), Err(ReadFailure::Unreadable(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

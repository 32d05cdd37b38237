//! Opening a bill and telling its format from its content: gzip and zstd
//! are inflated (as batch files are, [`crate::scan::decompress`]) up to
//! [`BILL_LIMIT`]; then a first non-blank line that starts with `{` is
//! export JSON lines, one that starts with `[` is one JSON array of export
//! rows (`bq --format=json`), and anything else is the console's CSV.
//!
//! What the two readers share lives here too: the rows being gathered
//! ([`Gathered`]), exact numbers ([`parse_decimal`]) and quoting a value in
//! a reason ([`quoted`]).

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;

use rust_decimal::Decimal;

use super::{Bill, BillFormat, BillRow, GEMINI_API, MalformedBillRow, OtherService, VERTEX_AI};
use crate::error::{ErrorKind, Kind};
use crate::scan::{TrailingGarbage, decompress, looks_utf16};

/// The largest bill read, decompressed (512 MiB): a month of a busy
/// account's export is far smaller, and the whole bill is held in memory.
pub const BILL_LIMIT: usize = 512 << 20;

/// What nbcost reads as a bill, for messages.
const WANTED: &str = "the Cloud Billing console's Reports CSV (Reports, Download CSV) or billing-export rows as JSON lines (`bq query --format=json`, or an export to newline-delimited JSON)";

/// Why a bill could not be read. A row that cannot be read is not one of
/// these: it is a [`MalformedBillRow`].
#[derive(Debug, thiserror::Error)]
pub enum BillError {
    /// The file could not be opened.
    #[error("cannot open `{file}`: {reason}; check the path, or give - to read stdin")]
    Open {
        /// The file as given.
        file: String,
        /// What the system said.
        reason: io::Error,
    },
    /// Reading (or decompressing) failed part way.
    #[error("cannot read `{file}`: {reason}; a compressed file may be truncated: download it again")]
    Read {
        /// The file as given.
        file: String,
        /// What the system or the gzip or zstd decoder said.
        reason: io::Error,
    },
    /// Bytes after the gzip data that are not gzip.
    #[error(
        "cannot read `{file}`: the gzip data ends and bytes that are not gzip follow (trailing garbage, as `gzip -t` calls them): remove them (`gzip -dc` writes the data without them), then give the result"
    )]
    TrailingGarbage {
        /// The file as given.
        file: String,
    },
    /// Over [`BILL_LIMIT`] once decompressed.
    #[error(
        "`{file}` is over the {limit_mib} MiB limit for a bill (decompressed): download a shorter period, or only the Gemini API and Vertex AI services"
    )]
    TooLarge {
        /// The file as given.
        file: String,
        /// The limit in MiB.
        limit_mib: usize,
    },
    /// Text in UTF-16.
    #[error(
        "`{file}` is UTF-16 text, and nbcost reads UTF-8: convert it with `iconv -f UTF-16 -t UTF-8`, then give the result"
    )]
    Utf16 {
        /// The file as given.
        file: String,
    },
    /// Nothing but whitespace.
    #[error("`{file}` is empty: give {WANTED}")]
    Empty {
        /// The file as given.
        file: String,
    },
    /// Something else than a bill.
    #[error("`{file}` is not a bill ({looks}): give {WANTED}")]
    NotABill {
        /// The file as given.
        file: String,
        /// What it looks like instead.
        looks: String,
    },
    /// A CSV without the columns nbcost needs.
    #[error(
        "`{file}` has no {missing} column: give the Cloud Billing console's Reports CSV as downloaded (its header starts `Date,Service description,Service ID`)"
    )]
    MissingColumns {
        /// The missing columns, in backticks, comma-separated.
        missing: String,
        /// The file as given.
        file: String,
    },
    /// A JSON array that is not JSON.
    #[error(
        "`{file}` is not JSON at line {line}: {reason}: fix the file, or write the rows as JSON lines (one object a line)"
    )]
    BadJson {
        /// The file as given.
        file: String,
        /// Where it stops being JSON.
        line: u64,
        /// What `serde_json` said.
        reason: String,
    },
}

impl Kind for BillError {
    fn kind(&self) -> ErrorKind {
        // Each is about the file given: one that cannot be opened, read or
        // understood as a bill.
        ErrorKind::Input
    }
}

/// Reads the bill at `path` (`-` is stdin), plain, gzip or zstd, told
/// apart by content.
pub fn read_bill(path: &Path) -> Result<Bill, BillError> {
    let file = if path == Path::new("-") { "stdin".to_string() } else { path.display().to_string() };
    let open_error = |reason| BillError::Open { file: file.clone(), reason };
    let reader: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(open_error)?)
    };
    let source = decompress(reader).map_err(|reason| read_error(&file, reason))?;
    let bytes = read_capped(&file, source, BILL_LIMIT)?;
    parse(&file, &bytes)
}

/// The same from bytes already in memory, named `source` in messages.
pub fn read_bill_bytes(source: &str, bytes: &[u8]) -> Result<Bill, BillError> {
    read_bytes_capped(source, bytes, BILL_LIMIT)
}

fn read_bytes_capped(source: &str, bytes: &[u8], limit: usize) -> Result<Bill, BillError> {
    let compressed = bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    if !compressed {
        if bytes.len() > limit {
            return Err(BillError::TooLarge { file: source.to_string(), limit_mib: limit >> 20 });
        }
        return parse(source, bytes);
    }
    let inflated =
        decompress(io::Cursor::new(bytes.to_vec())).map_err(|reason| read_error(source, reason))?;
    let bytes = read_capped(source, inflated, limit)?;
    parse(source, &bytes)
}

fn read_error(file: &str, reason: io::Error) -> BillError {
    if reason.get_ref().is_some_and(|inner| inner.is::<TrailingGarbage>()) {
        BillError::TrailingGarbage { file: file.to_string() }
    } else {
        BillError::Read { file: file.to_string(), reason }
    }
}

/// All of `reader`, failing once it passes `limit` bytes; the buffer never
/// grows past `limit` + one read (a doubling `Vec` could reach twice it).
fn read_capped(file: &str, mut reader: impl Read, limit: usize) -> Result<Vec<u8>, BillError> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let read = match reader.read(&mut chunk) {
            Ok(0) => return Ok(bytes),
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(read_error(file, error)),
        };
        if bytes.len() + read > limit {
            return Err(BillError::TooLarge { file: file.to_string(), limit_mib: limit >> 20 });
        }
        if bytes.capacity() < bytes.len() + read {
            let wanted = (bytes.capacity() * 2).clamp(bytes.len() + read, limit);
            bytes.reserve_exact(wanted - bytes.len());
        }
        bytes.extend_from_slice(&chunk[..read]);
    }
}

/// Where the first non-blank line starts, and its line number.
pub(super) struct Start {
    /// Its byte offset.
    pub(super) offset: usize,
    /// Its line number (1 for the first).
    pub(super) line: u64,
}

fn parse(file: &str, bytes: &[u8]) -> Result<Bill, BillError> {
    if looks_utf16(&bytes[..bytes.len().min(1 << 10)]) {
        return Err(BillError::Utf16 { file: file.to_string() });
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(offset) = text.iter().position(|byte| !byte.is_ascii_whitespace()) else {
        return Err(BillError::Empty { file: file.to_string() });
    };
    let line_start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |newline| newline + 1);
    let line = memchr::memchr_iter(b'\n', &text[..line_start]).count() as u64 + 1;
    let start = Start { offset: line_start, line };
    let head = &text[offset..text.len().min(offset + (1 << 10))];
    if head.starts_with(b"%PDF") {
        return Err(BillError::NotABill {
            file: file.to_string(),
            looks: "a PDF, such as an invoice".into(),
        });
    }
    if head.contains(&0) {
        return Err(BillError::NotABill { file: file.to_string(), looks: "binary data".into() });
    }
    let (format, gathered) = match text[offset] {
        b'{' => (BillFormat::ExportJsonl, super::export_json::read_lines(text, start)),
        b'[' => (BillFormat::ExportJsonl, super::export_json::read_array(file, text, start)?),
        _ => (BillFormat::ConsoleCsv, super::console_csv::read(file, text, start)?),
    };
    gathered.finish(file, format)
}

/// The rows of a bill as they are read.
#[derive(Default)]
pub(super) struct Gathered {
    rows: Vec<BillRow>,
    other_services: Vec<OtherService>,
    /// Where each other service is in `other_services`, so that a bill of
    /// many services costs no more than one of a few.
    other_index: HashMap<String, usize>,
    malformed: Vec<MalformedBillRow>,
    /// Rows read, of any service or none.
    records: u64,
    /// Rows that named a service.
    with_service: u64,
}

impl Gathered {
    /// A row of a service: `true` when it is one of Gemini's, to be read;
    /// otherwise it is counted under its service here.
    pub(super) fn is_gemini(&mut self, id: &str, description: &str) -> bool {
        self.with_service += 1;
        if id == GEMINI_API || id == VERTEX_AI {
            return true;
        }
        let index = *self.other_index.entry(id.to_string()).or_insert_with(|| {
            self.other_services.push(OtherService {
                id: id.to_string(),
                description: description.to_string(),
                rows: 0,
            });
            self.other_services.len() - 1
        });
        self.other_services[index].rows += 1;
        false
    }

    /// Notes that a row was met (read or not).
    pub(super) fn record(&mut self) {
        self.records += 1;
    }

    pub(super) fn push(&mut self, row: BillRow) {
        self.rows.push(row);
    }

    pub(super) fn malformed(&mut self, line: u64, reason: impl Into<String>) {
        self.malformed.push(MalformedBillRow { line, reason: reason.into() });
    }

    fn finish(self, file: &str, format: BillFormat) -> Result<Bill, BillError> {
        if self.records > 0 && self.with_service == 0 {
            let looks = match format {
                BillFormat::ConsoleCsv => "no row has a `Service ID`".to_string(),
                BillFormat::ExportJsonl => format!("none of its {} rows has a `service.id`", self.records),
            };
            return Err(BillError::NotABill { file: file.to_string(), looks });
        }
        Ok(Bill {
            source: file.to_string(),
            format,
            rows: self.rows,
            other_services: self.other_services,
            malformed: self.malformed,
        })
    }
}

/// An exact decimal from a bill's text: `1234.56`, `-0.5`, `1,234.56`
/// (thousands separators, in groups of three), `1.2e-5`. Never a float.
pub(super) fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let plain = if text.contains(',') { Some(without_separators(text)?) } else { None };
    let plain = plain.as_deref().unwrap_or(text);
    if plain.contains(['e', 'E']) {
        Decimal::from_scientific(plain).ok()
    } else {
        Decimal::from_str_exact(plain).ok()
    }
}

/// `text` without its thousands separators, if they are where they belong:
/// after one to three digits, then between groups of three, before any
/// decimal point.
fn without_separators(text: &str) -> Option<String> {
    let unsigned = text.trim_start_matches(['-', '+']);
    let whole = unsigned.split(['.', 'e', 'E']).next().unwrap_or("");
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let grouped = (1..=3).contains(&first.len()) && groups.all(|group| group.len() == 3);
    let only_in_whole = !unsigned[whole.len()..].contains(',');
    (grouped && only_in_whole).then(|| text.replace(',', ""))
}

/// `value` in backticks for a reason, cut to a few dozen characters.
pub(super) fn quoted(value: &str) -> String {
    const MOST: usize = 40;
    match value.char_indices().nth(MOST) {
        Some((cut, _)) => format!("`{}…`", &value[..cut]),
        None => format!("`{value}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_exactly_with_or_without_separators() {
        let cases = [
            ("0.672", Some("0.672")),
            ("7.8174", Some("7.8174")),
            ("260,580", Some("260580")),
            ("1,234,567.891", Some("1234567.891")),
            ("-1,234.5", Some("-1234.5")),
            (" 12 ", Some("12")),
            ("1.2e-5", Some("0.000012")),
            ("0.1234567890123456789", Some("0.1234567890123456789")),
            ("1,2,3", None),
            ("12,34", None),
            ("1.234,5", None),
            (",123", None),
            ("abc", None),
            ("", None),
            ("1e400", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_decimal(text).map(|value| value.to_string()),
                expected.map(str::to_string),
                "{text}"
            );
        }
    }

    #[test]
    fn quotes_a_long_value_cut_short() {
        assert_eq!(quoted("abc"), "`abc`");
        assert_eq!(quoted(&"é".repeat(100)), format!("`{}…`", "é".repeat(40)));
    }

    #[test]
    fn refuses_a_bill_over_the_limit_saying_it() {
        let big = vec![b' '; (1 << 20) + 1];
        let error = read_bytes_capped("big.csv", &big, 1 << 20).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`big.csv` is over the 1 MiB limit for a bill (decompressed): download a shorter period, or only the Gemini API and Vertex AI services"
        );
        let compressed = zstd::encode_all(&big[..], 3).unwrap();
        let error = read_bytes_capped("big.csv.zst", &compressed, 1 << 20).unwrap_err();
        assert!(matches!(error, BillError::TooLarge { limit_mib: 1, .. }), "{error}");
        assert_eq!(error.kind(), ErrorKind::Input);
    }

    #[test]
    fn the_capped_buffer_never_grows_past_the_limit() {
        let limit = (1 << 20) + 12345;
        let bytes = read_capped("x", io::repeat(b'a').take(limit as u64), limit).unwrap();
        assert_eq!(bytes.len(), limit);
        assert!(bytes.capacity() <= limit, "{}", bytes.capacity());
    }
}

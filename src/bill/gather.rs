//! What the two bill readers share: where the bill's first line starts
//! ([`Start`]), the rows being gathered ([`Gathered`]), exact numbers
//! ([`parse_decimal`]) and quoting a value in a reason ([`quoted`]).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::error::BillError;
use super::{Bill, BillFormat, BillRow, GEMINI_API, MalformedBillRow, OtherService, VERTEX_AI};

/// Where the first non-blank line starts, and its line number.
pub(super) struct Start {
    /// Its byte offset.
    pub(super) offset: usize,
    /// Its line number (1 for the first).
    pub(super) line: u64,
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

    pub(super) fn finish(self, file: &str, format: BillFormat) -> Result<Bill, BillError> {
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
}

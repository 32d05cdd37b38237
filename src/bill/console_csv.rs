//! The Cloud Billing console's Reports CSV: one row per day × SKU, header
//! `Date,Service description,Service ID,SKU description,SKU ID,Usage
//! amount,Usage unit,List cost ($),Negotiated savings ($),Savings programs
//! ($),Other savings ($),Unrounded subtotal ($),Subtotal ($)`.
//!
//! Columns are found by name (any order, any case; a cost column's `(…)`
//! names the currency). `cost` is `List cost`; `credits` the sum of the
//! savings columns, which the console writes negative.

use csv::{ByteRecord, ReaderBuilder};
use rust_decimal::Decimal;

use super::error::BillError;
use super::gather::{Gathered, Start, parse_decimal, quoted};
use super::{BillRow, CostType};
use crate::card::parse_day;

/// A column nbcost reads, by its name without the currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Date,
    ServiceDescription,
    ServiceId,
    SkuDescription,
    SkuId,
    UsageAmount,
    UsageUnit,
    ListCost,
    NegotiatedSavings,
    SavingsPrograms,
    OtherSavings,
}

impl Column {
    const ALL: [Column; 11] = [
        Column::Date,
        Column::ServiceDescription,
        Column::ServiceId,
        Column::SkuDescription,
        Column::SkuId,
        Column::UsageAmount,
        Column::UsageUnit,
        Column::ListCost,
        Column::NegotiatedSavings,
        Column::SavingsPrograms,
        Column::OtherSavings,
    ];

    /// The columns a bill cannot be read without.
    const NEEDED: [Column; 6] = [
        Column::Date,
        Column::ServiceId,
        Column::SkuDescription,
        Column::UsageAmount,
        Column::UsageUnit,
        Column::ListCost,
    ];

    /// The savings columns, summed into `credits`.
    const SAVINGS: [Column; 3] = [Column::NegotiatedSavings, Column::SavingsPrograms, Column::OtherSavings];

    fn name(self) -> &'static str {
        match self {
            Column::Date => "Date",
            Column::ServiceDescription => "Service description",
            Column::ServiceId => "Service ID",
            Column::SkuDescription => "SKU description",
            Column::SkuId => "SKU ID",
            Column::UsageAmount => "Usage amount",
            Column::UsageUnit => "Usage unit",
            Column::ListCost => "List cost",
            Column::NegotiatedSavings => "Negotiated savings",
            Column::SavingsPrograms => "Savings programs",
            Column::OtherSavings => "Other savings",
        }
    }
}

/// Where each column is, and the currency the cost header names.
struct Header {
    at: [Option<usize>; Column::ALL.len()],
    currency: Option<String>,
}

impl Header {
    fn from_record(record: &ByteRecord) -> Header {
        let mut header = Header { at: [None; Column::ALL.len()], currency: None };
        for (index, field) in record.iter().enumerate() {
            let Ok(field) = std::str::from_utf8(field) else { continue };
            let (name, unit) = split_unit(field.trim());
            let Some(column) = Column::ALL.iter().position(|column| column.name().eq_ignore_ascii_case(name))
            else {
                continue;
            };
            // The first of a repeated column is the one read.
            if header.at[column].is_none() {
                header.at[column] = Some(index);
                if Column::ALL[column] == Column::ListCost {
                    header.currency = unit.and_then(currency_of);
                }
            }
        }
        header
    }

    fn at(&self, column: Column) -> Option<usize> {
        self.at[column as usize]
    }

    /// The needed columns missing, in backticks (empty when none is).
    fn missing(&self) -> Vec<String> {
        Column::NEEDED
            .iter()
            .filter(|&&column| self.at(column).is_none())
            .map(|c| format!("`{}`", c.name()))
            .collect()
    }
}

/// `List cost ($)` → (`List cost`, `$`); a name without `(…)` has no unit.
fn split_unit(field: &str) -> (&str, Option<&str>) {
    if let Some(open) = field.rfind('(')
        && let Some(unit) = field[open + 1..].strip_suffix(')')
    {
        return (field[..open].trim_end(), Some(unit.trim()));
    }
    (field, None)
}

/// The ISO code of a cost header's currency: a symbol the console writes,
/// or a three-letter code as itself.
fn currency_of(unit: &str) -> Option<String> {
    match unit {
        "$" => Some("USD".into()),
        "€" => Some("EUR".into()),
        "¥" => Some("JPY".into()),
        code if code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase()) => Some(code.into()),
        _ => None,
    }
}

/// Reads the CSV in `text` from its first non-blank line (the header).
pub(super) fn read(file: &str, text: &[u8], start: Start) -> Result<Gathered, BillError> {
    let text = &text[start.offset..];
    let mut reader = ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
    let mut record = ByteRecord::new();
    // Lines are counted here, not taken from the reader's positions, which
    // fall behind on CRLF line ends; a record starts after the line ends
    // (and blank lines) its position may point at.
    let (mut counted_to, mut line) = (0, start.line);
    let mut line_of = |record: &ByteRecord| {
        let mut at = record.position().map_or(0, |position| position.byte() as usize).min(text.len());
        at += text[at..].iter().take_while(|&&byte| byte == b'\r' || byte == b'\n').count();
        line += memchr::memchr_iter(b'\n', &text[counted_to.min(at)..at]).count() as u64;
        counted_to = counted_to.max(at);
        line
    };
    let mut gathered = Gathered::default();
    // Reading from memory, with `flexible`, a record fails only for I/O,
    // which a slice has none of: a failure ends the reading all the same.
    if !reader.read_byte_record(&mut record).unwrap_or(false) {
        return Err(BillError::Empty { file: file.to_string() });
    }
    let header = Header::from_record(&record);
    let missing = header.missing();
    if !missing.is_empty() {
        return Err(BillError::MissingColumns { file: file.to_string(), missing: missing.join(", ") });
    }
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        let line = line_of(&record);
        match read_row(&header, &record, line, &mut gathered) {
            Ok(Some(row)) => gathered.push(row),
            Ok(None) => {}
            Err(reason) => gathered.malformed(line, reason),
        }
    }
    Ok(gathered)
}

/// One row: a Gemini row, nothing (another service's row, counted, or a
/// total), or why it cannot be read.
fn read_row(
    header: &Header,
    record: &ByteRecord,
    line: u64,
    gathered: &mut Gathered,
) -> Result<Option<BillRow>, String> {
    let cell = |column: Column| -> Result<&str, String> {
        let Some(bytes) = header.at(column).and_then(|index| record.get(index)) else { return Ok("") };
        std::str::from_utf8(bytes).map(str::trim).map_err(|_| format!("`{}` is not UTF-8", column.name()))
    };
    let service_id = cell(Column::ServiceId)?;
    let sku_description = cell(Column::SkuDescription)?;
    // Totals and summaries, which the console may write after the rows:
    // a row whose first cell says `Total` (or `Subtotal`), or one with
    // neither a service nor a SKU. They repeat money the rows already hold,
    // so they are never usage.
    let first =
        record.iter().map(|field| String::from_utf8_lossy(field)).find(|field| !field.trim().is_empty());
    let says_total = first.is_some_and(|first| {
        let first = first.trim().to_ascii_lowercase();
        first.starts_with("total") || first.starts_with("subtotal")
    });
    if says_total || (service_id.is_empty() && sku_description.is_empty()) {
        return Ok(None);
    }
    gathered.record();
    if service_id.is_empty() {
        return Err("no `Service ID`".into());
    }
    if !gathered.is_gemini(service_id, cell(Column::ServiceDescription)?) {
        return Ok(None);
    }
    if sku_description.is_empty() {
        return Err("no `SKU description`".into());
    }
    let date = cell(Column::Date)?;
    let day = parse_day(date).ok_or_else(|| format!("`Date` {} is not a date (YYYY-MM-DD)", quoted(date)))?;
    let number = |column: Column, blank: Option<Decimal>| -> Result<Decimal, String> {
        let text = cell(column)?;
        if text.is_empty() {
            return blank.ok_or_else(|| format!("no `{}`", column.name()));
        }
        parse_decimal(text).ok_or_else(|| format!("`{}` {} is not a number", column.name(), quoted(text)))
    };
    let usage_amount = number(Column::UsageAmount, None)?;
    let cost = number(Column::ListCost, None)?;
    let mut credits = Decimal::ZERO;
    for column in Column::SAVINGS {
        credits =
            credits.checked_add(number(column, Some(Decimal::ZERO))?).ok_or("the savings are too large")?;
    }
    let sku_id = cell(Column::SkuId)?;
    Ok(Some(BillRow {
        line,
        day: Some(day),
        start: None,
        service_id: service_id.to_string(),
        service_description: cell(Column::ServiceDescription)?.to_string(),
        sku_id: (!sku_id.is_empty()).then(|| sku_id.to_string()),
        sku_description: sku_description.to_string(),
        usage_amount,
        usage_unit: cell(Column::UsageUnit)?.to_string(),
        cost,
        credits,
        currency: header.currency.clone(),
        conversion_rate: None,
        cost_type: CostType::Regular,
        project: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_currency_of_the_cost_header() {
        let cases = [
            ("List cost ($)", Some("USD")),
            ("List cost (€)", Some("EUR")),
            ("List cost (¥)", Some("JPY")),
            ("List cost (GBP)", Some("GBP")),
            ("List cost (zz)", None),
            ("List cost", None),
        ];
        for (name, currency) in cases {
            let record = ByteRecord::from(vec![name]);
            assert_eq!(Header::from_record(&record).currency.as_deref(), currency, "{name}");
        }
    }

    #[test]
    fn finds_columns_by_name_in_any_order_and_case() {
        let record = ByteRecord::from(vec!["list cost (USD)", "x", " Date ", "SERVICE ID", "Usage unit"]);
        let header = Header::from_record(&record);
        assert_eq!(header.at(Column::ListCost), Some(0));
        assert_eq!(header.at(Column::Date), Some(2));
        assert_eq!(header.at(Column::ServiceId), Some(3));
        assert_eq!(header.missing(), ["`SKU description`", "`Usage amount`"]);
    }
}

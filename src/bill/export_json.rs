//! Billing-export rows as JSON: one object a line (`bq query
//! --format=json` per row, an export to newline-delimited JSON), or one
//! array of them (`bq --format=json`, `--format=prettyjson`).
//!
//! Fields are nested as the export's records are (`service.id` is
//! `{"service": {"id": …}}`); fields nbcost does not read are ignored, as
//! the export has dozens. Numbers may be JSON numbers or strings (BigQuery
//! writes NUMERIC and often FLOAT64 as strings): both are read from their
//! text, exactly.

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::{Date, OffsetDateTime};

use super::error::BillError;
use super::gather::{Gathered, Start, parse_decimal, quoted};
use super::{BillRow, CostType};
use crate::card::parse_day;

/// The fields of an export row nbcost reads; each may be absent or null.
#[derive(Deserialize)]
struct ExportRow {
    service: Option<Named>,
    sku: Option<Named>,
    usage_start_time: Option<Box<RawValue>>,
    usage: Option<Usage>,
    cost: Option<Box<RawValue>>,
    currency: Option<String>,
    currency_conversion_rate: Option<Box<RawValue>>,
    cost_type: Option<String>,
    credits: Option<Vec<Credit>>,
    project: Option<Project>,
}

#[derive(Deserialize)]
struct Named {
    id: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    amount: Option<Box<RawValue>>,
    unit: Option<String>,
}

#[derive(Deserialize)]
struct Credit {
    amount: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct Project {
    id: Option<String>,
}

/// Reads JSON lines from the first non-blank line on; blank lines are
/// skipped.
pub(super) fn read_lines(text: &[u8], start: Start) -> Gathered {
    let mut gathered = Gathered::default();
    for (line, piece) in (start.line..).zip(text[start.offset..].split(|&byte| byte == b'\n')) {
        if piece.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        gathered.record();
        match std::str::from_utf8(piece) {
            Ok(json) => read_value(json, line, &mut gathered),
            Err(_) => gathered.malformed(line, "not UTF-8"),
        }
    }
    gathered
}

/// Reads one JSON array of rows, each row at the line it starts on.
pub(super) fn read_array(file: &str, text: &[u8], start: Start) -> Result<Gathered, BillError> {
    let bad_json = |line: u64, reason: String| BillError::BadJson { file: file.to_string(), line, reason };
    let json = std::str::from_utf8(&text[start.offset..]).map_err(|error| {
        let before = &text[start.offset..start.offset + error.valid_up_to()];
        bad_json(start.line + memchr::memchr_iter(b'\n', before).count() as u64, "not UTF-8".into())
    })?;
    let items: Vec<&RawValue> = serde_json::from_str(json)
        .map_err(|error| bad_json(start.line + (error.line() as u64).max(1) - 1, without_place(&error)))?;
    let mut gathered = Gathered::default();
    let (mut line, mut counted_to) = (start.line, 0);
    for item in items {
        // The item's text lies inside `json`: its offset is where it starts.
        let at = item.get().as_ptr() as usize - json.as_ptr() as usize;
        line += memchr::memchr_iter(b'\n', &json.as_bytes()[counted_to..at]).count() as u64;
        counted_to = at;
        gathered.record();
        read_value(item.get(), line, &mut gathered);
    }
    Ok(gathered)
}

/// `serde_json`'s message without its ` at line 1 column 5`, which would
/// count lines from the row, not the file.
fn without_place(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(cut) if error.column() > 0 => format!("{} (column {})", &message[..cut], error.column()),
        Some(cut) => message[..cut].to_string(),
        None => message,
    }
}

/// One row's JSON: gathered as a row, counted as another service's, or
/// malformed.
fn read_value(json: &str, line: u64, gathered: &mut Gathered) {
    if !json.trim_start().starts_with('{') {
        let reason = match serde_json::from_str::<&RawValue>(json) {
            Ok(_) => "not a JSON object".to_string(),
            Err(error) => format!("not JSON: {}", without_place(&error)),
        };
        return gathered.malformed(line, reason);
    }
    let export: ExportRow = match serde_json::from_str(json) {
        Ok(export) => export,
        Err(error) if error.is_data() => return gathered.malformed(line, without_place(&error)),
        Err(error) => return gathered.malformed(line, format!("not JSON: {}", without_place(&error))),
    };
    match read_row(export, line, gathered) {
        Ok(Some(row)) => gathered.push(row),
        Ok(None) => {}
        Err(reason) => gathered.malformed(line, reason),
    }
}

fn read_row(export: ExportRow, line: u64, gathered: &mut Gathered) -> Result<Option<BillRow>, String> {
    let (service_id, service_description) = match export.service {
        Some(Named { id: Some(id), description }) if !id.trim().is_empty() => {
            (id, description.unwrap_or_default())
        }
        _ => return Err("no `service.id`".into()),
    };
    if !gathered.is_gemini(&service_id, &service_description) {
        return Ok(None);
    }
    let cost_type = match export.cost_type.as_deref().map(str::trim) {
        None | Some("") => CostType::Regular,
        Some(written) if written.eq_ignore_ascii_case("regular") => CostType::Regular,
        Some(written) if written.eq_ignore_ascii_case("tax") => CostType::Tax,
        Some(written) if written.eq_ignore_ascii_case("adjustment") => CostType::Adjustment,
        Some(written) if written.eq_ignore_ascii_case("rounding_error") => CostType::RoundingError,
        Some(written) => CostType::Other(written.to_string()),
    };
    // Tax, adjustments and rounding are money without usage: their rows may
    // name no SKU and no amount, and are read as a zero amount of none.
    let usage_optional = cost_type != CostType::Regular;
    let (sku_id, sku_description) = match export.sku {
        Some(Named { id, description: Some(description) }) if !description.trim().is_empty() => {
            (id, description)
        }
        Some(Named { id, .. }) if usage_optional => (id, String::new()),
        None if usage_optional => (None, String::new()),
        _ => return Err("no `sku.description`".into()),
    };
    let (amount, usage_unit) = match export.usage {
        Some(Usage { amount, unit }) => (amount, unit.unwrap_or_default()),
        None => (None, String::new()),
    };
    let usage_amount = match amount {
        Some(amount) => exact(&amount, "usage.amount")?,
        None if usage_optional => Decimal::ZERO,
        None => return Err("no `usage.amount`".into()),
    };
    let cost = exact(export.cost.as_deref().ok_or("no `cost`")?, "cost")?;
    let mut credits = Decimal::ZERO;
    for credit in export.credits.unwrap_or_default() {
        let amount = exact(credit.amount.as_deref().ok_or("a credit without `amount`")?, "credits.amount")?;
        credits = credits.checked_add(amount).ok_or("the credits are too large")?;
    }
    let conversion_rate = export
        .currency_conversion_rate
        .as_deref()
        .map(|rate| exact(rate, "currency_conversion_rate"))
        .transpose()?;
    let (day, start) = match export.usage_start_time.as_deref() {
        Some(raw) => start_of(raw)?,
        None => (None, None),
    };
    Ok(Some(BillRow {
        line,
        day,
        start,
        service_id,
        service_description,
        sku_id: sku_id.filter(|id| !id.trim().is_empty()),
        sku_description,
        usage_amount,
        usage_unit,
        cost,
        credits,
        currency: export.currency.filter(|currency| !currency.trim().is_empty()),
        conversion_rate,
        cost_type,
        project: export.project.and_then(|project| project.id),
    }))
}

/// A value's text: a string's contents (unescaped), or any other JSON
/// value as written.
fn written(raw: &RawValue) -> Cow<'_, str> {
    let text = raw.get();
    match text.starts_with('"').then(|| serde_json::from_str::<String>(text).ok()).flatten() {
        Some(contents) => Cow::Owned(contents),
        None => Cow::Borrowed(text),
    }
}

/// A number written as a JSON number or a string, exactly.
fn exact(raw: &RawValue, field: &str) -> Result<Decimal, String> {
    let written = written(raw);
    let written = written.as_ref();
    let is_number_text =
        written.trim_start_matches(['-', '+']).starts_with(|c: char| c.is_ascii_digit() || c == '.');
    is_number_text
        .then(|| parse_decimal(written))
        .flatten()
        .ok_or_else(|| format!("`{field}` {} is not a number", quoted(written)))
}

/// `usage_start_time`'s day as written (see [`day_of`]) and the instant it
/// says. The export's times are UTC: one written with no zone is read as
/// UTC, and Go's `… +0000 UTC` by its offset
/// ([`parse_utc_instant`](crate::zone::parse_utc_instant)). A date alone
/// says no instant, and its day is the one written; any other time
/// nbcost cannot read as an instant (a zone it does not know, such as
/// `PST`) is an error, never the day its text starts with.
fn start_of(raw: &RawValue) -> Result<(Option<Date>, Option<i64>), String> {
    let day = day_of(raw)?;
    let text = written(raw);
    let text = text.trim();
    match crate::zone::parse_utc_instant(text) {
        Some(start) => Ok((Some(day), Some(start))),
        None if text.len() == 10 => Ok((Some(day), None)),
        None => Err(format!("`usage_start_time` {} is not a time", quoted(text))),
    }
}

/// The calendar date of `usage_start_time` as written
/// (`2026-11-02 08:00:00 UTC`, `2026-11-02T08:00:00Z`), or, for the API's
/// seconds since the epoch (`1.7620704E9`), its date in UTC.
fn day_of(raw: &RawValue) -> Result<Date, String> {
    let written = written(raw);
    let written = written.trim();
    let not_a_date = || format!("`usage_start_time` {} is not a time", quoted(written));
    if let Some(date) = written.get(..10)
        && matches!(written.as_bytes().get(10), None | Some(b' ' | b'T' | b't'))
        && let Some(day) = parse_day(date)
    {
        return Ok(day);
    }
    let seconds = parse_decimal(written).filter(|_| !written.contains(',')).ok_or_else(not_a_date)?;
    let whole = i64::try_from(seconds.floor()).map_err(|_| not_a_date())?;
    OffsetDateTime::from_unix_timestamp(whole).map(OffsetDateTime::date).map_err(|_| not_a_date())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_string()).unwrap()
    }

    #[test]
    fn reads_a_number_or_a_string_of_one_exactly() {
        let cases = [
            ("0.672", Ok("0.672")),
            ("\"7.8174\"", Ok("7.8174")),
            ("0.12345678901234567891", Ok("0.12345678901234567891")),
            ("1.2E-5", Ok("0.000012")),
            ("\"-0.5\"", Ok("-0.5")),
            ("true", Err("`cost` `true` is not a number")),
            ("\"\"", Err("`cost` `` is not a number")),
            ("\"NaN\"", Err("`cost` `NaN` is not a number")),
        ];
        for (json, expected) in cases {
            let read = exact(&raw(json), "cost").map(|value| value.to_string());
            assert_eq!(read, expected.map(str::to_string).map_err(str::to_string), "{json}");
        }
    }

    #[test]
    fn takes_the_day_as_written_and_the_instant_where_it_says_one() {
        let cases = [
            ("\"2026-11-02 08:00:00 UTC\"", Ok("2026-11-02")),
            ("\"2026-11-02T23:30:00-08:00\"", Ok("2026-11-02")),
            ("\"2026-11-02\"", Ok("2026-11-02")),
            ("\"1.7620704E9\"", Ok("2025-11-02")),
            ("\"2026-13-02 08:00:00 UTC\"", Err(())),
            ("\"yesterday\"", Err(())),
            ("{}", Err(())),
        ];
        for (json, expected) in cases {
            let read = day_of(&raw(json)).map(|day| day.to_string()).map_err(|_| ());
            assert_eq!(read, expected.map(str::to_string), "{json}");
        }
        let line = |start: &str| {
            format!(
                r#"{{"service":{{"id":"AEFD-7695-64FA","description":"Gemini API"}},"sku":{{"id":"X","description":"d"}},"usage_start_time":{start},"usage":{{"amount":1,"unit":"count"}},"cost":0.5,"currency":"USD"}}"#
            )
        };
        let cases = [
            ("\"2026-11-02 08:00:00 UTC\"", Some(1_793_606_400)),
            ("\"2026-11-02T00:00:00-08:00\"", Some(1_793_606_400)),
            ("1.7936064E9", Some(1_793_606_400)),
            ("\"2026-11-02\"", None),
            // The export's times are UTC: one with no zone is read as UTC,
            // never as the day written in another zone; and Go's form.
            ("\"2026-11-02T08:00:00\"", Some(1_793_606_400)),
            ("\"2026-11-02 08:00:00\"", Some(1_793_606_400)),
            ("\"2026-11-02 08:00:00.000000\"", Some(1_793_606_400)),
            ("\"2026-11-02 08:00:00 +0000 UTC\"", Some(1_793_606_400)),
            ("\"2026-11-02 08:00:00.5 +0000 UTC\"", Some(1_793_606_400)),
            ("\"2026-11-02 00:00:00 -0800 PST\"", Some(1_793_606_400)),
        ];
        for (start, want) in cases {
            let bill = crate::bill::read_bill_bytes("b.jsonl", line(start).as_bytes()).unwrap();
            assert!(bill.malformed.is_empty(), "{start}: {:?}", bill.malformed);
            assert_eq!(bill.rows[0].start, want, "{start}");
        }
        // A time that gives a zone nbcost cannot read is no day at all: the
        // row is malformed, never put on the day its text starts with.
        for start in ["\"2026-11-02 08:00:00 PST\"", "\"2026-11-02 soon\""] {
            let bill = crate::bill::read_bill_bytes("b.jsonl", line(start).as_bytes()).unwrap();
            assert!(bill.rows.is_empty(), "{start}");
            let reason = &bill.malformed[0].reason;
            assert!(
                reason.starts_with("`usage_start_time`") && reason.contains("is not a time"),
                "{start}: {reason}"
            );
        }
    }
}

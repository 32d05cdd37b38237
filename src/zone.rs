//! Times read from files (a Vertex AI response's `createTime`, a batch
//! prediction line's `processed_time`, a bill row's `usage_start_time`)
//! and the day each falls on in a time zone, as a bill counts its days.
//!
//! The time zone database is built into the binary, so a day is the same
//! on every machine, with or without the system's zone files.

use std::fmt;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use time::{Date, Month};

/// The zone of the console's billing reports, and of `--tz` by default.
pub const PACIFIC: &str = "America/Los_Angeles";

/// A time zone, by its IANA name.
#[derive(Clone)]
pub struct Zone {
    name: Box<str>,
    zone: TimeZone,
}

/// A name that is no time zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{}` is not a time zone: give an IANA name such as America/Los_Angeles, Europe/Berlin or UTC",
    crate::visible::visible(.0)
)]
pub struct UnknownZone(pub String);

impl Zone {
    /// The zone called `name` (`America/Los_Angeles`, `UTC`).
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let name = name.trim();
        match TimeZone::get(name) {
            Ok(zone) if !name.is_empty() => Ok(Zone { name: name.into(), zone }),
            _ => Err(UnknownZone(name.to_string())),
        }
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone { name: "UTC".into(), zone: TimeZone::UTC }
    }

    /// Its name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it is the Pacific zone of the console's reports.
    pub fn is_pacific(&self) -> bool {
        &*self.name == PACIFIC
    }

    /// The day `seconds` (since the Unix epoch) falls on here; `None` past
    /// the years a date can hold.
    pub fn day(&self, seconds: i64) -> Option<Date> {
        let civil = self.zone.to_datetime(Timestamp::from_second(seconds).ok()?).date();
        let month = Month::try_from(u8::try_from(civil.month()).ok()?).ok()?;
        Date::from_calendar_date(i32::from(civil.year()), month, u8::try_from(civil.day()).ok()?).ok()
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

/// The most bytes of a time read: a longer string is no time.
const MAX_TIME_BYTES: usize = 64;

/// Seconds since the Unix epoch of a time as files write it: RFC 3339
/// (`2026-11-02T10:00:00.123456Z`, `2026-11-02T02:00:00-08:00`, a space for
/// the `T`), BigQuery's `2026-11-02 08:00:00 UTC`, or seconds since the
/// epoch as a number (`1793606400`, `1.7936064E9`). A time with no offset
/// says no instant and is `None`, as is anything else.
pub fn parse_instant(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_TIME_BYTES {
        return None;
    }
    let bytes = text.as_bytes();
    if bytes.len() >= 10 && bytes[4] == b'-' {
        let (stamp, utc) = match text.strip_suffix(" UTC") {
            Some(stamp) => (stamp, true),
            None => (text, false),
        };
        let owned;
        let stamp = if utc {
            owned = format!("{stamp}Z");
            owned.as_str()
        } else {
            stamp
        };
        return stamp.parse::<Timestamp>().ok().map(Timestamp::as_second);
    }
    let seconds = epoch_seconds(text)?;
    // Past the years a date holds is no time.
    Timestamp::from_second(seconds).ok().map(Timestamp::as_second)
}

/// Seconds since the Unix epoch of a billing export's `usage_start_time`:
/// what [`parse_instant`] reads, and two forms the export's UTC times take
/// once copied out of BigQuery: a time with no zone (`2026-11-02T08:00:00`,
/// `2026-11-02 08:00:00.000000`), read as UTC, as BigQuery's `TIMESTAMP`
/// always is, and Go's `2026-11-02 08:00:00 +0000 UTC` (a numeric offset,
/// then the zone's abbreviation), read by its offset. Anything else is
/// `None`.
pub fn parse_utc_instant(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(seconds) = parse_instant(text) {
        return Some(seconds);
    }
    if text.len() > MAX_TIME_BYTES {
        return None;
    }
    let words: Vec<&str> = text.split(' ').filter(|word| !word.is_empty()).collect();
    let stamp = match words.as_slice() {
        // `2026-11-02T08:00:00`
        [stamp] if zoneless(stamp) => format!("{stamp}Z"),
        [date, time, zone @ ..] => {
            let stamp = format!("{date}T{time}");
            if !zoneless(&stamp) {
                return None;
            }
            match zone {
                // `2026-11-02 08:00:00`
                [] => format!("{stamp}Z"),
                // `2026-11-02 08:00:00 +0000 UTC` (Go's `time.Time` as text)
                [offset, abbreviation @ ..]
                    if offset.len() == 5
                        && offset.starts_with(['+', '-'])
                        && offset[1..].bytes().all(|byte| byte.is_ascii_digit())
                        && matches!(abbreviation, [] | [_])
                        && abbreviation
                            .iter()
                            .all(|name| name.bytes().all(|byte| byte.is_ascii_alphabetic())) =>
                {
                    format!("{stamp}{}:{}", &offset[..3], &offset[3..])
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    stamp.parse::<Timestamp>().ok().map(Timestamp::as_second)
}

/// Whether `text` is a date and a time with nothing after the time:
/// `YYYY-MM-DDTHH:MM[:SS[.fraction]]`.
fn zoneless(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't']) else { return false };
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let date_ok =
        date.len() == 10 && date.split('-').map(str::len).eq([4, 2, 2]) && date.split('-').all(digits);
    let (clock, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let clock_ok =
        matches!(clock.len(), 5 | 8) && clock.split(':').all(|part| part.len() == 2 && digits(part));
    date_ok && clock_ok && !fraction.is_empty() && digits(fraction)
}

/// A number of seconds, plain or in scientific notation, floored.
fn epoch_seconds(text: &str) -> Option<i64> {
    if !text.bytes().all(|byte| byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b'+' | b'e' | b'E')) {
        return None;
    }
    let value = Decimal::from_str_exact(text).or_else(|_| Decimal::from_scientific(text)).ok()?;
    i64::try_from(value.floor()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(zone: &Zone, text: &str) -> String {
        zone.day(parse_instant(text).unwrap()).unwrap().to_string()
    }

    #[test]
    fn reads_the_times_files_write() {
        // 2026-11-02T08:00:00Z is 1,793,606,400 seconds after the epoch.
        for text in [
            "2026-11-02T08:00:00Z",
            "2026-11-02T08:00:00.000000Z",
            "2026-11-02 08:00:00 UTC",
            "2026-11-02T00:00:00-08:00",
            "2026-11-02 09:00:00+01:00",
            " 2026-11-02t08:00:00z ",
            "1793606400",
            "1.7936064E9",
            "1793606400.75",
        ] {
            assert_eq!(parse_instant(text), Some(1_793_606_400), "{text}");
        }
        for text in [
            "",
            "2026-11-02",
            "2026-11-02T08:00:00",
            "t",
            "soon",
            "1e400",
            "99999999999999999999",
            "2026-13-02T08:00:00Z",
        ] {
            assert_eq!(parse_instant(text), None, "{text}");
        }
        assert_eq!(parse_instant(&"9".repeat(100)), None);
    }

    #[test]
    fn reads_a_bill_time_with_no_zone_as_utc() {
        for text in [
            "2026-11-02T08:00:00Z",
            "2026-11-02 08:00:00 UTC",
            "2026-11-02T08:00:00",
            "2026-11-02t08:00",
            "2026-11-02 08:00:00",
            "2026-11-02 08:00:00.000000",
            "2026-11-02 08:00:00 +0000 UTC",
            "2026-11-02 08:00:00.999 +0000 UTC",
            "2026-11-02 09:00:00 +0100 CET",
            "2026-11-02 08:00:00 +0000",
            "1793606400",
        ] {
            assert_eq!(parse_utc_instant(text), Some(1_793_606_400), "{text}");
        }
        for text in [
            "",
            "2026-11-02",
            "2026-11-02 08:00:00 PST",
            "2026-11-02 08:00:00 +00 UTC",
            "2026-11-02 08:00:00 +0000 U2C",
            "2026-11-02 08:00:00 +0000 UTC x",
            "2026-11-02T8:00:00",
            "2026-11-02T08:00:00.",
            "2026-13-02T08:00:00",
            "2026-11-02 soon",
        ] {
            assert_eq!(parse_utc_instant(text), None, "{text}");
        }
    }

    #[test]
    fn finds_the_day_in_a_zone() {
        let pacific = Zone::named(PACIFIC).unwrap();
        let utc = Zone::utc();
        // 07:59 UTC on 2 November 2026 is still 1 November in Los Angeles
        // (PST, -08:00); 08:00 is 2 November.
        assert_eq!(day(&pacific, "2026-11-02T07:59:59Z"), "2026-11-01");
        assert_eq!(day(&pacific, "2026-11-02T08:00:00Z"), "2026-11-02");
        assert_eq!(day(&utc, "2026-11-02T07:59:59Z"), "2026-11-02");
        // In summer time (PDT, -07:00) the day starts at 07:00 UTC.
        assert_eq!(day(&pacific, "2026-07-01T06:59:59Z"), "2026-06-30");
        assert_eq!(day(&pacific, "2026-07-01T07:00:00Z"), "2026-07-01");
        let tokyo = Zone::named("Asia/Tokyo").unwrap();
        assert_eq!(day(&tokyo, "2026-11-01T15:00:00Z"), "2026-11-02");
        assert!(pacific.is_pacific() && !utc.is_pacific());
    }

    #[test]
    fn refuses_names_that_are_no_zone() {
        for name in ["", "Mars/Olympus", "America/Los_Angeles\u{1b}[2J"] {
            let error = Zone::named(name).unwrap_err().to_string();
            assert!(error.contains("is not a time zone"), "{error}");
            assert!(!error.contains('\u{1b}'), "{error}");
        }
    }
}

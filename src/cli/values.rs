//! Values on the command line: the closed sets (clap's `ValueEnum`) and the
//! parsers of counts, amounts, sizes, lanes and baselines, each with an error
//! that names the value and the fix.

use std::ffi::OsStr;

use clap::ValueEnum;
use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use rust_decimal::Decimal;

use nbcost::attribution::By;
use nbcost::card::{EMBEDDED, Model, RateCard};
use nbcost::lane::Lane;
use nbcost::money::Money;
use nbcost::pricing::Basis;
use nbcost::render::Format;
use nbcost::report::compare::Baseline;
use nbcost::size::ImageSize;
use nbcost::sql::{ColumnType, Dialect, Period};
use nbcost::visible::visible;
use nbcost::zone::Zone;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
    #[value(alias = "md")]
    Markdown,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Markdown => Format::Markdown,
        }
    }
}

/// `sql --dialect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    #[value(alias = "bq")]
    Bigquery,
    Duckdb,
}

impl From<DialectArg> for Dialect {
    fn from(dialect: DialectArg) -> Dialect {
        match dialect {
            DialectArg::Bigquery => Dialect::BigQuery,
            DialectArg::Duckdb => Dialect::DuckDb,
        }
    }
}

/// `sql --column-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColumnTypeArg {
    Json,
    String,
}

impl From<ColumnTypeArg> for ColumnType {
    fn from(kind: ColumnTypeArg) -> ColumnType {
        match kind {
            ColumnTypeArg::Json => ColumnType::Json,
            ColumnTypeArg::String => ColumnType::String,
        }
    }
}

/// `sql --per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Day,
    Month,
}

impl From<PeriodArg> for Period {
    fn from(period: PeriodArg) -> Period {
        match period {
            PeriodArg::Day => Period::Day,
            PeriodArg::Month => Period::Month,
        }
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl From<ColorWhen> for anstream::ColorChoice {
    fn from(when: ColorWhen) -> anstream::ColorChoice {
        match when {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
}

/// `--basis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasisArg {
    List,
    Tokens,
}

impl From<BasisArg> for Basis {
    fn from(basis: BasisArg) -> Basis {
        match basis {
            BasisArg::List => Basis::List,
            BasisArg::Tokens => Basis::Tokens,
        }
    }
}

/// `plan --what-if`: the lanes a plan's `batch_ok` lines can move to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhatIfLane {
    Batch,
}

/// A value parser that also offers shells the values it knows, for
/// completion; `parser` alone decides what is accepted, so a card file's own
/// models and lenient spellings (`0.5K`) still read. Help hides the lists
/// (`hide_possible_values`): they are long, and `nbcost rates` shows them.
///
/// The values are listed only when clap asks for them (completions): an
/// ordinary run never reads the cards for them.
#[derive(Clone)]
pub struct Offered<P> {
    parser: P,
    values: fn() -> Vec<PossibleValue>,
}

impl<P: TypedValueParser> TypedValueParser for Offered<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, clap::Error> {
        self.parser.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.values)().into_iter()))
    }
}

/// One of this module's parsers, as a value.
pub type Parse<T> = fn(&str) -> Result<T, String>;

/// Model names for completion: every ID, former ID and alias in the
/// embedded cards, each with its product name.
pub fn model_names() -> Offered<StringValueParser> {
    Offered { parser: StringValueParser::new(), values: offered_models }
}

/// `--size`, offering the sizes the embedded cards price.
pub fn size_values() -> Offered<Parse<ImageSize>> {
    Offered { parser: parse_size, values: offered_sizes }
}

/// `--lane`, offering the lanes the embedded cards price.
pub fn lane_values() -> Offered<Parse<Lane>> {
    Offered { parser: parse_lane, values: offered_lanes }
}

/// The models of every embedded card, each name once.
fn embedded_models() -> impl Iterator<Item = Model> {
    EMBEDDED.iter().filter_map(|card| RateCard::embedded_named(card.name)).flat_map(|card| card.models)
}

fn offered_models() -> Vec<PossibleValue> {
    let mut values: Vec<PossibleValue> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for model in embedded_models() {
        let formers = model.former.iter().map(|former| &former.id);
        for name in std::iter::once(&model.id).chain(&model.aliases).chain(formers) {
            if seen.insert(name.clone()) {
                values.push(PossibleValue::new(name.clone()).help(model.name.clone()));
            }
        }
    }
    values
}

fn offered_sizes() -> Vec<PossibleValue> {
    let models: Vec<Model> = embedded_models().collect();
    let offered = ImageSize::ALL
        .into_iter()
        .filter(|size| models.iter().flat_map(|model| &model.sizes).any(|row| row.size == *size));
    offered.map(|size| PossibleValue::new(size.api_value())).collect()
}

fn offered_lanes() -> Vec<PossibleValue> {
    let models: Vec<Model> = embedded_models().collect();
    let offered =
        Lane::ALL.into_iter().filter(|lane| models.iter().any(|model| model.tokens.contains_key(lane)));
    offered.map(|lane| PossibleValue::new(lane.name())).collect()
}

/// An amount of money: `500`, `499.99`, `$1_000`; zero or more, exact.
pub fn parse_money(text: &str) -> Result<Money, String> {
    let trimmed = text.trim();
    let shown = visible(trimmed);
    let digits: String = trimmed.trim_start_matches('$').chars().filter(|ch| *ch != '_').collect();
    let amount = Decimal::from_str_exact(&digits).map_err(|_| {
        // Digits with at most one point that still do not fit are a number,
        // only too large for an exact decimal (28 digits).
        let number = digits.chars().all(|ch| ch.is_ascii_digit() || ch == '.')
            && digits.chars().filter(|&ch| ch == '.').count() <= 1
            && digits.chars().any(|ch| ch.is_ascii_digit());
        if number {
            format!("`{shown}` is too large an amount: give at most 28 digits")
        } else {
            format!("`{shown}` is not an amount of money: write it as 500 or 499.99")
        }
    })?;
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(format!("`{shown}` is negative: give an amount of 0 or more"));
    }
    Ok(Money::new(amount))
}

pub fn parse_size(text: &str) -> Result<ImageSize, String> {
    text.parse::<ImageSize>().map_err(|err| err.to_string())
}

pub fn parse_lane(text: &str) -> Result<Lane, String> {
    text.parse::<Lane>().map_err(|err| err.to_string())
}

/// A count of images: a whole number of at least 1, `_` allowed between digits.
pub fn parse_count(text: &str) -> Result<u64, String> {
    at_least_one(
        text,
        "give a whole number of at least 1",
        "a count of 0 images costs nothing: give at least 1",
    )
}

/// `budget --days`: a whole number of days, at least 1.
pub fn parse_days(text: &str) -> Result<u64, String> {
    at_least_one(
        text,
        "days must be at least 1",
        "days must be at least 1: give the number of days the images are spread over",
    )
}

/// A whole number of at least 1: `rule` says so after a negative number,
/// `zero` after 0.
fn at_least_one(text: &str, rule: &str, zero: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(format!("`{}` is negative: {rule}", visible(trimmed)));
    }
    match parse_amount(text)? {
        0 => Err(zero.into()),
        count => Ok(count),
    }
}

/// `compare --counts`: counts of images, comma-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountList(pub Vec<u64>);

/// Reads `--counts 100,1000`. The comma separates counts, so `1,000` is two
/// counts, `1` and `000`; where a piece is three digits starting with 0
/// after a group of one to three digits, the comma was meant as a thousands
/// separator, and the error says so.
pub fn parse_counts(text: &str) -> Result<CountList, String> {
    let pieces: Vec<&str> = text.split(',').map(str::trim).collect();
    let digits = |piece: &str| !piece.is_empty() && piece.chars().all(|ch| ch.is_ascii_digit());
    let grouped = |at: usize| at > 0 && pieces[at].len() == 3 && digits(pieces[at]) && digits(pieces[at - 1]);
    let mut counts = Vec::new();
    for (at, piece) in pieces.iter().enumerate() {
        // Three digits from a 0 after a short group: `1,000`, `2,050`.
        if grouped(at) && piece.starts_with('0') {
            let mut start = at - 1;
            while grouped(start) {
                start -= 1;
            }
            if pieces[start].len() <= 3 {
                let end = (at..pieces.len()).take_while(|&next| grouped(next)).last().unwrap_or(at);
                let group = &pieces[start..=end];
                let read: Vec<String> = group.iter().map(|piece| format!("`{piece}`")).collect();
                return Err(format!(
                    "`{}` was read as {}: the comma separates counts; write {} or {}",
                    group.join(","),
                    and_list(&read),
                    group.concat(),
                    group.join("_"),
                ));
            }
        }
        counts.push(parse_count(piece)?);
    }
    Ok(CountList(counts))
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A whole number of zero or more, `_` allowed between digits.
pub fn parse_amount(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let shown = visible(trimmed);
    let digits: String = trimmed.chars().filter(|ch| *ch != '_').collect();
    if digits.starts_with('-') {
        return Err(format!("`{shown}` is negative: give a whole number of 0 or more"));
    }
    if digits.is_empty() || !digits.chars().all(|ch| ch.is_ascii_digit()) {
        return Err(format!("`{shown}` is not a whole number: write the digits out, such as 1000 or 10_000"));
    }
    digits
        .parse::<u64>()
        .map_err(|_| format!("`{shown}` is more than nbcost can count: the largest is {}", u64::MAX))
}

/// The most `--threads` takes: each thread keeps two 4 MB blocks in flight,
/// so 64 bound the memory at about 512 MB, and past a few threads reading
/// the file, not scanning it, sets the speed.
pub const MAX_THREADS: u64 = 64;

/// A number of threads: 1 to [`MAX_THREADS`].
pub fn parse_threads(text: &str) -> Result<usize, String> {
    match parse_amount(text)? {
        0 => Err("0 threads cannot read anything: give at least 1".into()),
        threads if threads <= MAX_THREADS => Ok(threads as usize),
        _ => Err(format!(
            "`{}` threads is more than nbcost runs: give 1 to {MAX_THREADS} (past a few, reading the file sets the speed)",
            text.trim()
        )),
    }
}

/// A percentage from 0 to 100, exact: `1`, `0.5`.
pub fn parse_percent(text: &str) -> Result<Decimal, String> {
    let trimmed = text.trim().trim_end_matches('%');
    match Decimal::from_str_exact(trimmed) {
        Ok(value) if !value.is_sign_negative() && value <= Decimal::ONE_HUNDRED => Ok(value),
        _ => Err(format!("`{}` is not a percentage from 0 to 100, such as 1 or 0.5", visible(text))),
    }
}

/// A currency rate: a number above 0, exact (`0.92`, `151.3`).
pub fn parse_rate(text: &str) -> Result<Decimal, String> {
    match Decimal::from_str_exact(text.trim()) {
        Ok(value) if value > Decimal::ZERO => Ok(value),
        _ => Err(format!("`{}` is not a rate above 0, such as 0.92", visible(text))),
    }
}

/// A `--by` rule: `key-prefix`, `label:NAME` or `file`.
pub fn parse_by(text: &str) -> Result<By, String> {
    By::parse(text, None).map_err(|err| err.to_string())
}

/// An IANA time zone name.
pub fn parse_zone(text: &str) -> Result<Zone, String> {
    Zone::named(text).map_err(|err| err.to_string())
}

/// One character that ends a batch key's prefix: not a control character
/// and not whitespace, which no key is split on.
pub fn parse_separator(text: &str) -> Result<char, String> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(separator), None) if !separator.is_control() && !separator.is_whitespace() => Ok(separator),
        (Some(_), None) => Err(format!(
            "`{}` cannot end a key's prefix: give a visible character, such as / or :",
            visible(text)
        )),
        _ => Err(format!("`{}` is not one character: give one, such as / or :", visible(text))),
    }
}

/// `MODEL[:SIZE[:LANE]]`.
pub fn parse_baseline(text: &str) -> Result<Baseline, String> {
    let mut parts = text.split(':');
    let model = parts.next().unwrap_or_default().trim().to_string();
    if model.is_empty() {
        return Err("give a baseline as MODEL[:SIZE[:LANE]], such as flash:1K:standard".into());
    }
    let size = parts.next().map(parse_size).transpose()?;
    let lane = parts.next().map(parse_lane).transpose()?.unwrap_or(Lane::Standard);
    if parts.next().is_some() {
        return Err(format!("`{}` has too many parts: give MODEL[:SIZE[:LANE]]", visible(text)));
    }
    Ok(Baseline { model, size, lane })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A separator is one visible character; a control or blank one is
    /// named as that, shown, not as "not one character".
    #[test]
    fn a_separator_is_one_visible_character() {
        assert_eq!(parse_separator(":"), Ok(':'));
        assert_eq!(
            parse_separator("\n").unwrap_err(),
            "`\\u{a}` cannot end a key's prefix: give a visible character, such as / or :"
        );
        assert!(parse_separator("ab").unwrap_err().contains("is not one character"));
    }

    /// A refused number names the text as typed, its control characters
    /// shown: a newline in it cannot start a line of its own.
    #[test]
    fn a_refused_number_shows_its_control_characters() {
        assert_eq!(
            parse_amount("1\nerror: forged").unwrap_err(),
            "`1\\u{a}error: forged` is not a whole number: write the digits out, such as 1000 or 10_000"
        );
        assert!(parse_money("1\n2").unwrap_err().starts_with("`1\\u{a}2` is not an amount"));
    }

    #[test]
    fn reads_counts_and_explains_what_it_refuses() {
        assert_eq!(parse_count("1000"), Ok(1000));
        assert_eq!(parse_count("10_000"), Ok(10_000));
        let cases = [
            ("-5", "is negative"),
            ("1e3", "is not a whole number"),
            ("", "is not a whole number"),
            ("0", "give at least 1"),
            ("18446744073709551616", "is more than nbcost can count"),
            ("3.5", "is not a whole number"),
        ];
        for (text, words) in cases {
            let err = parse_count(text).unwrap_err();
            assert!(err.contains(words), "{text}: {err}");
        }
    }

    #[test]
    fn a_negative_count_or_zero_days_says_at_least_1() {
        assert_eq!(parse_count("-5").unwrap_err(), "`-5` is negative: give a whole number of at least 1");
        assert!(parse_days("0").unwrap_err().starts_with("days must be at least 1"));
        assert_eq!(parse_days("-3").unwrap_err(), "`-3` is negative: days must be at least 1");
        assert_eq!(parse_days("30"), Ok(30));
    }

    #[test]
    fn reads_a_list_of_counts_and_spots_a_thousands_comma() {
        assert_eq!(parse_counts("100,1000,10_000"), Ok(CountList(vec![100, 1000, 10_000])));
        let cases = [
            ("1,000", "`1,000` was read as `1` and `000`: the comma separates counts; write 1000 or 1_000"),
            (
                "10,000,000",
                "`10,000,000` was read as `10`, `000` and `000`: the comma separates counts; write 10000000 or 10_000_000",
            ),
            ("100,1,000", "`1,000` was read as `1` and `000`"),
            ("2,050", "`2,050` was read as `2` and `050`"),
            ("1,500,000", "`1,500,000` was read as `1`, `500` and `000`"),
        ];
        for (text, words) in cases {
            let err = parse_counts(text).unwrap_err();
            assert!(err.starts_with(words), "{text}: {err}");
        }
        assert!(parse_counts("100,0").unwrap_err().contains("a count of 0 images"));
        assert!(parse_counts("100,-5").unwrap_err().contains("is negative"));
    }

    #[test]
    fn reads_amounts_of_money() {
        assert_eq!(parse_money("500"), Ok(Money::new(Decimal::from(500))));
        assert_eq!(parse_money("$1_000.50"), Ok(Money::new("1000.50".parse().unwrap())));
        assert!(parse_money("-5").unwrap_err().contains("is negative"));
        assert!(parse_money("five").unwrap_err().contains("is not an amount of money"));
        assert!(parse_money("1e3").unwrap_err().contains("is not an amount of money"));
        let huge = "99999999999999999999999999999999999999";
        assert_eq!(
            parse_money(huge).unwrap_err(),
            format!("`{huge}` is too large an amount: give at most 28 digits")
        );
    }

    #[test]
    fn reads_a_baseline() {
        assert_eq!(
            parse_baseline("pro:4K:batch"),
            Ok(Baseline { model: "pro".into(), size: Some(ImageSize::K4), lane: Lane::Batch })
        );
        assert_eq!(
            parse_baseline("flash"),
            Ok(Baseline { model: "flash".into(), size: None, lane: Lane::Standard })
        );
        assert!(parse_baseline("flash:8K").unwrap_err().contains("unknown image size"));
        assert!(parse_baseline("a:1K:batch:x").unwrap_err().contains("too many parts"));
    }
}

//! Money: an exact amount in a card's currency, and the ways it is written.
//!
//! `rust_decimal` quietly rounds a product or a sum that outgrows its 96-bit
//! mantissa. nbcost never wants a rounded figure it did not ask for, so every
//! operation on [`Money`] checks that the result kept every digit and reports
//! [`Overflow`] otherwise. The only rounding is [`round`], and only where a
//! figure is written for people.

use std::fmt;

use crate::error::{ErrorKind, Kind};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};

use crate::count::group_thousands;
// Temporary: the batch reports still take count formatting from here.

/// A result too large (or too finely divided) to be computed exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the figure is too large to compute exactly")]
pub struct Overflow;

impl Kind for Overflow {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Input
    }
}

/// One million, the unit of per-token rates.
const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// One thousand, the unit of grounding prices.
const THOUSAND: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);

/// An exact amount of US dollars.
///
/// Arithmetic is checked and never rounds; it serializes as the exact decimal
/// string ([`Money::plain`]: `"101.00"`, `"0.0195"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    /// No money.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// `amount`, in the currency of the card or bill it belongs to.
    pub const fn new(amount: Decimal) -> Money {
        Money(amount)
    }

    /// The amount as a decimal.
    pub const fn amount(self) -> Decimal {
        self.0
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Whether the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// `self + other`, exactly.
    pub fn plus(self, other: Money) -> Result<Money, Overflow> {
        exact_add(self.0, other.0).map(Money)
    }

    /// `self − other`, exactly.
    pub fn minus(self, other: Money) -> Result<Money, Overflow> {
        exact_add(self.0, -other.0).map(Money)
    }

    /// `self × factor`, exactly.
    pub fn scaled(self, factor: Decimal) -> Result<Money, Overflow> {
        exact_mul(self.0, factor).map(Money)
    }

    /// `count` items at `self` each, exactly.
    pub fn times(self, count: u64) -> Result<Money, Overflow> {
        self.scaled(Decimal::from(count))
    }

    /// The sum of `amounts`, exactly.
    pub fn sum<I: IntoIterator<Item = Money>>(amounts: I) -> Result<Money, Overflow> {
        amounts.into_iter().try_fold(Money::ZERO, Money::plus)
    }

    /// The cost of `tokens` at `rate_per_million` dollars per 1M tokens, exactly.
    pub fn per_million(tokens: u64, rate_per_million: Decimal) -> Result<Money, Overflow> {
        exact_per(tokens, rate_per_million, MILLION).map(Money)
    }

    /// The cost of `count` items at `rate_per_thousand` dollars per 1,000,
    /// exactly (grounding is priced per 1,000 search queries).
    pub fn per_thousand(count: u64, rate_per_thousand: Decimal) -> Result<Money, Overflow> {
        exact_per(count, rate_per_thousand, THOUSAND).map(Money)
    }

    /// `self ÷ whole × 100`, or `None` when `whole` is zero.
    pub fn percent_of(self, whole: Money) -> Option<Decimal> {
        self.0.checked_div(whole.0).and_then(|share| share.checked_mul(Decimal::ONE_HUNDRED))
    }

    /// The amount for scripts: every digit kept, at least two decimals, no
    /// trailing zeros past them (`101.00`, `0.0195`, `0.13446`).
    pub fn plain(self) -> String {
        let mut normal = self.0.normalize();
        if normal.scale() < 2 {
            normal.rescale(2);
        }
        // Past 26 whole digits there is no room for two decimals in a
        // decimal: they are written all the same, as zeros.
        match normal.scale() {
            0 => format!("{normal}.00"),
            1 => format!("{normal}0"),
            _ => normal.to_string(),
        }
    }

    /// A total in US dollars for people: rounded to the cent (half away
    /// from zero), with a dollar sign and thousands separators
    /// (`$1,510.00`). A card's amounts are written in its own currency
    /// ([`Currency::total`]).
    pub fn dollars(self) -> String {
        Currency::usd().total(self)
    }

    /// A figure in US dollars that must add up with others shown beside it:
    /// to the cent where `to_the_cent`, else every digit (`$0.195`).
    pub fn dollars_if(self, to_the_cent: bool) -> String {
        Currency::usd().total_if(self, to_the_cent)
    }

    /// Whether `minuend − subtrahend = difference` still holds once each is
    /// rounded to the cent, and a non-zero difference does not read as
    /// $0.00. Where it does not, the three are shown exactly.
    pub fn difference_in_cents(minuend: Money, subtrahend: Money, difference: Money) -> bool {
        let cents = |money: Money| round(money.0, 2);
        cents(minuend) - cents(subtrahend) == cents(difference)
            && (difference.is_zero() || !cents(difference).is_zero())
    }

    /// Whether `parts`, each rounded to the cent, add up to `total` rounded
    /// to the cent. Where they do not, the figures are shown exactly.
    pub fn sum_in_cents(parts: &[Money], total: Money) -> bool {
        let cents: Decimal = parts.iter().map(|part| round(part.0, 2)).sum();
        cents == round(total.0, 2)
    }

    /// Whether every part that is not zero still reads as more than $0.00
    /// once rounded to the cent. Where one would not (10 × $0.0000125), the
    /// parts are shown exactly: a part priced is never shown as nothing.
    pub fn no_part_hidden_in_cents(parts: &[Money]) -> bool {
        parts.iter().all(|part| part.is_zero() || !round(part.0, 2).is_zero())
    }

    /// Whether `parts` read true to the cent beside `total`: their cents
    /// add up to the total's, and none that costs something reads $0.00.
    /// Where they would not, a breakdown shows its figures exactly.
    pub fn parts_in_cents(parts: &[Money], total: Money) -> bool {
        Money::sum_in_cents(parts, total) && Money::no_part_hidden_in_cents(parts)
    }

    /// A per-unit price in US dollars for people: every digit kept
    /// (`$0.0195`, `$0.101`).
    pub fn unit_dollars(self) -> String {
        Currency::usd().unit(self)
    }
}

/// The currency a card prices in, as people read its amounts: `$` for US
/// dollars (`$1,510.00`), else the ISO 4217 code before the figure
/// (`EUR 1,510.00`), so that no amount passes for dollars it is not.
/// Machines get the bare decimal ([`Money::plain`]) and the code beside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Currency(String);

impl Default for Currency {
    fn default() -> Currency {
        Currency::usd()
    }
}

impl Currency {
    /// US dollars.
    pub fn usd() -> Currency {
        Currency("USD".to_string())
    }

    /// The currency of ISO 4217 `code` (`USD`, `EUR`), in capitals.
    pub fn of(code: &str) -> Currency {
        Currency(code.trim().to_ascii_uppercase())
    }

    /// The ISO 4217 code.
    pub fn code(&self) -> &str {
        &self.0
    }

    /// A total for people: rounded to the cent (half away from zero), with
    /// thousands separators (`$1,510.00`, `EUR 1,510.00`).
    pub fn total(&self, amount: Money) -> String {
        self.unit(Money(round(amount.0, 2)))
    }

    /// A figure for people that must add up with others shown beside it:
    /// to the cent where `to_the_cent`, else every digit.
    pub fn total_if(&self, amount: Money, to_the_cent: bool) -> String {
        if to_the_cent { self.total(amount) } else { self.unit(amount) }
    }

    /// A per-unit price for people, or a total shown exactly: every digit
    /// kept (`$0.0195`, `EUR 0.0195`).
    pub fn unit(&self, amount: Money) -> String {
        let sign = if amount.is_negative() { "-" } else { "" };
        let text = Money(amount.0.abs()).plain();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
        let mark = if self.0 == "USD" { "$".to_string() } else { format!("{} ", self.0) };
        format!("{sign}{mark}{}.{fraction}", group_thousands(whole))
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Decimal> for Money {
    fn from(amount: Decimal) -> Money {
        Money(amount)
    }
}

impl PartialEq<Decimal> for Money {
    fn eq(&self, other: &Decimal) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Money {
    /// The exact amount, as [`Money::plain`] writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.plain())
    }
}

/// The published schema of what [`Money`]'s `Serialize` writes: a decimal
/// string with at least two decimals, never a float.
impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An exact amount in the card's currency, as a decimal string with every digit kept (`101.00`, `0.0195`)",
            "type": "string",
            "pattern": DECIMAL_PATTERN,
        })
    }
}

/// What a decimal string in JSON matches: a sign, digits, a point, digits.
pub(crate) const DECIMAL_PATTERN: &str = "^-?[0-9]+\\.[0-9]+$";

/// `value` rounded to `places` decimals, half away from zero, and written
/// with exactly that many (`1.5` to 2 places is `1.50`). The one rounding
/// nbcost does: cents for people, ratios and percentages for reading.
pub fn round(value: Decimal, places: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(places);
    rounded
}

/// A `u128` sum narrowed to `u64` for pricing, or [`Overflow`].
pub fn narrow(value: u128) -> Result<u64, Overflow> {
    u64::try_from(value).map_err(|_| Overflow)
}

fn exact_mul(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    let product = a.checked_mul(b).ok_or(Overflow)?;
    // A rescaled product lost digits: its scale is below the sum of scales.
    if product.scale() < a.scale() + b.scale() && !product.is_zero() {
        return Err(Overflow);
    }
    Ok(product)
}

fn exact_add(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    let sum = a.checked_add(b).ok_or(Overflow)?;
    // A sum that needs more than 28 digits is rounded to fewer decimals;
    // a sum of exactly zero (a credit that cancels a cost) is written
    // without its decimals, and is exact.
    if sum.is_zero() {
        return Ok(Decimal::new(0, a.scale().max(b.scale())));
    }
    if sum.scale() < a.scale().max(b.scale()) {
        return Err(Overflow);
    }
    Ok(sum)
}

/// `count × rate ÷ unit`, exactly: division by a power of ten is exact
/// unless the scale would pass 28 digits.
fn exact_per(count: u64, rate: Decimal, unit: Decimal) -> Result<Decimal, Overflow> {
    let product = exact_mul(Decimal::from(count), rate)?;
    let cost = product.checked_div(unit).ok_or(Overflow)?;
    if exact_mul(cost, unit)? != product {
        return Err(Overflow);
    }
    Ok(cost)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn m(text: &str) -> Money {
        Money::new(d(text))
    }

    fn times(unit: Decimal, count: u64) -> Result<Decimal, Overflow> {
        Money::new(unit).times(count).map(Money::amount)
    }

    fn add(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
        Money::new(a).plus(Money::new(b)).map(Money::amount)
    }

    #[test]
    fn multiplies_exactly() {
        assert_eq!(times(d("0.101"), 1000), Ok(d("101")));
        assert_eq!(times(d("0.0195"), 3), Ok(d("0.0585")));
        assert_eq!(m("0.04482").scaled(d("3")), Ok(m("0.13446")));
    }

    #[test]
    fn prices_tokens_per_million() {
        let cases = [
            (1680, "60", "0.1008"),
            (747, "60", "0.04482"),
            (747, "30", "0.02241"),
            (1290, "15", "0.01935"),
            (2000, "120", "0.24"),
            (560, "2.00", "0.00112"),
        ];
        for (tokens, rate, want) in cases {
            assert_eq!(Money::per_million(tokens, d(rate)), Ok(m(want)), "{tokens} x {rate}");
        }
    }

    #[test]
    fn refuses_to_round_a_product_silently() {
        // 18446744073709551615 × 0.0000001 needs 27 significant digits; fine.
        assert!(times(d("0.0000001"), u64::MAX).is_ok());
        // A huge price times a huge count cannot fit 96 bits.
        assert_eq!(times(d("79228162514264337593543950335"), 2), Err(Overflow));
        // Fits in magnitude only by dropping decimals: refused, not rounded.
        assert_eq!(times(d("1.0000000000001"), u64::MAX), Err(Overflow));
    }

    #[test]
    fn refuses_to_round_a_sum_silently() {
        let big = Decimal::MAX;
        assert_eq!(add(big, d("1")), Err(Overflow));
        assert_eq!(add(d("7922816251426433759354395033"), d("0.55")), Err(Overflow));
        assert!(add(d("7922816251426433759354395033"), d("0.5")).is_ok());
    }

    /// A credit that cancels a cost sums to zero, exactly, with the
    /// decimals of its parts; rust_decimal writes a zero plus a zero
    /// without them (`0.0000 + 0` is `0`), which is no rounding.
    #[test]
    fn sums_to_zero_exactly() {
        let zero = add(d("0.1344"), d("-0.1344")).unwrap();
        assert!(zero.is_zero());
        assert_eq!(zero.scale(), 4);
        assert_eq!(add(zero, d("0")).unwrap().to_string(), "0.0000");
        assert_eq!(add(d("0"), zero).unwrap().to_string(), "0.0000");
        assert_eq!(add(d("14"), d("-14")).unwrap().to_string(), "0");
        assert_eq!(m("0.000028").minus(m("0.000028")).unwrap().amount().to_string(), "0.000000");
    }

    #[test]
    fn prices_per_thousand() {
        let cases = [(1000, "14", "14"), (6000, "14", "84"), (1, "14", "0.014"), (0, "14", "0")];
        for (count, rate, want) in cases {
            assert_eq!(Money::per_thousand(count, d(rate)), Ok(Money::new(d(want))), "{count} x {rate}");
        }
    }

    #[test]
    fn writes_money_for_scripts_with_every_digit() {
        let cases = [
            ("101.000", "101.00"),
            ("50", "50.00"),
            ("0.0195", "0.0195"),
            ("0.050", "0.05"),
            ("0.13446", "0.13446"),
            ("1510.0000", "1510.00"),
            // No room in a decimal for two places past 26 whole digits:
            // written with them all the same, as the schema's pattern says.
            ("79228162514264337593543950000", "79228162514264337593543950000.00"),
            ("7922816251426433759354395000.5", "7922816251426433759354395000.50"),
            ("-79228162514264337593543950000", "-79228162514264337593543950000.00"),
        ];
        for (value, want) in cases {
            assert_eq!(m(value).plain(), want);
        }
    }

    #[test]
    fn writes_money_for_people_to_the_cent() {
        let cases = [
            ("101.000", "$101.00"),
            ("1510", "$1,510.00"),
            ("1234567.891", "$1,234,567.89"),
            ("0.125", "$0.13"),
            ("0.13446", "$0.13"),
            ("-51", "-$51.00"),
            ("0", "$0.00"),
        ];
        for (value, want) in cases {
            assert_eq!(m(value).dollars(), want, "{value}");
        }
    }

    #[test]
    fn a_part_that_rounds_to_nothing_is_hidden_in_cents() {
        assert!(Money::no_part_hidden_in_cents(&[m("0.005"), m("0"), m("165.36")]));
        assert!(!Money::no_part_hidden_in_cents(&[m("0.000125"), m("0.336")]));
        assert!(!Money::no_part_hidden_in_cents(&[m("-0.004")]));
    }

    /// $165.36 + $0.82 + $4.15 + $11.51 = $181.84, but the parts come to
    /// $181.8299: to the cent they would not add up.
    #[test]
    fn parts_are_in_cents_only_where_they_add_up_and_none_hides() {
        let parts = [m("165.356"), m("0.821844"), m("4.14624"), m("11.505816")];
        assert!(!Money::parts_in_cents(&parts, m("181.8299")));
        assert!(Money::parts_in_cents(&[m("24"), m("0.04"), m("0.224")], m("24.264")));
        assert!(!Money::parts_in_cents(&[m("0.168"), m("0.000125")], m("0.168125")));
    }

    #[test]
    fn writes_a_currency_other_than_dollars_by_its_code() {
        let euro = Currency::of("eur");
        assert_eq!(euro.code(), "EUR");
        assert_eq!(euro.total(m("1234567.891")), "EUR 1,234,567.89");
        assert_eq!(euro.unit(m("0.0195")), "EUR 0.0195");
        assert_eq!(euro.total(m("-51")), "-EUR 51.00");
        assert_eq!(Currency::of("USD").total(m("1510")), "$1,510.00");
        assert_eq!(Currency::default(), Currency::usd());
    }

    #[test]
    fn writes_unit_prices_at_full_precision() {
        assert_eq!(m("0.0195").unit_dollars(), "$0.0195");
        assert_eq!(m("0.101").unit_dollars(), "$0.101");
        assert_eq!(m("0.24").unit_dollars(), "$0.24");
        assert_eq!(m("0.100800").unit_dollars(), "$0.1008");
    }

    #[test]
    fn narrows_sums_for_pricing() {
        assert_eq!(narrow(u128::from(u64::MAX)), Ok(u64::MAX));
        assert_eq!(narrow(u128::from(u64::MAX) + 1), Err(Overflow));
    }

    #[test]
    fn serializes_as_the_exact_decimal_string() {
        let amounts = [Money::new(d("101.000")), Money::new(d("0.0195"))];
        assert_eq!(serde_json::to_string(&amounts).unwrap(), r#"["101.00","0.0195"]"#);
        assert_eq!(Money::new(d("-51")).minus(Money::new(d("0.5"))), Ok(Money::new(d("-51.5"))));
        assert_eq!(Money::new(d("0.02")).percent_of(Money::new(d("0.08"))), Some(d("25")));
        assert_eq!(Money::new(d("1")).percent_of(Money::ZERO), None);
    }

    #[test]
    fn rounds_half_away_from_zero_to_a_fixed_width() {
        assert_eq!(round(d("1.5"), 2).to_string(), "1.50");
        assert_eq!(round(d("0.12345"), 4).to_string(), "0.1235");
        assert_eq!(round(d("-0.125"), 2).to_string(), "-0.13");
    }
}

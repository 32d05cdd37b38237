//! Exact money arithmetic and the ways money is written.
//!
//! `rust_decimal` quietly rounds a product or a sum that outgrows its 96-bit
//! mantissa. nbcost never wants a rounded figure it did not ask for, so every
//! operation here checks that the result kept every digit and reports
//! [`Overflow`] otherwise.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::count::group_thousands;
// Temporary: the batch reports still take count formatting from here.
pub use crate::count::{counted, grouped};

/// A result too large (or too finely divided) to be computed exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the figure is too large to compute exactly")]
pub struct Overflow;

/// One million, the unit of per-token rates.
const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// One thousand, the unit of grounding prices.
const THOUSAND: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);

/// `a × b`, exactly.
pub fn mul(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    let product = a.checked_mul(b).ok_or(Overflow)?;
    // A rescaled product lost digits: its scale is below the sum of scales.
    if product.scale() < a.scale() + b.scale() && !product.is_zero() {
        return Err(Overflow);
    }
    Ok(product)
}

/// `a + b`, exactly.
pub fn add(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    let sum = a.checked_add(b).ok_or(Overflow)?;
    if sum.scale() < a.scale().max(b.scale()) {
        return Err(Overflow);
    }
    Ok(sum)
}

/// `a − b`, exactly.
pub fn sub(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    add(a, -b)
}

/// The sum of `values`, exactly.
pub fn sum<I: IntoIterator<Item = Decimal>>(values: I) -> Result<Decimal, Overflow> {
    values.into_iter().try_fold(Decimal::ZERO, add)
}

/// `count` items at `unit` each, exactly.
pub fn times(unit: Decimal, count: u64) -> Result<Decimal, Overflow> {
    mul(unit, Decimal::from(count))
}

/// The cost of `tokens` at `rate_per_million` dollars per 1M tokens, exactly.
pub fn per_million(tokens: u64, rate_per_million: Decimal) -> Result<Decimal, Overflow> {
    let product = mul(Decimal::from(tokens), rate_per_million)?;
    let cost = product.checked_div(MILLION).ok_or(Overflow)?;
    // Division by 10^6 is exact unless the scale would pass 28 digits.
    if mul(cost, MILLION)? != product {
        return Err(Overflow);
    }
    Ok(cost)
}

/// The cost of `count` items at `rate_per_thousand` dollars per 1,000, exactly
/// (grounding is priced per 1,000 search queries).
pub fn per_thousand(count: u64, rate_per_thousand: Decimal) -> Result<Decimal, Overflow> {
    let product = mul(Decimal::from(count), rate_per_thousand)?;
    let cost = product.checked_div(THOUSAND).ok_or(Overflow)?;
    if mul(cost, THOUSAND)? != product {
        return Err(Overflow);
    }
    Ok(cost)
}

/// A money amount for scripts: every digit kept, at least two decimals, no
/// trailing zeros past them (`101.00`, `0.0195`, `0.13446`).
pub fn plain(amount: Decimal) -> String {
    let mut normal = amount.normalize();
    if normal.scale() < 2 {
        normal.rescale(2);
    }
    normal.to_string()
}

/// A total for people: rounded to the cent (half away from zero), with a
/// dollar sign and thousands separators (`$1,510.00`).
pub fn dollars(amount: Decimal) -> String {
    let cents = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let sign = if cents.is_sign_negative() && !cents.is_zero() { "-" } else { "" };
    let text = plain(cents.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    format!("{sign}${}.{fraction}", group_thousands(whole))
}

/// A per-unit price for people: every digit kept (`$0.0195`, `$0.101`).
pub fn unit_dollars(amount: Decimal) -> String {
    let text = plain(amount.abs());
    let sign = if amount.is_sign_negative() && !amount.is_zero() { "-" } else { "" };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    format!("{sign}${}.{fraction}", group_thousands(whole))
}

/// A `u128` sum narrowed to `u64` for pricing, or [`Overflow`].
pub fn narrow(value: u128) -> Result<u64, Overflow> {
    u64::try_from(value).map_err(|_| Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn multiplies_exactly() {
        assert_eq!(times(d("0.101"), 1000), Ok(d("101")));
        assert_eq!(times(d("0.0195"), 3), Ok(d("0.0585")));
        assert_eq!(mul(d("0.04482"), d("3")), Ok(d("0.13446")));
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
            assert_eq!(per_million(tokens, d(rate)), Ok(d(want)), "{tokens} x {rate}");
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

    #[test]
    fn prices_per_thousand() {
        let cases = [(1000, "14", "14"), (6000, "14", "84"), (1, "14", "0.014"), (0, "14", "0")];
        for (count, rate, want) in cases {
            assert_eq!(per_thousand(count, d(rate)), Ok(d(want)), "{count} x {rate}");
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
        ];
        for (value, want) in cases {
            assert_eq!(plain(d(value)), want);
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
            assert_eq!(dollars(d(value)), want, "{value}");
        }
    }

    #[test]
    fn writes_unit_prices_at_full_precision() {
        assert_eq!(unit_dollars(d("0.0195")), "$0.0195");
        assert_eq!(unit_dollars(d("0.101")), "$0.101");
        assert_eq!(unit_dollars(d("0.24")), "$0.24");
        assert_eq!(unit_dollars(d("0.100800")), "$0.1008");
    }

    #[test]
    fn narrows_sums_for_pricing() {
        assert_eq!(narrow(u128::from(u64::MAX)), Ok(u64::MAX));
        assert_eq!(narrow(u128::from(u64::MAX) + 1), Err(Overflow));
    }
}

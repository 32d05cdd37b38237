//! `quote` as CSV: one row per lane.

use serde::Serialize;

use super::CsvRows;
use crate::card::PricedBy;
use crate::money::Money;
use crate::report::quote::QuoteReport;
use crate::report::unpriced_reason;

/// One lane's price of the quoted images, naming the model, size, count,
/// basis, card and request it prices.
#[derive(Debug, Default, Serialize)]
pub struct LaneRow<'a> {
    model: &'a str,
    size: &'static str,
    lane: &'static str,
    count: u64,
    basis: &'static str,
    card: &'a str,
    prompt_tokens: u64,
    input_images: u64,
    thinking_tokens: u64,
    unit_price: Money,
    total: Money,
    /// Empty on the standard lane.
    saving_vs_standard: Option<Money>,
    grade: &'static str,
    /// What the lane's total leaves out and why; empty when nothing.
    unpriced_reason: Option<String>,
    /// Whether every total of the quote holds every part asked for.
    complete: bool,
}

impl CsvRows for QuoteReport {
    type Row<'a> = LaneRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = LaneRow<'_>> {
        self.quotes.iter().map(|quote| LaneRow {
            model: &self.model,
            size: self.size.api_value(),
            lane: quote.lane.name(),
            count: self.count,
            basis: self.basis.name(),
            // The card whose figures these are.
            card: PricedBy::key_or(self.priced_by.as_ref(), self.card.key()),
            prompt_tokens: self.prompt_tokens,
            input_images: self.input_images,
            thinking_tokens: self.thinking_tokens,
            unit_price: quote.unit_price,
            total: quote.total,
            saving_vs_standard: quote.saving_vs_standard,
            grade: quote.grade.name(),
            unpriced_reason: unpriced_reason(&quote.unpriced),
            complete: self.complete,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::written;
    use crate::card::RateCard;
    use crate::pricing::{Basis, Extras};
    use crate::report::quote::{QuoteReport, QuoteRequest};
    use crate::report::testing::today;

    /// Ten Nano Banana images: $0.39 on standard, $0.195 on batch, every
    /// digit kept; the standard lane saves nothing against itself.
    #[test]
    fn totals_keep_every_digit_and_standard_has_no_saving() {
        let request = QuoteRequest {
            model: "nano-banana".into(),
            size: None,
            count: 10,
            lane: None,
            basis: Basis::List,
            extras: Extras::default(),
            thinking_given: false,
            fail_above: None,
        };
        let report = QuoteReport::build(&RateCard::embedded(), &request, today()).unwrap();
        let csv = written(&report);
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(
            rows,
            [
                "gemini-2.5-flash-image,1K,standard,10,list,2026-04,0,0,0,0.039,0.39,,published,,true",
                "gemini-2.5-flash-image,1K,batch,10,list,2026-04,0,0,0,0.0195,0.195,0.195,published,,true",
            ]
        );
    }
}

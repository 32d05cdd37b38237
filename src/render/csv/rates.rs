//! `rates`, `rates show` and `rates check` as CSV.

use serde::Serialize;
use time::Date;

use super::{CsvRows, Percent, words};
use crate::card::Grade;
use crate::card::PricedBy;
use crate::money::Money;
use crate::report::rates::{CheckReport, ModelReport, RatesReport};

/// `rates`: one model of the card.
#[derive(Debug, Default, Serialize)]
pub struct ModelRow<'a> {
    model: &'a str,
    name: &'a str,
    card: &'a str,
    aliases: String,
    sizes: String,
    default_size: &'static str,
    lanes: String,
    free_tier: bool,
    status: &'static str,
    released: Option<Date>,
    deprecated: Option<Date>,
    shutdown: Option<Date>,
    successor: Option<&'a str>,
}

impl CsvRows for RatesReport {
    type Row<'a> = ModelRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = ModelRow<'_>> {
        self.models.iter().map(|model| ModelRow {
            model: &model.id,
            name: &model.name,
            // The card whose figures the model carries (see `priced_by`).
            card: PricedBy::key_or(model.priced_by.as_ref(), self.card.key()),
            aliases: words(model.aliases.iter().map(String::as_str)),
            sizes: words(model.sizes.iter().map(|size| size.api_value())),
            default_size: model.default_size.api_value(),
            lanes: words(model.lanes.iter().map(|lane| lane.name())),
            free_tier: model.free_tier,
            status: model.lifecycle.status.name(),
            released: model.lifecycle.released,
            deprecated: model.lifecycle.deprecated,
            shutdown: model.lifecycle.shutdown,
            successor: model.lifecycle.successor.as_deref(),
        })
    }
}

/// `rates show`: one size on one lane, the per-image price (published or
/// derived, as `grade` says) beside the lane's per-1M-token rates.
#[derive(Debug, Default, Serialize)]
pub struct SizeLaneRow<'a> {
    model: &'a str,
    size: &'static str,
    lane: &'static str,
    card: &'a str,
    status: &'static str,
    output_tokens: u64,
    unit_price: Money,
    grade: &'static str,
    input_per_1m: Option<Money>,
    text_output_per_1m: Option<Money>,
    image_output_per_1m: Money,
    tokens_grade: &'static str,
    input_grade: &'static str,
    text_output_grade: &'static str,
    rule: Option<&'static str>,
}

impl CsvRows for ModelReport {
    type Row<'a> = SizeLaneRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = SizeLaneRow<'_>> {
        let model = &self.summary;
        self.size_prices.iter().flat_map(move |row| {
            self.tokens.iter().filter_map(move |(lane, rates)| {
                let (price, grade) = match (row.price.get(lane), row.derived.get(lane)) {
                    (Some(price), _) => (*price, row.grade),
                    (None, Some(derived)) => (*derived, Grade::Derived),
                    (None, None) => return None,
                };
                Some(SizeLaneRow {
                    model: &model.id,
                    size: row.size.api_value(),
                    lane: lane.name(),
                    // The card whose figures these are.
                    card: PricedBy::key_or(self.summary.priced_by.as_ref(), self.card.key()),
                    status: model.lifecycle.status.name(),
                    output_tokens: row.output_tokens,
                    unit_price: price,
                    grade: grade.name(),
                    input_per_1m: rates.input,
                    text_output_per_1m: rates.text_output,
                    image_output_per_1m: rates.image_output,
                    tokens_grade: rates.grade.name(),
                    input_grade: rates.input_grade.name(),
                    text_output_grade: rates.text_output_grade.name(),
                    rule: rates.rule,
                })
            })
        })
    }
}

/// `rates check`: one published or derived price beside tokens × rate; a
/// price that is not published is empty, not `none`.
#[derive(Debug, Default, Serialize)]
pub struct CheckedPriceRow<'a> {
    model: &'a str,
    size: &'static str,
    lane: &'static str,
    card: &'a str,
    output_tokens: u64,
    published: Option<Money>,
    tokens_price: Money,
    difference: Option<Money>,
    difference_percent: Option<Percent>,
    grade: &'static str,
}

impl CsvRows for CheckReport {
    type Row<'a> = CheckedPriceRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = CheckedPriceRow<'_>> {
        self.rows.iter().map(|row| CheckedPriceRow {
            model: &row.model,
            size: row.size.api_value(),
            lane: row.lane.name(),
            card: self.card.key(),
            output_tokens: row.output_tokens,
            published: row.published,
            tokens_price: row.tokens_price,
            difference: row.difference,
            difference_percent: row.difference_percent().map(Percent),
            grade: row.grade.name(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::written;
    use crate::card::RateCard;
    use crate::report::rates::{CheckReport, RatesReport};
    use crate::report::testing::today;

    #[test]
    fn writes_lists_as_words_dates_as_days_and_no_date_as_an_empty_cell() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let csv = written(&RatesReport::build(&card, &crate::card::History::embedded(), today()));
        let flash = csv.lines().find(|line| line.starts_with("gemini-3.1-flash-image,")).unwrap();
        assert_eq!(
            flash,
            "gemini-3.1-flash-image,Nano Banana 2,2026-10,flash nano-banana-2 nb2 flash-3.1 3.1-flash,512 1K 2K 4K,1K,standard batch,false,deprecated,2026-05-28,2026-10-06,,gemini-nano-banana-2.1"
        );
    }

    #[test]
    fn an_unpublished_price_is_an_empty_cell_and_its_difference_too() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let csv = written(&CheckReport::build(&card, today()).unwrap());
        let derived: Vec<&str> = csv.lines().filter(|line| line.ends_with(",derived")).collect();
        assert!(!derived.is_empty());
        for line in derived {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!((cells[5], cells[7], cells[8]), ("", "", ""), "{line}");
        }
        assert!(csv.contains(
            "\ngemini-3.1-flash-image,512,batch,2026-10,747,0.022,0.02241,-0.00041,-1.83,transcribed\n"
        ));
    }
}

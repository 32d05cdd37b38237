//! `estimate` as CSV: one row per size, then what the total leaves out
//! that no row holds, under one header.

use serde::Serialize;

use super::{CsvRows, malformed_lines_skipped};
use crate::count::counted;
use crate::money::Money;
use crate::report::estimate::EstimateReport;

/// What an estimate row counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// The priced requests of one size.
    #[default]
    Size,
    /// The requests of one kind of finding the API would refuse: in no
    /// size row and not priced (they cost nothing, but make nothing).
    Rejected,
    /// Malformed lines: skipped, in no row and not in the total, so that
    /// a CSV with no size rows still says the total is incomplete.
    LeftOut,
}

/// The requests of one size (`kind` `size`), then one row per kind of
/// finding the API would refuse (`kind` `rejected`, how many in
/// `requests`), then one for malformed lines where there are any (`kind`
/// `left_out`), each naming the file, model, lane, basis and card. The
/// thinking columns are always there (0 and empty without
/// `--thinking-tokens`), and a cost the card cannot price is empty, with
/// the reason in `unpriced_reason`; a column that does not apply to the
/// row's kind is empty.
#[derive(Debug, Default, Serialize)]
pub struct SizeRow<'a> {
    file: &'a str,
    model: &'a str,
    size: Option<&'static str>,
    lane: &'static str,
    basis: &'static str,
    card: &'a str,
    status: &'static str,
    requests: Option<u64>,
    requests_without_size: Option<u64>,
    images: Option<u64>,
    image_unit_price: Option<Money>,
    image_cost: Option<Money>,
    prompt_tokens_estimated: Option<u64>,
    prompt_cost: Option<Money>,
    reference_images: Option<u64>,
    reference_cost: Option<Money>,
    thinking_tokens_estimated: Option<u64>,
    thinking_cost: Option<Money>,
    search_requests: Option<u64>,
    cost: Option<Money>,
    /// What the row's cost leaves out and why; empty when nothing.
    unpriced_reason: Option<String>,
    /// Whether the estimate's total holds everything it can estimate.
    complete: bool,
    /// What the row counts.
    kind: RowKind,
}

impl CsvRows for EstimateReport {
    type Row<'a> = SizeRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = SizeRow<'_>> {
        let thinking = self.thinking_tokens > 0;
        let about = move || SizeRow {
            file: &self.file,
            model: &self.model,
            lane: self.lane.name(),
            basis: self.basis.name(),
            card: self.card.key(),
            status: self.status.name(),
            complete: self.total.complete,
            ..SizeRow::default()
        };
        let sizes = self.rows.iter().map(move |row| SizeRow {
            size: Some(row.size.api_value()),
            requests: Some(row.requests),
            requests_without_size: Some(row.requests_without_size),
            images: Some(row.images),
            image_unit_price: Some(row.image_unit_price),
            image_cost: Some(row.image_cost),
            prompt_tokens_estimated: Some(row.prompt_tokens_estimated),
            prompt_cost: row.prompt_cost,
            reference_images: Some(row.reference_images),
            reference_cost: row.reference_cost,
            thinking_tokens_estimated: Some(row.thinking_tokens_estimated),
            thinking_cost: row.thinking_cost.filter(|_| thinking),
            search_requests: Some(row.search_requests),
            cost: Some(row.cost),
            unpriced_reason: row.unpriced_reason.clone(),
            kind: RowKind::Size,
            ..about()
        });
        let rejected = self.findings.iter().filter(|finding| finding.kind.rejects()).map(move |finding| {
            let count = finding.requests.count;
            SizeRow {
                requests: Some(count),
                unpriced_reason: Some(format!(
                    "{} rejected ({}), not priced: {}",
                    counted(count, "request", "requests"),
                    finding.kind.name(),
                    finding.advice
                )),
                kind: RowKind::Rejected,
                ..about()
            }
        });
        let malformed = self.lines.malformed_lines;
        let left_out = (malformed > 0).then(move || SizeRow {
            unpriced_reason: Some(malformed_lines_skipped(malformed)),
            kind: RowKind::LeftOut,
            ..about()
        });
        sizes.chain(rejected).chain(left_out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::written;
    use crate::card::RateCard;
    use crate::lane::Lane;
    use crate::pricing::Basis;
    use crate::report::estimate::{EstimateReport, EstimateRequest};
    use crate::report::testing::today;
    use crate::scan::ScanOptions;

    /// The mixed fixture: four sizes, then one row per kind of refused
    /// request (misspelled, unknown, bad candidateCount), then the
    /// malformed line; those rows leave every figure but `requests` empty.
    #[test]
    fn rejected_requests_and_malformed_lines_get_rows_of_their_own() {
        let request = EstimateRequest {
            file: "tests/fixtures/batch/input-mixed.jsonl".into(),
            model: "flash".into(),
            lane: Lane::Batch,
            basis: Basis::List,
            thinking_tokens: None,
            strict: false,
            scan: ScanOptions::default(),
            fail_above: None,
        };
        let card = RateCard::embedded_named("2026-10").unwrap();
        let report = EstimateReport::build(&card, &request, today()).unwrap();
        let csv = written(&report);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let kinds: Vec<&str> = rows.iter().map(|row| &row[22]).collect();
        assert_eq!(kinds, ["size", "size", "size", "size", "rejected", "rejected", "rejected", "left_out"]);
        let requests: Vec<&str> = rows[4..].iter().map(|row| &row[7]).collect();
        assert_eq!(requests, ["1", "2", "1", ""]);
        for row in &rows[4..] {
            assert!((8..20).all(|column| row[column].is_empty()), "{row:?}");
            assert_eq!((&row[2], &row[21]), ("", "false"), "{row:?}");
        }
        assert_eq!(&rows[7][20], "1 malformed line skipped: the table and JSON list them");
    }
}

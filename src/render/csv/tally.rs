//! `tally` as CSV: usage rows, then grounding rows, then what the total
//! leaves out that no row holds, under one header.

use std::borrow::Cow;

use serde::Serialize;

use super::{CsvRows, malformed_lines_skipped, versions_cell};
use crate::card::PricedBy;
use crate::count::counted;
use crate::money::Money;
use crate::report::tally::TallyReport;
use crate::size::ImageSize;

/// What a tally row counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// The responses of one model, version set, size and lane.
    #[default]
    Usage,
    /// The Google Search queries of one model.
    Grounding,
    /// Lines that could not be read, or streams whose chunks carry no
    /// token counts: in no other row and no total, so that a CSV whose
    /// other rows are all whole (or that has none) still says so.
    LeftOut,
}

/// One row per model, version set, size and lane (`kind` `usage`), then
/// one per model whose responses searched (`kind` `grounding`), then one
/// for malformed lines and one for streams without usage where there are
/// any (`kind` `left_out`, what and how many in `unpriced_reason`), each
/// naming the basis and card. A model not in the card and a cost not priced are
/// empty, with the reason in `unpriced_reason`; a column that does not apply
/// to the row's kind is empty.
#[derive(Debug, Default, Serialize)]
pub struct CostRow<'a> {
    model: Option<&'a str>,
    /// Every `modelVersion` written, `(none)` for responses naming none.
    model_versions: String,
    /// The size as the API takes it; empty where the tokens per image name
    /// no single size ("1K/2K", "unknown", "no image": the tables say which).
    size: Option<&'a str>,
    lane: Option<&'static str>,
    basis: &'static str,
    card: &'a str,
    status: Option<&'static str>,
    kind: RowKind,
    image_tokens_per_image: Option<u64>,
    responses: Option<u64>,
    images: Option<u64>,
    prompt_tokens: Option<u64>,
    image_output_tokens: Option<u64>,
    text_output_tokens: Option<u64>,
    thoughts_tokens: Option<u64>,
    search_queries: Option<u64>,
    paid_queries: Option<u64>,
    input_cost: Option<Money>,
    image_output_cost: Option<Money>,
    text_output_cost: Option<Money>,
    cost: Option<Money>,
    unpriced_reason: Option<Cow<'a, str>>,
    /// Whether the tally's total holds every response, query and line.
    complete: bool,
    /// With `--by`, the row's attribution; empty for responses the rule
    /// found none for, for grounding rows and without `--by`.
    attribution: Option<&'a str>,
    /// For the row of attributions past the first 1,000: how many share it.
    other_attributions: Option<u64>,
    /// For the row of a model and lane's sizes past the first 50: how many
    /// sizes share it (1000 means at least that many); its
    /// `image_tokens_per_image` is then empty, as no one figure is.
    other_sizes: Option<u64>,
}

impl CsvRows for TallyReport {
    type Row<'a> = CostRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = CostRow<'_>> {
        let usage = self.rows.iter().map(move |row| CostRow {
            model: row.model.as_deref(),
            model_versions: versions_cell(&row.model_versions, row.other_versions),
            size: ImageSize::from_api_value(&row.size).map(|_| row.size.as_str()),
            lane: Some(row.lane.name()),
            basis: self.basis,
            // The card whose figures these are.
            card: PricedBy::key_or(row.priced_by.as_ref(), self.card.key()),
            status: row.status.map(|status| status.name()),
            kind: RowKind::Usage,
            image_tokens_per_image: (row.other_sizes == 0).then_some(row.image_tokens_per_image),
            responses: Some(row.responses),
            images: Some(row.images),
            prompt_tokens: Some(row.prompt_tokens),
            image_output_tokens: Some(row.image_output_tokens),
            text_output_tokens: Some(row.text_output_tokens),
            thoughts_tokens: Some(row.thoughts_tokens),
            search_queries: Some(row.search_queries),
            paid_queries: None,
            input_cost: row.input_cost,
            image_output_cost: row.image_output_cost,
            text_output_cost: row.text_output_cost,
            cost: row.cost,
            unpriced_reason: row.unpriced_reason.as_deref().map(Cow::Borrowed),
            complete: self.total.complete,
            attribution: row.attribution.as_deref(),
            other_attributions: (row.other_attributions > 0).then_some(row.other_attributions),
            other_sizes: (row.other_sizes > 0).then_some(row.other_sizes),
        });
        let grounding = self.grounding.models.iter().map(move |row| CostRow {
            model: row.model.as_deref(),
            model_versions: versions_cell(&row.model_versions, 0),
            basis: self.basis,
            card: self.card.key(),
            kind: RowKind::Grounding,
            search_queries: Some(row.queries),
            paid_queries: Some(row.paid_queries),
            cost: row.cost,
            unpriced_reason: row.unpriced_reason.as_deref().map(Cow::Borrowed),
            complete: self.total.complete,
            ..CostRow::default()
        });
        let streams = self.total.streams_without_usage;
        let left_out = [
            (self.total.malformed_lines > 0).then(|| malformed_lines_skipped(self.total.malformed_lines)),
            (streams > 0).then(|| {
                format!(
                    "{} without token counts: save each to its end (the table and JSON name them)",
                    counted(streams, "stream", "streams")
                )
            }),
        ]
        .into_iter()
        .flatten()
        .map(move |reason| CostRow {
            basis: self.basis,
            card: self.card.key(),
            kind: RowKind::LeftOut,
            unpriced_reason: Some(Cow::Owned(reason)),
            complete: self.total.complete,
            ..CostRow::default()
        });
        usage.chain(grounding).chain(left_out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::written;
    use crate::card::RateCard;
    use crate::report::tally::{TallyReport, TallyRequest};
    use crate::report::testing::today;

    /// The grounding fixture: two usage rows, then one grounding row per
    /// model that searched, whose usage cells are empty (and the usage rows'
    /// `paid_queries`); a row without images has no size.
    #[test]
    fn usage_and_grounding_rows_share_one_header_and_leave_the_other_kinds_cells_empty() {
        let request = TallyRequest {
            files: vec!["tests/fixtures/semantics/grounding.jsonl".into()],
            free_queries: 4,
            ..TallyRequest::default()
        };
        let card = RateCard::embedded_named("2026-10").unwrap();
        let report = TallyReport::build(&card, &request, today()).unwrap();
        let csv = written(&report);
        let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|line| line.split(',').collect()).collect();
        let kinds: Vec<&str> = rows.iter().map(|row| row[7]).collect();
        assert_eq!(kinds, ["usage", "usage", "grounding", "grounding"]);
        assert_eq!(rows[0][16], "", "no paid queries on a usage row");
        assert_eq!(
            (rows[1][0], rows[1][2], rows[1][8]),
            ("gemini-3-pro-image", "", "0"),
            "no image, no size"
        );
        let grounding = &rows[3];
        assert_eq!((grounding[2], grounding[3], grounding[6]), ("", "", ""), "no size, lane or status");
        assert!(grounding[8..15].iter().all(|cell| cell.is_empty()), "{grounding:?}");
        assert_eq!((grounding[15], grounding[16], grounding[20]), ("1", "1", "0.014"));
    }
}

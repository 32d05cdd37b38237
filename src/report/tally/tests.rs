//! Tests of `tally`: the fixtures priced by hand, line counts that add up,
//! and generated files against their generator's own totals.

use std::io::Read;

use super::*;
use crate::batch::{MAX_SIZES, model_for_version};
use crate::report::testing::today;
use crate::synth::{SynthSpec, write_batch_output};
use rust_decimal::Decimal;

const MIXED: &[u8] = include_bytes!("../../../tests/fixtures/batch/output-mixed.jsonl");
const LANES: &[u8] = include_bytes!("../../../tests/fixtures/batch/output-lanes.jsonl");
const LANES_CARD: &str = include_str!("../../../tests/fixtures/cards/lanes.toml");

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// Tallies lines already in memory, as if read from a file named `name`.
fn read(
    card: &RateCard,
    name: &str,
    bytes: &[u8],
    strict: bool,
    fallback: Option<&Model>,
    options: &ScanOptions,
    lane: Option<Lane>,
) -> Result<TallyReport, TallyError> {
    let mut reader = BatchReader::new(strict);
    let mut responses = Responses::new(card, lane);
    reader
        .read_source(name.into(), bytes, options, |place, line, first| responses.add(place, line, first))?;
    assemble(card, today(), fallback, reader, responses, 0)
}

fn tally(bytes: &[u8], lane: Option<Lane>) -> TallyReport {
    read(&RateCard::embedded(), "test.jsonl", bytes, false, None, &ScanOptions::default(), lane).unwrap()
}

/// The October card: it knows the preview IDs and their GA IDs (the mixed
/// fixture names both), at the April prices.
fn october() -> RateCard {
    RateCard::embedded_named("2026-10").unwrap()
}

fn tally_october(bytes: &[u8], lane: Option<Lane>) -> TallyReport {
    read(&october(), "test.jsonl", bytes, false, None, &ScanOptions::default(), lane).unwrap()
}

fn adds_up(lines: &LineCounts) -> bool {
    lines.read == lines.responses + lines.error_lines + lines.malformed_lines + lines.blank_lines
}

/// `tests/fixtures/batch/output-mixed.jsonl` with `--lane batch` and the
/// October card (it knows the preview and GA IDs, at the same prices), batch
/// rates per 1M tokens
/// (input / text / image): Nano Banana 2 0.25 / 1.50 / 30, Pro 1 / 6 / 60.
/// - line 1, key a, flash 2K: 12 × 0.25 + 1680 × 30 = 0.000003 + 0.0504 = 0.050403
/// - line 2, key b, pro 4K, snake_case: 580 × 1 + 2000 × 60 + (10 text + 100 thinking) × 6
///   = 0.00058 + 0.12 + 0.00066 = 0.12124
/// - line 3, error 429; line 10, error 400: not billed
/// - line 4, key a again: billed again, 0.050403
/// - line 5, model imagen-9-ultra: not in the card, unpriced
/// - line 6 truncated, line 7 not JSON: malformed; line 8 blank
/// - line 9, bare response, GA ID gemini-3.1-flash-image, no
///   candidatesTokensDetails: 8 × 0.25 + 1120 × 30 = 0.000002 + 0.0336 = 0.033602 (1K)
/// - line 11, key g, no modelVersion: unpriced (747 tokens, 512 with --model flash)
///
/// Total priced: 0.050403 × 2 + 0.12124 + 0.033602 = 0.255648.
#[test]
fn prices_the_mixed_fixture_as_worked_out_by_hand() {
    let report = tally_october(MIXED, Some(Lane::Batch));
    assert_eq!(report.lanes.batch, 6);
    assert_eq!((report.lanes.assumed_standard, report.lanes.lane_override), (0, Some(Lane::Batch)));
    assert_eq!(
        report.lines,
        LineCounts {
            read: 11,
            responses: 6,
            chunk_lines: 0,
            error_lines: 2,
            malformed_lines: 2,
            blank_lines: 1
        }
    );
    assert!(adds_up(&report.lines));
    assert_eq!(report.total.cost, d("0.255648"));
    assert_eq!(report.total.input_cost, Some(Money::new(d("0.000588"))));
    assert_eq!(report.total.image_output_cost, Some(Money::new(d("0.2544"))));
    assert_eq!(report.total.text_output_cost, Some(Money::new(d("0.00066"))));
    assert_eq!((report.total.priced_responses, report.total.unpriced_responses), (4, 2));
    assert!(report.is_incomplete());
    assert_eq!(report.total.responses_without_output_split, 1);
    assert_eq!(report.duplicates.responses.count, 1);
    assert_eq!(report.duplicates.cost, d("0.050403"));
    assert_eq!(report.duplicates.responses.shown[0].first_line, 1);
    assert_eq!(
        report.errors.by_code,
        [ErrorCount { code: Some(400), count: 1 }, ErrorCount { code: Some(429), count: 1 }]
    );
    assert_eq!(report.malformed.shown.iter().map(|bad| bad.line).collect::<Vec<_>>(), [6, 7]);
    let rows: Vec<(Option<&str>, &str, u64, Option<Decimal>)> = report
        .rows
        .iter()
        .map(|row| (row.model.as_deref(), row.size.as_str(), row.responses, row.cost.map(Money::amount)))
        .collect();
    assert_eq!(
        rows,
        [
            (Some("gemini-3.1-flash-image"), "1K", 1, Some(d("0.033602"))),
            (Some("gemini-3.1-flash-image"), "2K", 2, Some(d("0.100806"))),
            (Some("gemini-3-pro-image"), "4K", 1, Some(d("0.12124"))),
            (None, "unknown (747 tokens/image)", 1, None),
            (None, "unknown (1000 tokens/image)", 1, None),
        ]
    );
    assert_eq!(report.rows[0].model_versions, [Some("gemini-3.1-flash-image".to_string())]);
}

/// The same file with the lane read from each line: the key-wrapped lines
/// are batch as above, and line 9, a bare response with no serviceTier or
/// trafficType, is assumed standard (0.50 / 60 per 1M):
/// 8 × 0.50 + 1120 × 60 = 0.000004 + 0.0672 = 0.067204.
/// Total priced: 0.050403 × 2 + 0.12124 + 0.067204 = 0.28925.
#[test]
fn prices_each_line_of_the_mixed_fixture_on_its_own_lane() {
    let report = tally_october(MIXED, None);
    assert_eq!(
        report.lanes,
        LaneSummary { standard: 1, batch: 5, assumed_standard: 1, ..LaneSummary::default() }
    );
    assert_eq!(report.total.cost, d("0.28925"));
    assert_eq!(report.total.input_cost, Some(Money::new(d("0.00059"))));
    assert_eq!(report.total.image_output_cost, Some(Money::new(d("0.288"))));
    assert_eq!(report.total.text_output_cost, Some(Money::new(d("0.00066"))));
    assert_eq!(report.rows[0].lane, BilledLane::Lane(Lane::Standard));
    assert_eq!(report.rows[0].cost.map(Money::amount), Some(d("0.067204")));
    assert!(report.rows[1..].iter().all(|row| row.lane == BilledLane::Lane(Lane::Batch)));
}

#[test]
fn prices_responses_without_model_version_at_the_model_given() {
    let card = october();
    let flash = card.resolve("flash").unwrap().model;
    let report = read(&card, "mixed", MIXED, false, Some(flash), &ScanOptions::default(), None).unwrap();
    // 0.28925 + 10 × 0.25 / 1M + 747 × 30 / 1M = 0.28925 + 0.0000025 + 0.02241 (key g: batch)
    assert_eq!(report.total.cost, d("0.3116625"));
    assert_eq!(report.total.unpriced_responses, 1);
    assert!(report.rows.iter().any(|row| row.size == "512" && row.model_versions == [None]));
}

/// `tests/fixtures/batch/output-clean.jsonl.gz`, standard rates:
/// - x1 flash 4K: 10 × 0.50 + 2520 × 60 = 0.000005 + 0.1512 = 0.151205
/// - x2 Nano Banana 1K: 10 × 0.30 + 1290 × 30 = 0.000003 + 0.0387 = 0.038703
/// - x3 flash, two images of 1120 tokens (1K): 10 × 0.50 + 2240 × 60 = 0.000005 + 0.1344 = 0.134405
///
/// Total 0.324313 (batch: 0.0756025 + 0.0193515 + 0.0672025 = 0.1621565).
#[test]
fn reads_the_gzip_fixture_on_either_lane() {
    let mut plain = Vec::new();
    crate::scan::decompress(&include_bytes!("../../../tests/fixtures/batch/output-clean.jsonl.gz")[..])
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    // Every line is key-wrapped, so without --lane it is batch.
    let lanes = [(Some(Lane::Standard), "0.324313"), (Some(Lane::Batch), "0.1621565"), (None, "0.1621565")];
    for (lane, total) in lanes {
        let report = tally(&plain, lane);
        assert_eq!(report.total.cost, d(total), "{lane:?}");
        assert!(report.total.complete);
        assert_eq!(report.total.images, 4);
    }
}

#[test]
fn an_empty_file_costs_nothing_and_is_complete() {
    let report = tally(b"", None);
    assert_eq!(report.lines, LineCounts::default());
    assert!(report.rows.is_empty());
    assert_eq!(report.total.cost, Decimal::ZERO);
    assert!(report.total.complete);
}

#[test]
fn totals_on_generated_files_equal_the_generators_own() {
    let card = RateCard::embedded();
    for seed in [3, 8] {
        let spec = SynthSpec {
            target_bytes: 2 << 20,
            seed,
            payload_bytes: 3000,
            error_percent: 5,
            duplicate_percent: 5,
            broken_percent: 2,
            blank_percent: 2,
            ..SynthSpec::default()
        };
        let mut file = Vec::new();
        let expected = write_batch_output(&spec, &mut file).unwrap();
        let mut want = Money::ZERO;
        let mut responses = 0;
        let n = |sum: u128| u64::try_from(sum).unwrap();
        for (group, totals) in &expected.groups {
            let model = model_for_version(&card, group.model_version.as_deref().unwrap()).unwrap();
            let rates = model.tokens[&Lane::Batch];
            // Without candidatesTokensDetails the generator's group has 0
            // image tokens and every output token goes at the image rate.
            let (image, text) = if group.candidate_image_tokens == 0 {
                (n(totals.candidates), 0)
            } else {
                (n(totals.candidate_image), n(totals.candidate_text))
            };
            let parts = [
                Money::per_million(n(totals.prompt), rates.input.unwrap()).unwrap(),
                Money::per_million(image, rates.image_output).unwrap(),
                Money::per_million(text + n(totals.thoughts), rates.text_output.unwrap()).unwrap(),
            ];
            want = want.plus(Money::sum(parts).unwrap()).unwrap();
            responses += n(totals.responses);
        }
        for threads in [1, 2] {
            let options = ScanOptions { threads, block_bytes: 64 << 10, ..ScanOptions::default() };
            // Generated files mix wrapped and bare lines: price them all on batch.
            let report = read(&card, "synthetic", &file, false, None, &options, Some(Lane::Batch)).unwrap();
            assert_eq!(report.total.cost, want, "seed {seed} threads {threads}");
            // Malformed lines leave the total incomplete, and nothing else.
            assert_eq!(report.total.complete, expected.malformed_lines == 0);
            assert_eq!(
                report.lines,
                LineCounts {
                    read: expected.lines,
                    responses,
                    chunk_lines: 0,
                    error_lines: expected.error_lines,
                    malformed_lines: expected.malformed_lines,
                    blank_lines: expected.blank_lines,
                }
            );
            assert!(adds_up(&report.lines));
            assert_eq!(report.duplicates.responses.count, expected.duplicate_responses);
            assert_eq!(report.errors.lines.count, expected.error_lines);
        }
    }
}

#[test]
fn stops_at_the_first_malformed_line_when_strict() {
    let card = RateCard::embedded();
    let error = read(&card, "mixed", MIXED, true, None, &ScanOptions::default(), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`mixed` line 6 is malformed (not JSON: EOF while parsing a value at column 59): fix or remove the line, or drop --strict to count malformed lines and go on"
    );
}

/// The rows of a report: (model, lane, responses, cost).
fn lane_rows(report: &TallyReport) -> Vec<(Option<&str>, &str, u64, Option<Decimal>)> {
    report
        .rows
        .iter()
        .map(|row| (row.model.as_deref(), row.lane.name(), row.responses, row.cost.map(Money::amount)))
        .collect()
}

/// `tests/fixtures/batch/output-lanes.jsonl`, 11 responses of 10 prompt
/// tokens and one 1K image each (Nano Banana 2: 1120 image tokens; Nano
/// Banana: 1290), on the lane each line gives:
/// - line 1 key-wrapped (its serviceTier `standard` does not count): batch
/// - lines 2 `standard`, 5 `unspecified`: standard; 3 `flex`, 6
///   `service_tier: SERVICE_TIER_FLEX`: flex; 4 `priority`: priority
/// - lines 7, 8, 9 (Nano Banana, Vertex trafficType): `ON_DEMAND` standard,
///   `ON_DEMAND_PRIORITY` priority, `PROVISIONED_THROUGHPUT` provisioned
/// - line 10 no lane field, line 11 serviceTier `turbo`: standard, assumed
///
/// Embedded card (standard and batch lanes only), per 1M input / image:
/// - Nano Banana 2 standard (lines 2, 5, 10, 11): 40 × 0.50 + 4480 × 60
///   = 0.00002 + 0.2688 = 0.26882
/// - Nano Banana 2 batch (line 1): 10 × 0.25 + 1120 × 30 = 0.0000025 + 0.0336 = 0.0336025
/// - Nano Banana 2 flex (2) and priority (1): not priced, no such lane
/// - Nano Banana standard (line 7): 10 × 0.30 + 1290 × 30 = 0.000003 + 0.0387 = 0.038703
/// - Nano Banana priority (line 8): not priced; provisioned (line 9): by commitment
///
/// Total 0.26882 + 0.0336025 + 0.038703 = 0.3411255, incomplete (4 unpriced).
///
/// `tests/fixtures/cards/lanes.toml` adds flex (= batch rates) and priority
/// (1.8 × standard: 0.90 / 108 for Nano Banana 2, 0.54 / 54 for Nano Banana):
/// - Nano Banana 2 flex: 20 × 0.25 + 2240 × 30 = 0.000005 + 0.0672 = 0.067205
/// - Nano Banana 2 priority: 10 × 0.90 + 1120 × 108 = 0.000009 + 0.12096 = 0.120969
/// - Nano Banana priority: 10 × 0.54 + 1290 × 54 = 0.0000054 + 0.06966 = 0.0696654
///
/// Total 0.3411255 + 0.067205 + 0.120969 + 0.0696654 = 0.5989649, complete:
/// the provisioned response is counted apart and leaves nothing out.
#[test]
fn prices_each_response_on_the_lane_its_line_gives() {
    let flash = Some("gemini-3.1-flash-image-preview");
    let nano = Some("gemini-2.5-flash-image");
    let report = tally(LANES, None);
    assert_eq!(
        report.lanes,
        LaneSummary {
            standard: 5,
            batch: 1,
            flex: 2,
            priority: 2,
            provisioned: 1,
            assumed_standard: 2,
            unrecognised: vec![UnrecognisedLane {
                field: "serviceTier",
                value: Some("turbo".into()),
                responses: 1
            }],
            lane_override: None,
        }
    );
    assert_eq!(
        lane_rows(&report),
        [
            (flash, "standard", 4, Some(d("0.26882"))),
            (flash, "batch", 1, Some(d("0.0336025"))),
            (flash, "flex", 2, None),
            (flash, "priority", 1, None),
            (nano, "standard", 1, Some(d("0.038703"))),
            (nano, "priority", 1, None),
            (nano, "provisioned", 1, None),
        ]
    );
    assert_eq!(
        report.rows[2].unpriced_reason.as_deref(),
        Some("gemini-3.1-flash-image-preview has no flex lane in the rate card (it has standard, batch)")
    );
    assert_eq!(report.total.cost, d("0.3411255"));
    assert_eq!(
        (report.total.priced_responses, report.total.unpriced_responses, report.total.provisioned_responses),
        (6, 4, 1)
    );
    assert!(report.is_incomplete());

    let card = RateCard::from_toml(
        LANES_CARD,
        crate::card::CardOrigin::File("tests/fixtures/cards/lanes.toml".into()),
    )
    .unwrap();
    let report = read(&card, "lanes", LANES, false, None, &ScanOptions::default(), None).unwrap();
    assert_eq!(
        lane_rows(&report),
        [
            (flash, "standard", 4, Some(d("0.26882"))),
            (flash, "batch", 1, Some(d("0.0336025"))),
            (flash, "flex", 2, Some(d("0.067205"))),
            (flash, "priority", 1, Some(d("0.120969"))),
            (nano, "standard", 1, Some(d("0.038703"))),
            (nano, "priority", 1, Some(d("0.0696654"))),
            (nano, "provisioned", 1, None),
        ]
    );
    assert_eq!(report.total.cost, d("0.5989649"));
    assert_eq!((report.total.unpriced_responses, report.total.provisioned_responses), (0, 1));
    assert!(report.total.complete);
}

/// `--lane` beats every rule, provisioned included: all 11 on batch.
/// Nano Banana 2 (8): 80 × 0.25 + 8960 × 30 = 0.00002 + 0.2688 = 0.26882;
/// Nano Banana (3): 30 × 0.15 + 3870 × 15 = 0.0000045 + 0.05805 = 0.0580545.
#[test]
fn the_lane_given_overrides_what_the_lines_say() {
    let report = tally(LANES, Some(Lane::Batch));
    assert_eq!(
        report.lanes,
        LaneSummary { batch: 11, lane_override: Some(Lane::Batch), ..LaneSummary::default() }
    );
    assert_eq!(report.total.cost, d("0.3268745"));
    assert!(report.total.complete);
}

const TEXT_AND_IMAGES: &[u8] = include_bytes!("../../../tests/fixtures/semantics/text-and-images.jsonl");
const GROUNDING: &[u8] = include_bytes!("../../../tests/fixtures/semantics/grounding.jsonl");
const GROUNDING_UNPRICED: &[u8] =
    include_bytes!("../../../tests/fixtures/semantics/grounding-unpriced.jsonl");

fn tally_october_free(bytes: &[u8], free_queries: u64) -> TallyReport {
    let card = october();
    let mut reader = BatchReader::new(false);
    let mut responses = Responses::new(&card, None);
    reader
        .read_source("test.jsonl".into(), bytes, &ScanOptions::default(), |place, line, first| {
            responses.add(place, line, first)
        })
        .unwrap();
    assemble(&card, today(), None, reader, responses, free_queries).unwrap()
}

/// `tests/fixtures/semantics/text-and-images.jsonl`, standard lane, October
/// card (Nano Banana 0.30 / 2.50 / 30 per 1M, Pro 2 / 12 / 120):
/// - line 1, a text answer with no details: 10 × 0.30 + 212 × 2.50 = 0.000533
///   (at the image rate it was 0.006363, 11.9 times as much);
/// - line 2, `@default`, IMAGE details: 10 × 0.30 + 1290 × 30 = 0.038703;
/// - line 3, image part and no details: all image, 0.038703 (upper bound);
/// - line 4, Pro by its publisher path, a thought image and text, no
///   details: text, 20 × 2 + (150 + 300) × 12 = 0.00004 + 0.0054 = 0.00544;
/// - line 5, a full Vertex AI path with `@001`, no candidates: all image,
///   0.038703 (upper bound).
///
/// Total: 0.000533 + 3 × 0.038703 + 0.00544 = 0.122082.
#[test]
fn prices_output_as_image_or_text_by_what_the_response_holds() {
    let report = tally_october_free(TEXT_AND_IMAGES, 0);
    assert_eq!(report.total.cost, d("0.122082"));
    assert!(report.total.complete);
    let t = &report.total;
    assert_eq!(
        (t.responses_without_output_split, t.responses_output_upper_bound, t.responses_text_only),
        (4, 2, 2)
    );
    type Row<'a> = (Option<&'a str>, &'a str, u64, u64, u64, Option<Decimal>);
    let rows: Vec<Row<'_>> = report
        .rows
        .iter()
        .map(|row| {
            let model = row.model.as_deref();
            let cost = row.cost.map(Money::amount);
            (model, row.size.as_str(), row.responses, row.image_output_tokens, row.text_output_tokens, cost)
        })
        .collect();
    assert_eq!(
        rows,
        [
            (Some("gemini-3-pro-image"), "no image", 1, 0, 150, Some(d("0.00544"))),
            (Some("gemini-2.5-flash-image"), "no image", 1, 0, 212, Some(d("0.000533"))),
            (Some("gemini-2.5-flash-image"), "1K", 3, 3870, 0, Some(d("0.116109"))),
        ]
    );
}

/// `tests/fixtures/semantics/grounding.jsonl`, standard lane, October card,
/// grounding $14 per 1,000 queries:
/// - Nano Banana 2, 2 + 3 queries (camelCase, snake_case), two 1K images:
///   2 × (10 × 0.50 + 1120 × 60) = 2 × 0.067205 = 0.13441;
/// - Pro, a grounded text answer with 1 query: 20 × 2 + 300 × 12 = 0.00364.
///
/// Without free queries: 6 × 0.014 = 0.084, total 0.13805 + 0.084 = 0.22205.
/// `--free-queries 4` goes to Nano Banana 2 first (card order): 1 + 1 paid,
/// 0.028, total 0.16605. `--free-queries 100`: none paid, 0.13805.
#[test]
fn prices_search_queries_per_model_with_free_queries_taken_off() {
    let cases = [(0, "0.084", "0.22205", 6), (4, "0.028", "0.16605", 2), (100, "0", "0.13805", 0)];
    for (free, grounding, total, paid) in cases {
        let report = tally_october_free(GROUNDING, free);
        assert_eq!(report.grounding.queries, 6, "{free}");
        assert_eq!(report.grounding.paid_queries, paid, "{free}");
        assert_eq!(report.grounding.free_queries_used, 6 - paid, "{free}");
        assert_eq!(report.total.grounding_cost, Some(Money::new(d(grounding))), "{free}");
        assert_eq!(report.total.cost, d(total), "{free}");
        assert!(report.total.complete);
    }
    let report = tally_october_free(GROUNDING, 4);
    let per_model: Vec<(Option<&str>, u64, u64, u64)> = report
        .grounding
        .models
        .iter()
        .map(|row| (row.model.as_deref(), row.queries, row.free_queries, row.paid_queries))
        .collect();
    assert_eq!(per_model, [(Some("gemini-3.1-flash-image"), 5, 4, 1), (Some("gemini-3-pro-image"), 1, 0, 1)]);
}

/// `tests/fixtures/semantics/grounding-unpriced.jsonl`: Lite has no
/// grounding in the card, so its 2 queries are counted and not priced; Nano
/// Banana 2's one query is. Priced: 0.0336025 (Lite, 10 × 0.25 + 1120 × 30)
/// + 0.067205 + 0.014 = 0.1148075, incomplete.
#[test]
fn leaves_queries_of_a_model_without_grounding_unpriced() {
    let report = tally_october_free(GROUNDING_UNPRICED, 0);
    assert_eq!(report.total.cost, d("0.1148075"));
    assert_eq!((report.grounding.unpriced_queries, report.grounding.paid_queries), (2, 1));
    assert_eq!(report.total.unpriced_responses, 0);
    assert!(report.is_incomplete());
}

/// One list of what the total leaves out serves both sentences: the
/// verdict and the title say what goes unpriced before what goes unread,
/// the verdict briefly, pointing at the report.
#[test]
fn says_what_an_incomplete_total_leaves_out() {
    let bytes = [GROUNDING_UNPRICED, b"not json\n"].concat();
    let report = tally_october_free(&bytes, 0);
    assert_eq!(report.left_out(), [Shortfall::MalformedLines(1), Shortfall::UnpricedQueries(2)]);
    assert!(!report.total.complete);
    assert_eq!(
        report.incomplete_reason().unwrap(),
        "the total is INCOMPLETE: 2 search queries not priced, 1 malformed line skipped (see the report)"
    );
    let title = crate::render::Report::document(&report).title;
    assert!(title.ends_with("INCOMPLETE: 2 search queries not priced, 1 malformed line skipped"), "{title}");
    assert_eq!(tally_october_free(GROUNDING_UNPRICED, 0).left_out(), [Shortfall::UnpricedQueries(2)]);
}

/// Responses and cost per model, size and lane, whatever else splits rows
/// (an attribution's row holds only its own spellings of a model).
fn per_model_size_lane(rows: &[TallyRow]) -> Vec<(String, u64, Option<Money>)> {
    let mut sums: Vec<(String, u64, Option<Money>)> = Vec::new();
    for row in rows {
        let key = format!("{:?} {} {:?}", row.model, row.size, row.lane);
        match sums.iter_mut().find(|(known, _, _)| *known == key) {
            Some((_, responses, cost)) => {
                *responses += row.responses;
                *cost = cost.zip(row.cost).map(|(sum, more)| sum.plus(more).unwrap());
            }
            None => sums.push((key, row.responses, row.cost)),
        }
    }
    sums.sort_by(|a, b| a.0.cmp(&b.0));
    sums
}

/// `--by` splits rows, never money: for every rule, on the attribution
/// fixture and a generated file of every kind of line, the attributions'
/// costs and the grounding cost make the total, their responses make the
/// total's, and the rows summed back per model, size and lane are the rows
/// of the tally without `--by`.
#[test]
fn attributions_split_the_rows_and_add_up_to_the_total() {
    let card = RateCard::embedded_named("2026-10").unwrap();
    let mut generated = Vec::new();
    let spec =
        SynthSpec { target_bytes: 200_000, seed: 5, mixed: true, bare_percent: 30, ..SynthSpec::default() };
    write_batch_output(&spec, &mut generated).unwrap();
    let teams = std::fs::read("tests/fixtures/attribution/teams.jsonl").unwrap();
    for (name, bytes) in [("teams.jsonl", teams.as_slice()), ("generated.jsonl", generated.as_slice())] {
        let whole = read(&card, name, bytes, false, None, &ScanOptions::default(), None).unwrap();
        for by in [
            By::KeyPrefix { separator: '/' },
            By::KeyPrefix { separator: '-' },
            By::Label("team".into()),
            By::File,
        ] {
            let mut reader = BatchReader::new(false);
            let mut responses = Responses::new(&card, None).attributed_by(Some(by.clone()));
            reader
                .read_source(name.into(), bytes, &ScanOptions::default(), |place, line, first| {
                    responses.add(place, line, first)
                })
                .unwrap();
            responses.finish();
            let split = assemble(&card, today(), None, reader, responses, 0).unwrap();
            let what = format!("{name} by {by}");
            assert_eq!(split.total.cost, whole.total.cost, "{what}");
            let costs = Money::sum(split.attributions.iter().map(|total| total.cost)).unwrap();
            let grounding = split.grounding.cost.unwrap_or(Money::ZERO);
            assert_eq!(costs.plus(grounding).unwrap(), split.total.cost, "{what}");
            let responses: u64 = split.attributions.iter().map(|total| total.responses).sum();
            assert_eq!(responses, whole.total.responses, "{what}");
            assert_eq!(per_model_size_lane(&split.rows), per_model_size_lane(&whole.rows), "{what}");
        }
    }
}

/// A file whose every response bills its own image token count, on two
/// lanes and in two versions of one model, with text and thinking tokens
/// too: `sizes` token counts in all.
fn many_sizes(sizes: u64) -> Vec<u8> {
    let mut file = String::new();
    for index in 0..sizes {
        let (version, tier) = match index % 3 {
            0 => ("gemini-3-pro-image", "standard"),
            1 => ("gemini-3-pro-image-preview", "flex"),
            _ => ("gemini-3-pro-image", "flex"),
        };
        file.push_str(&format!(
            r#"{{"usageMetadata":{{"promptTokenCount":{},"candidatesTokenCount":{},"thoughtsTokenCount":{},"candidatesTokensDetails":[{{"modality":"IMAGE","tokenCount":{}}},{{"modality":"TEXT","tokenCount":7}}],"serviceTier":"{tier}"}},"modelVersion":"{version}"}}"#,
            10 + index,
            1007 + index,
            index % 5,
            1000 + index,
        ));
        file.push('\n');
    }
    file.into_bytes()
}

/// Past the first sizes of a model and lane, the rest share one row that
/// keeps their tokens: the total is the same as the sum of tallies of
/// pieces small enough that no size is gathered.
#[test]
fn gathers_the_sizes_past_the_first_few_without_changing_the_total() {
    let sizes = 3 * MAX_SIZES as u64 + 20;
    let file = many_sizes(sizes);
    let whole = tally_october(&file, None);
    let rows = |lane: Lane| whole.rows.iter().filter(|row| row.lane == BilledLane::Lane(lane)).count();
    assert_eq!((rows(Lane::Standard), rows(Lane::Flex)), (MAX_SIZES + 1, MAX_SIZES + 1));
    let gathered: Vec<(&str, u64, u64)> = whole
        .rows
        .iter()
        .filter(|row| row.other_sizes > 0)
        .map(|row| (row.size.as_str(), row.other_sizes, row.responses))
        .collect();
    let on_standard = sizes.div_ceil(3) - MAX_SIZES as u64;
    let on_flex = sizes - sizes.div_ceil(3) - MAX_SIZES as u64;
    assert_eq!(
        gathered,
        [
            (format!("({on_standard} other sizes)").as_str(), on_standard, on_standard),
            (format!("({on_flex} other sizes)").as_str(), on_flex, on_flex),
        ]
    );
    let mut pieces = Vec::new();
    for piece in file.split(|byte| *byte == b'\n').collect::<Vec<_>>().chunks(MAX_SIZES) {
        let report = tally_october(&piece.join(&b'\n'), None);
        assert!(report.rows.iter().all(|row| row.other_sizes == 0));
        pieces.push(report.total);
    }
    assert_eq!(whole.total.responses, sizes);
    assert_eq!(pieces.iter().map(|total| total.responses).sum::<u64>(), sizes);
    let sum = |part: fn(&TallyTotal) -> Option<Money>| {
        Money::sum(pieces.iter().map(|total| part(total).unwrap())).unwrap()
    };
    assert_eq!(whole.total.input_cost, Some(sum(|total| total.input_cost)));
    assert_eq!(whole.total.image_output_cost, Some(sum(|total| total.image_output_cost)));
    assert_eq!(whole.total.text_output_cost, Some(sum(|total| total.text_output_cost)));
    assert_eq!(whole.total.cost, Money::sum(pieces.iter().map(|total| total.cost)).unwrap());
    assert!(whole.total.complete);
}

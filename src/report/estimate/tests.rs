//! `estimate` priced by hand: the fixtures and generated files.

use super::*;
use crate::card::CardOrigin;
use crate::report::testing::today;
use crate::scan::MediaCounts;
use crate::synth::{SynthSpec, write_batch_input};
use rust_decimal::Decimal;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// Estimates lines already in memory, as if read from `input.jsonl`.
fn estimate(card: &RateCard, model: &str, bytes: &[u8], basis: Basis) -> EstimateReport {
    let mut reader = BatchReader::new(false);
    let mut requests = Requests::new(card, card.resolve(model).unwrap().model);
    reader
        .read_source("input.jsonl".into(), bytes, &ScanOptions::default(), |place, line, first| {
            requests.add(place, line, first)
        })
        .unwrap();
    let priced = Priced { lane: Lane::Batch, basis, requested_as: None, thinking: None };
    assemble(card, requests, reader, priced, today()).unwrap()
}

fn adds_up(lines: &EstimateLines) -> bool {
    lines.read == lines.priced_requests + lines.rejected_requests + lines.malformed_lines + lines.blank_lines
}

fn finding_counts(report: &EstimateReport) -> Vec<(FindingKind, u64)> {
    report.findings.iter().map(|finding| (finding.kind, finding.requests.count)).collect()
}

const MIXED: &[u8] = include_bytes!("../../../tests/fixtures/batch/input-mixed.jsonl");

/// `tests/fixtures/batch/input-mixed.jsonl` with `--model flash`, batch
/// list prices 512 0.022, 1K 0.034, 2K 0.050, 4K 0.076; input 0.25 per
/// 1M tokens; a reference image 1120 tokens (0.00028).
/// - 512: line 7 (names Pro: a finding), "x" → 1 token: 0.022 + 0.00000025 = 0.02200025
/// - 1K: line 3, no imageSize, "cat" → 1 token, one fileData part:
///   0.034 + 0.00000025 + 0.00028 = 0.03428025
/// - 2K: lines 1 and 6 (duplicate key r1), "a red fox" → 3 tokens each:
///   2 × 0.050 + 6 × 0.00000025 = 0.1000015
/// - 4K: line 2, snake_case, candidate_count 2, "neon city at dusk" → 5 tokens, one
///   inline image: 2 × 0.076 + 0.00000125 + 0.00028 = 0.15228125
/// - rejected: line 4 `2k`, line 5 `1024`, line 8 candidateCount 0, line 11 `2048`
/// - line 9 blank, line 10 truncated
///
/// Total 0.30856325.
#[test]
fn prices_the_mixed_fixture_as_worked_out_by_hand() {
    let report = estimate(&RateCard::embedded(), "flash", MIXED, Basis::List);
    assert_eq!(
        report.lines,
        EstimateLines {
            read: 11,
            priced_requests: 5,
            rejected_requests: 4,
            malformed_lines: 1,
            blank_lines: 1
        }
    );
    assert!(adds_up(&report.lines));
    let rows: Vec<(ImageSize, u64, u64, Decimal)> =
        report.rows.iter().map(|row| (row.size, row.requests, row.images, row.cost.amount())).collect();
    assert_eq!(
        rows,
        [
            (ImageSize::S512, 1, 1, d("0.02200025")),
            (ImageSize::K1, 1, 1, d("0.03428025")),
            (ImageSize::K2, 2, 2, d("0.1000015")),
            (ImageSize::K4, 1, 2, d("0.15228125")),
        ]
    );
    assert_eq!(report.total.cost, d("0.30856325"));
    assert_eq!(report.total.image_cost, d("0.308"));
    assert_eq!(report.total.reference_cost, Some(Money::new(d("0.00056"))));
    // Line 10 is malformed: what it asked for is not in the total.
    assert!(!report.total.complete);
    assert_eq!(
        finding_counts(&report),
        [
            (FindingKind::MissingImageSize, 1),
            (FindingKind::MisspelledImageSize, 1),
            (FindingKind::UnknownImageSize, 2),
            (FindingKind::InvalidCandidateCount, 1),
            (FindingKind::OtherModel, 1),
            (FindingKind::DuplicateKey, 1),
        ]
    );
    let unknown = &report.findings[2].requests.shown;
    assert_eq!(
        unknown.iter().map(|line| (line.line, line.value.as_deref())).collect::<Vec<_>>(),
        [(5, Some("1024")), (11, Some("2048"))]
    );
    assert_eq!(report.malformed.shown[0].line, 10);
}

/// The card in force in the CLI tests, which the fixtures' README uses.
fn october() -> RateCard {
    RateCard::embedded_named("2026-10").unwrap()
}

const MEDIA: &[u8] = include_bytes!("../../../tests/fixtures/estimate/media.jsonl");
const SEARCH: &[u8] = include_bytes!("../../../tests/fixtures/estimate/search.jsonl");

/// `tests/fixtures/estimate/media.jsonl`, worked out in its README: only
/// the two `image/*` parts are reference images; a video, an audio, a PDF
/// and two other parts (one with no MIME type) are counted and not priced.
#[test]
fn counts_media_that_are_not_images_and_leaves_them_unpriced() {
    let report = estimate(&october(), "flash", MEDIA, Basis::List);
    let rows: Vec<(ImageSize, u64, Decimal)> =
        report.rows.iter().map(|row| (row.size, row.reference_images, row.cost.amount())).collect();
    assert_eq!(rows, [(ImageSize::K1, 1, d("0.102283")), (ImageSize::K2, 1, d("0.100281"))]);
    assert_eq!(report.total.cost, d("0.202564"));
    assert_eq!(report.total.other_media, MediaCounts { video: 1, audio: 1, pdf: 1, other: 2 });
    assert_eq!(report.total.unpriced_media, 5);
    assert!(report.is_incomplete());
    assert_eq!(finding_counts(&report), [(FindingKind::UnpricedMedia, 3)]);
    let left_out = report.left_out();
    assert_eq!(left_out.len(), 1);
    assert_eq!(left_out[0].what, "5 media parts that are not images (1 video, 1 audio, 1 PDF, 2 other)");
}

/// `tests/fixtures/estimate/search.jsonl`: three requests ask for Google
/// Search (`google_search`, `googleSearch`, `googleSearchRetrieval`); a
/// code tool and a `null` search tool do not. Search is left out of the
/// total without making it incomplete.
#[test]
fn counts_search_requests_without_making_the_total_incomplete() {
    let report = estimate(&october(), "flash", SEARCH, Basis::List);
    assert_eq!(report.total.cost, d("0.202002"));
    assert_eq!(report.total.search_requests, 3);
    assert!(!report.total.search_cost_included);
    assert!(report.total.complete);
    assert!(report.grounding);
    assert_eq!(finding_counts(&report), [(FindingKind::SearchTool, 3)]);
    let shown: Vec<u64> = report.findings[0].requests.shown.iter().map(|line| line.line).collect();
    assert_eq!(shown, [1, 2, 3]);
}

#[test]
fn rejects_every_size_for_a_model_that_takes_none() {
    let report = estimate(&RateCard::embedded(), "nano-banana", MIXED, Basis::List);
    // Only line 3 (no imageSize) is priced: 1 × 0.0195 + 1 token + 258 tokens at 0.15 per 1M.
    assert_eq!(report.lines.priced_requests, 1);
    assert_eq!(report.lines.rejected_requests, 8);
    assert_eq!(report.total.cost, d("0.0195388500"));
    assert!(finding_counts(&report).contains(&(FindingKind::ImageSizeNotTaken, 8)));
    assert!(!finding_counts(&report).iter().any(|(kind, _)| *kind == FindingKind::MissingImageSize));
}

#[test]
fn prices_images_at_tokens_when_asked() {
    let report = estimate(&RateCard::embedded(), "flash", MIXED, Basis::Tokens);
    // 0.02241 + 0.0336 + 2 × 0.0504 + 2 × 0.0756 = 0.30801, plus the same
    // prompts (0.00000325) and reference images (0.00056).
    assert_eq!(report.total.image_cost, d("0.30801"));
    assert_eq!(report.total.cost, d("0.30857325"));
}

#[test]
fn leaves_reference_images_unpriced_when_the_card_has_no_token_count() {
    let toml: String = crate::card::APRIL_2026_TOML
        .lines()
        .filter(|line| !line.starts_with("input_image_tokens"))
        .collect::<Vec<_>>()
        .join("\n");
    let card = RateCard::from_toml(&toml, CardOrigin::Embedded("2026-04")).unwrap();
    let report = estimate(&card, "flash", MIXED, Basis::List);
    assert_eq!(report.total.unpriced_reference_images, 2);
    assert!(report.is_incomplete());
    assert_eq!(report.total.cost, d("0.30800325"));
    assert!(finding_counts(&report).contains(&(FindingKind::UnpricedReferenceImages, 2)));
}

#[test]
fn an_empty_file_costs_nothing() {
    let report = estimate(&RateCard::embedded(), "flash", b"", Basis::List);
    assert_eq!(report.lines, EstimateLines::default());
    assert_eq!(report.total.cost, Decimal::ZERO);
    assert!(report.findings.is_empty());
}

/// The generator's own totals: every request it wrote, by size as
/// written, must land in the same row (`2k` rejected, no size at 1K).
#[test]
fn totals_on_generated_files_equal_the_generators_own() {
    let card = RateCard::embedded();
    let spec = SynthSpec {
        target_bytes: 1 << 20,
        seed: 12,
        payload_bytes: 800,
        duplicate_percent: 5,
        broken_percent: 2,
        blank_percent: 2,
        ..SynthSpec::default()
    };
    let mut file = Vec::new();
    let expected = write_batch_input(&spec, &mut file).unwrap();
    let report = estimate(&card, "flash", &file, Basis::List);
    let written =
        |size: Option<&str>| expected.sizes.get(&size.map(str::to_owned)).copied().unwrap_or_default();
    let n = |sum: u128| u64::try_from(sum).unwrap();
    let row = |size| report.rows.iter().find(|row| row.size == size).unwrap();
    for (size, sources) in [
        (ImageSize::S512, vec![Some("512")]),
        (ImageSize::K1, vec![Some("1K"), None]),
        (ImageSize::K2, vec![Some("2K")]),
        (ImageSize::K4, vec![Some("4K")]),
    ] {
        let requests: u64 = sources.iter().map(|size| n(written(*size).requests)).sum();
        let chars: u64 = sources.iter().map(|size| n(written(*size).prompt_chars)).sum();
        let references: u64 =
            sources.iter().map(|size| n(written(*size).inline_images + written(*size).file_parts)).sum();
        assert_eq!(
            (row(size).requests, row(size).prompt_chars, row(size).reference_images),
            (requests, chars, references)
        );
        let list = card.resolve("flash").unwrap().model.size(size).unwrap().price[&Lane::Batch];
        assert_eq!(row(size).image_cost, Money::new(list).times(requests).unwrap());
    }
    assert_eq!(row(ImageSize::K1).requests_without_size, n(written(None).requests));
    assert_eq!(report.lines.rejected_requests, n(written(Some("2k")).requests));
    assert_eq!(report.lines.read, expected.lines);
    assert_eq!(report.lines.malformed_lines, expected.malformed_lines);
    assert_eq!(report.lines.blank_lines, expected.blank_lines);
    assert!(adds_up(&report.lines));
    let duplicates = report.findings.iter().find(|finding| finding.kind == FindingKind::DuplicateKey);
    assert_eq!(duplicates.map_or(0, |finding| finding.requests.count), expected.duplicate_keys);
}

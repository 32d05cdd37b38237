//! Tests of `reconcile`: bills built from the SKU strings seen on real bills
//! (see `rates/2026-10.toml`), set beside three real recorded responses.
//!
//! The responses (`tests/fixtures/real`, priced by hand in its README):
//! Nano Banana Pro: 14 prompt tokens ($0.000028), 1,120 image tokens
//! ($0.1344), 163 text + 174 thinking tokens ($0.004044); Nano Banana 2,
//! two responses: 43 prompt tokens ($0.0000215), 2,240 image tokens
//! ($0.1344), 1,043 text tokens ($0.003129), and 2 search queries ($0.028).
//! Total $0.3040225.

use std::str::FromStr;

use super::*;
use crate::batch::BilledLane;
use crate::bill::{BillRow, CostType, MalformedBillRow, OtherService, VERTEX_AI};
use crate::report::testing::today;

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn card() -> RateCard {
    RateCard::embedded_named("2026-10").unwrap()
}

fn request() -> ReconcileRequest {
    let real = |name: &str| PathBuf::from(format!("tests/fixtures/real/{name}"));
    ReconcileRequest {
        bills: Vec::new(),
        tally: TallyRequest {
            files: vec![
                real("pydantic-ai-3-pro-image-preview-text-and-image.json"),
                real("pydantic-ai-3.1-flash-image-grounded.json"),
                real("vercel-ai-3.1-flash-image-standard.json"),
            ],
            ..TallyRequest::default()
        },
        tolerance_percent: Decimal::ONE,
        currency_rate: None,
        zone: crate::zone::Zone::named(crate::zone::PACIFIC).unwrap(),
        settle_days: 2,
    }
}

/// A bill row of the Gemini API (`id` given) or Vertex AI.
fn row(description: &str, id: Option<&str>, amount: &str, cost: &str) -> BillRow {
    BillRow {
        line: 2,
        day: Date::from_calendar_date(2026, time::Month::November, 2).ok(),
        start: None,
        service_id: crate::bill::GEMINI_API.into(),
        service_description: "Gemini API".into(),
        sku_id: id.map(String::from),
        sku_description: description.into(),
        usage_amount: d(amount),
        usage_unit: "count".into(),
        cost: d(cost),
        credits: Decimal::ZERO,
        currency: Some("USD".into()),
        conversion_rate: None,
        cost_type: CostType::Regular,
        project: Some("shop-prod".into()),
    }
}

/// The bill that matches the responses to the digit: the Pro rows as the
/// Gemini API names them, the Flash rows as Vertex AI does.
fn matching_rows() -> Vec<BillRow> {
    let vertex = |mut row: BillRow| {
        row.service_id = VERTEX_AI.into();
        row.service_description = "Vertex AI".into();
        row
    };
    vec![
        row("Generate_content input token count for Gemini 3 Pro Image", None, "14", "0.000028"),
        row(
            "Generate_content image output token count for Gemini 3 Pro Image",
            Some("096D-0370-0236"),
            "1120",
            "0.1344",
        ),
        row("Generate_content text output token count for Gemini 3 Pro Image", None, "337", "0.004044"),
        vertex(row("Gemini 3.1 Flash Image Text Input - Predictions", None, "43", "0.0000215")),
        vertex(row("Gemini 3.1 Flash Image Output", Some("7D83-2D44-B50E"), "2240", "0.1344")),
        vertex(row("Gemini 3.1 Flash Image Text Output - Predictions", None, "1043", "0.003129")),
        row("Generate content search query gemini 3 paid one", None, "2", "0.028"),
    ]
}

fn bill(rows: Vec<BillRow>) -> Bill {
    Bill {
        source: "bill.csv".into(),
        format: BillFormat::ConsoleCsv,
        rows,
        other_services: Vec::new(),
        malformed: Vec::new(),
    }
}

fn reconcile(bills: &[Bill]) -> Result<ReconcileReport, ReconcileError> {
    reconcile_with(bills, &request())
}

fn reconcile_with(bills: &[Bill], request: &ReconcileRequest) -> Result<ReconcileReport, ReconcileError> {
    reconcile_on(bills, request, today())
}

fn reconcile_on(
    bills: &[Bill],
    request: &ReconcileRequest,
    today: Date,
) -> Result<ReconcileReport, ReconcileError> {
    let card = card();
    let tally = TallyReport::build(&card, &request.tally_request(), today).unwrap();
    let rules = crate::card::History::embedded().sku_rules(&card);
    ReconcileReport::build(&card, bills, tally, &rules, request, today)
}

fn statuses(report: &ReconcileReport) -> Vec<(Option<&str>, Option<Part>, SkuStatus)> {
    report.rows.iter().map(|row| (row.model.as_deref(), row.part, row.status)).collect()
}

#[test]
fn a_bill_that_matches_to_the_digit_matches_every_sku() {
    let report = reconcile(&[bill(matching_rows())]).unwrap();
    let pro = Some("gemini-3-pro-image");
    let flash = Some("gemini-3.1-flash-image");
    assert_eq!(
        statuses(&report),
        [
            (pro, Some(Part::Input), SkuStatus::Match),
            (pro, Some(Part::ImageOutput), SkuStatus::Match),
            (pro, Some(Part::TextOutput), SkuStatus::Match),
            (flash, Some(Part::Input), SkuStatus::Match),
            (flash, Some(Part::ImageOutput), SkuStatus::Match),
            (flash, Some(Part::TextOutput), SkuStatus::Match),
            (None, Some(Part::Search), SkuStatus::Match),
        ]
    );
    assert!(report.rows.iter().all(|row| row.difference == Some(Money::ZERO)), "{:?}", report.rows);
    assert_eq!(report.total.billed_cost.amount(), d("0.3040225"));
    assert_eq!(report.total.computed_cost.amount(), d("0.3040225"));
    assert!(report.total.within_tolerance);
    assert_eq!(report.verdict(), Verdict::Pass);
    assert_eq!(report.rows[1].computed_quantity, Some(1120));
}

/// Image tokens over-billed by 10%: 1,232 for 1,120, $0.14784 for $0.1344:
/// a quantity drift (exit 8), the other SKUs still match.
#[test]
fn image_tokens_over_billed_drift_in_quantity() {
    let mut rows = matching_rows();
    rows[1].usage_amount = d("1232");
    rows[1].cost = d("0.14784");
    let report = reconcile(&[bill(rows)]).unwrap();
    let image = &report.rows[1];
    assert_eq!((image.status, image.gap), (SkuStatus::Drift, Some(Gap::Quantity)));
    assert_eq!(image.difference.unwrap().amount(), d("0.01344"));
    assert_eq!(report.rows.iter().filter(|row| row.status == SkuStatus::Match).count(), 6);
    assert_eq!(report.verdict().exit_code(), 8);
    assert!(
        report
            .mismatch()
            .unwrap()
            .contains("1 SKU drifts beyond 1% (first: gemini-3-pro-image image_output)")
    );
}

/// Thinking billed and not logged: the bill's Pro text output holds 500
/// more tokens (337 + 500 = 837 at $12 per 1M = $0.010044).
#[test]
fn thinking_not_logged_shows_as_text_output_drift() {
    let mut rows = matching_rows();
    rows[2].usage_amount = d("837");
    rows[2].cost = d("0.010044");
    let report = reconcile(&[bill(rows)]).unwrap();
    let text = &report.rows[2];
    assert_eq!(
        (text.part, text.status, text.gap),
        (Some(Part::TextOutput), SkuStatus::Drift, Some(Gap::Quantity))
    );
    assert!(text.note.as_deref().unwrap().contains("thinking tokens billed and not logged"));
}

/// Grounding queries billed beyond what the responses show: 10 queries
/// ($0.14) for 2.
#[test]
fn grounding_billed_beyond_the_log_drifts() {
    let mut rows = matching_rows();
    rows[6].usage_amount = d("10");
    rows[6].cost = d("0.14");
    let report = reconcile(&[bill(rows)]).unwrap();
    let search = &report.rows[6];
    assert_eq!((search.status, search.computed_quantity), (SkuStatus::Drift, Some(2)));
    assert_eq!(report.total.billed_cost.amount(), d("0.4160225"));
}

/// The quantities agree and the price does not: a price gap.
#[test]
fn the_same_tokens_at_another_price_drift_in_price() {
    let mut rows = matching_rows();
    rows[4].cost = d("0.2688");
    let report = reconcile(&[bill(rows)]).unwrap();
    assert_eq!((report.rows[4].status, report.rows[4].gap), (SkuStatus::Drift, Some(Gap::Price)));
}

/// A SKU no rule maps is listed with its cost, in the billed total, and
/// fails the check when it costs more than the tolerance.
#[test]
fn an_unknown_sku_is_listed_never_dropped() {
    let mut rows = matching_rows();
    rows.push(row("Gemini 9 Ultra Image Output", Some("FFFF-0000-1111"), "1000", "1.00"));
    let report = reconcile(&[bill(rows)]).unwrap();
    let unknown = report.rows.last().unwrap();
    assert_eq!((unknown.status, unknown.model.as_deref()), (SkuStatus::UnmatchedSku, None));
    assert_eq!(unknown.billed_cost.amount(), d("1.00"));
    assert!(unknown.note.as_deref().unwrap().contains("pattern = \"Gemini 9 Ultra Image Output\""));
    assert_eq!(report.total.billed_cost.amount(), d("1.3040225"));
    assert_eq!(report.verdict().exit_code(), 8);
    // A cent of it is within 1% of the total: listed, and it passes.
    let mut rows = matching_rows();
    rows.push(row("Gemini 9 Ultra Image Output", None, "1", "0.001"));
    assert_eq!(reconcile(&[bill(rows)]).unwrap().verdict(), Verdict::Pass);
}

/// Credits, tax and an adjustment are lines of their own: the SKUs still
/// match, and the bill nets 0.3040225 − 0.05 + 0.03 − 0.01 = 0.2740225.
#[test]
fn credits_tax_and_adjustments_are_never_netted_into_skus() {
    let mut rows = matching_rows();
    rows[1].credits = d("-0.05");
    let mut tax = row("Tax", None, "0", "0.03");
    tax.cost_type = CostType::Tax;
    let mut adjustment = row("Adjustment", None, "0", "-0.01");
    adjustment.cost_type = CostType::Adjustment;
    rows.extend([tax, adjustment]);
    let report = reconcile(&[bill(rows)]).unwrap();
    assert!(report.rows.iter().all(|row| row.status == SkuStatus::Match));
    let total = &report.total;
    assert_eq!(
        (total.credits.amount(), total.tax.amount(), total.adjustments.amount(), total.net.amount()),
        (d("-0.05"), d("0.03"), d("-0.01"), d("0.2740225"))
    );
    assert_eq!(report.verdict(), Verdict::Pass);
}

/// A part computed with no bill row is `not_billed`; the totals then
/// differ, which fails the check.
#[test]
fn a_part_the_bill_lacks_is_not_billed() {
    let mut rows = matching_rows();
    rows.remove(6);
    let report = reconcile(&[bill(rows)]).unwrap();
    let last = report.rows.last().unwrap();
    assert_eq!(
        (last.model.as_deref(), last.part, last.status),
        (Some("gemini-3.1-flash-image"), Some(Part::Search), SkuStatus::NotBilled)
    );
    assert_eq!(last.difference.unwrap().amount(), d("-0.028"));
    assert_eq!(report.verdict().exit_code(), 8);
}

#[test]
fn a_bill_without_gemini_rows_is_refused_never_a_match_of_nothing() {
    let mut other = bill(Vec::new());
    other.other_services.push(OtherService {
        id: "95FF-2EF5-5EA1".into(),
        description: "Cloud Storage".into(),
        rows: 3,
    });
    let error = reconcile(&[other]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Input);
    assert_eq!(
        error.to_string(),
        "no Gemini API or Vertex AI rows in `bill.csv` (it holds Cloud Storage): export the bill of the project that ran the requests"
    );
}

/// A malformed row leaves the reconciliation incomplete (exit 6) unless a
/// drift already gives 8.
#[test]
fn a_malformed_bill_row_makes_it_incomplete() {
    let mut with_bad = bill(matching_rows());
    with_bad.malformed.push(MalformedBillRow { line: 9, reason: "usage.amount is not a number".into() });
    let report = reconcile(&[with_bad.clone()]).unwrap();
    assert_eq!(report.verdict().exit_code(), 6);
    with_bad.rows[1].usage_amount = d("2000");
    assert_eq!(reconcile(&[with_bad]).unwrap().verdict().exit_code(), 8);
}

/// A bill in euros: refused without a rate; with the export's
/// `currency_conversion_rate` (0.9 EUR per USD) or `--currency-rate`, each
/// cost is divided by it.
#[test]
fn a_bill_in_another_currency_needs_a_rate() {
    let in_euros = |rate: Option<&str>| {
        let rows = matching_rows()
            .into_iter()
            .map(|mut row| {
                row.currency = Some("EUR".into());
                row.cost = (row.cost * d("0.9")).normalize();
                row.conversion_rate = rate.map(d);
                row
            })
            .collect();
        bill(rows)
    };
    let error = reconcile(&[in_euros(None)]).unwrap_err();
    assert!(
        error.to_string().contains("bills in EUR, the card prices in USD: give --currency-rate"),
        "{error}"
    );
    let report = reconcile(&[in_euros(Some("0.9"))]).unwrap();
    assert!(report.rows.iter().all(|row| row.status == SkuStatus::Match), "{:?}", report.rows);
    assert_eq!(report.total.billed_cost.amount(), d("0.3040225"));
    let mut request = request();
    request.currency_rate = Some(d("0.9"));
    assert_eq!(
        reconcile_with(&[in_euros(None)], &request).unwrap().total.billed_cost.amount(),
        d("0.3040225")
    );
}

/// Many descriptions one rule maps (its `*` takes them all) make one row,
/// naming the first few and counting the rest, whatever their number.
#[test]
fn a_row_names_its_first_skus_and_counts_the_rest() {
    let mut rows = matching_rows();
    rows.pop();
    for index in 0..20 {
        rows.push(row(
            &format!("Generate content search query gemini 3 paid {index}"),
            None,
            "0.1",
            "0.0014",
        ));
    }
    let report = reconcile(&[bill(rows)]).unwrap();
    let search = report.rows.iter().find(|row| row.part == Some(Part::Search)).unwrap();
    assert!(search.sku_description.starts_with("Generate content search query gemini 3 paid 0; "));
    assert!(search.sku_description.ends_with("paid 7 (and 12 more)"), "{}", search.sku_description);
    assert_eq!((search.billed_quantity, search.status), (d("2.0"), SkuStatus::Match));
}

/// The day-by-day fixtures (`tests/fixtures/reconcile/README.md`): five
/// Nano Banana Pro batch responses, each 14 input tokens ($0.000014 at $1
/// per 1M) and 1,120 image tokens ($0.0672 at $60 per 1M), made on 2, 2, 3,
/// 3 and 5 November in Pacific time (one at 07:30 UTC on 3 November, 23:30
/// on 2 November there), and the bill of the same usage hour by hour.
fn days_request(bill_file: &str) -> (Vec<Bill>, ReconcileRequest) {
    let bill = crate::bill::read_bill(std::path::Path::new(bill_file)).unwrap();
    let mut request = request();
    request.tally.files = vec![PathBuf::from("tests/fixtures/reconcile/days-predictions.jsonl")];
    (vec![bill], request)
}

fn november(day: u8) -> Date {
    Date::from_calendar_date(2026, time::Month::November, day).unwrap()
}

/// A row's day, part, quantities and status.
type DayRow<'a> = (Option<&'a str>, Option<Part>, Decimal, Option<u64>, SkuStatus);

fn by_day(report: &ReconcileReport) -> Vec<DayRow<'_>> {
    report
        .rows
        .iter()
        .map(|row| (row.day.as_deref(), row.part, row.billed_quantity, row.computed_quantity, row.status))
        .collect()
}

#[test]
fn responses_with_times_are_compared_day_by_day_in_the_bills_zone() {
    let (bills, request) = days_request("tests/fixtures/reconcile/days.jsonl");
    let report = reconcile_on(&bills, &request, november(6)).unwrap();
    assert!(report.per_day);
    let (input, image) = (Some(Part::Input), Some(Part::ImageOutput));
    let (two, three) = (Some("2026-11-02"), Some("2026-11-03"));
    assert_eq!(
        by_day(&report),
        [
            (two, input, d("28"), Some(28), SkuStatus::Match),
            (two, image, d("2240"), Some(2240), SkuStatus::Match),
            (three, input, d("28"), Some(28), SkuStatus::Match),
            (three, image, d("2240"), Some(2240), SkuStatus::Match),
        ]
    );
    assert_eq!(report.days, ["2026-11-02", "2026-11-03"]);
    // 5 November is within two days of the 6th: left out, both sides.
    let one = Money::new(d("0.067214"));
    assert_eq!(
        report.left_out_days,
        [LeftOutDay { day: "2026-11-05".into(), billed_cost: one, computed_cost: Some(one) }]
    );
    // Four responses compared: 4 × $0.067214.
    assert_eq!(report.total.billed_cost.amount(), d("0.268856"));
    assert_eq!(report.total.computed_cost.amount(), d("0.268856"));
    assert_eq!(report.verdict(), Verdict::Pass);

    // In UTC the response of 07:30 UTC on 3 November, and its bill row,
    // count on the 3rd.
    let mut utc = request.clone();
    utc.zone = crate::zone::Zone::utc();
    let report = reconcile_on(&bills, &utc, november(6)).unwrap();
    let quantities: Vec<_> =
        by_day(&report).into_iter().map(|(day, _, billed, computed, _)| (day, billed, computed)).collect();
    assert_eq!(
        quantities,
        [
            (two, d("14"), Some(14)),
            (two, d("1120"), Some(1120)),
            (three, d("42"), Some(42)),
            (three, d("3360"), Some(3360)),
        ]
    );

    // On the 8th, past the 6th and 7th, the two days before it, the 5th
    // is settled: the last day compared.
    let report = reconcile_on(&bills, &request, november(8)).unwrap();
    assert_eq!(report.days, ["2026-11-02", "2026-11-03", "2026-11-05"]);
    // --settle-days 0: the 5th is compared too.
    let mut all = request.clone();
    all.settle_days = 0;
    let report = reconcile_on(&bills, &all, november(6)).unwrap();
    assert_eq!(report.days, ["2026-11-02", "2026-11-03", "2026-11-05"]);
    assert!(report.left_out_days.is_empty());
    assert_eq!(report.total.computed_cost.amount(), d("0.33607"));
}

/// `--settle-days N` leaves out today and the N days before it, the days
/// the bill may still revise; 0 leaves out none.
#[test]
fn settle_days_leaves_out_today_and_the_n_days_before_it() {
    let (bills, mut request) = days_request("tests/fixtures/reconcile/days.jsonl");
    // The bill and the responses hold 2, 3 and 5 November.
    for (settle_days, today, compared, left_out) in [
        // The default 2 on the 5th: the 3rd and 4th are the two days
        // before it, left out with the 5th itself.
        (2, 5, &["2026-11-02"][..], &["2026-11-03", "2026-11-05"][..]),
        (2, 6, &["2026-11-02", "2026-11-03"], &["2026-11-05"]),
        (2, 7, &["2026-11-02", "2026-11-03"], &["2026-11-05"]),
        (2, 8, &["2026-11-02", "2026-11-03", "2026-11-05"], &[]),
        // 1 on the 6th: yesterday, the 5th, is left out.
        (1, 6, &["2026-11-02", "2026-11-03"], &["2026-11-05"]),
        (1, 7, &["2026-11-02", "2026-11-03", "2026-11-05"], &[]),
        // 0: every day as it stands, today too.
        (0, 5, &["2026-11-02", "2026-11-03", "2026-11-05"], &[]),
    ] {
        request.settle_days = settle_days;
        let report = reconcile_on(&bills, &request, november(today)).unwrap();
        let what = format!("--settle-days {settle_days} on the {today}th");
        assert_eq!(report.days, compared, "{what}: compared");
        let left: Vec<&str> = report.left_out_days.iter().map(|day| day.day.as_str()).collect();
        assert_eq!(left, left_out, "{what}: left out");
    }
}

#[test]
fn a_day_the_log_lacks_a_response_of_drifts_on_that_day_alone() {
    let (bills, request) = days_request("tests/fixtures/reconcile/days-missing.jsonl");
    let report = reconcile_on(&bills, &request, november(6)).unwrap();
    let statuses: Vec<_> = report.rows.iter().map(|row| (row.day.as_deref(), row.status)).collect();
    assert_eq!(
        statuses,
        [
            (Some("2026-11-02"), SkuStatus::Match),
            (Some("2026-11-02"), SkuStatus::Match),
            (Some("2026-11-03"), SkuStatus::Drift),
            (Some("2026-11-03"), SkuStatus::Drift),
        ]
    );
    assert!(matches!(report.verdict(), Verdict::Mismatch(_)));
}

#[test]
fn nothing_settled_is_refused_never_a_match_of_nothing() {
    let (bills, mut request) = days_request("tests/fixtures/reconcile/days.jsonl");
    for settle_days in [30, u64::MAX] {
        request.settle_days = settle_days;
        let error = reconcile_on(&bills, &request, november(6)).unwrap_err().to_string();
        assert!(error.starts_with("every day the bills and the responses hold (2026-11-02 to 2026-11-05) is within --settle-days"), "{error}");
    }
}

#[test]
fn responses_without_times_compare_the_whole_period_and_say_why() {
    // The three real responses give no times: the whole period, as before.
    let report = reconcile(&[bill(matching_rows())]).unwrap();
    assert!(!report.per_day && report.days.is_empty() && report.rows.iter().all(|row| row.day.is_none()));
    assert_eq!(
        report.compared,
        "the bills' whole period, 2026-11-02 to 2026-11-02: the responses carry no times"
    );
    // One response without a time among five with: the whole period too.
    let (bills, mut request) = days_request("tests/fixtures/reconcile/days.jsonl");
    request.tally.files.push(PathBuf::from("tests/fixtures/real/vercel-ai-3.1-flash-image-standard.json"));
    let report = reconcile_on(&bills, &request, november(30)).unwrap();
    assert!(!report.per_day);
    assert!(report.compared.ends_with("1 response of 6 gives no time"), "{}", report.compared);
}

#[test]
fn the_console_report_counts_pacific_days_only() {
    let mut request = request();
    request.zone = crate::zone::Zone::named("Europe/Berlin").unwrap();
    let error = reconcile_with(&[bill(matching_rows())], &request).unwrap_err();
    assert!(matches!(error, ReconcileError::ConsoleDays { .. }), "{error}");
    assert_eq!(error.kind(), ErrorKind::Usage);
}

/// Search queries day by day: two on 2 November, three on the 3rd
/// (`days-grounded.jsonl`, $14 per 1,000), each day priced on its own.
#[test]
fn search_queries_are_compared_on_their_day() {
    let search = "Generate content search query gemini 3 paid one";
    let on = |day: u8, mut row: BillRow| {
        row.day = Some(november(day));
        row
    };
    let rows = vec![on(2, row(search, None, "2", "0.028")), on(3, row(search, None, "2", "0.028"))];
    let mut request = request();
    request.tally.files = vec![PathBuf::from("tests/fixtures/reconcile/days-grounded.jsonl")];
    let report = reconcile_on(&[bill(rows)], &request, november(30)).unwrap();
    let search: Vec<_> = report
        .rows
        .iter()
        .filter(|row| row.part == Some(Part::Search))
        .map(|row| {
            (row.day.as_deref(), row.computed_quantity, row.computed_cost.map(Money::amount), row.status)
        })
        .collect();
    assert_eq!(
        search,
        [
            (Some("2026-11-02"), Some(2), Some(d("0.028")), SkuStatus::Match),
            (Some("2026-11-03"), Some(3), Some(d("0.042")), SkuStatus::Drift),
        ]
    );
}

#[test]
fn a_left_out_day_with_a_response_it_cannot_price_says_so_not_zero() {
    // The day-by-day responses and one more on 5 November (left out as of
    // the 6th) naming a model the card does not have
    // (`days-unknown-model.jsonl`): that day's computed cost is unknown
    // (`null`, "not priced"), never $0 or the other response's $0.067214.
    let (bills, mut request) = days_request("tests/fixtures/reconcile/days.jsonl");
    request.tally.files = vec![PathBuf::from("tests/fixtures/reconcile/days-unknown-model.jsonl")];
    let report = reconcile_on(&bills, &request, november(6)).unwrap();
    let one = Money::new(d("0.067214"));
    assert_eq!(
        report.left_out_days,
        [LeftOutDay { day: "2026-11-05".into(), billed_cost: one, computed_cost: None }]
    );
    // The days compared are as without it.
    assert_eq!(report.days, ["2026-11-02", "2026-11-03"]);
    assert_eq!(report.total.computed_cost.amount(), d("0.268856"));
    assert!(matches!(report.verdict(), Verdict::Incomplete(_)));
}

#[test]
fn a_response_it_cannot_price_is_listed_with_its_day_never_lost() {
    // `days-unknown-model-compared.jsonl`: the day-by-day responses and one
    // on 3 November (compared as of the 6th) naming a model no card has.
    // The day's rows compare what is priced; the response is listed, with
    // its day, its version as written, its lane and why.
    let (bills, mut request) = days_request("tests/fixtures/reconcile/days.jsonl");
    request.tally.files = vec![PathBuf::from("tests/fixtures/reconcile/days-unknown-model-compared.jsonl")];
    let report = reconcile_on(&bills, &request, november(6)).unwrap();
    let unknown = UnpricedResponses {
        day: Some("2026-11-03".into()),
        model_versions: vec![Some("gemini-9-unknown-image".into())],
        other_versions: 0,
        lane: BilledLane::Lane(Lane::Batch),
        responses: 1,
        reason: "the model is not in the rate card: pass a card that lists it with --rates".into(),
    };
    assert_eq!(report.unpriced_responses, std::slice::from_ref(&unknown));
    assert_eq!(report.days, ["2026-11-02", "2026-11-03"]);
    assert!(matches!(report.verdict(), Verdict::Incomplete(_)));
    // Over the whole period (a response without a time among them) it is
    // listed without a day.
    request.tally.files.push(PathBuf::from("tests/fixtures/real/vercel-ai-3.1-flash-image-standard.json"));
    let report = reconcile_on(&bills, &request, november(30)).unwrap();
    assert!(!report.per_day);
    assert_eq!(report.unpriced_responses, [UnpricedResponses { day: None, ..unknown }]);
    // Responses all priced: nothing listed.
    let priced =
        reconcile_on(&bills, &days_request("tests/fixtures/reconcile/days.jsonl").1, november(6)).unwrap();
    assert!(priced.unpriced_responses.is_empty());
}

#[test]
fn response_lines_it_cannot_read_are_listed_counted_and_named_in_the_verdict() {
    // `days-broken-lines.jsonl`: the day-by-day responses, then 21 lines
    // that cannot be read (lines 7 to 27).
    let (bills, mut request) = days_request("tests/fixtures/reconcile/days.jsonl");
    request.tally.files = vec![PathBuf::from("tests/fixtures/reconcile/days-broken-lines.jsonl")];
    let report = reconcile_on(&bills, &request, november(6)).unwrap();
    let unread = &report.malformed_response_lines;
    assert_eq!(unread.count, 21);
    assert_eq!(unread.shown.len(), 20);
    assert_eq!(unread.shown.iter().map(|line| line.line).collect::<Vec<_>>(), (7..=26).collect::<Vec<u64>>());
    assert!(unread.shown.iter().all(|line| line.file == "tests/fixtures/reconcile/days-broken-lines.jsonl"));
    // The rows and totals are those of the readable responses.
    assert_eq!(report.total.computed_cost.amount(), d("0.268856"));
    assert!(report.unpriced_responses.is_empty());
    match report.verdict() {
        Verdict::Incomplete(reason) => {
            assert!(reason.contains("in the responses, 21 malformed lines skipped"), "{reason}")
        }
        verdict => panic!("{verdict:?}"),
    }
}

//! Whole bills read from the fixtures under `tests/fixtures/bills/` (their
//! README says how each was made and what it adds up to).

use std::io::Write;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use time::macros::date;

use super::*;
use crate::error::{ErrorKind, Kind};
use crate::synth::SplitMix64;

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bills").join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

fn read(name: &str) -> Bill {
    read_bill(&fixture_path(name)).unwrap()
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn total_cost(bill: &Bill) -> Decimal {
    bill.rows.iter().map(|row| row.cost).sum()
}

fn total_credits(bill: &Bill) -> Decimal {
    bill.rows.iter().map(|row| row.credits).sum()
}

fn lines(bill: &Bill) -> Vec<u64> {
    bill.rows.iter().map(|row| row.line).collect()
}

fn malformed(bill: &Bill) -> Vec<(u64, &str)> {
    bill.malformed.iter().map(|row| (row.line, row.reason.as_str())).collect()
}

/// What both formats say of a row, without its line and what only the
/// export has (project, conversion rate).
fn shared(row: &BillRow) -> impl PartialEq + std::fmt::Debug {
    (
        row.day,
        row.service_id.clone(),
        row.service_description.clone(),
        row.sku_id.clone(),
        row.sku_description.clone(),
        row.usage_amount,
        row.usage_unit.clone(),
        row.cost,
        row.credits,
        row.currency.clone(),
        row.cost_type.clone(),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

#[test]
fn reads_the_console_csv_skipping_its_total_row() {
    let bill = read("console.csv");
    assert_eq!(bill.format, BillFormat::ConsoleCsv);
    assert!(bill.source.ends_with("console.csv"), "{}", bill.source);
    // Line 4 is Cloud Storage's; line 9, the total, is not usage.
    assert_eq!(lines(&bill), [2, 3, 5, 6, 7, 8]);
    assert_eq!(total_cost(&bill), dec("1379.9764"));
    assert_eq!(total_credits(&bill), dec("-22.36"));
    assert_eq!(bill.malformed, []);
    assert_eq!(
        bill.other_services,
        [OtherService { id: "95FF-2EF5-5EA1".into(), description: "Cloud Storage".into(), rows: 1 }]
    );
    let first = &bill.rows[0];
    assert_eq!(first.day, Some(date!(2026 - 11 - 02)));
    assert_eq!(first.service_id, GEMINI_API);
    assert_eq!(first.sku_id.as_deref(), Some("096D-0370-0236"));
    assert_eq!(first.sku_description, "Generate_content image output token count for Gemini 3 Pro Image");
    assert_eq!((first.usage_amount, first.usage_unit.as_str()), (dec("5600"), "count"));
    // 5,600 tokens at $120 per million.
    assert_eq!(first.cost, first.usage_amount * dec("120") / dec("1000000"));
    assert_eq!(first.currency.as_deref(), Some("USD"));
    assert_eq!(
        (first.cost_type.clone(), first.project.clone(), first.conversion_rate),
        (CostType::Regular, None, None)
    );
    let search = &bill.rows[3];
    assert_eq!((search.sku_id.clone(), search.cost), (None, dec("0.70")));
    let last = &bill.rows[5];
    assert_eq!(
        (last.usage_amount, last.cost, last.credits),
        (dec("41200000"), dec("1236.00"), dec("-12.36"))
    );
}

#[test]
fn skips_total_rows_even_with_a_service_named() {
    let csv = String::from_utf8(fixture("console.csv")).unwrap();
    let subtotal = "Total,Gemini API,AEFD-7695-64FA,,,,,1.759,0,0,0,1.759,1.76\n";
    let grand_total = ",,,,,,,\"1,380.3014\",-12.36,-10.00,0,\"1,357.9414\",\"1,357.95\"\n";
    let bill = read_bill_bytes("x.csv", format!("{csv}{subtotal}{grand_total}").as_bytes()).unwrap();
    assert_eq!((bill.rows.len(), bill.malformed.len()), (6, 0));
    assert_eq!(total_cost(&bill), dec("1379.9764"));
}

#[test]
fn reads_the_export_as_the_same_rows_as_the_console_csv() {
    let csv = read("console.csv");
    let export = read("export.jsonl");
    assert_eq!(export.format, BillFormat::ExportJsonl);
    assert_eq!(lines(&export), [1, 2, 4, 5, 6, 7]);
    assert_eq!(
        export.rows.iter().map(shared).collect::<Vec<_>>(),
        csv.rows.iter().map(shared).collect::<Vec<_>>()
    );
    assert_eq!(export.other_services, csv.other_services);
    assert_eq!((total_cost(&export), total_credits(&export)), (dec("1379.9764"), dec("-22.36")));
    // 260,580 tokens at $30 per million.
    assert_eq!(export.rows[1].cost, dec("260580") * dec("30") / dec("1000000"));
    assert!(export.rows.iter().all(|row| row.project.as_deref() == Some("nb-prod")));
    assert!(export.rows.iter().all(|row| row.conversion_rate == Some(Decimal::ONE)));
}

#[test]
fn reads_one_json_array_of_rows_as_its_lines() {
    let lines_text = String::from_utf8(fixture("export.jsonl")).unwrap();
    let rows: Vec<&str> = lines_text.lines().collect();
    // As `bq --format=prettyjson` lays it out: `[`, then a row a line.
    let array = format!("[\n{}\n]\n", rows.join(",\n"));
    let from_array = read_bill_bytes("array.json", array.as_bytes()).unwrap();
    let from_lines = read_bill_bytes("lines.jsonl", lines_text.as_bytes()).unwrap();
    assert_eq!(from_array.format, BillFormat::ExportJsonl);
    assert_eq!(lines(&from_array), lines(&from_lines).iter().map(|line| line + 1).collect::<Vec<_>>());
    assert_eq!(
        from_array.rows.iter().map(shared).collect::<Vec<_>>(),
        from_lines.rows.iter().map(shared).collect::<Vec<_>>()
    );
    // On one line, as `bq --format=json` writes it.
    let one_line = format!("[{}]", rows.join(","));
    let bill = read_bill_bytes("array.json", one_line.as_bytes()).unwrap();
    assert!(bill.rows.iter().all(|row| row.line == 1));
    assert_eq!(bill.rows.len(), 6);

    let error = read_bill_bytes("array.json", b"[\n{\"service\": 1},\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "`array.json` is not JSON at line 3: EOF while parsing a value: fix the file, or write the rows as JSON lines (one object a line)"
    );
}

#[test]
fn reads_gzip_and_zstd_copies_as_the_plain_file() {
    let directory = std::env::temp_dir().join(format!("nbcost-bill-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    for name in ["console.csv", "export.jsonl"] {
        let plain = read(name);
        let bytes = fixture(name);
        // Misnamed on purpose: the content decides, not the name.
        for (compressed, copy_name) in [(gzip(&bytes), "bill.zst"), (zstd(&bytes), "bill.gz")] {
            let path = directory.join(copy_name);
            std::fs::write(&path, &compressed).unwrap();
            let from_file = read_bill(&path).unwrap();
            let from_bytes = read_bill_bytes("copy", &compressed).unwrap();
            for copy in [from_file, from_bytes] {
                assert_eq!(
                    (copy.format, &copy.rows, &copy.other_services),
                    (plain.format, &plain.rows, &plain.other_services)
                );
            }
        }
    }
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn a_truncated_compressed_bill_is_an_error_not_a_short_bill() {
    let compressed = zstd(&fixture("export.jsonl"));
    let error = read_bill_bytes("bill.zst", &compressed[..compressed.len() - 9]).unwrap_err();
    assert!(matches!(error, BillError::Read { .. }), "{error}");
    assert!(error.to_string().ends_with("a compressed file may be truncated: download it again"), "{error}");
    let garbage = [gzip(&fixture("console.csv")), b"appended".to_vec()].concat();
    let error = read_bill_bytes("bill.gz", &garbage).unwrap_err();
    assert!(matches!(error, BillError::TrailingGarbage { .. }), "{error}");
}

#[test]
fn reads_tax_adjustments_rounding_and_credits() {
    let bill = read("export-tax-adjustment-credits.jsonl");
    assert_eq!(bill.malformed, []);
    let kinds: Vec<CostType> = bill.rows.iter().map(|row| row.cost_type.clone()).collect();
    assert_eq!(
        kinds,
        [CostType::Regular, CostType::Regular, CostType::Tax, CostType::Adjustment, CostType::RoundingError]
    );
    let credits: Vec<Decimal> = bill.rows.iter().map(|row| row.credits).collect();
    assert_eq!(credits, [dec("-0.672"), dec("-1.00"), dec("0"), dec("0"), dec("0")]);
    assert_eq!(total_cost(&bill), dec("8.6673"));
    assert_eq!(total_cost(&bill) + total_credits(&bill), dec("6.9953"));
    // Tax names no SKU and no usage: a zero amount of none.
    let tax = &bill.rows[2];
    assert_eq!(
        (tax.sku_id.clone(), tax.sku_description.as_str(), tax.usage_amount),
        (None, "", Decimal::ZERO)
    );
    assert_eq!((tax.day, tax.project.clone()), (Some(date!(2026 - 11 - 01)), None));
}

#[test]
fn counts_other_services_by_id_and_keeps_gemini_under_its_old_name() {
    let bill = read("export-other-services.jsonl");
    assert_eq!(lines(&bill), [2]);
    assert_eq!(bill.rows[0].service_description, "Generative Language API");
    let other: Vec<(&str, &str, u64)> =
        bill.other_services.iter().map(|s| (s.id.as_str(), s.description.as_str(), s.rows)).collect();
    assert_eq!(other, [("95FF-2EF5-5EA1", "Cloud Storage", 2), ("0000-0000-0002", "BigQuery", 1)]);
}

#[test]
fn a_bill_of_other_services_only_reads_as_no_rows() {
    let text = String::from_utf8(fixture("export-other-services.jsonl")).unwrap();
    let others: String =
        text.lines().filter(|line| !line.contains(GEMINI_API)).map(|line| format!("{line}\n")).collect();
    let bill = read_bill_bytes("others.jsonl", others.as_bytes()).unwrap();
    assert_eq!((bill.rows.len(), bill.other_services.len()), (0, 2));
    let header_only =
        b"Date,Service description,Service ID,SKU description,SKU ID,Usage amount,Usage unit,List cost ($)\n";
    assert_eq!(read_bill_bytes("empty.csv", header_only).unwrap().rows, []);
    let header_and_total = [&header_only[..], b"Total,,,,,,,0\n"].concat();
    assert_eq!(read_bill_bytes("empty.csv", &header_and_total).unwrap().rows, []);
}

#[test]
fn refuses_a_csv_without_the_columns_it_needs_naming_them() {
    let error = read_bill(&fixture_path("console-missing-column.csv")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Input);
    assert!(
        error.to_string().contains("console-missing-column.csv` has no `Usage unit` column: give the Cloud Billing console's Reports CSV as downloaded"),
        "{error}"
    );
    let error = read_bill_bytes("notes.txt", b"hello,world\n1,2\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "`notes.txt` has no `Date`, `Service ID`, `SKU description`, `Usage amount`, `Usage unit`, `List cost` column: give the Cloud Billing console's Reports CSV as downloaded (its header starts `Date,Service description,Service ID`)"
    );
}

#[test]
fn lists_malformed_export_rows_with_their_lines() {
    let bill = read("export-malformed.jsonl");
    assert_eq!(lines(&bill), [1, 7]);
    assert_eq!(total_cost(&bill), dec("8.4894"));
    assert_eq!(
        malformed(&bill),
        [
            (3, "`usage.amount` `lots` is not a number"),
            (4, "not JSON: EOF while parsing a value (column 90)"),
            (5, "no `cost`"),
            (6, "not a JSON object"),
        ]
    );
}

#[test]
fn lists_malformed_csv_rows_with_their_lines() {
    let bill = read("console-malformed.csv");
    assert_eq!(lines(&bill), [2, 6]);
    assert_eq!(total_cost(&bill), dec("8.4894"));
    assert_eq!(
        malformed(&bill),
        [
            (3, "`Usage amount` `n/a` is not a number"),
            (4, "`Date` `11/02/2026` is not a date (YYYY-MM-DD)"),
            (5, "`List cost` `1.2.3` is not a number"),
        ]
    );
}

#[test]
fn tells_what_is_not_a_bill() {
    let cases: [(&[u8], &str); 6] = [
        (b"", "`x` is empty: give the Cloud Billing console's Reports CSV"),
        (b" \n\r\n\t\n", "`x` is empty: give"),
        (
            b"{\"key\":\"a\",\"response\":{}}\n{\"key\":\"b\"}\n",
            "`x` is not a bill (none of its 2 rows has a `service.id`): give",
        ),
        (b"%PDF-1.7\n", "`x` is not a bill (a PDF, such as an invoice): give"),
        (
            b"Date,Service ID,SKU description,Usage amount,Usage unit,List cost\n2026-11-02,,Gemini 3.1 Flash Image Output,1,count,1\n",
            "`x` is not a bill (no row has a `Service ID`): give",
        ),
        (b"PK\x03\x04\0\0\x08\0", "`x` is not a bill (binary data): give"),
    ];
    for (bytes, start) in cases {
        let error = read_bill_bytes("x", bytes).unwrap_err();
        assert!(error.to_string().starts_with(start), "{error}");
        assert_eq!(error.kind(), ErrorKind::Input);
    }
}

#[test]
fn reads_utf8_with_a_mark_and_refuses_utf16() {
    let csv = fixture("console.csv");
    let plain = read_bill_bytes("x", &csv).unwrap();
    let marked = read_bill_bytes("x", &[b"\xEF\xBB\xBF".to_vec(), csv.clone()].concat()).unwrap();
    assert_eq!(marked.rows, plain.rows);
    let text = String::from_utf8(csv).unwrap();
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let error = read_bill_bytes("x.csv", &utf16).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`x.csv` is UTF-16 text, and nbcost reads UTF-8: convert it with `iconv -f UTF-16 -t UTF-8`, then give the result"
    );
}

#[test]
fn fails_to_open_a_missing_bill_naming_it() {
    let error = read_bill(Path::new("/no/such/bill.csv")).unwrap_err();
    assert!(error.to_string().starts_with("cannot open `/no/such/bill.csv`: "), "{error}");
    assert!(error.to_string().ends_with("; check the path, or give - to read stdin"), "{error}");
    assert_eq!(error.kind(), ErrorKind::Input);
}

#[test]
fn counts_lines_past_blank_ones_and_crlf() {
    let csv = String::from_utf8(fixture("console.csv")).unwrap().replace('\n', "\r\n");
    let bill = read_bill_bytes("x", format!("\n\r\n{csv}").as_bytes()).unwrap();
    assert_eq!(lines(&bill), [4, 5, 7, 8, 9, 10]);
    let jsonl = String::from_utf8(fixture("export.jsonl")).unwrap().replace('\n', "\r\n\r\n");
    let bill = read_bill_bytes("x", format!("\n \n{jsonl}").as_bytes()).unwrap();
    assert_eq!(lines(&bill), [3, 5, 9, 11, 13, 15]);
}

/// Hostile shapes cost time and memory in proportion to their size, never
/// more: a million blank lines, one huge line, a million columns.
#[test]
fn reads_hostile_shapes_in_bounded_work() {
    let started = std::time::Instant::now();
    let row = String::from_utf8(fixture("export.jsonl")).unwrap().lines().next().unwrap().to_string();
    let blank_then_row = format!("{}{row}\n", "\n".repeat(1_000_000));
    assert_eq!(lines(&read_bill_bytes("x", blank_then_row.as_bytes()).unwrap()), [1_000_001]);
    let rows_between_blanks = format!("{row}\n{}{row}\n", " \r\n".repeat(1_000_000));
    assert_eq!(lines(&read_bill_bytes("x", rows_between_blanks.as_bytes()).unwrap()), [1, 1_000_002]);

    let csv = String::from_utf8(fixture("console.csv")).unwrap();
    let (header, rows) = csv.split_once('\n').unwrap();
    let csv_blanks = format!("{}{header}\n{}{rows}", "\r\n".repeat(1_000_000), "\n".repeat(1_000_000));
    assert_eq!(lines(&read_bill_bytes("x", csv_blanks.as_bytes()).unwrap())[0], 2_000_002);

    // One 32 MB line: a string, a CSV cell, an unbroken header.
    let huge = "a".repeat(32 << 20);
    let long_value = format!("{{\"service\":{{\"id\":\"{huge}\"}}}}\n");
    assert_eq!(read_bill_bytes("x", long_value.as_bytes()).unwrap().other_services[0].id.len(), 32 << 20);
    let long_cell = format!(
        "Date,Service ID,SKU description,Usage amount,Usage unit,List cost ($)\n2026-11-02,{GEMINI_API},x,{huge},count,1\n"
    );
    let bill = read_bill_bytes("x", long_cell.as_bytes()).unwrap();
    assert_eq!(bill.malformed.len(), 1);
    assert!(bill.malformed[0].reason.len() < 100, "{}", bill.malformed[0].reason);
    assert!(matches!(read_bill_bytes("x", huge.as_bytes()), Err(BillError::MissingColumns { .. })));

    // A million columns in the header and a row.
    let header = format!(
        "Date,Service ID,SKU description,Usage amount,Usage unit,List cost ($){}\n",
        ",x".repeat(1_000_000)
    );
    let wide_row = format!("2026-11-02,{GEMINI_API},x,1,count,1{}\n", ",".repeat(1_000_000));
    assert_eq!(read_bill_bytes("x", format!("{header}{wide_row}").as_bytes()).unwrap().rows.len(), 1);
    // Many distinct services.
    let services: String = (0..50_000).map(|n| format!("{{\"service\":{{\"id\":\"S{n}\"}}}}\n")).collect();
    assert_eq!(read_bill_bytes("x", services.as_bytes()).unwrap().other_services.len(), 50_000);
    // Generous for a debug build on a busy machine; quadratic work on any
    // of these would take minutes.
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

/// Random damage to the fixtures (bytes changed, cut, repeated, lines
/// swapped) never panics, and every row read is on a line of the input.
#[test]
fn survives_thousands_of_damaged_bills() {
    let seeds: Vec<Vec<u8>> =
        ["console.csv", "export.jsonl", "export-tax-adjustment-credits.jsonl", "console-malformed.csv"]
            .into_iter()
            .map(fixture)
            .collect();
    const NOISE: &[u8] = b",\"{}[]:\n\r 0123456789.-eE$\xEF\xBB\xBF\0\xFF";
    let mut rng = SplitMix64::new(20);
    for round in 0..3000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len() as u64 + 1) as usize;
            match rng.below(5) {
                0 if at < bytes.len() => bytes[at] = NOISE[rng.below(NOISE.len() as u64) as usize],
                1 => bytes.insert(at, NOISE[rng.below(NOISE.len() as u64) as usize]),
                2 => bytes.truncate(at),
                3 => {
                    let end = (at + rng.below(200) as usize).min(bytes.len());
                    let piece = bytes[at..end].to_vec();
                    bytes.splice(at..at, piece);
                }
                _ => {
                    let end = (at + rng.below(50) as usize).min(bytes.len());
                    bytes.drain(at..end);
                }
            }
        }
        let line_count = bytes.iter().filter(|&&byte| byte == b'\n').count() as u64 + 1;
        if let Ok(bill) = read_bill_bytes("damaged", &bytes) {
            let lines = bill.rows.iter().map(|row| row.line).chain(bill.malformed.iter().map(|row| row.line));
            for line in lines {
                assert!((1..=line_count).contains(&line), "line {line} of {line_count} in {bytes:?}");
            }
        }
    }
}

/// The 100 MB single line of the brief on hostile input, too slow for every
/// run of a debug build: `cargo test --lib bill -- --ignored`.
#[test]
#[ignore = "reads 100 MB lines; run with --ignored"]
fn reads_a_100_mb_line_in_bounded_work() {
    let huge = "7".repeat(100 << 20);
    let started = std::time::Instant::now();
    let json = format!(
        "{{\"service\":{{\"id\":\"{GEMINI_API}\"}},\"sku\":{{\"description\":\"x\"}},\"usage\":{{\"amount\":{huge}}},\"cost\":1}}\n"
    );
    let bill = read_bill_bytes("x", json.as_bytes()).unwrap();
    assert_eq!(
        malformed(&bill),
        [(1, "`usage.amount` `7777777777777777777777777777777777777777…` is not a number")]
    );
    let csv = format!(
        "Date,Service ID,SKU description,Usage amount,Usage unit,List cost ($)\n2026-11-02,{GEMINI_API},x,{huge},count,1\n"
    );
    assert_eq!(read_bill_bytes("x", csv.as_bytes()).unwrap().malformed.len(), 1);
    let array = format!("[{{\"service\":{{\"id\":\"{huge}\"}}}}]");
    assert_eq!(read_bill_bytes("x", array.as_bytes()).unwrap().other_services[0].id.len(), 100 << 20);
    assert!(started.elapsed().as_secs() < 120, "{:?}", started.elapsed());
}

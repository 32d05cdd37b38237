//! `nbcost sql` held to `tally`: a generated file of every kind of line
//! (every card model under each version spelling, every lane, Vertex AI
//! lines, error lines, malformed lines, unknown models, grounding) is
//! loaded into DuckDB, the generated query is run on it, and every row and
//! the total must be `tally`'s, to the last decimal digit. The BigQuery
//! query is parsed and transpiled to DuckDB by sqlglot, run, and held to
//! the same figures.
//!
//! DuckDB and sqlglot are Python packages: `bash tests/sql/setup.sh` puts
//! them in `target/sql-venv`. So `cargo test` lists these tests as ignored
//! (with what they need); `cargo test -- --include-ignored` runs them, as
//! `.ci/run` does after the set-up, and they fail, saying how to set up,
//! when the packages are missing. They never pass having checked nothing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

#[path = "sql/common.rs"]
mod common;
use common::{decimal, python, text};

use nbcost::synth::{SynthSpec, write_batch_output};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

const TODAY: &str = "2026-11-21";

fn nbcost(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(args)
        .env("NBCOST_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap();
    assert!(code == 0 || code == 6, "nbcost {args:?} exited {code}: {stderr}");
    (code, String::from_utf8(output.stdout).unwrap())
}

/// A mixed synthetic output file of about `bytes`, written once per seed.
fn synthetic(seed: u64, bytes: u64) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sql-mixed-{seed}-{bytes}.jsonl"));
    let spec = SynthSpec {
        target_bytes: bytes,
        seed,
        payload_bytes: 40,
        error_percent: 4,
        duplicate_percent: 2,
        bare_percent: 40,
        blank_percent: 1,
        broken_percent: 2,
        mixed: true,
        ..SynthSpec::default()
    };
    let mut file = Vec::new();
    write_batch_output(&spec, &mut file).unwrap();
    std::fs::write(&path, file).unwrap();
    path
}

/// The rows the query returns in DuckDB (`dialect` `bigquery`: after
/// sqlglot transpiled it), every value as text.
fn run_query(python: &Path, file: &Path, dialect: &str, args: &[&str]) -> Vec<Map<String, Value>> {
    let mut sql_args = vec!["sql", "--dialect", dialect, "--table", "responses", "--column", "line"];
    sql_args.extend_from_slice(args);
    let (code, query) = nbcost(&sql_args);
    assert_eq!(code, 0);
    // The query goes beside the build's other scratch files, never into the
    // source tree beside a fixture.
    // Arguments such as a label's name may hold any character: those a
    // file name might not are written as their code in hex.
    let stem = file.file_stem().unwrap().to_string_lossy();
    let name: String = args
        .join("_")
        .replace(['-', ' '], "")
        .chars()
        .map(
            |c| if c.is_ascii_alphanumeric() || c == '_' { c.to_string() } else { format!("{:x}", c as u32) },
        )
        .collect();
    let query_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{stem}.{dialect}-{name}.sql"));
    std::fs::write(&query_path, &query).unwrap();
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql/run.py");
    let output = Command::new(python).arg(runner).arg(file).arg(&query_path).arg(dialect).output().unwrap();
    assert!(
        output.status.success(),
        "the {dialect} query failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    match serde_json::from_slice(&output.stdout).unwrap() {
        Value::Array(rows) => rows
            .into_iter()
            .map(|row| match row {
                Value::Object(row) => row,
                other => panic!("not a row: {other}"),
            })
            .collect(),
        other => panic!("not rows: {other}"),
    }
}

/// `tally`'s JSON report of `file` with `args`.
fn tally(file: &Path, args: &[&str]) -> Value {
    let mut tally_args = vec!["tally", file.to_str().unwrap(), "--format", "json", "-q"];
    tally_args.extend_from_slice(args);
    serde_json::from_str(&nbcost(&tally_args).1).unwrap()
}

/// `model_versions` as the query writes them: sorted, `, `-joined,
/// `(none)` for responses that named none.
fn versions(row: &Value) -> String {
    let list: Vec<String> = row["model_versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|version| text(version).unwrap_or_else(|| "(none)".into()))
        .collect();
    list.join(", ")
}

/// Holds the query's rows of one period (`None`: all) to `tally`'s report:
/// every usage row in order with every figure, every grounding row, the
/// error, chunk, malformed and empty lines, and the total. Returns the
/// number of usage rows compared.
fn assert_matches(report: &Value, rows: &[Map<String, Value>], what: &str) -> usize {
    let of = |kind: &str| rows.iter().filter(|row| row["kind"] == kind).collect::<Vec<_>>();
    let usage = of("usage");
    let tally_rows = report["rows"].as_array().unwrap();
    assert_eq!(usage.len(), tally_rows.len(), "{what}: usage rows");
    for (index, (want, got)) in tally_rows.iter().zip(&usage).enumerate() {
        // Without `--by`, tally's attribution is null and the query has no column.
        let keys = (
            text(&want["attribution"]),
            text(&want["model"]),
            versions(want),
            text(&want["size"]),
            text(&want["lane"]),
        );
        let got_keys = (
            got.get("attribution").and_then(text),
            text(&got["model"]),
            text(&got["model_version"]).unwrap(),
            text(&got["size"]),
            text(&got["lane"]),
        );
        assert_eq!(got_keys, keys, "{what}: row {index}");
        for field in [
            "responses",
            "images",
            "prompt_tokens",
            "image_output_tokens",
            "text_output_tokens",
            "thoughts_tokens",
            "search_queries",
        ] {
            assert_eq!(text(&got[field]), text(&want[field]), "{what}: row {index} {keys:?} {field}");
        }
        assert_eq!(decimal(&got["cost"]), decimal(&want["cost"]), "{what}: row {index} {keys:?} cost");
        assert_eq!(text(&got["note"]), text(&want["unpriced_reason"]), "{what}: row {index} {keys:?} reason");
    }
    // The query lists grounding rows in card order; tally in the order of
    // its first row that ran queries, which with `--by` is not card order:
    // then the same rows are held to in another order.
    let mut grounding: Vec<_> = of("grounding")
        .iter()
        .map(|got| {
            let keys =
                (text(&got["model"]), text(&got["model_version"]).unwrap(), text(&got["search_queries"]));
            (keys, decimal(&got["cost"]), text(&got["note"]))
        })
        .collect();
    let mut tally_grounding: Vec<_> = report["grounding"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|want| {
            let keys = (text(&want["model"]), versions(want), text(&want["queries"]));
            (keys, decimal(&want["cost"]), text(&want["unpriced_reason"]))
        })
        .collect();
    if !report["by"].is_null() {
        grounding.sort();
        tally_grounding.sort();
    }
    assert_eq!(grounding, tally_grounding, "{what}: grounding");
    let lines = |kind: &str| {
        of(kind).iter().map(|row| row["responses"].as_str().unwrap().parse::<u64>().unwrap()).sum::<u64>()
    };
    let counts = &report["lines"];
    assert_eq!(lines("error"), counts["error_lines"].as_u64().unwrap(), "{what}: error lines");
    assert_eq!(lines("chunk"), counts["chunk_lines"].as_u64().unwrap(), "{what}: chunk lines");
    assert_eq!(lines("malformed"), counts["malformed_lines"].as_u64().unwrap(), "{what}: malformed lines");
    assert_eq!(lines("empty"), counts["blank_lines"].as_u64().unwrap(), "{what}: blank lines");
    let total = of("total");
    assert_eq!(total.len(), 1, "{what}: one total");
    assert_eq!(decimal(&total[0]["cost"]), decimal(&report["total"]["cost"]), "{what}: total cost");
    assert_eq!(text(&total[0]["responses"]), text(&report["total"]["responses"]), "{what}: total responses");
    let complete = report["total"]["complete"].as_bool().unwrap();
    assert_eq!(
        total[0]["note"].is_null(),
        complete,
        "{what}: incomplete total named: {:?}",
        total[0]["note"]
    );
    usage.len()
}

/// The file holds what the comparison must cover, so that a match means
/// something: every card model, every lane, unknown models, responses
/// without a version, errors, malformed lines and grounding.
fn assert_covers_everything(report: &Value) {
    let rows = report["rows"].as_array().unwrap();
    let card = nbcost::card::RateCard::embedded_named("2026-10").unwrap();
    for model in &card.models {
        assert!(rows.iter().any(|row| row["model"] == model.id.as_str()), "no row of {}", model.id);
    }
    for lane in ["standard", "batch", "flex", "priority", "provisioned"] {
        assert!(rows.iter().any(|row| row["lane"] == lane), "no {lane} row");
    }
    assert!(
        rows.iter().any(|row| row["model"].is_null() && versions(row) == "(none)"),
        "no unnamed responses"
    );
    assert!(rows.iter().any(|row| row["model"].is_null() && versions(row) != "(none)"), "no unknown model");
    assert!(rows.iter().any(|row| row["cost"].is_null()) && rows.iter().any(|row| !row["cost"].is_null()));
    assert!(rows.iter().any(|row| row["size"].as_str().unwrap().starts_with("unknown")), "no odd size");
    assert!(rows.iter().any(|row| row["size"] == "no image"), "no text answer");
    assert!(report["lines"]["error_lines"].as_u64().unwrap() > 0, "no error lines");
    assert!(report["lines"]["malformed_lines"].as_u64().unwrap() > 0, "no malformed lines");
    assert!(report["grounding"]["paid_queries"].as_u64().unwrap() > 0, "no grounding");
}

#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn the_duckdb_query_prices_every_row_as_tally_does() {
    let python = python();
    let file = synthetic(12, 600_000);
    let report = tally(&file, &[]);
    assert_covers_everything(&report);
    let compared = assert_matches(&report, &run_query(&python, &file, "duckdb", &[]), "duckdb");
    assert!(compared > 100, "{compared} rows");
    for args in [["--lane", "flex"], ["--model", "pro"]] {
        let what = format!("duckdb {}", args.join(" "));
        assert_matches(&tally(&file, &args), &run_query(&python, &file, "duckdb", &args), &what);
    }
}

#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn the_bigquery_query_transpiled_to_duckdb_prices_every_row_as_tally_does() {
    let python = python();
    let file = synthetic(13, 600_000);
    let report = tally(&file, &[]);
    assert_covers_everything(&report);
    let rows = run_query(&python, &file, "bigquery", &["--column-type", "string"]);
    assert!(assert_matches(&report, &rows, "bigquery") > 100);
    let args = ["--column-type", "string", "--model", "flash", "--lane", "batch"];
    assert_matches(
        &tally(&file, &["--model", "flash", "--lane", "batch"]),
        &run_query(&python, &file, "bigquery", &args),
        "bigquery --model flash --lane batch",
    );
}

/// `--time-column logged_at --per month`: the runner logs odd lines in
/// October and even ones in November, so each month's rows must be the
/// tally of those lines alone.
#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn a_period_column_splits_rows_as_tallies_of_each_period_do() {
    let python = python();
    let file = synthetic(14, 300_000);
    let text = std::fs::read_to_string(&file).unwrap();
    let (mut odd, mut even) = (String::new(), String::new());
    for (index, line) in text.lines().enumerate() {
        let half = if index % 2 == 0 { &mut odd } else { &mut even };
        half.push_str(line);
        half.push('\n');
    }
    let halves = [("2026-10-01", odd), ("2026-11-01", even)];
    for dialect in ["duckdb", "bigquery"] {
        let rows = run_query(
            &python,
            &file,
            dialect,
            &["--column-type", "string", "--time-column", "logged_at", "--per", "month"],
        );
        for (month, lines) in &halves {
            let half = file.with_extension(format!("{month}.jsonl"));
            std::fs::write(&half, lines).unwrap();
            let of_month: Vec<Map<String, Value>> =
                rows.iter().filter(|row| row["period"] == *month).cloned().collect();
            assert_matches(&tally(&half, &[]), &of_month, &format!("{dialect} {month}"));
        }
        assert!(rows.iter().all(|row| halves.iter().any(|(month, _)| row["period"] == *month)));
    }
}

/// Usage that gives no token counts is never a complete $0 in the query
/// either, and MIME types compare without case. `tests/fixtures/sql/countless.jsonl`
/// (written by hand) holds Flash responses with an empty usage block, a
/// total alone, a lane alone and an image with the prompt counted alone
/// (the last chunk of a stream cut short); an agent's model turn holding an image
/// but no usage (and the user's event before it, a piece); a Pro response
/// whose image part says `IMAGE/PNG` and gives no details, one that gives
/// them, and a stream chunk with a total alone.
///
/// By hand: the two Pro responses are 1 image each of 1,120 output tokens
/// at $120 per 1M = $0.1344, plus 10 prompt tokens at $2 per 1M =
/// $0.00002: $0.26884 (were `IMAGE/PNG` text, its 1,120 tokens would be
/// billed at the text rate). The four Flash responses and the agent's
/// turn are not priced, so the total is incomplete; the chunk and the
/// user's event are pieces.
#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn responses_without_token_counts_are_not_priced_by_the_query_as_by_tally() {
    let python = python();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sql/countless.jsonl");
    let report = tally(&file, &[]);
    let rows = report["rows"].as_array().unwrap();
    let summary: Vec<_> = rows
        .iter()
        .map(|row| (text(&row["model"]), text(&row["size"]).unwrap(), row["responses"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            (Some("gemini-3.1-flash-image".into()), "unknown (no token counts)".into(), 4),
            (Some("gemini-3-pro-image".into()), "1K/2K".into(), 2),
            (None, "unknown (no token counts)".into(), 1),
        ]
    );
    assert_eq!(decimal(&report["total"]["cost"]), Some(Decimal::from_str("0.26884").unwrap()));
    assert_eq!(report["total"]["complete"], false);
    assert_eq!(report["lines"]["chunk_lines"], 2);
    for (dialect, args) in [("duckdb", &[][..]), ("bigquery", &["--column-type", "string"][..])] {
        let rows = run_query(&python, &file, dialect, args);
        assert_eq!(assert_matches(&report, &rows, dialect), 3);
    }
}

/// Lines that are odd rather than typical, read by the typed parse as
/// `tally` reads them: `tests/fixtures/sql/odd.jsonl` (written by hand)
/// holds token counts written as a string, a fraction or a negative
/// number, a `null` camelCase member beside its snake_case one, an empty
/// `modelVersion` (no version, as a missing one), details
/// that are no array or hold entries that are no objects (or `{}`),
/// `usageMetadata`, `modelVersion`, `key` and `response` of the wrong
/// type, error lines (and lines that name an error or a Vertex AI
/// `status` yet carry a response's usage: priced), requests, lines that
/// are JSON but no object, image
/// parts of every MIME spelling and thought, search queries in both
/// spellings, stream chunks and agent events. Every row, line count and
/// the total must be `tally`'s in both dialects, and with `--model`, which
/// prices the responses that name no version (the empty one among them).
#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn odd_lines_are_read_by_the_query_as_by_tally() {
    let python = python();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sql/odd.jsonl");
    let report = tally(&file, &[]);
    assert_eq!(report["lines"]["malformed_lines"], 20);
    assert_eq!(report["grounding"]["models"][0]["queries"], 5);
    for (dialect, args) in [("duckdb", &[][..]), ("bigquery", &["--column-type", "string"][..])] {
        let rows = run_query(&python, &file, dialect, args);
        assert_eq!(assert_matches(&report, &rows, dialect), 7);
    }
    let report = tally(&file, &["--model", "pro"]);
    let unnamed = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["model_versions"].as_array().unwrap().contains(&Value::Null));
    assert!(unnamed.clone().count() > 0 && unnamed.clone().all(|row| row["model"] == "gemini-3-pro-image"));
    for (dialect, args) in [
        ("duckdb", &["--model", "pro"][..]),
        ("bigquery", &["--column-type", "string", "--model", "pro"][..]),
    ] {
        let rows = run_query(&python, &file, dialect, args);
        assert_matches(&report, &rows, &format!("{dialect} --model pro"));
    }
}

/// `--by key-prefix` and `--by label:team` on `tests/fixtures/attribution/teams.jsonl`
/// (batch keys `team-a/…`, `team-b/…`, `loose-key`, and Vertex AI lines
/// without a key that echo their request's labels): the query's usage
/// rows per attribution are tally's, in tally's order, in both dialects.
#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn usage_rows_per_key_prefix_and_label_are_tallys() {
    let python = python();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/attribution/teams.jsonl");
    for by in ["key-prefix", "label:team"] {
        let report = tally(&file, &["--by", by]);
        for (dialect, args) in [("duckdb", &[][..]), ("bigquery", &["--column-type", "string"][..])] {
            let mut args = args.to_vec();
            args.extend(["--by", by]);
            let rows = run_query(&python, &file, dialect, &args);
            assert_eq!(assert_matches(&report, &rows, &format!("{dialect} --by {by}")), 6);
            let named: Vec<_> = rows.iter().filter_map(|row| text(&row["attribution"])).collect();
            let want: &[&str] = match by {
                "key-prefix" => &["loose-key", "team-a", "team-a", "team-b"],
                _ => &["growth", "search"],
            };
            assert_eq!(named, want, "{dialect} --by {by}");
        }
    }
}

/// `--by key-prefix` with `--key-separator` on a mixed synthetic file,
/// whose keys (`req-123`, some with a quote or an escape in them) split
/// into groups, with bare lines that have none.
#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn usage_rows_per_key_prefix_of_a_mixed_file_are_tallys() {
    let python = python();
    let file = synthetic(15, 300_000);
    let by = ["--by", "key-prefix", "--key-separator", "0"];
    let report = tally(&file, &by);
    let attributions = report["attributions"].as_array().unwrap();
    assert!((3..1_000).contains(&attributions.len()), "{} attributions", attributions.len());
    assert!(attributions.iter().any(|total| total["attribution"].is_null()), "no line without a key");
    for (dialect, args) in [("duckdb", &[][..]), ("bigquery", &["--column-type", "string"][..])] {
        let mut args = args.to_vec();
        args.extend(by);
        let rows = run_query(&python, &file, dialect, &args);
        assert!(assert_matches(&report, &rows, &format!("{dialect} --by key-prefix")) > 20);
    }
}

/// Label names that are no plain words reach the query only as string
/// literals: a quote of either kind, a `]`, a JSONPath's `$.`, a newline,
/// a backslash and a JSON pointer's `/` and `~` neither break the query
/// nor read another label, in both dialects.
#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn hostile_label_names_read_their_own_label() {
    let python = python();
    let names = ["te\"am", "a'b", "x]", "$.y", "new\nline", "back\\slash", "s/l~0", "team"];
    // Each line holds every label, each with its own value, and a plain
    // `team` that a broken path would fall back to.
    let mut lines = String::new();
    for (index, size) in [(0, 1120), (1, 1680)] {
        let labels: Map<String, Value> =
            names.iter().map(|name| (name.to_string(), Value::String(format!("{name}={index}")))).collect();
        let line = serde_json::json!({
            "request": {"contents": [], "labels": labels},
            "response": {
                "modelVersion": "gemini-3.1-flash-image",
                "candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": ""}}]}}],
                "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": size}
            }
        });
        lines.push_str(&format!("{line}\n"));
    }
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sql-hostile-labels.jsonl");
    std::fs::write(&file, lines).unwrap();
    for name in names {
        let by = format!("label:{name}");
        let report = tally(&file, &["--by", &by]);
        for (dialect, args) in [("duckdb", &[][..]), ("bigquery", &["--column-type", "string"][..])] {
            let mut args = args.to_vec();
            args.extend(["--by", &by]);
            let rows = run_query(&python, &file, dialect, &args);
            assert_eq!(assert_matches(&report, &rows, &format!("{dialect} --by {name:?}")), 2);
            let named: Vec<_> = rows.iter().filter_map(|row| text(&row["attribution"])).collect();
            assert_eq!(named, [format!("{name}=0"), format!("{name}=1")], "{dialect} {name:?}");
        }
    }
}

/// A card whose models have neither aliases nor former IDs gives the
/// query a table of other names without a row: the query still runs, a
/// version resolves by the model's ID (or the ID and a suffix), and the
/// rows are tally's in both dialects.
#[test]
#[ignore = "needs DuckDB and sqlglot: bash tests/sql/setup.sh, then cargo test -- --include-ignored"]
fn a_card_without_other_names_prices_as_tally_does() {
    let python = python();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let custom = std::fs::read_to_string(root.join("tests/fixtures/cards/custom.toml")).unwrap();
    let card: String =
        custom.lines().filter(|line| !line.starts_with("aliases")).map(|line| format!("{line}\n")).collect();
    assert_ne!(card, custom, "the custom card has aliases no more");
    let card_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sql-card-without-names.toml");
    std::fs::write(&card_path, card).unwrap();
    let mut lines = String::new();
    for (version, size) in [("example-image-1", 1500), ("example-image-1-001", 3000), ("ex", 1500)] {
        let line = serde_json::json!({
            "modelVersion": version,
            "candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": ""}}]}}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": size}
        });
        lines.push_str(&format!("{line}\n"));
    }
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sql-card-without-names.jsonl");
    std::fs::write(&file, lines).unwrap();
    let rates = ["--rates", card_path.to_str().unwrap()];
    let report = tally(&file, &rates);
    for (dialect, args) in [("duckdb", &[][..]), ("bigquery", &["--column-type", "string"][..])] {
        let mut args = args.to_vec();
        args.extend(rates);
        let rows = run_query(&python, &file, dialect, &args);
        assert_eq!(assert_matches(&report, &rows, &format!("{dialect}, a card without other names")), 3);
    }
}

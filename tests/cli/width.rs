//! Every table report read at 80 columns, as in a narrow terminal: no line
//! of the report is wider than that (counted in characters, as a terminal
//! shows them), and the box drawing holds.

use std::process::Command;

const WIDTH: usize = 80;

const REPORTS: &[&[&str]] = &[
    &["quote", "--model", "flash", "--size", "2K", "--count", "1000"],
    &["quote", "--model", "pro", "--size", "4K", "--count", "1000", "--basis", "tokens"],
    &["compare"],
    &["compare", "--basis", "tokens"],
    &["rates"],
    &["rates", "show", "pro"],
    &["diff", "2026-04", "2026-10"],
    &["rates", "check"],
    &["plan", "examples/plan.toml"],
    &["budget", "--amount", "500", "--model", "flash"],
    &["diff", "2026-04", "2026-10", "--plan", "examples/plan.toml"],
    &["estimate", "tests/fixtures/estimate/media.jsonl", "--model", "flash"],
    &["estimate", "tests/fixtures/estimate/search.jsonl", "--model", "lite", "--thinking-tokens", "500"],
    &["tally", "tests/fixtures/batch/output-mixed.jsonl"],
    &["tally", "tests/fixtures/batch/output-clean.jsonl.gz"],
    &["tally", "tests/fixtures/batch/output-lanes.jsonl", "--rates", "tests/fixtures/cards/lanes.toml"],
];

fn report_at(columns: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(args)
        .env("NBCOST_TODAY", super::TODAY)
        .env("NO_COLOR", "1")
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    assert!(!output.stdout.is_empty(), "{args:?} wrote nothing");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_table_report_fits_80_columns() {
    for args in REPORTS {
        let report = report_at("80", args);
        for line in report.lines() {
            assert!(
                line.chars().count() <= WIDTH,
                "{args:?}: {} characters:\n{line}\n\n{report}",
                line.chars().count()
            );
        }
        // Every row of a box has as many borders as its top: none broke.
        let mut borders = None;
        for line in report.lines() {
            if line.starts_with('┌') {
                borders = Some(line.chars().filter(|&c| c == '┬').count());
            } else if line.starts_with('└') {
                borders = None;
            } else if let Some(count) = borders {
                let inner = line.chars().filter(|&c| matches!(c, '┆' | '╪' | '┼')).count();
                assert_eq!(inner, count, "{args:?}: a broken row:\n{line}\n\n{report}");
            }
        }
    }
}

#[test]
fn a_wide_width_changes_nothing() {
    for args in REPORTS {
        let whole = report_at("", args);
        assert_eq!(report_at("1000", args), whole, "{args:?}");
        let mut wide = args.to_vec();
        wide.push("--wide");
        assert_eq!(report_at("80", &wide), whole, "{args:?} --wide");
    }
}

/// The tally of an 11-line file says each thing once: at 80 columns it
/// fits 60 lines, it names what its total leaves out once on stdout, and
/// its error on stderr is one short line pointing at the report.
#[test]
fn an_incomplete_tally_says_each_thing_once() {
    let tally = |columns: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
            .args(["tally", "tests/fixtures/batch/output-mixed.jsonl"])
            .env("NBCOST_TODAY", super::TODAY)
            .env("NO_COLOR", "1")
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
    };
    let (narrow, _) = tally("80");
    assert!(narrow.lines().count() <= 60, "{} lines:\n{narrow}", narrow.lines().count());
    let (stdout, stderr) = tally("");
    assert_eq!(stdout.matches("2 responses not priced").count(), 1, "{stdout}");
    assert!(!stdout.contains("The total is incomplete"), "{stdout}");
    for line in stderr.lines() {
        assert!(line.chars().count() <= 110, "{} characters: {line}", line.chars().count());
    }
    let errors: Vec<&str> = stderr.lines().filter(|line| line.starts_with("error:")).collect();
    assert_eq!(
        errors,
        [
            "error: the total is INCOMPLETE: 2 responses not priced, 2 malformed lines skipped (see the report)"
        ]
    );
}

/// Every model ID, former ID and source URL of the cards, as written.
fn long_names() -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(["rates", "--format", "json"])
        .env("NBCOST_TODAY", super::TODAY)
        .output()
        .unwrap();
    let rates: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = |value: &serde_json::Value| value.as_str().map(str::to_string);
    let mut names: Vec<String> = rates["sources"].as_array().unwrap().iter().filter_map(text).collect();
    for model in rates["models"].as_array().unwrap() {
        names.extend(text(&model["id"]));
        names.extend(model["former"].as_array().unwrap().iter().filter_map(|former| text(&former["id"])));
    }
    names
}

/// At 80 columns an ID or a URL that must break does so after a `-`, `/`
/// or `.`, never mid-word (`gemini-3.1-flash-image-p` / `review`): in a
/// table cell or in a fact, a line never ends in the middle of one.
#[test]
fn no_id_or_url_is_cut_mid_word() {
    let names = long_names();
    assert!(names.iter().any(|name| name == "gemini-3.1-flash-image-preview"), "{names:?}");
    for args in REPORTS {
        let report = report_at("80", args);
        for line in report.lines() {
            let fragments: Vec<&str> =
                if line.starts_with('│') { line.split(['│', '┆']).collect() } else { vec![line] };
            for fragment in fragments {
                let Some(last) = fragment.split_whitespace().last() else { continue };
                if names.iter().any(|name| name == last) {
                    continue;
                }
                let cut = names
                    .iter()
                    .find(|name| last.len() >= 4 && name.starts_with(last) && name.len() > last.len());
                if let Some(name) = cut {
                    assert!(
                        last.ends_with(['-', '/', '.']),
                        "{args:?}: `{name}` is cut after `{last}`:\n{line}\n\n{report}"
                    );
                }
            }
        }
    }
}

/// At 80 columns a table keeps what a reader needs: `diff` says whether
/// each price changed, was added or removed; `rates` keeps what a newcomer
/// types (the ID, the aliases, the sizes and lanes).
#[test]
fn a_narrow_table_keeps_what_a_reader_needs() {
    let diff = report_at("80", &["diff", "2026-04", "2026-10"]);
    let prices = diff.lines().skip_while(|line| *line != "Prices").nth(2).unwrap();
    assert!(prices.contains(" change "), "{diff}");
    let rates = report_at("80", &["rates"]);
    let header = rates.lines().find(|line| line.starts_with("│ model")).unwrap();
    for column in ["aliases", "sizes", "lanes"] {
        assert!(header.contains(column), "{column}: {rates}");
    }
}

//! The published schemas hold for what nbcost really writes: every JSON
//! output pinned in `tests/cmd` and every JSON example in the README and in
//! `docs/` validates against the schema `nbcost schema` prints for its
//! report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::nbcost;

/// Every report's schema, as the binary prints it.
fn schemas() -> Value {
    let output = nbcost(&["schema"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("the schema document is JSON")
}

/// Checks `document` (from `origin`) against its report's schema.
fn check(schemas: &Value, document: &Value, origin: &str) {
    let kind = document["report"].as_str().unwrap_or_else(|| panic!("{origin}: no `report` field"));
    let schema = schemas.get(kind).unwrap_or_else(|| panic!("{origin}: no schema for `{kind}`"));
    let validator = jsonschema::validator_for(schema).unwrap_or_else(|err| panic!("{kind}: {err}"));
    let errors: Vec<String> =
        validator.iter_errors(document).map(|err| format!("  at {}: {err}", err.instance_path())).collect();
    assert!(errors.is_empty(), "{origin} does not match the `{kind}` schema:\n{}", errors.join("\n"));
}

/// The case files under `dir`, recursively.
fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(cases(&path));
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// A case's arguments, from `args = [...]` or `args = "..."`.
fn case_args(case: &toml::Table) -> Vec<String> {
    match case.get("args") {
        Some(toml::Value::Array(args)) => {
            args.iter().filter_map(|arg| arg.as_str().map(String::from)).collect()
        }
        Some(toml::Value::String(args)) => args.split_whitespace().map(String::from).collect(),
        _ => Vec::new(),
    }
}

/// What a case writes on stdout, run as trycmd runs it.
fn run_case(case: &toml::Table) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(case_args(case))
        .env("NBCOST_TODAY", super::TODAY)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = case.get("stdin").and_then(toml::Value::as_str).unwrap_or_default().to_owned();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || pipe.write_all(stdin.as_bytes()));
    let output = child.wait_with_output().unwrap();
    // A command that does not read stdin closes it early: not a failure here.
    let _ = writer.join().unwrap();
    String::from_utf8(output.stdout).unwrap()
}

fn asks_for_json(args: &[String]) -> bool {
    args.windows(2).any(|pair| pair[0] == "--format" && pair[1] == "json")
        || args.iter().any(|arg| arg == "--format=json")
}

#[test]
fn every_json_output_in_the_cases_matches_its_schema() {
    let schemas = schemas();
    let mut checked = 0;
    for path in cases(Path::new("tests/cmd")) {
        let case: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        if !asks_for_json(&case_args(&case)) {
            continue;
        }
        // The case is run again rather than its `.stdout` read: trycmd
        // writes `\` as `/` in what it pins, so the file is not always JSON.
        let stdout = run_case(&case);
        if stdout.trim().is_empty() {
            // An error before any report (exit 2, 3 or 4): nothing to check.
            continue;
        }
        let origin = path.with_extension("stdout").display().to_string();
        let document: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{origin}: not JSON: {err}"));
        check(&schemas, &document, &origin);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} JSON outputs found");
}

/// The README and every Markdown file in `docs/`.
fn documentation() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir("docs")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[test]
fn every_json_example_in_the_documentation_matches_its_schema() {
    let schemas = schemas();
    let mut checked = 0;
    for path in documentation() {
        let text = std::fs::read_to_string(&path).unwrap();
        let origin = path.display().to_string();
        for (line, document) in json_outputs(&text, &origin) {
            check(&schemas, &document, &format!("{origin} line {line}"));
            checked += 1;
        }
    }
    assert!(checked > 0, "the documentation shows a JSON report");
}

/// The outputs of the `$ nbcost ... --format json` examples in a Markdown
/// file (`origin`, for messages), each with the line its command is on.
fn json_outputs(markdown: &str, origin: &str) -> Vec<(usize, Value)> {
    let mut outputs = Vec::new();
    let lines: Vec<&str> = markdown.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        index += 1;
        let Some(command) = line.strip_prefix("$ nbcost ") else { continue };
        let args: Vec<String> = command.split_whitespace().map(String::from).collect();
        if !asks_for_json(&args) || command.contains('|') {
            continue;
        }
        let start = index;
        while index < lines.len() && !lines[index].starts_with("$ ") && !lines[index].starts_with("```") {
            index += 1;
        }
        let text = lines[start..index].join("\n");
        // The JSON is the output up to its closing brace; stderr may follow.
        let end = text.find("\n}").map_or(text.len(), |at| at + 2);
        let document = serde_json::from_str(&text[..end])
            .unwrap_or_else(|err| panic!("{origin} line {start}: the example's output is not JSON: {err}"));
        outputs.push((start, document));
    }
    outputs
}

#[test]
fn finds_the_json_of_a_documented_example() {
    let markdown =
        "```console\n$ nbcost rates --format json\n{\n  \"report\": \"rates\"\n}\nwarning: x\n```\n";
    let outputs = json_outputs(markdown, "example.md");
    assert_eq!(outputs.len(), 1);
    assert_eq!(outputs[0].1["report"], "rates");
}

#[test]
fn a_report_that_breaks_its_schema_is_caught() {
    let schemas = schemas();
    let schema = &schemas["quote"];
    let validator = jsonschema::validator_for(schema).unwrap();
    assert!(!validator.is_valid(&serde_json::json!({ "schema": 1, "report": "quote" })), "fields missing");
    let output = nbcost(&["quote", "--model", "flash", "--count", "10", "--format", "json"]);
    let mut document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(validator.is_valid(&document));
    document["quotes"][0]["total"] = serde_json::json!(1.01);
    assert!(!validator.is_valid(&document), "money as a float");
    document["quotes"][0]["total"] = serde_json::json!("1.01");
    document["card"]["checked"] = serde_json::json!("21/11/2026");
    // `format` is an annotation by default; the date is checked when asked.
    let strict = jsonschema::options().should_validate_formats(true).build(schema).unwrap();
    assert!(!strict.is_valid(&document), "a date not written YYYY-MM-DD");
}

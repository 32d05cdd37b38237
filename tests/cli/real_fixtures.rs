//! Real responses recorded from Google's API in public repositories
//! (`tests/fixtures/real/`, each with its source in the README there), tallied
//! as a user would: every total must equal the cost worked out by hand in
//! `expected.toml`, and a recording with nothing to price must never pass
//! as a $0 charge.

use std::process::Command;

use rust_decimal::Decimal;

const DIR: &str = "tests/fixtures/real";

#[derive(serde::Deserialize)]
struct Expected {
    fixture: Vec<Fixture>,
}

#[derive(serde::Deserialize)]
struct Fixture {
    file: String,
    model: String,
    tokens_cost: String,
    #[serde(default)]
    search_cost: Option<String>,
    #[serde(default)]
    report: Option<String>,
}

fn decimal(text: &str) -> Decimal {
    text.parse().unwrap_or_else(|_| panic!("`{text}` is not a decimal"))
}

#[test]
fn every_real_recording_costs_what_was_worked_out_by_hand() {
    let expected: Expected =
        toml::from_str(&std::fs::read_to_string(format!("{DIR}/expected.toml")).unwrap()).unwrap();
    assert!(expected.fixture.len() >= 10, "the real fixtures are all listed");
    let mut problems = Vec::new();
    for fixture in &expected.fixture {
        let path = format!("{DIR}/{}", fixture.file);
        let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
            .args(["tally", &path, "--format", "json"])
            .env("NBCOST_TODAY", super::TODAY)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let json: serde_json::Value = match serde_json::from_slice(&output.stdout) {
            Ok(json) => json,
            Err(_) => {
                problems.push(format!(
                    "{}: no JSON report (exit {:?}): {stderr}",
                    fixture.file,
                    output.status.code()
                ));
                continue;
            }
        };
        let total = &json["total"];
        let complete = total["complete"].as_bool();
        if fixture.report.as_deref() == Some("incomplete") {
            if output.status.code() != Some(6) || complete != Some(false) {
                problems.push(format!("{}: must be INCOMPLETE with exit 6, never a $0 charge", fixture.file));
            }
            continue;
        }
        let want =
            decimal(&fixture.tokens_cost) + fixture.search_cost.as_deref().map_or(Decimal::ZERO, decimal);
        let got = total["cost"].as_str().map(decimal);
        if got != Some(want) || !output.status.success() || complete != Some(true) {
            problems.push(format!(
                "{}: cost {got:?}, want {want}; exit {:?}; complete {complete:?}; {stderr}",
                fixture.file,
                output.status.code()
            ));
        }
        let models: Vec<&str> =
            json["rows"].as_array().into_iter().flatten().filter_map(|row| row["model"].as_str()).collect();
        if !models.is_empty() && !models.iter().all(|model| *model == fixture.model) {
            problems.push(format!("{}: priced as {models:?}, want {}", fixture.file, fixture.model));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} fixtures:\n{}",
        problems.len(),
        expected.fixture.len(),
        problems.join("\n")
    );
}

//! CLI contract tests: every command, format and error path, run as a user
//! runs them. Cases live in `tests/cmd/**/*.toml` (arguments, exit code) with
//! the expected `.stdout` and `.stderr` beside them; `TRYCMD=overwrite cargo
//! test` rewrites them after a deliberate change. The README's examples run
//! too. `NBCOST_TODAY` pins the date so card ages do not drift.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const TODAY: &str = "2026-11-21";

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .env("NBCOST_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .case("tests/cmd/**/*.toml")
        .case("README.md");
}

/// `nbcost compare --format csv | head -2` exits quietly: a closed pipe is
/// not an error.
#[test]
fn a_closed_stdout_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(["compare", "--format", "csv", "--counts", "1,2,3,4,5,6,7,8,9,10"])
        .env("NBCOST_TODAY", TODAY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().starts_with("model,size,lane"));
    drop(lines);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("error"), "{stderr}");
}

//! CLI contract tests: every command, format and error path, run as a user
//! runs them. Cases live in `tests/cmd/**/*.toml` (arguments, exit code) with
//! the expected `.stdout` and `.stderr` beside them; `TRYCMD=overwrite cargo
//! test` rewrites them after a deliberate change. The examples in the README
//! and in `docs/` run too. `NBCOST_TODAY` pins the date so card ages do not
//! drift.

#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/csv_headers.rs"]
mod csv_headers;
#[path = "cli/real_fixtures.rs"]
mod real_fixtures;
#[path = "cli/schema.rs"]
mod schema;
#[path = "cli/width.rs"]
mod width;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const TODAY: &str = "2026-11-21";

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .env("NBCOST_TODAY", TODAY)
        .env("NO_COLOR", "1")
        // No user's own cards unless a case gives a folder of them
        // (NBCOST_RATES_DIR, which wins over this).
        .env("XDG_CONFIG_HOME", "tests/fixtures/no-config")
        .case("tests/cmd/**/*.toml")
        .case("README.md")
        .case("docs/*.md");
}

/// `nbcost compare --format csv | head -1` exits quietly: a closed pipe is
/// not an error. The output (over 1 MB: 5,000 counts a row) is far larger
/// than a pipe's buffer, so the writer really meets the closed pipe.
#[test]
fn a_closed_stdout_is_not_an_error() {
    let counts: Vec<String> = (1..=5000).map(|count| count.to_string()).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(["compare", "--format", "csv", "--counts", &counts.join(",")])
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

/// A closed stdout keeps the verdict: a CI gate piped into `head` still
/// fails. The pipe's reading end is closed before nbcost starts, so every
/// write meets the closed pipe, however small the report.
#[test]
fn a_closed_stdout_keeps_the_verdicts_exit_code() {
    for (args, code) in [
        (&["quote", "--model", "flash", "--size", "2K", "--count", "1000", "--fail-above", "0.01"][..], 5),
        (&["quote", "--model", "flash", "--size", "2K", "--count", "1000", "--format", "csv"][..], 0),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
            .args(args)
            .env("NBCOST_TODAY", TODAY)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(code), "{args:?}");
        assert!(
            output.stderr.is_empty(),
            "quiet on a closed pipe: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// With `NBCOST_TODAY=2026-04-20` the April card is in force: the README's
/// main job prices with it, at the same figures as ever. (trycmd cases all
/// run on one pinned day, so this one is run by hand.)
#[test]
fn the_april_card_is_in_force_on_its_day() {
    let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(["quote", "--model", "flash", "--size", "2K", "--count", "1000"])
        .env("NBCOST_TODAY", "2026-04-20")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        include_str!("expected/quote-on-2026-04-20.stdout")
    );
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        include_str!("expected/quote-on-2026-04-20.stderr")
    );
}

fn nbcost(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nbcost")).args(args).env("NBCOST_TODAY", TODAY).output().unwrap()
}

#[test]
fn writes_completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_nbcost()"),
        ("zsh", "#compdef nbcost"),
        ("fish", "complete -c nbcost"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[nbcost]"),
    ] {
        let output = nbcost(&["completions", shell]);
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {marker}");
        assert!(script.contains("quote") && script.contains("compare"), "{shell} lists the commands");
    }
}

/// `--model`, `--size` and `--lane` complete to what the embedded cards hold.
#[test]
fn completions_offer_models_sizes_and_lanes() {
    for shell in ["bash", "zsh", "fish"] {
        let script = String::from_utf8(nbcost(&["completions", shell]).stdout).unwrap();
        for value in ["gemini-3-pro-image", "nano-banana-2.1", "flash", "4K", "512", "batch", "priority"] {
            assert!(script.contains(value), "{shell} completes {value}");
        }
    }
}

#[test]
fn writes_a_man_page() {
    let output = nbcost(&["man"]);
    assert!(output.status.success());
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "roff");
    assert!(page.contains(".TH nbcost 1"));
    for section in [".SH COMMANDS", ".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES"] {
        assert!(page.contains(section), "{section}");
    }
    for variable in ["NBCOST_RATES", "NBCOST_TODAY", "NO_COLOR", "COLUMNS"] {
        assert!(page.contains(&format!(".TP\n\\fB{variable}\\fR")), "{variable}");
    }
    // No page is installed per command, so none is referred to.
    assert!(!page.contains("nbcost\\-quote(1)") && !page.contains("(1)"), "a dangling page reference");
    assert_eq!(page.matches(".el .ds Aq").count(), 1, "one preamble");
    // Every exit code, and a footer of the name and version alone.
    for code in ["0", "1", "2", "3", "4", "5", "6", "7"] {
        assert!(page.contains(&format!(".TP\n\\fB{code}\\fR")), "exit code {code}");
    }
    assert!(page.contains(".TH nbcost 1  \"nbcost 0.1.0\""), "footer");
    assert!(!page.contains("never wrapped"), "tables fit COLUMNS");
    assert!(page.contains(
        "embedded rate cards: April 2026 (checked 2026\\-04\\-20), October 2026 (checked 2026\\-10\\-09)"
    ));
}

#[test]
fn a_bad_nbcost_today_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(["rates"])
        .env("NBCOST_TODAY", "2026-13-40")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr, "error: NBCOST_TODAY=`2026-13-40` is not a date: write it as YYYY-MM-DD\n");
}

/// Every file in `tests/cli/` is a module of this binary: a file no `mod`
/// line reaches is never compiled, so its tests would never run, silently.
#[test]
fn every_file_in_tests_cli_is_compiled() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let files: BTreeSet<String> = std::fs::read_dir(here.join("cli"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let source = std::fs::read_to_string(here.join("cli.rs")).unwrap();
    let attached: BTreeSet<String> = source
        .lines()
        .filter_map(|line| line.strip_prefix("#[path = \"cli/")?.strip_suffix("\"]"))
        .map(str::to_string)
        .collect();
    let orphans: Vec<&String> = files.difference(&attached).collect();
    assert!(orphans.is_empty(), "add a `#[path]` and `mod` line to tests/cli.rs for {orphans:?}");
}

/// No source file holds over 650 lines before its tests (`#[cfg(test)]`),
/// doc comments and blank lines included: a file that grows past that has
/// taken on a second concern, which gets a file of its own.
#[test]
fn no_source_file_is_over_650_lines_before_its_tests() {
    const MOST: usize = 650;
    let mut folders = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut over = Vec::new();
    let mut read = 0;
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                let lines = source.lines().take_while(|line| line.trim() != "#[cfg(test)]").count();
                read += 1;
                if lines > MOST {
                    over.push(format!("{} ({lines})", path.display()));
                }
            }
        }
    }
    assert!(read > 100, "read only {read} source files");
    assert!(over.is_empty(), "over {MOST} lines before the tests; split by concern: {over:?}");
}

/// A response file whose strings hold escape sequences (a model version
/// that retitles the terminal, an error message that clears the screen and
/// writes the clipboard) is reported with those characters shown, in every
/// human format and on stderr.
#[test]
fn escape_sequences_in_input_are_shown_not_sent() {
    let dir = std::env::temp_dir().join(format!("nbcost-escapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hostile.jsonl");
    let lines = [
        r#"{"key":"a","response":{"modelVersion":"gemini-9\u001b]0;owned\u0007","usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1120}}}"#,
        r#"{"key":"b","error":{"code":500,"message":"boom\u001b[2J\u001b]52;c;cm0gLXJmIH4=\u0007\nnext line"}}"#,
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    for format in ["table", "markdown"] {
        let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
            .args(["tally", file.to_str().unwrap(), "--format", format])
            .env("NBCOST_TODAY", TODAY)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        for (stream, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let text = String::from_utf8_lossy(text);
            assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{format} {stream}: {text:?}");
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("gemini-9\\u{1b}]0;owned\\u{7}") || stdout.contains("\\\\u{1b}"), "{stdout}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A model version that is a spreadsheet formula reaches the CSV as text,
/// behind a `'`; the figures beside it stay numbers.
#[test]
fn a_formula_in_input_is_text_in_csv() {
    let dir = std::env::temp_dir().join(format!("nbcost-formula-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("=cmd.jsonl");
    let line = r#"{"key":"a","response":{"modelVersion":"=HYPERLINK(\"http://x\",\"y\")","usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1120}}}"#;
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(["tally", file.to_str().unwrap(), "--format", "csv"])
        .env("NBCOST_TODAY", TODAY)
        .output()
        .unwrap();
    let csv = String::from_utf8(output.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|record| record.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(cells.iter().any(|cell| cell == "'=HYPERLINK(\"http://x\",\"y\")"), "{csv}");
    assert!(!cells.iter().any(|cell| cell.starts_with(['=', '+', '@'])), "{csv}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The README's "Adding a price", step by step: copy a card with `rates
/// --card`, move its dates, change a figure, check it, and it prices from
/// its effective date on.
#[test]
fn a_copied_card_in_the_users_folder_prices_from_its_effective_date() {
    let dir = std::env::temp_dir().join(format!("nbcost-adding-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_nbcost"))
            .args(args)
            .env("NBCOST_TODAY", "2026-12-04")
            .env("NBCOST_RATES_DIR", &dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let copied = run(&["rates", "--card", "2026-10"]);
    assert!(copied.status.success());
    let text = String::from_utf8(copied.stdout).unwrap();
    assert_eq!(text, include_str!("../rates/2026-10.toml"));
    let mine = text
        .replace("effective = 2026-10-06", "effective = 2026-12-01")
        .replace("checked = 2026-10-09", "checked = 2026-12-04")
        .replace("price = { standard = \"0.0504\" }", "price = { standard = \"0.0490\" }");
    let path = dir.join("2026-12.toml");
    std::fs::write(&path, mine).unwrap();
    assert!(run(&["rates", "check", path.to_str().unwrap()]).status.success());
    let price = |day: &str| {
        let output = run(&[
            "quote", "--model", "2.1", "--size", "2K", "--count", "1", "--as-of", day, "--format", "csv",
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let csv = String::from_utf8(output.stdout).unwrap();
        csv.lines().nth(1).unwrap().split(',').nth(9).unwrap().to_string()
    };
    assert_eq!(price("2026-11-30"), "0.0504");
    assert_eq!(price("2026-12-01"), "0.049");
    std::fs::remove_dir_all(&dir).unwrap();
}

//! A catalogue of bad input across every command: each row gives the
//! arguments, the exit code and the words the one-line error must contain.
//! None may panic, print a backtrace, or price anything.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// One bad input.
struct Case {
    /// What the row is about.
    name: &'static str,
    /// Arguments to `nbcost`; `@TMP/` is replaced by a scratch directory.
    args: &'static [&'static str],
    /// Bytes for stdin, if any.
    stdin: Option<Vec<u8>>,
    /// The exit code.
    code: i32,
    /// Words the error must contain.
    words: &'static [&'static str],
}

fn case(
    name: &'static str,
    args: &'static [&'static str],
    code: i32,
    words: &'static [&'static str],
) -> Case {
    Case { name, args, stdin: None, code, words }
}

/// Files the cases name, made fresh for each run.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nbcost-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ten_mb_of_nonsense: Vec<u8> = (0..10 * 1024 * 1024).map(|i| b"{[\"x:,}]"[i % 8]).collect();
    std::fs::write(dir.join("nonsense.toml"), &ten_mb_of_nonsense).unwrap();
    std::fs::write(dir.join("empty.toml"), b"").unwrap();
    std::fs::write(dir.join("latin1.toml"), b"[card]\nname = \"caf\xe9\"\n").unwrap();
    std::fs::write(dir.join("cut.toml"), b"[card]\nname = \"Cut").unwrap();
    let response = br#"{"key":"a","response":{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1120},"modelVersion":"gemini-3.1-flash-image-preview"}}"#;
    std::fs::write(dir.join("cut.jsonl"), [&response[..], b"\n", &response[..60]].concat()).unwrap();
    let mut nonsense_line = ten_mb_of_nonsense;
    nonsense_line.push(b'\n');
    std::fs::write(dir.join("nonsense.jsonl"), &nonsense_line).unwrap();
    std::fs::write(dir.join("latin1.jsonl"), b"{\"key\": \"caf\xe9\"}\n").unwrap();
    std::fs::write(dir.join("empty.jsonl"), b"").unwrap();
    std::fs::write(dir.join("image.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x04\0").unwrap();
    std::fs::write(dir.join("notes.txt"), b"a shopping list\nmilk\n").unwrap();
    std::fs::write(dir.join("cut.json"), b"[\n  {\"usageMetadata\": {\"promptTokenCount\": 5}},\n  {\"usage")
        .unwrap();
    std::fs::write(
        dir.join("job.json"),
        br#"{"name": "batches/123", "done": true, "response": {"responsesFile": "files/batch-123"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("unknown-model.jsonl"),
        String::from_utf8_lossy(response).replace("gemini-3.1-flash-image-preview", "imagen-9"),
    )
    .unwrap();
    // Responses that give no token counts: each must be "not priced", never $0.
    let no_counts = [
        ("usage-empty.jsonl", r#"{"modelVersion":"gemini-3-pro-image","usageMetadata":{}}"#),
        (
            "usage-total-only.jsonl",
            r#"{"modelVersion":"gemini-3-pro-image","usageMetadata":{"totalTokenCount":1130}}"#,
        ),
        (
            "usage-tier-only.jsonl",
            r#"{"modelVersion":"gemini-3-pro-image","usageMetadata":{"trafficType":"ON_DEMAND","serviceTier":"standard"}}"#,
        ),
        (
            "chat-total-only.jsonl",
            r#"{"object":"chat.completion","model":"gemini-3-pro-image","usage":{"total_tokens":1130}}"#,
        ),
        (
            "interaction-total-only.jsonl",
            r#"{"object":"interaction","status":"completed","model":"gemini-3-pro-image","usage":{"total_tokens":1130}}"#,
        ),
        (
            "adk-image-no-usage.jsonl",
            r#"{"author":"image_agent","invocationId":"i","content":{"role":"model","parts":[{"inlineData":{"mimeType":"image/png","data":"AA"}}]}}"#,
        ),
    ];
    std::fs::write(
        dir.join("bare-usage.jsonl"),
        "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1130,\"completion_tokens_details\":{\"image_tokens\":1120}}}\n",
    )
    .unwrap();
    let good =
        String::from_utf8_lossy(response).replace("gemini-3.1-flash-image-preview", "gemini-3-pro-image");
    std::fs::write(dir.join("one-nul.jsonl"), format!("{good}\n{{\"key\":\0}}\n{good}\n")).unwrap();
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(format!("{good}\n").bytes().flat_map(|byte| [byte, 0])).collect();
    std::fs::write(dir.join("utf16.jsonl"), utf16).unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gzip, format!("{good}\n").as_bytes()).unwrap();
    let garbage = [gzip.finish().unwrap(), b"appended by mistake\n".to_vec()].concat();
    std::fs::write(dir.join("garbage.jsonl.gz"), garbage).unwrap();
    std::fs::write(dir.join("blank-lines.jsonl"), "\n".repeat(3 << 20)).unwrap();
    let versions: String = (0..60)
        .map(|index| {
            good.replace("gemini-3-pro-image", &format!("imagen-{index:02}-{}", "v".repeat(1000))) + "\n"
        })
        .collect();
    std::fs::write(dir.join("many-versions.jsonl"), versions).unwrap();
    for (name, line) in no_counts {
        std::fs::write(dir.join(name), format!("{line}\n")).unwrap();
    }
    let line = "name = \"a\"\nmodel = \"flash\"\nimages_per_month = 10\n";
    std::fs::write(dir.join("line-as-table.toml"), format!("[plan]\nname = \"x\"\n[line]\n{line}")).unwrap();
    std::fs::write(
        dir.join("line-twice-as-table.toml"),
        format!("[plan]\nname = \"x\"\n[line]\n{line}[line]\n{line}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("float-volume.toml"),
        "[plan]\nname = \"x\"\n[[line]]\nname = \"a\"\nmodel = \"flash\"\nimages_per_month = 1e4\n",
    )
    .unwrap();
    let october = include_str!("../../rates/2026-10.toml");
    std::fs::write(
        dir.join("escape-card.toml"),
        october.replacen("dated = \"October 2026\"", "dated = \"October 2026\\u001b]0;owned\\u0007\"", 1),
    )
    .unwrap();
    std::fs::write(
        dir.join("newline-card.toml"),
        october.replacen(
            "dated = \"October 2026\"",
            "dated = \"October 2026\\nDROP TABLE responses; --\"",
            1,
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("euro-sign-card.toml"),
        october.replacen("currency = \"USD\"", "currency = \"€\"", 1),
    )
    .unwrap();
    let plan =
        |volume: &str| format!("[plan]\nname = \"x\"\n[[line]]\nname = \"a\"\nmodel = \"flash\"\n{volume}\n");
    std::fs::write(dir.join("negative-volume.toml"), plan("images_per_month = -5")).unwrap();
    std::fs::write(dir.join("zero-volume.toml"), plan("images_per_day = 0\ndays = 20")).unwrap();
    std::fs::write(dir.join("negative-tokens.toml"), plan("images_per_month = 5\nprompt_tokens = -1"))
        .unwrap();
    dir
}

fn catalogue() -> Vec<Case> {
    vec![
        case(
            "a card whose name holds a terminal escape",
            &["rates", "--rates", "@TMP/escape-card.toml"],
            3,
            &["`card.dated` holds a control character", "\\u{1b}]0;owned\\u{7}"],
        ),
        case(
            "a card whose name would end the sql header comment",
            &[
                "sql",
                "--dialect",
                "duckdb",
                "--table",
                "t",
                "--column",
                "c",
                "--rates",
                "@TMP/newline-card.toml",
            ],
            3,
            &["`card.dated` holds a control character", "\\u{a}DROP TABLE"],
        ),
        case(
            "a card whose currency is a sign, not a code",
            &["rates", "--rates", "@TMP/euro-sign-card.toml"],
            3,
            &["`card.currency` is `€`, not a currency code", "ISO 4217"],
        ),
        case(
            "diff of a card in euros and one in yen",
            &["diff", "tests/fixtures/cards/euro.toml", "tests/fixtures/cards/yen.toml"],
            3,
            &["prices in EUR", "in JPY", "`diff` compares cards of one currency"],
        ),
        case(
            "a --where that would close its clause",
            &[
                "sql",
                "--dialect",
                "duckdb",
                "--table",
                "t",
                "--column",
                "c",
                "--where",
                "TRUE) UNION ALL SELECT 1 WHERE (TRUE",
            ],
            2,
            &["--where", "closes more than it opened"],
        ),
        case(
            "a number of threads no machine runs",
            &["tally", "tests/fixtures/batch/output-mixed.jsonl", "--threads", "99999999999"],
            2,
            &["`99999999999` threads is more than nbcost runs: give 1 to 64"],
        ),
        case(
            "a number of threads past a u64",
            &["tally", "tests/fixtures/batch/output-mixed.jsonl", "--threads", "18446744073709551616"],
            2,
            &["`18446744073709551616` is more than nbcost can count"],
        ),
        case(
            "free queries past a u64",
            &["tally", "tests/fixtures/batch/output-mixed.jsonl", "--free-queries", "18446744073709551616"],
            2,
            &["`18446744073709551616` is more than nbcost can count"],
        ),
        case(
            "a negative number of free queries",
            &["tally", "tests/fixtures/batch/output-mixed.jsonl", "--free-queries", "-5"],
            2,
            &["`-5`"],
        ),
        case(
            "an --as-of with a sign",
            &["quote", "--model", "flash", "--as-of=-2026-01-01"],
            2,
            &["`-2026-01-01` is not a date"],
        ),
        case(
            "a negative volume in a plan",
            &["plan", "@TMP/negative-volume.toml"],
            4,
            &["`images_per_month` is -5: give a whole number of images, 1 or more"],
        ),
        case(
            "a plan line of no images, as quote --count 0",
            &["plan", "@TMP/zero-volume.toml"],
            4,
            &["`images_per_day` is 0 and no line escalates to it: a line of no images costs nothing"],
        ),
        case(
            "negative prompt tokens in a plan",
            &["plan", "@TMP/negative-tokens.toml"],
            4,
            &["`prompt_tokens` is -1: give a whole number, 0 or more"],
        ),
        case("a schema in CSV", &["schema", "quote", "--format", "csv"], 2, &["writes a JSON Schema"]),
        case("a manual page in JSON", &["man", "--format", "json"], 2, &["writes a manual page in roff"]),
        case(
            "an empty --where",
            &["sql", "--dialect", "bigquery", "--table", "t", "--column", "c", "--where", ""],
            2,
            &["--where", "is empty"],
        ),
        case(
            "a thousands comma in --counts",
            &["compare", "--counts", "1,000"],
            2,
            &["`1,000` was read as `1` and `000`", "write 1000 or 1_000"],
        ),
        Case {
            name: "a plan and a card both from stdin",
            args: &["plan", "-", "--rates", "-"],
            stdin: Some(b"[plan]\nname = \"x\"\n".to_vec()),
            code: 2,
            words: &["--rates and the plan both read stdin", "give one of them as a file"],
        },
        case("zero days", &["budget", "--amount", "5", "--days", "0"], 2, &["days must be at least 1"]),
        case(
            "a negative count",
            &["quote", "-m", "flash", "--count", "-5"],
            2,
            &["`-5` is negative", "at least 1"],
        ),
        case(
            "a missing card given to diff",
            &["diff", "default", "@TMP/no-such-card.toml"],
            3,
            &["the new card", "no-such-card.toml", "given to `diff`", "`default`", "2026-04, 2026-10"],
        ),
        case(
            "a plan's [line] written as a table",
            &["plan", "@TMP/line-as-table.toml"],
            4,
            &["line 3", "`line` must be an array of tables", "`[[line]]`"],
        ),
        case(
            "a plan's [line] written as a table twice",
            &["plan", "@TMP/line-twice-as-table.toml"],
            4,
            &["`line` must be an array of tables", "`[[line]]`"],
        ),
        case(
            "a plan's volume written as a float",
            &["plan", "@TMP/float-volume.toml"],
            4,
            &["`images_per_month` is `1e4`", "a whole number such as 10000"],
        ),
        case(
            "an unknown model names the card chosen",
            &["--rates", "2026-04", "quote", "-m", "nano-banana-2.1", "-n", "1"],
            2,
            &["unknown model `nano-banana-2.1` in the embedded card 2026-04 (April 2026)"],
        ),
        case(
            "unknown model, nearest name suggested",
            &["quote", "-m", "flsh", "-n", "1"],
            2,
            &["unknown model `flsh`", "did you mean `flash`"],
        ),
        case(
            "unknown model, far from any name",
            &["quote", "-m", "dall-e-3", "-n", "1"],
            2,
            &["unknown model `dall-e-3`", "nbcost rates"],
        ),
        case(
            "a size the model lacks",
            &["quote", "-m", "pro", "-s", "512", "-n", "1"],
            2,
            &["has no size `512`", "it offers 1K, 2K, 4K"],
        ),
        case(
            "a size that does not exist",
            &["quote", "-m", "flash", "-s", "1024", "-n", "1"],
            2,
            &["unknown image size `1024`", "use one of 512, 1K, 2K, 4K"],
        ),
        case(
            "a lane the model lacks",
            &["quote", "-m", "flash", "--lane", "flex", "-n", "1"],
            2,
            &["has no flex lane", "it has standard, batch"],
        ),
        case(
            "a lane that does not exist",
            &["quote", "-m", "flash", "--lane", "bulk", "-n", "1"],
            2,
            &["unknown lane `bulk`"],
        ),
        case("a negative count", &["quote", "-m", "flash", "--count", "-5"], 2, &["`-5` is negative"]),
        case(
            "a count in exponent form",
            &["quote", "-m", "flash", "--count", "1e3"],
            2,
            &["`1e3` is not a whole number", "1000"],
        ),
        case(
            "a fractional count",
            &["quote", "-m", "flash", "--count", "2.5"],
            2,
            &["`2.5` is not a whole number"],
        ),
        case("a count of zero", &["quote", "-m", "flash", "--count", "0"], 2, &["give at least 1"]),
        case(
            "a count past u64",
            &["quote", "-m", "flash", "--count", "99999999999999999999999"],
            2,
            &["more than nbcost can count"],
        ),
        case("a missing count", &["quote", "-m", "flash"], 2, &["--count"]),
        case(
            "negative prompt tokens",
            &["quote", "-m", "flash", "-n", "1", "--prompt-tokens", "-3"],
            2,
            &["is negative"],
        ),
        case(
            "reference images past u64 tokens",
            &["quote", "-m", "flash", "-n", "1", "--input-images", "18446744073709551615"],
            4,
            &["too large to compute exactly"],
        ),
        Case {
            name: "a price finer than any price, which made one image \"too large\"",
            args: &["--rates", "-", "quote", "-m", "ex", "-s", "2K", "-n", "1"],
            stdin: Some(
                std::fs::read_to_string("tests/fixtures/cards/custom.toml")
                    .unwrap()
                    .replace("image_output = 40", "image_output = \"0.0000000000000000000000001\"")
                    .into_bytes(),
            ),
            code: 3,
            words: &["line 19", "`image_output`: ", "has more than 12 decimals", "round it"],
        },
        case(
            "a huge custom price that overflows",
            &[
                "--rates",
                "tests/fixtures/cards/huge-price.toml",
                "quote",
                "-m",
                "ex",
                "-s",
                "4K",
                "-n",
                "1000000",
            ],
            4,
            &["too large to compute exactly"],
        ),
        case(
            "an unknown format",
            &["quote", "-m", "flash", "-n", "1", "--format", "xml"],
            2,
            &["invalid value 'xml'", "table, json, csv, markdown"],
        ),
        case("an unknown color mode", &["rates", "--color", "sometimes"], 2, &["invalid value 'sometimes'"]),
        case(
            "an unknown basis",
            &["quote", "-m", "flash", "-n", "1", "--basis", "invoice"],
            2,
            &["invalid value 'invoice'"],
        ),
        case("an unknown command", &["price"], 2, &["unrecognized subcommand 'price'"]),
        case(
            "compare with nothing left",
            &["compare", "--lanes", "priority", "--sizes", "512"],
            2,
            &["no model in the card offers 512 on priority"],
        ),
        case(
            "budget for a size the one model named does not make",
            &["budget", "--amount", "500", "--model", "lite", "--size", "2K"],
            2,
            &["error: Nano Banana 2 Lite makes 1K only"],
        ),
        case(
            "compare on lanes the one model named does not publish",
            &["compare", "--models", "nano-banana-2.1", "--lanes", "batch,flex"],
            2,
            &["error: Nano Banana 2.1 publishes the standard lane only"],
        ),
        case(
            "compare with a bad baseline",
            &["compare", "--baseline", "flash:8K"],
            2,
            &["unknown image size `8K`"],
        ),
        case(
            "compare with an unknown model",
            &["compare", "--models", "flash,nope"],
            2,
            &["unknown model `nope`"],
        ),
        case(
            "rates show of an unknown model",
            &["rates", "show", "midjourney"],
            2,
            &["unknown model `midjourney`"],
        ),
        case(
            "an empty rate card",
            &["--rates", "tests/fixtures/cards/empty.toml", "rates"],
            3,
            &["empty.toml", "the card is empty"],
        ),
        case(
            "a binary rate card",
            &["--rates", "tests/fixtures/cards/binary.toml", "rates"],
            3,
            &["binary.toml", "not UTF-8 text"],
        ),
        case(
            "a non-UTF-8 rate card",
            &["rates", "check", "@TMP/latin1.toml"],
            3,
            &["latin1.toml", "not UTF-8 text"],
        ),
        case("a rate card cut in half", &["rates", "check", "@TMP/cut.toml"], 3, &["cut.toml", "line 2"]),
        case(
            "a 10 MB rate card of nonsense",
            &["rates", "check", "@TMP/nonsense.toml"],
            3,
            &["nonsense.toml", "larger than 1 MiB"],
        ),
        case(
            "a rate card with a duplicate alias",
            &["rates", "check", "tests/fixtures/cards/duplicate-alias.toml"],
            3,
            &["names `EX` twice"],
        ),
        case(
            "a rate card with a negative price",
            &["rates", "check", "tests/fixtures/cards/negative-price.toml"],
            3,
            &["price.standard", "is negative (-0.12)"],
        ),
        case(
            "a rate card with an unknown key",
            &["rates", "check", "tests/fixtures/cards/unknown-key.toml"],
            3,
            &["unknown field `colour`"],
        ),
        case(
            "a rate card with a grade it does not know",
            &["rates", "check", "tests/fixtures/cards/bad-grade.toml"],
            3,
            &["tokens.flex.grade", "is `rumoured`, not a grade"],
        ),
        case(
            "a rate card whose default size it lacks",
            &["rates", "check", "tests/fixtures/cards/bad-default-size.toml"],
            3,
            &["default_size", "`512` is not one of the model's sizes"],
        ),
        case(
            "a missing rate card",
            &["--rates", "@TMP/no-such-card.toml", "rates"],
            3,
            &["cannot read rate card", "no-such-card.toml"],
        ),
        case(
            "a directory where a rate card is expected",
            &["rates", "check", "tests/fixtures"],
            3,
            &["cannot read rate card `tests/fixtures`"],
        ),
        case("an empty plan file", &["plan", "@TMP/empty.toml"], 4, &["empty.toml"]),
        case(
            "a plan line with an escalation loop",
            &["plan", "tests/fixtures/plans/loop.toml"],
            4,
            &["makes a loop", "drafts", "finals"],
        ),
        case(
            "a plan with an unknown key",
            &["plan", "tests/fixtures/plans/unknown-key.toml"],
            4,
            &["unknown-key.toml"],
        ),
        case("a missing plan file", &["plan", "@TMP/no-such-plan.toml"], 4, &["no-such-plan.toml"]),
        case("a directory where a plan is expected", &["plan", "tests/fixtures"], 4, &["tests/fixtures"]),
        case(
            "a 10 MB plan of nonsense",
            &["plan", "@TMP/nonsense.toml"],
            4,
            &["nonsense.toml", "larger than 1 MiB"],
        ),
        case(
            "a budget that is not money",
            &["budget", "--amount", "lots"],
            2,
            &["`lots` is not an amount of money"],
        ),
        case("a negative budget", &["budget", "--amount", "-5"], 2, &["is negative"]),
        case(
            "diff against a broken card",
            &["diff", "default", "tests/fixtures/cards/negative-price.toml"],
            3,
            &["is negative"],
        ),
        case(
            "a what-if lane that does not exist",
            &["plan", "examples/plan.toml", "--what-if", "standard"],
            2,
            &["invalid value 'standard'"],
        ),
        case(
            "tally: a JSON line cut in half, under --strict",
            &["tally", "@TMP/cut.jsonl", "--strict"],
            4,
            &["cut.jsonl", "line 2 is malformed", "drop --strict"],
        ),
        case(
            "estimate: an output file (one line cut in half), under --strict",
            &["estimate", "@TMP/cut.jsonl", "-m", "flash", "--strict"],
            4,
            &["cut.jsonl", "holds responses, not requests", "use `nbcost tally`"],
        ),
        case(
            "tally: a 10 MB line of nonsense, under --strict",
            &["tally", "@TMP/nonsense.jsonl", "--strict"],
            4,
            &["nonsense.jsonl", "line 1 is malformed"],
        ),
        case(
            "estimate: a non-UTF-8 line, under --strict",
            &["estimate", "@TMP/latin1.jsonl", "-m", "pro", "--strict"],
            4,
            &["latin1.jsonl", "line 1"],
        ),
        case(
            "tally: a batch input file, not output",
            &["tally", "tests/fixtures/batch/input-mixed.jsonl"],
            4,
            &["input-mixed.jsonl` is a batch input file (requests, not responses)", "use `nbcost estimate`"],
        ),
        case(
            "tally: a batch input file, under --strict",
            &["tally", "tests/fixtures/batch/input-mixed.jsonl", "--strict"],
            4,
            &["is a batch input file", "use `nbcost estimate`"],
        ),
        case(
            "tally: a binary file (a PNG image)",
            &["tally", "@TMP/image.png"],
            4,
            &["image.png` is not JSON (binary data)"],
        ),
        case(
            "tally: a text file that is not JSON",
            &["tally", "@TMP/notes.txt"],
            4,
            &["notes.txt` has no response nbcost can read", "line 1"],
        ),
        case(
            "estimate: an output file, not input",
            &["estimate", "tests/fixtures/batch/output-clean.jsonl.gz", "-m", "flash"],
            4,
            &["output-clean.jsonl.gz` holds responses, not requests", "use `nbcost tally`"],
        ),
        case(
            "estimate: a binary file",
            &["estimate", "@TMP/image.png", "-m", "flash"],
            4,
            &["image.png` is not JSON (binary data)"],
        ),
        case(
            "tally: an empty file, the only one given",
            &["tally", "@TMP/empty.jsonl"],
            4,
            &["nothing to tally", "empty.jsonl` is empty"],
        ),
        case(
            "estimate: an empty file",
            &["estimate", "@TMP/empty.jsonl", "-m", "flash"],
            4,
            &["nothing to estimate", "empty.jsonl` is empty"],
        ),
        case(
            "tally: a malformed line among responses makes the total incomplete",
            &["tally", "@TMP/cut.jsonl"],
            6,
            &["the total is INCOMPLETE: 1 malformed line skipped"],
        ),
        case(
            "tally: a JSON document cut short",
            &["tally", "@TMP/cut.json"],
            4,
            &["cut.json` is not JSON", "at line 3"],
        ),
        case(
            "tally: a batch job whose results are in a file",
            &["tally", "@TMP/job.json"],
            4,
            &["job.json` is a batch job", "files/batch-123", "download"],
        ),
        case(
            "tally: a model the card does not know",
            &["tally", "@TMP/unknown-model.jsonl"],
            6,
            &["the total is INCOMPLETE: 1 response not priced"],
        ),
        case(
            "tally: an empty usageMetadata is not priced, never $0",
            &["tally", "@TMP/usage-empty.jsonl"],
            6,
            &["1 response not priced"],
        ),
        case(
            "tally: a usageMetadata with only totalTokenCount is not priced, never $0",
            &["tally", "@TMP/usage-total-only.jsonl"],
            6,
            &["1 response not priced"],
        ),
        case(
            "tally: a usageMetadata with only the lane fields is not priced, never $0",
            &["tally", "@TMP/usage-tier-only.jsonl"],
            6,
            &["1 response not priced"],
        ),
        case(
            "tally: a chat completion whose usage gives only total_tokens is not priced, never $0",
            &["tally", "@TMP/chat-total-only.jsonl"],
            6,
            &["1 response not priced"],
        ),
        case(
            "tally: an interaction whose usage gives only total_tokens is not priced, never $0",
            &["tally", "@TMP/interaction-total-only.jsonl"],
            6,
            &["1 response not priced"],
        ),
        case(
            "tally: an agent event holding an image and no usage is not priced, never $0",
            &["tally", "@TMP/adk-image-no-usage.jsonl"],
            6,
            &["1 response not priced"],
        ),
        case(
            "tally: a bare usage block names no model: not priced without --model",
            &["tally", "@TMP/bare-usage.jsonl"],
            6,
            &["1 response not priced"],
        ),
        case(
            "tally: one line holding a NUL among good lines is a malformed line, not a binary file",
            &["tally", "@TMP/one-nul.jsonl"],
            6,
            &["1 malformed line skipped"],
        ),
        case(
            "tally: a UTF-16 file says so and how to convert it",
            &["tally", "@TMP/utf16.jsonl"],
            4,
            &["utf16.jsonl` is UTF-16 text", "iconv -f UTF-16 -t UTF-8"],
        ),
        case(
            "tally: bytes after the gzip data are trailing garbage, not a truncated file",
            &["tally", "@TMP/garbage.jsonl.gz"],
            4,
            &["garbage.jsonl.gz", "trailing garbage", "past line 1"],
        ),
        case(
            "tally: a file of blank lines only says how many",
            &["tally", "@TMP/blank-lines.jsonl"],
            4,
            &["nothing to tally", "blank-lines.jsonl` has no responses in 3,145,728 blank lines"],
        ),
        case(
            "estimate: a file of blank lines only says how many",
            &["estimate", "@TMP/blank-lines.jsonl", "-m", "flash"],
            4,
            &["nothing to estimate", "blank-lines.jsonl` has no requests in 3,145,728 blank lines"],
        ),
        case(
            "tally: model versions the card does not know, past the first 50, share a row",
            &["tally", "@TMP/many-versions.jsonl"],
            6,
            &["60 responses not priced"],
        ),
        case(
            "tally: a missing file",
            &["tally", "@TMP/no-such-output.jsonl"],
            4,
            &["cannot open", "no-such-output.jsonl"],
        ),
        case(
            "estimate: a directory where a file is expected",
            &["estimate", "tests/fixtures", "-m", "flash"],
            4,
            &["cannot open `tests/fixtures`"],
        ),
        case(
            "estimate: an unknown model",
            &["estimate", "@TMP/empty.jsonl", "-m", "flsh"],
            2,
            &["unknown model `flsh`", "did you mean `flash`"],
        ),
        case(
            "tally: a truncated gzip file",
            &["tally", "tests/fixtures/batch/output-truncated.jsonl.gz"],
            4,
            &["output-truncated.jsonl.gz"],
        ),
        case(
            "tally: a truncated zstd file",
            &["tally", "tests/fixtures/batch/output-mixed-truncated.jsonl.zst"],
            4,
            &["output-mixed-truncated.jsonl.zst", "past line 1", "truncated"],
        ),
        case(
            "tally: one file given twice, by two paths, is tallied once",
            &[
                "tally",
                "tests/fixtures/batch/output-clean.jsonl.gz",
                "./tests/fixtures/batch/output-clean.jsonl.gz",
            ],
            0,
            &[
                "warning: `./tests/fixtures/batch/output-clean.jsonl.gz` is given more than once: it is tallied once",
            ],
        ),
        Case {
            name: "tally: a JSON line cut in half on stdin, under --strict",
            args: &["tally", "-", "--strict"],
            stdin: Some(b"{\"key\":\"a\",\"response\":{\"usageMeta".to_vec()),
            code: 4,
            words: &["line 1 is malformed"],
        },
    ]
}

#[test]
fn every_bad_input_fails_cleanly_with_a_helpful_one_line_error() {
    let dir = scratch();
    let cases = catalogue();
    assert!(cases.len() >= 66, "the catalogue keeps at least 66 rows");
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<String> =
            case.args.iter().map(|arg| arg.replace("@TMP/", &format!("{}/", dir.display()))).collect();
        let mut child = Command::new(env!("CARGO_BIN_EXE_nbcost"))
            .args(&args)
            .env("NBCOST_TODAY", "2026-11-21")
            .env("RUST_BACKTRACE", "1")
            .env_remove("NBCOST_RATES")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        if let Some(bytes) = &case.stdin {
            let mut stdin = stdin;
            // A command that refuses before reading stdin closes it: fine.
            if let Err(err) = stdin.write_all(bytes) {
                assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{args:?}");
            }
        }
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut problems = Vec::new();
        if output.status.code() != Some(case.code) {
            problems.push(format!("exit {:?}, want {}", output.status.code(), case.code));
        }
        for word in case.words {
            if !stderr.contains(word) {
                problems.push(format!("stderr lacks `{word}`"));
            }
        }
        if stderr.contains("panicked")
            || stderr.contains("stack backtrace")
            || stderr.contains("RUST_BACKTRACE")
        {
            problems.push("panicked or printed a backtrace".into());
        }
        if stderr.chars().any(|ch| ch.is_control() && ch != '\n') {
            problems.push("wrote a control character to stderr".into());
        }
        if case.code != 0 {
            let errors: Vec<&str> = stderr.lines().filter(|line| line.starts_with("error:")).collect();
            if errors.len() != 1 {
                problems.push(format!("want one `error:` line, got {}", errors.len()));
            }
            // An incomplete tally still reports what it priced, and must say
            // what it did not; nothing else prints a price on failure.
            let priced_at_zero = stdout.contains("$0.00") || stdout.contains("\"0.00\"");
            if case.code == 6 {
                let says_what = stdout.contains("not priced") || stdout.contains("skipped");
                if !says_what || !stdout.contains("INCOMPLETE") {
                    problems.push("an incomplete total must say what it left out".into());
                }
                // The report names the parts and the fix; stderr only points at it.
                if errors.iter().any(|line| line.chars().count() > 100 || !line.ends_with("(see the report)"))
                {
                    problems.push(format!("an incomplete verdict is one short line: {errors:?}"));
                }
            } else if priced_at_zero {
                problems.push("priced something at $0".into());
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n  stderr: {}", case.name, problems.join("; "), stderr.trim()));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A worker thread that cannot start (a low `ulimit -u`; here a stack too
/// large to map, which fails the same way without privileges) is no panic:
/// the scan goes on with the threads it has, or on one.
#[test]
fn a_scan_whose_threads_cannot_start_reads_on_one() {
    let tally = |threads: &str, stack: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nbcost"));
        command
            .args(["tally", "tests/fixtures/batch/output-mixed.jsonl", "--threads", threads])
            .env("NBCOST_TODAY", "2026-11-21")
            .env_remove("NBCOST_RATES");
        if let Some(stack) = stack {
            command.env("RUST_MIN_STACK", stack);
        }
        command.output().unwrap()
    };
    let one = tally("1", None);
    let refused = tally("4", Some("100000000000000"));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(refused.status.code(), one.status.code(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&one.stdout));
}

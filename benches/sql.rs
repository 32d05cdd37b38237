//! Times `nbcost sql`'s DuckDB query beside `nbcost tally` on the same
//! rows, in one run: a synthetic file of every kind of line (the `mixed`
//! generator: every model and version spelling, every lane, errors,
//! malformed lines, grounding; 40-byte images, as a log table that keeps
//! usage rather than pictures would hold) is tallied from the page cache,
//! then loaded into an in-memory DuckDB table (one VARCHAR column, the
//! load timed apart) and the generated query is run on it. Both totals are
//! printed, and must be equal.
//!
//! It prints the size of both dialects' queries, the DuckDB query's time
//! (in the engine, the rows already loaded) and `tally`'s (the whole
//! process, reading the file), run in turn (tally, query, tally, ...) so
//! that a machine whose speed drifts slows both alike; each is the median
//! of the rounds, and the ratio is the median of each round's ratio, with
//! the lowest and highest.
//!
//! `cargo bench --bench sql`; `NBCOST_BENCH_ROWS` sets the rows (default
//! 100,000, about 56 MB), `NBCOST_BENCH_RUNS` the rounds (default 11).
//! Needs the Python of `tests/sql/setup.sh` (DuckDB), or
//! `NBCOST_SQL_PYTHON`. The file is written once, to `target/bench-data/`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use nbcost::synth::{SynthSpec, write_batch_output};

const NBCOST: &str = env!("CARGO_BIN_EXE_nbcost");

/// Loads the file, then runs `tally` (a whole process) and the query in
/// turn, `rounds` times; prints the load time, the median of each, the
/// median, lowest and highest ratio of a round, the rows, and the query's
/// total cost.
const DUCKDB_TIMER: &str = r#"
import duckdb, subprocess, sys, time
path, query_path, threads, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tally = sys.argv[5:]
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
con.execute("SET enable_progress_bar = false")
start = time.perf_counter()
con.execute(f"""CREATE TABLE responses AS SELECT column0 AS line FROM read_csv('{path}',
    columns = {{'column0': 'VARCHAR'}}, delim = '\x1f', quote = '', escape = '', header = false,
    auto_detect = false, strict_mode = false)""")
load = time.perf_counter() - start
rows = con.execute("SELECT count(*) FROM responses").fetchone()[0]
query = open(query_path).read()
tally_times, query_times, total = [], [], None
for _ in range(rounds):
    start = time.perf_counter()
    done = subprocess.run(tally, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tally_times.append(time.perf_counter() - start)
    assert done.returncode in (0, 6), f"tally exited {done.returncode}"
    start = time.perf_counter()
    result = con.execute(query).fetchall()
    query_times.append(time.perf_counter() - start)
    total = [row for row in result if row[11] == "total"][0][10]
ratios = sorted(q / t for q, t in zip(query_times, tally_times))
median = lambda values: sorted(values)[len(values) // 2]
print(f"{load:.3f} {median(tally_times):.3f} {median(query_times):.3f} {median(ratios):.2f} {ratios[0]:.2f} {ratios[-1]:.2f} {rows} {total}")
"#;

fn main() {
    let rows: u64 =
        std::env::var("NBCOST_BENCH_ROWS").ok().and_then(|text| text.parse().ok()).unwrap_or(100_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("NBCOST_SQL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/sql-venv/bin/python"));
    let file = data_file(root, rows);
    let bytes = std::fs::metadata(&file).expect("bench file").len();
    let lines = std::fs::read(&file).expect("bench file").iter().filter(|&&byte| byte == b'\n').count();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!("{lines} rows, {:.1} MB, {threads} threads", bytes as f64 / 1e6);

    let query_of = |dialect: &str| {
        run(Command::new(NBCOST).args([
            "sql",
            "--dialect",
            dialect,
            "--table",
            "responses",
            "--column",
            "line",
            "-q",
        ]))
    };
    let query = query_of("duckdb");
    println!("query size: duckdb {} bytes, bigquery {} bytes", query.len(), query_of("bigquery").len());
    let query_path = file.with_extension("duckdb.sql");
    std::fs::write(&query_path, query).expect("write the query");

    let rounds: usize =
        std::env::var("NBCOST_BENCH_RUNS").ok().and_then(|text| text.parse().ok()).unwrap_or(11).max(1);
    let report = run(Command::new(NBCOST).arg("tally").arg(&file).args(["--format", "json", "-q"]));
    let report: serde_json::Value = serde_json::from_str(&report).expect("tally's JSON");
    let tally_total = report["total"]["cost"].as_str().expect("a total").to_string();

    let timer = Command::new(&python)
        .args(["-c", DUCKDB_TIMER])
        .arg(&file)
        .arg(&query_path)
        .arg(threads.to_string())
        .arg(rounds.to_string())
        .arg(NBCOST)
        .arg("tally")
        .arg(&file)
        .args(["--format", "json", "-q"])
        .env("NBCOST_TODAY", "2026-11-21")
        .output()
        .expect("run Python; make it with `bash tests/sql/setup.sh`");
    assert!(timer.status.success(), "DuckDB: {}", String::from_utf8_lossy(&timer.stderr));
    let out = String::from_utf8(timer.stdout).unwrap();
    let fields: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(fields.len(), 8, "DuckDB said: {out}");
    let number = |at: usize| -> f64 { fields[at].parse().unwrap() };
    let (load, tally, query) = (fields[0], number(1), number(2));
    let (ratio, lowest, highest, sql_total) = (fields[3], fields[4], fields[5], fields[7]);

    println!("| run | seconds | rows per second |");
    println!("|---|---:|---:|");
    let rate = |seconds: f64| format!("{:.0}", lines as f64 / seconds);
    println!("| `nbcost tally`, whole process (median of {rounds}) | {tally:.3} | {} |", rate(tally));
    println!(
        "| DuckDB, the `nbcost sql` query, in the engine (median of {rounds}) | {query:.3} | {} |",
        rate(query)
    );
    println!("| DuckDB, loading the rows (once, not in the query) | {load} | |");
    println!(
        "DuckDB query / tally: {ratio}x (median of {rounds} rounds; lowest {lowest}x, highest {highest}x)"
    );
    println!("total: tally {tally_total}, DuckDB {sql_total}");
    let same = tally_total.parse::<rust_decimal::Decimal>().unwrap()
        == sql_total.parse::<rust_decimal::Decimal>().unwrap();
    assert!(same, "the totals differ");
}

/// The synthetic file of about `rows` lines, written once.
fn data_file(root: &Path, rows: u64) -> PathBuf {
    let dir = root.join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench data directory");
    let path = dir.join(format!("sql-mixed-{rows}.jsonl"));
    if !path.exists() {
        // About 560 bytes a line with 40-byte images.
        let spec = SynthSpec {
            target_bytes: rows * 560,
            seed: 2026,
            payload_bytes: 40,
            error_percent: 3,
            duplicate_percent: 1,
            bare_percent: 40,
            broken_percent: 1,
            mixed: true,
            ..SynthSpec::default()
        };
        let partial = path.with_extension("partial");
        let mut out = BufWriter::new(std::fs::File::create(&partial).expect("create"));
        write_batch_output(&spec, &mut out).expect("write");
        out.flush().expect("flush");
        drop(out);
        std::fs::rename(&partial, &path).expect("rename");
    }
    path
}

/// Runs `command` (exit 0, or 6 for an incomplete total) and returns stdout.
fn run(command: &mut Command) -> String {
    let output = command.env("NBCOST_TODAY", "2026-11-21").output().expect("run nbcost");
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 6, "exit {code}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8")
}

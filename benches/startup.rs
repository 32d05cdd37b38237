//! Start-up: how long `nbcost --version` and the README's main job (`nbcost
//! quote --model flash --size 2K --count 1000`) take as whole processes,
//! beside an empty Rust program (`fn main() {}`, built here with the same
//! release settings: opt-level 3, LTO, one codegen unit, stripped, abort on
//! panic), which is the floor any Rust command line starts from.
//!
//! The three run in turn (empty, version, quote, empty, ...) so that a
//! machine whose speed drifts slows all of them alike; each figure is the
//! median of the runs, and the ratios are each command's median over the
//! empty program's. `cargo bench --bench startup`; `NBCOST_BENCH_RUNS` sets
//! the runs (default 400).
//!
//! The binary built alongside the benchmark carries the test-only `synth`
//! feature (the dev-dependency on this package turns it on): 30 KB more code
//! than `cargo build --release` makes, laid out otherwise, and it starts
//! slower (docs/speed.md); `NBCOST_BENCH_BIN=target/release/nbcost` times
//! the release binary instead.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The command-line binary built alongside the benchmark.
const NBCOST: &str = env!("CARGO_BIN_EXE_nbcost");

fn main() {
    let runs: usize =
        std::env::var("NBCOST_BENCH_RUNS").ok().and_then(|runs| runs.parse().ok()).unwrap_or(400);
    let binary = std::env::var("NBCOST_BENCH_BIN").unwrap_or_else(|_| NBCOST.to_string());
    let empty = empty_program();
    let nbcost = |args: &[&str]| -> Vec<String> {
        std::iter::once(binary.as_str()).chain(args.iter().copied()).map(str::to_string).collect()
    };
    let commands: [(&str, Vec<String>); 3] = [
        ("empty fn main() {}", vec![empty.display().to_string()]),
        ("nbcost --version", nbcost(&["--version"])),
        (
            "nbcost quote --model flash --size 2K --count 1000",
            nbcost(&["quote", "--model", "flash", "--size", "2K", "--count", "1000"]),
        ),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); commands.len()];
    for round in 0..runs + 10 {
        for (at, (_, args)) in commands.iter().enumerate() {
            let took = run(args);
            // The first rounds warm the page cache and are not counted.
            if round >= 10 {
                times[at].push(took);
            }
        }
    }
    let medians: Vec<Duration> = times.iter_mut().map(|runs| median(runs)).collect();
    println!("start-up, median of {runs} runs each, in turn:");
    println!("{:<52} {:>10} {:>8}", "command", "ms", "× empty");
    for ((name, _), took) in commands.iter().zip(&medians) {
        let ratio = took.as_secs_f64() / medians[0].as_secs_f64();
        println!("{name:<52} {:>10.3} {ratio:>8.2}", took.as_secs_f64() * 1000.0);
    }
}

/// Builds `fn main() {}` with the release profile's settings (`Cargo.toml`),
/// once.
fn empty_program() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let source = dir.join("empty_main.rs");
    let binary = dir.join("empty_main");
    std::fs::write(&source, "fn main() {}\n").expect("write the empty program");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let status = Command::new(rustc)
        .args(["-C", "opt-level=3", "-C", "lto", "-C", "codegen-units=1", "-C", "strip=symbols"])
        .args(["-C", "panic=abort", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .expect("run rustc");
    assert!(status.success(), "rustc could not build the empty program");
    binary
}

/// One whole run of `args`, output thrown away.
fn run(args: &[String]) -> Duration {
    let start = Instant::now();
    let status = Command::new(&args[0])
        .args(&args[1..])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("start the command");
    let took = start.elapsed();
    assert!(status.success(), "{args:?} failed");
    took
}

fn median(runs: &mut [Duration]) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

//! Times nbcost's output scanner against the floor (`wc -l`) and the tools
//! people would otherwise reach for (`jq`, a Python `json.loads` loop), on
//! a synthetic batch output file with ~500 KB images, read from the page
//! cache; then measures the scanner's peak memory in a fresh process.
//!
//! It also runs the real commands, `nbcost tally` on the output file and
//! `nbcost estimate` on a synthetic input file of the same size, and
//! reports their peak memory where `/usr/bin/time` is installed.
//!
//! Compressed input: `nbcost tally` on gzip and zstd copies of the output
//! file, beside `gzip -dc`, `pigz -dc` and `zstd -dc` on the same copies
//! where those tools are installed (a missing one is skipped, with a line
//! saying so). Their GB/s are of the uncompressed bytes, so every row
//! compares with `wc -l` on the plain file.
//!
//! `cargo bench --bench tally`; `NBCOST_BENCH_BYTES` sets the file size
//! (default 1 GB). The files, plain and compressed, are written once and
//! kept in `target/bench-data/` for reuse.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nbcost::batch::UsageSums;
use nbcost::scan::{OutputLine, ScanOptions, open_path, scan_lines};
use nbcost::synth::{SynthSpec, write_batch_input, write_batch_output};

/// The command-line binary built alongside the benchmark.
const NBCOST: &str = env!("CARGO_BIN_EXE_nbcost");

/// Set in the child process that measures peak memory: `PATH THREADS`.
const CHILD_VARIABLE: &str = "NBCOST_BENCH_CHILD";

const PYTHON_LOOP: &str = r#"
import json, sys
totals = [0, 0, 0, 0]
names = [("promptTokenCount", "prompt_token_count"), ("candidatesTokenCount", "candidates_token_count"),
         ("thoughtsTokenCount", "thoughts_token_count"), ("totalTokenCount", "total_token_count")]
with open(sys.argv[1], "rb") as f:
    for line in f:
        if not line.strip():
            continue
        record = json.loads(line)
        response = record.get("response", record)
        usage = response.get("usageMetadata") or response.get("usage_metadata")
        if usage:
            for i, (camel, snake) in enumerate(names):
                totals[i] += usage.get(camel, usage.get(snake, 0))
print(*totals)
"#;

fn main() {
    if let Ok(arguments) = std::env::var(CHILD_VARIABLE) {
        let (path, threads) = arguments.rsplit_once(' ').expect("PATH THREADS");
        let sums = scan_and_sum(Path::new(path), threads.parse().expect("threads"));
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let peak = status.lines().find(|line| line.starts_with("VmHWM")).unwrap_or("VmHWM: unknown");
        println!("{peak}\n{sums:?}");
        return;
    }
    let bytes: u64 = std::env::var("NBCOST_BENCH_BYTES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000_000_000);
    let path = bench_file(bytes, "output", write_output);
    let input_path = bench_file(bytes, "input", write_input);
    let size = std::fs::metadata(&path).expect("bench file").len();
    println!("file: {} ({:.3} GB)", path.display(), size as f64 / 1e9);
    let gzip_path = compressed_copy(&path, "gz", gzip_file);
    let zstd_path = compressed_copy(&path, "zst", zstd_file);
    for compressed in [&gzip_path, &zstd_path] {
        let compressed_size = std::fs::metadata(compressed).expect("compressed bench file").len();
        println!(
            "file: {} ({:.3} GB, {:.1}% of the plain file)",
            compressed.display(),
            compressed_size as f64 / 1e9,
            compressed_size as f64 / size as f64 * 100.0
        );
    }

    let mut rows: Vec<(String, Duration)> = Vec::new();
    // Warm the page cache and every code path once, untimed.
    warm(&path);
    scan_and_sum(&path, 1);

    rows.push(("wc -l".into(), time(|| run_quietly(Command::new("wc").arg("-l").arg(&path)))));
    let mut answers = Vec::new();
    for threads in [1, 2] {
        rows.push((
            format!("nbcost, {threads} thread(s)"),
            time(|| answers.push(scan_and_sum(&path, threads))),
        ));
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]), "threads must not change the answer");
    for threads in ["1", "2"] {
        let tally =
            [&["tally", "-q", "--format", "json", "--threads", threads][..], &[path.to_str().expect("path")]]
                .concat();
        rows.push((
            format!("nbcost tally, {threads} thread(s)"),
            time(|| run_quietly(Command::new(NBCOST).args(&tally))),
        ));
    }
    let input_size = std::fs::metadata(&input_path).expect("bench input file").len();
    warm(&input_path);
    let estimate =
        ["estimate", "-q", "--format", "json", "--model", "flash", input_path.to_str().expect("path")];
    let estimate_time = time(|| run_quietly(Command::new(NBCOST).args(estimate)));
    println!("nbcost token sums [prompt, candidates, thoughts, total]: {:?}", answers[0]);
    if on_path("jq") {
        let filter = ".response.usageMetadata // .response.usage_metadata";
        rows.push(("jq".into(), time(|| run_quietly(Command::new("jq").arg("-c").arg(filter).arg(&path)))));
    }
    if on_path("python3") {
        rows.push((
            "python3 json.loads".into(),
            time(|| run_quietly(Command::new("python3").arg("-c").arg(PYTHON_LOOP).arg(&path))),
        ));
    }

    for (label, compressed) in [(".gz", &gzip_path), (".zst", &zstd_path)] {
        warm(compressed);
        for threads in ["1", "2"] {
            let tally =
                ["tally", "-q", "--format", "json", "--threads", threads, compressed.to_str().expect("path")];
            rows.push((
                format!("nbcost tally {label}, {threads} thread(s)"),
                time(|| run_quietly(Command::new(NBCOST).args(tally))),
            ));
        }
    }
    for (tool, arguments, compressed) in
        [("gzip", ["-dc"], &gzip_path), ("pigz", ["-dc"], &gzip_path), ("zstd", ["-dc"], &zstd_path)]
    {
        let name = format!("{tool} {}", arguments.join(" "));
        if !on_path(tool) {
            println!("skipped `{name}`: {tool} is not installed");
            continue;
        }
        rows.push((name, time(|| run_quietly(Command::new(tool).args(arguments).arg(compressed)))));
    }

    let nbcost_seconds = rows[1].1.as_secs_f64();
    println!("\n{:<32} {:>9} {:>8} {:>14}", "tool", "seconds", "GB/s", "vs nbcost 1t");
    for (tool, elapsed) in &rows {
        let seconds = elapsed.as_secs_f64();
        println!(
            "{tool:<32} {seconds:>9.3} {:>8.2} {:>13.2}x",
            size as f64 / 1e9 / seconds,
            seconds / nbcost_seconds
        );
    }

    println!(
        "{:<32} {:>9.3} {:>8.2}   (input file, {:.3} GB)",
        "nbcost estimate",
        estimate_time.as_secs_f64(),
        input_size as f64 / 1e9 / estimate_time.as_secs_f64(),
        input_size as f64 / 1e9
    );
    let ratio =
        |tool: &str| rows.iter().find(|(name, _)| name == tool).map(|(_, elapsed)| elapsed.as_secs_f64());
    let fastest_tally = ["nbcost tally, 1 thread(s)", "nbcost tally, 2 thread(s)"]
        .into_iter()
        .filter_map(ratio)
        .fold(f64::INFINITY, f64::min);
    if let Some(wc) = ratio("wc -l") {
        println!("\nnbcost tally (faster run) takes {:.2}x the time of wc -l", fastest_tally / wc);
        for (label, tool) in [(".gz", "gzip -dc"), (".gz", "pigz -dc"), (".zst", "zstd -dc")] {
            let ours = ["1", "2"]
                .into_iter()
                .filter_map(|threads| ratio(&format!("nbcost tally {label}, {threads} thread(s)")))
                .fold(f64::INFINITY, f64::min);
            if let Some(theirs) = ratio(tool) {
                println!(
                    "nbcost tally {label} (faster run) takes {:.2}x the time of {tool} alone",
                    ours / theirs
                );
            }
        }
        for baseline in ["jq", "python3 json.loads"] {
            if let Some(other) = ratio(baseline) {
                println!("nbcost tally (faster run) is {:.1}x faster than {baseline}", other / fastest_tally);
            }
        }
    }

    if Path::new("/usr/bin/time").exists() {
        for arguments in [
            vec!["tally", "-q", "--format", "json", "--threads", "1", path.to_str().expect("path")],
            vec!["tally", "-q", "--format", "json", path.to_str().expect("path")],
            estimate.to_vec(),
        ] {
            let output = Command::new("/usr/bin/time")
                .args(["-f", "%M"])
                .arg(NBCOST)
                .args(&arguments)
                .stdout(Stdio::null())
                .output()
                .expect("run /usr/bin/time");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let kilobytes = stderr.lines().last().unwrap_or("unknown").trim();
            println!("peak RSS of `nbcost {}`: {kilobytes} kB", arguments[..arguments.len() - 1].join(" "));
        }
    }

    for threads in [1, 2] {
        let output = Command::new(std::env::current_exe().expect("own path"))
            .env(CHILD_VARIABLE, format!("{} {threads}", path.display()))
            .output()
            .expect("child scan");
        let report = String::from_utf8_lossy(&output.stdout);
        let peak = report.lines().next().unwrap_or("VmHWM: unknown");
        println!(
            "peak RSS of a fresh process scanning with {threads} thread(s): {}",
            peak.trim_start_matches("VmHWM:").trim()
        );
    }
}

/// Scans the file and sums prompt, candidates, thoughts and total tokens.
fn scan_and_sum(path: &Path, threads: usize) -> [u128; 4] {
    let options = ScanOptions { threads, ..ScanOptions::default() };
    let mut sums = UsageSums::default();
    let source = open_path(path).expect("open bench file");
    scan_lines(source, &options, |_, line: OutputLine| {
        if let OutputLine::Response { usage, content, .. } = line {
            sums.add(&usage, content);
        }
        ControlFlow::Continue(())
    })
    .expect("scan bench file");
    [sums.prompt, sums.candidates, sums.thoughts, sums.total]
}

/// A synthetic file of about `bytes`, written once by `write` and kept.
fn bench_file(bytes: u64, kind: &str, write: fn(&SynthSpec, &mut BufWriter<File>)) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let directory = target.join("bench-data");
    std::fs::create_dir_all(&directory).expect("bench-data directory");
    let path = directory.join(format!("{kind}-{bytes}.jsonl"));
    if !path.exists() {
        let partial = path.with_extension("partial");
        let spec = SynthSpec {
            target_bytes: bytes,
            seed: 2026,
            // jq stops at the first line that is not JSON; keep them out.
            broken_percent: 0,
            ..SynthSpec::default()
        };
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&partial).expect("create bench file"));
        write(&spec, &mut out);
        drop(out);
        std::fs::rename(&partial, &path).expect("rename bench file");
    }
    path
}

/// A compressed copy of `plain` beside it, written once by `compress` and
/// kept; `extension` is added to the plain file's name.
fn compressed_copy(plain: &Path, extension: &str, compress: fn(&Path, File)) -> PathBuf {
    let mut name = plain.as_os_str().to_owned();
    name.push(format!(".{extension}"));
    let path = PathBuf::from(name);
    if !path.exists() {
        let partial = path.with_extension(format!("{extension}.partial"));
        compress(plain, File::create(&partial).expect("create compressed bench file"));
        std::fs::rename(&partial, &path).expect("rename compressed bench file");
    }
    path
}

/// Gzip at level 6, the `gzip` command's default.
fn gzip_file(plain: &Path, out: File) {
    let mut encoder = flate2::write::GzEncoder::new(BufWriter::new(out), flate2::Compression::default());
    std::io::copy(&mut File::open(plain).expect("open bench file"), &mut encoder).expect("gzip bench file");
    encoder.finish().expect("finish gzip").flush().expect("flush gzip");
}

/// Zstandard at level 3, the `zstd` command's default.
fn zstd_file(plain: &Path, out: File) {
    let mut encoder = zstd::Encoder::new(BufWriter::new(out), 3).expect("zstd encoder");
    std::io::copy(&mut File::open(plain).expect("open bench file"), &mut encoder).expect("zstd bench file");
    encoder.finish().expect("finish zstd").flush().expect("flush zstd");
}

fn write_output(spec: &SynthSpec, out: &mut BufWriter<File>) {
    write_batch_output(spec, out).expect("write bench output file");
}

fn write_input(spec: &SynthSpec, out: &mut BufWriter<File>) {
    write_batch_input(spec, out).expect("write bench input file");
}

fn warm(path: &Path) {
    let mut file = File::open(path).expect("open bench file");
    let mut buffer = vec![0u8; 1 << 20];
    while file.read(&mut buffer).expect("read bench file") > 0 {}
}

/// The best of three runs: the page cache is warm, so the spread is noise
/// from other processes, and the minimum is the figure that repeats.
fn time(mut run: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .expect("three runs")
}

/// Runs a tool and checks it finished its work. Exit 6 counts: nbcost wrote
/// its report and says the total leaves something out (the synthetic files
/// hold unknown models, malformed lines and video parts on purpose).
fn run_quietly(command: &mut Command) {
    let status = command.stdout(Stdio::null()).stderr(Stdio::null()).status().expect("run tool");
    assert!(status.success() || status.code() == Some(6), "{command:?} failed: {status}");
}

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

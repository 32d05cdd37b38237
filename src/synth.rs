//! Test support, not part of the library's interface: deterministic
//! synthetic batch files for tests and benchmarks, seeded output and input
//! JSONL of any size, written together with the sums a correct scan of them
//! must find.
//!
//! Split by what it writes: `output` writes batch output (responses,
//! errors, every shape `mixed` asks for), `input` batch input (requests);
//! both draw from the one seeded `Writer` here.

mod input;
mod output;

pub use input::write_batch_input;
pub use output::write_batch_output;

/// The splitmix64 generator: tiny, fast, and the same numbers on every
/// platform for a given seed, which is all synthetic data needs.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// A number in `0..bound` (`bound` > 0); the slight bias of a modulo
    /// does not matter for test data.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const PROMPT_WORDS: [&str; 12] =
    ["a", "watercolor", "fox", "in", "the", "snow", "neon", "city", "at", "dusk", "product", "photo"];

/// What to put in a synthetic file. Percentages are of lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSpec {
    /// Stop after the line that reaches this many bytes.
    pub target_bytes: u64,
    /// The same seed gives the same file.
    pub seed: u64,
    /// Base64 characters per image (output images, or reference images in
    /// input files); each line varies it by up to 10%.
    pub payload_bytes: usize,
    /// Error lines (output) — no request is billed for them.
    pub error_percent: u64,
    /// Lines repeating the previous key.
    pub duplicate_percent: u64,
    /// Lines in snake_case instead of camelCase.
    pub snake_case_percent: u64,
    /// Lines without the `{"key", ...}` wrapper.
    pub bare_percent: u64,
    /// Blank lines.
    pub blank_percent: u64,
    /// Lines cut off mid-JSON.
    pub broken_percent: u64,
    /// Output of every kind a log or table may hold, not only one batch
    /// job's: every model of the embedded cards under every spelling of its
    /// version (preview and GA IDs, dated and Vertex AI versions, aliases'
    /// IDs in capitals), unknown models and responses without a
    /// `modelVersion`, bare responses served on each lane (`serviceTier`,
    /// `trafficType`, provisioned throughput, values no rule knows), Vertex
    /// AI batch prediction lines and their failures, text-only answers,
    /// sizes no card lists, and grounded responses. Off, the file is the same
    /// as before this option existed, seed for seed.
    pub mixed: bool,
}

impl Default for SynthSpec {
    /// 1 MiB of output-like data with ~500 KB images and a little of
    /// everything odd.
    fn default() -> Self {
        Self {
            target_bytes: 1 << 20,
            seed: 1,
            payload_bytes: 500_000,
            error_percent: 2,
            duplicate_percent: 1,
            snake_case_percent: 20,
            bare_percent: 5,
            blank_percent: 1,
            broken_percent: 1,
            mixed: false,
        }
    }
}

/// Writes names in camelCase or snake_case, and the separators with or
/// without spaces, for one line.
struct LineStyle {
    snake: bool,
    spaced: bool,
}

impl LineStyle {
    fn name<'a>(&self, camel: &'a str, snake: &'a str) -> &'a str {
        if self.snake { snake } else { camel }
    }

    fn colon(&self) -> &'static str {
        if self.spaced { ": " } else { ":" }
    }

    fn comma(&self) -> &'static str {
        if self.spaced { ", " } else { "," }
    }

    /// `"name":` in this line's casing and spacing.
    fn member(&self, out: &mut String, camel: &str, snake: &str) {
        out.push('"');
        out.push_str(self.name(camel, snake));
        out.push('"');
        out.push_str(self.colon());
    }
}

/// The random source plus a shared base64 pool that images are cut from.
struct Writer {
    rng: SplitMix64,
    pool: String,
    payload_bytes: usize,
}

impl Writer {
    fn new(spec: &SynthSpec) -> Self {
        const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut rng = SplitMix64::new(spec.seed);
        let pool_len = spec.payload_bytes + spec.payload_bytes / 10 + 4;
        let pool = (0..pool_len).map(|_| BASE64[rng.below(64) as usize] as char).collect();
        Self { rng, pool, payload_bytes: spec.payload_bytes }
    }

    /// A base64 string of about the payload size, ending in padding.
    fn payload(&mut self) -> &str {
        let spread = (self.payload_bytes / 10) as u64 + 1;
        let len = (self.payload_bytes as u64 - spread.min(self.payload_bytes as u64) / 2
            + self.rng.below(spread)) as usize;
        let start = self.rng.below(4) as usize;
        let len = len.min(self.pool.len() - start) / 4 * 4;
        &self.pool[start..start + len]
    }

    fn prompt(&mut self) -> String {
        let words = 3 + self.rng.below(20);
        (0..words).map(|_| *self.rng.pick(&PROMPT_WORDS)).collect::<Vec<_>>().join(" ")
    }

    fn key(&mut self, index: u64) -> String {
        match self.rng.below(40) {
            0 => format!("req-{index}-\\\"quoted\\\""),
            1 => format!("req-{index}-caf\\u00e9"),
            _ => format!("req-{index}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::batch::{sum_input_file, sum_output_file};
    use crate::scan::{ScanOptions, decompress};

    fn small_spec(seed: u64, target_bytes: u64, payload_bytes: usize) -> SynthSpec {
        SynthSpec {
            target_bytes,
            seed,
            payload_bytes,
            error_percent: 5,
            duplicate_percent: 5,
            blank_percent: 2,
            broken_percent: 2,
            ..SynthSpec::default()
        }
    }

    fn scan_options() -> Vec<ScanOptions> {
        [(1, 4 << 20), (2, 4 << 20), (2, 3000), (3, 777)]
            .into_iter()
            .map(|(threads, block_bytes)| ScanOptions { threads, block_bytes, ..ScanOptions::default() })
            .collect()
    }

    #[test]
    fn scanning_generated_output_finds_exactly_the_expected_totals() {
        for (seed, target, payload) in [(1, 3 << 20, 2000), (2, 3 << 20, 10_000), (3, 200_000, 100)] {
            let mut file = Vec::new();
            let expected = write_batch_output(&small_spec(seed, target, payload), &mut file).unwrap();
            assert!(expected.groups.len() >= 6, "seed {seed}: {:?}", expected.groups.keys());
            assert!(
                expected.error_lines > 0 && expected.duplicate_responses > 0 && expected.malformed_lines > 0
            );
            for options in scan_options() {
                assert_eq!(
                    sum_output_file("synthetic", &file[..], &options).unwrap(),
                    expected,
                    "seed {seed} {options:?}"
                );
            }
        }
    }

    #[test]
    fn scanning_generated_input_finds_exactly_the_expected_totals() {
        for (seed, target, payload) in [(1, 2 << 20, 1000), (4, 300_000, 40)] {
            let mut file = Vec::new();
            let expected = write_batch_input(&small_spec(seed, target, payload), &mut file).unwrap();
            assert!(expected.sizes.contains_key(&Some("2k".to_owned())));
            assert!(expected.sizes.contains_key(&None));
            assert!(expected.sizes.values().any(|totals| totals.inline_images > 0 && totals.file_parts > 0));
            assert!(expected.sizes.values().any(|totals| totals.other_media.video > 0));
            assert!(expected.sizes.values().any(|totals| totals.search_requests > 0));
            for options in scan_options() {
                assert_eq!(
                    sum_input_file("synthetic", &file[..], &options).unwrap(),
                    expected,
                    "seed {seed} {options:?}"
                );
            }
        }
    }

    #[test]
    fn gzip_and_zstd_files_scan_like_plain_ones() {
        use flate2::{Compression, write::GzEncoder};
        let spec = small_spec(9, 1 << 20, 3000);
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        let expected = write_batch_output(&spec, &mut encoder).unwrap();
        let compressed = encoder.finish().unwrap();
        let source = decompress(std::io::Cursor::new(compressed)).unwrap();
        assert_eq!(sum_output_file("synthetic.gz", source, &ScanOptions::default()).unwrap(), expected);

        let mut encoder = zstd::Encoder::new(Vec::new(), 1).unwrap();
        assert_eq!(write_batch_output(&spec, &mut encoder).unwrap(), expected);
        let compressed = encoder.finish().unwrap();
        let source = decompress(std::io::Cursor::new(compressed)).unwrap();
        assert_eq!(sum_output_file("synthetic.zst", source, &ScanOptions::default()).unwrap(), expected);
    }

    #[test]
    fn the_same_seed_writes_the_same_bytes() {
        let spec = small_spec(5, 100_000, 500);
        let (mut first, mut second) = (Vec::new(), Vec::new());
        write_batch_output(&spec, &mut first).unwrap();
        write_batch_output(&spec, &mut second).unwrap();
        assert_eq!(first, second);
        let other = SynthSpec { seed: 6, ..spec };
        let mut third = Vec::new();
        write_batch_output(&other, &mut third).unwrap();
        assert_ne!(first, third);
    }

    #[test]
    fn every_generated_line_is_read_the_same_by_fast_and_reference_paths() {
        let mut file = Vec::new();
        write_batch_output(&small_spec(11, 400_000, 200), &mut file).unwrap();
        let mut lines = 0;
        crate::scan::scan_lines(&file[..], &ScanOptions::default(), |_, line: crate::scan::OutputLine| {
            lines += 1;
            assert!(!matches!(line, crate::scan::OutputLine::Malformed { ref reason } if !reason.starts_with("not JSON")));
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(lines > 100);
    }
}

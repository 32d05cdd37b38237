//! What the two batch-file reports (`estimate`, `tally`) share: naming the
//! files read, counting their lines so the counts add up, listing the first
//! few lines of each kind of finding, and the ways reading a file fails.

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::path::Path;

use serde::Serialize;

use crate::error::{ErrorKind, Kind};
use crate::scan::{LineRecord, ScanError, ScanOptions, open_input, scan_lines};

/// How many lines of each kind of finding a report lists; the count is
/// always complete.
pub const SHOWN_PER_KIND: usize = 20;

/// Every sighting counted, the first [`SHOWN_PER_KIND`] kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sightings<T> {
    /// How many there were in all.
    pub count: u64,
    /// The first ones, in file order.
    pub shown: Vec<T>,
}

impl<T> Default for Sightings<T> {
    fn default() -> Self {
        Self { count: 0, shown: Vec::new() }
    }
}

impl<T> Sightings<T> {
    /// Counts one more; `make` builds its entry only while the list has room,
    /// so a million findings cost a counter, not a million allocations.
    pub fn record(&mut self, make: impl FnOnce() -> T) {
        self.count += 1;
        if self.shown.len() < SHOWN_PER_KIND {
            self.shown.push(make());
        }
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many were counted but not listed.
    pub fn not_shown(&self) -> u64 {
        self.count - self.shown.len() as u64
    }
}

/// A file as reports name it: its path as given, or `stdin` for `-`.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") { "stdin".to_string() } else { path.display().to_string() }
}

/// A malformed line: where it is and why it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MalformedLine {
    /// The file, as given (`stdin` for `-`).
    pub file: String,
    /// The 1-based line number in that file.
    pub line: u64,
    /// Why the line cannot be read, such as `not JSON: ... at byte 12`.
    pub reason: String,
}

/// Why a batch file could not be read through.
#[derive(Debug, thiserror::Error)]
pub enum BatchFileError {
    /// The file could not be opened.
    #[error("cannot open `{file}`: {reason}; check the path, or give - to read stdin")]
    Open {
        /// The file as given.
        file: String,
        /// What the system said.
        reason: io::Error,
    },
    /// Reading (or decompressing) failed part way.
    #[error(
        "cannot read `{file}` past line {line}: {reason}; a compressed file may be truncated: download it again"
    )]
    Read {
        /// The file as given.
        file: String,
        /// Lines read before the failure.
        line: u64,
        /// What the system or the gzip decoder said.
        reason: io::Error,
    },
    /// `--strict` met a line that cannot be read.
    #[error(
        "`{file}` line {line} is malformed ({reason}): fix or remove the line, or drop --strict to count malformed lines and go on"
    )]
    Malformed {
        /// The file as given.
        file: String,
        /// The 1-based line number.
        line: u64,
        /// Why the line cannot be read.
        reason: String,
    },
}

impl Kind for BatchFileError {
    fn kind(&self) -> ErrorKind {
        if self.is_bad_input() { ErrorKind::Input } else { ErrorKind::Failure }
    }
}

impl BatchFileError {
    /// Whether the failure lies in the data (a missing file, a corrupt or
    /// truncated stream, a malformed line) rather than in the machine.
    pub fn is_bad_input(&self) -> bool {
        match self {
            BatchFileError::Open { .. } | BatchFileError::Malformed { .. } => true,
            BatchFileError::Read { reason, .. } => matches!(
                reason.kind(),
                io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
            ),
        }
    }
}

/// Opens `path` (`-` for stdin, gzip or not) and reads it with
/// [`read_source`]. Returns the lines read.
pub fn read_file<L: LineRecord>(
    path: &Path,
    options: &ScanOptions,
    visit: impl FnMut(u64, L) -> Result<(), String>,
) -> Result<u64, BatchFileError> {
    let file = display_name(path);
    let source = open_input(path).map_err(|error| match error {
        ScanError::Open { source, .. } | ScanError::Read { source, .. } => {
            BatchFileError::Open { file: file.clone(), reason: source }
        }
    })?;
    read_source(&file, source, options, visit)
}

/// Hands every line of `source` (named `file` in errors) to `visit` as an
/// `L`, with its 1-based number; `visit` returns `Err` with a reason to
/// stop at a malformed line (`--strict`). Returns the lines read.
pub fn read_source<L: LineRecord, R: Read + Send>(
    file: &str,
    source: R,
    options: &ScanOptions,
    mut visit: impl FnMut(u64, L) -> Result<(), String>,
) -> Result<u64, BatchFileError> {
    let mut stopped: Option<(u64, String)> = None;
    let summary = scan_lines(source, options, |line_number, record: L| match visit(line_number, record) {
        Ok(()) => ControlFlow::Continue(()),
        Err(reason) => {
            stopped = Some((line_number, reason));
            ControlFlow::Break(())
        }
    })
    .map_err(|error| match error {
        ScanError::Read { lines_delivered, source } => {
            BatchFileError::Read { file: file.to_string(), line: lines_delivered, reason: source }
        }
        ScanError::Open { source, .. } => BatchFileError::Open { file: file.to_string(), reason: source },
    })?;
    match stopped {
        Some((line, reason)) => Err(BatchFileError::Malformed { file: file.to_string(), line, reason }),
        None => Ok(summary.lines),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_sighting_and_lists_the_first_few() {
        let mut seen = Sightings::default();
        for line in 1..=25u64 {
            seen.record(|| line);
        }
        assert_eq!(seen.count, 25);
        assert_eq!(seen.shown, (1..=20).collect::<Vec<_>>());
        assert_eq!(seen.not_shown(), 5);
    }

    #[test]
    fn names_stdin_and_paths_as_given() {
        assert_eq!(display_name(Path::new("-")), "stdin");
        assert_eq!(display_name(Path::new("out/batch.jsonl.gz")), "out/batch.jsonl.gz");
    }

    #[test]
    fn tells_bad_data_from_a_failing_machine() {
        let read = |kind| BatchFileError::Read { file: "f".into(), line: 3, reason: io::Error::from(kind) };
        assert!(read(io::ErrorKind::InvalidData).is_bad_input());
        assert!(read(io::ErrorKind::UnexpectedEof).is_bad_input());
        assert!(!read(io::ErrorKind::PermissionDenied).is_bad_input());
        let missing = read_file::<crate::scan::OutputLine>(
            Path::new("/no/such/out.jsonl"),
            &ScanOptions::default(),
            |_, _| Ok(()),
        )
        .unwrap_err();
        assert!(missing.is_bad_input());
        assert!(
            missing.to_string().starts_with("cannot open `/no/such/out.jsonl`: No such file"),
            "{missing}"
        );
    }
}

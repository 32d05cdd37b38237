//! Why a batch file could not be read through ([`BatchFileError`], each
//! naming the file and, for a line, its number), the malformed lines a
//! report lists, and the name a file goes by in reports.

use std::io;
use std::path::Path;

use serde::Serialize;

use crate::error::{ErrorKind, Kind};

/// A file as reports name it: its path as given, or `stdin` for `-`.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") { "stdin".to_string() } else { path.display().to_string() }
}

/// A malformed line: where it is and why it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
        /// What the system or the gzip or zstd decoder said.
        reason: io::Error,
    },
    /// The file is not text.
    #[error("`{file}` is not JSON (binary data): give {wanted}")]
    Binary {
        /// The file as given.
        file: String,
        /// What the command reads.
        wanted: &'static str,
    },
    /// Bytes after the gzip data that are not gzip.
    #[error(
        "cannot read `{file}` past line {line}: the gzip data ends there and bytes that are not gzip follow (trailing garbage, as `gzip -t` calls them): remove them (`gzip -dc` writes the data without them), then give the result"
    )]
    TrailingGarbage {
        /// The file as given.
        file: String,
        /// Lines read before the garbage.
        line: u64,
    },
    /// The file is text in UTF-16.
    #[error(
        "`{file}` is UTF-16 text, and nbcost reads UTF-8: convert it with `iconv -f UTF-16 -t UTF-8`, then give the result"
    )]
    Utf16 {
        /// The file as given.
        file: String,
    },
    /// A whole JSON document over the limit.
    #[error(
        "`{file}` is a JSON document over the {limit_mib} MiB limit for whole documents: write it as JSON lines (one response or request a line), which are read in any size"
    )]
    TooLarge {
        /// The file as given.
        file: String,
        /// The limit in MiB.
        limit_mib: usize,
    },
    /// A whole document that is not JSON.
    #[error("`{file}` is {reason}: fix the file, or give {wanted}")]
    BadDocument {
        /// The file as given.
        file: String,
        /// Why it is not JSON, with the line.
        reason: String,
        /// What the command reads.
        wanted: &'static str,
    },
    /// Nothing in the file could be read as the command's input.
    #[error("`{file}` {looks}")]
    NothingReadable {
        /// The file as given.
        file: String,
        /// What the file looks like instead, and the fix.
        looks: String,
    },
    /// A batch job resource whose results are in a file.
    #[error(
        "`{file}` is a batch job whose results are in `{results}`, not inlined: download that file and tally it"
    )]
    ResultsInFile {
        /// The file as given.
        file: String,
        /// The results file the job names.
        results: String,
    },
    /// Every file given is empty, or blank lines only.
    #[error("nothing to {verb}: `{file}` {contents}; check the path, or that the job has finished")]
    Empty {
        /// The (first) file as given.
        file: String,
        /// The command (`tally`, `estimate`).
        verb: &'static str,
        /// What the file holds: `is empty`, or `has no responses in 3
        /// blank lines`.
        contents: String,
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
            BatchFileError::Open { .. }
            | BatchFileError::Malformed { .. }
            | BatchFileError::Binary { .. }
            | BatchFileError::Utf16 { .. }
            | BatchFileError::TrailingGarbage { .. }
            | BatchFileError::TooLarge { .. }
            | BatchFileError::BadDocument { .. }
            | BatchFileError::NothingReadable { .. }
            | BatchFileError::ResultsInFile { .. }
            | BatchFileError::Empty { .. } => true,
            BatchFileError::Read { reason, .. } => matches!(
                reason.kind(),
                io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
            ),
        }
    }
}

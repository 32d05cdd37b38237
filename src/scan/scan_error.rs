//! The ways reading a batch file can fail. A line that is not JSON is not
//! one of them: it is a [`Malformed`](super::OutputLine::Malformed) record.

use std::io;
use std::path::PathBuf;

/// Why a batch file could not be read to the end.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The file could not be opened.
    #[error("cannot open `{path}`")]
    Open {
        /// The file named.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Reading or decompressing failed after some lines were delivered.
    #[error("cannot read past line {lines_delivered}")]
    Read {
        /// Lines delivered before the failure.
        lines_delivered: u64,
        /// What the system or the gzip or zstd decoder said.
        source: io::Error,
    },
}

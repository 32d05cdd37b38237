//! Why a bill could not be read as a whole ([`BillError`]); a row that
//! cannot be read is a [`MalformedBillRow`] instead.

use std::io;

#[cfg(doc)]
use super::MalformedBillRow;
use crate::error::{ErrorKind, Kind};

/// What nbcost reads as a bill, for messages.
const WANTED: &str = "the Cloud Billing console's Reports CSV (Reports, Download CSV) or billing-export rows as JSON lines (`bq query --format=json`, or an export to newline-delimited JSON)";

/// Why a bill could not be read. A row that cannot be read is not one of
/// these: it is a [`MalformedBillRow`].
#[derive(Debug, thiserror::Error)]
pub enum BillError {
    /// The file could not be opened.
    #[error("cannot open `{file}`: {reason}; check the path, or give - to read stdin")]
    Open {
        /// The file as given.
        file: String,
        /// What the system said.
        reason: io::Error,
    },
    /// Reading (or decompressing) failed part way.
    #[error("cannot read `{file}`: {reason}; a compressed file may be truncated: download it again")]
    Read {
        /// The file as given.
        file: String,
        /// What the system or the gzip or zstd decoder said.
        reason: io::Error,
    },
    /// Bytes after the gzip data that are not gzip.
    #[error(
        "cannot read `{file}`: the gzip data ends and bytes that are not gzip follow (trailing garbage, as `gzip -t` calls them): remove them (`gzip -dc` writes the data without them), then give the result"
    )]
    TrailingGarbage {
        /// The file as given.
        file: String,
    },
    /// Over [`super::BILL_LIMIT`] once decompressed.
    #[error(
        "`{file}` is over the {limit_mib} MiB limit for a bill (decompressed): download a shorter period, or only the Gemini API and Vertex AI services"
    )]
    TooLarge {
        /// The file as given.
        file: String,
        /// The limit in MiB.
        limit_mib: usize,
    },
    /// Text in UTF-16.
    #[error(
        "`{file}` is UTF-16 text, and nbcost reads UTF-8: convert it with `iconv -f UTF-16 -t UTF-8`, then give the result"
    )]
    Utf16 {
        /// The file as given.
        file: String,
    },
    /// Nothing but whitespace.
    #[error("`{file}` is empty: give {WANTED}")]
    Empty {
        /// The file as given.
        file: String,
    },
    /// Something else than a bill.
    #[error("`{file}` is not a bill ({looks}): give {WANTED}")]
    NotABill {
        /// The file as given.
        file: String,
        /// What it looks like instead.
        looks: String,
    },
    /// A CSV without the columns nbcost needs.
    #[error(
        "`{file}` has no {missing} column: give the Cloud Billing console's Reports CSV as downloaded (its header starts `Date,Service description,Service ID`)"
    )]
    MissingColumns {
        /// The missing columns, in backticks, comma-separated.
        missing: String,
        /// The file as given.
        file: String,
    },
    /// A JSON array that is not JSON.
    #[error(
        "`{file}` is not JSON at line {line}: {reason}: fix the file, or write the rows as JSON lines (one object a line)"
    )]
    BadJson {
        /// The file as given.
        file: String,
        /// Where it stops being JSON.
        line: u64,
        /// What `serde_json` said.
        reason: String,
    },
}

impl Kind for BillError {
    fn kind(&self) -> ErrorKind {
        // Each is about the file given: one that cannot be opened, read or
        // understood as a bill.
        ErrorKind::Input
    }
}

//! Reading Gemini batch files fast: opening (gzip or not), cutting into
//! lines, and extracting what pricing needs from each input or output line,
//! on one thread or several with identical results.
//!
//! The usual entry points:
//! - [`open_path`] then [`scan_lines`] with [`OutputLine`] or [`InputLine`]
//!   records: every line with its number, in order, stoppable;
//! - [`tally_output`] / [`tally_input`]: whole-file totals;
//! - [`scan_output_line`] / [`scan_input_line`]: one line.

mod field_walk;
mod input_line;
mod json_cursor;
mod key_tracker;
mod line_blocks;
mod line_scan;
mod output_line;
#[cfg(test)]
mod reference;
mod scan_error;
mod source;
mod tally;

pub use input_line::{CandidateCount, InputLine, scan_input_line};
pub use key_tracker::{KeySighting, KeyTracker};
pub use line_scan::{LineRecord, ScanOptions, ScanSummary, scan_lines};
pub use output_line::{OutputLine, Usage, scan_output_line};
pub use scan_error::ScanError;
pub use source::{Source, decompress_if_gzip, open_input, open_path};
pub use tally::{
    InputTally, OutputTally, RequestTotals, ResponseGroup, TokenTotals, tally_input, tally_output,
};

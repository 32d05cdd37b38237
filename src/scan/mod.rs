//! Reading Gemini batch files fast: opening (plain, gzip or zstd), cutting into
//! lines, and extracting what pricing needs from each input or output line,
//! on one thread or several with identical results.
//!
//! The usual entry points:
//! - [`open_path`] then [`scan_lines`] with [`OutputLine`] or [`InputLine`]
//!   records: every line with its number, in order, stoppable;
//! - [`scan_output_line`] / [`scan_input_line`]: one line (or one item of
//!   a document);
//! - [`sniff`] to tell JSON lines from a whole document (then
//!   [`document_items`]), an empty file or binary data.
//!
//! What the lines add up to (sums, line counts, repeated keys, findings)
//! is [`crate::batch`]'s.

mod api_usage;
mod candidates;
mod document;
mod event_stream;
mod field_walk;
mod input_line;
mod interaction_events;
mod json_cursor;
mod key_tracker;
mod line_blocks;
mod line_scan;
mod output_line;
#[cfg(test)]
mod reference;
mod scan_error;
mod served_tier;
mod source;
mod usage_metadata;

pub use candidates::Content;
pub(crate) use document::looks_utf16;
pub use document::{DOCUMENT_LIMIT, Item, Items, Layout, Sniffed, document_items, sniff};
pub use input_line::{
    CandidateCount, ContentCounts, InputLine, MediaCounts, MediaKind, RESPONSE_NOT_REQUEST, scan_input_line,
};
pub use key_tracker::{KeySighting, KeyTracker};
pub use line_scan::{LineRecord, ScanOptions, ScanSummary, Scanned, scan_line_runs, scan_lines};
pub use output_line::{OutputLine, REQUEST_NOT_RESPONSE, scan_output_line};
pub use scan_error::ScanError;
pub use served_tier::{ServiceTier, ShortText, TierValue, TrafficType};
pub use source::{Source, TrailingGarbage, decompress, open_input, open_path};
pub use usage_metadata::Usage;

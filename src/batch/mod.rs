//! Batch files read through: the layer between the scanner
//! ([`crate::scan`], which reads one line fast) and the two batch reports
//! (`estimate`, `tally`, which price what this layer sums).
//!
//! It owns:
//! - [`driver`]: opening files (gzip, zstd, stdin), the strict stop at the first
//!   malformed line, line counts that add up, repeated keys across files,
//!   the "first few shown, all counted" [`Sightings`] lists;
//! - [`file_error`]: the [`BatchFileError`]s of reading, and the malformed
//!   lines a report lists;
//! - [`usage`]: [`UsageSums`], the one sum of response token usage;
//! - [`lanes`]: the lane each response is billed on, decided per line;
//! - [`output`]: the output side (`tally`): model versions resolved to card
//!   models, image and text output told apart, sizes inferred from tokens,
//!   sums by (model version, lane, image tokens per image);
//! - [`shapes`]: sums by lane and image size, the first few sizes of each
//!   apart and the rest summed together and counted;
//! - [`groups`]: those sums grouped as the tally prices them, by card model,
//!   size and lane;
//! - [`streams`]: stream chunks folded into the responses they are pieces
//!   of, so each response is billed once;
//! - [`input`]: the input side (`estimate`): request sums by size and the
//!   findings that change the bill or get a request refused.
//!
//! Nothing here prices: sums are `u128` while reading and priced once per
//! row by the reports, so the hot path stays free of decimal work.

pub mod driver;
pub mod file_error;
pub mod groups;
pub mod input;
pub mod lanes;
pub mod output;
pub mod shapes;
pub mod streams;
pub mod usage;

pub use driver::{BatchLine, BatchReader, FileRead, Place, ReadCounts, SHOWN_PER_KIND, Sightings};
pub use file_error::{BatchFileError, MalformedLine, display_name};
pub use groups::{ModelGroup, group_by_model};
pub use input::{
    CHARS_PER_TOKEN, FindingKind, FindingLine, InputFileSums, MOST_CANDIDATES, MediaSums, RequestSums,
    Requests, describe_media, images_asked, sum_input_file,
};
pub use lanes::{BilledLane, LaneDecision, TierField, UnrecognisedTier, decide_lane};
pub use output::{
    DuplicateKey, ErrorLine, MAX_KEPT_VERSIONS, MAX_UNKNOWN_VERSIONS, OutputFileSums, ResponseGroup,
    Responses, SumsByVersion, model_for_version, released_after, size_label, sum_output_file,
};
pub use shapes::{Distinct, MAX_SIZES, PerImage};
pub use streams::{StreamSummary, StreamWithoutUsage};
pub use usage::{Content, SplitBy, UsageSums, output_split};

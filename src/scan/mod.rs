//! Reading Gemini batch files fast: line splitting, gzip, and extracting
//! what pricing needs from each input or output line.

mod field_walk;
mod input_line;
mod json_cursor;
mod output_line;
#[cfg(test)]
mod reference;

pub use input_line::{CandidateCount, InputLine, scan_input_line};
pub use output_line::{OutputLine, Usage, scan_output_line};

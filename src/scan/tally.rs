//! Whole-file sums: what a quick summary, the benchmark and the synthetic
//! files' expectations all need. Pricing keeps its own per-line records;
//! these are plain totals, grouped the way rate cards are.

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;

use super::{
    InputLine, KeySighting, KeyTracker, LineRecord, OutputLine, ScanError, ScanOptions, Usage, scan_lines,
};

/// Responses that are priced alike: one model, one image token count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResponseGroup {
    /// `modelVersion`, when given.
    pub model_version: Option<String>,
    /// The response's IMAGE output tokens (1680 for one 2K Nano Banana 2
    /// image).
    pub candidate_image_tokens: u64,
}

/// Sums over the responses of one [`ResponseGroup`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenTotals {
    /// Responses, repeats of a key included (each is billed).
    pub responses: u64,
    /// Inline image parts.
    pub inline_images: u64,
    /// Sum of `promptTokenCount`.
    pub prompt_tokens: u64,
    /// Sum of TEXT prompt tokens.
    pub prompt_text_tokens: u64,
    /// Sum of IMAGE prompt tokens.
    pub prompt_image_tokens: u64,
    /// Sum of `candidatesTokenCount`.
    pub candidates_tokens: u64,
    /// Sum of TEXT output tokens.
    pub candidate_text_tokens: u64,
    /// Sum of IMAGE output tokens.
    pub candidate_image_tokens: u64,
    /// Sum of `thoughtsTokenCount`.
    pub thoughts_tokens: u64,
    /// Sum of `totalTokenCount`.
    pub total_tokens: u64,
}

impl TokenTotals {
    /// Adds one response.
    pub fn add(&mut self, usage: &Usage, inline_images: u64) {
        self.responses += 1;
        self.inline_images += inline_images;
        self.prompt_tokens += usage.prompt_tokens;
        self.prompt_text_tokens += usage.prompt_text_tokens;
        self.prompt_image_tokens += usage.prompt_image_tokens;
        self.candidates_tokens += usage.candidates_tokens;
        self.candidate_text_tokens += usage.candidate_text_tokens;
        self.candidate_image_tokens += usage.candidate_image_tokens;
        self.thoughts_tokens += usage.thoughts_tokens;
        self.total_tokens += usage.total_tokens;
    }
}

/// Totals of a batch output file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputTally {
    /// Response sums by model and image token count.
    pub groups: BTreeMap<ResponseGroup, TokenTotals>,
    /// Lines reporting an error.
    pub error_lines: u64,
    /// Blank lines.
    pub blank_lines: u64,
    /// Lines that could not be priced.
    pub malformed_lines: u64,
    /// Responses whose key an earlier response had.
    pub duplicate_responses: u64,
    /// All lines.
    pub lines: u64,
}

impl OutputTally {
    /// Adds one line; `repeat` says its key was seen on an earlier response.
    pub fn add(&mut self, line: &OutputLine, repeat: bool) {
        self.lines += 1;
        match line {
            OutputLine::Response { model_version, usage, inline_images, .. } => {
                let group = ResponseGroup {
                    model_version: model_version.clone(),
                    candidate_image_tokens: usage.candidate_image_tokens,
                };
                self.groups.entry(group).or_default().add(usage, *inline_images);
                self.duplicate_responses += u64::from(repeat);
            }
            OutputLine::Error { .. } => self.error_lines += 1,
            OutputLine::Blank => self.blank_lines += 1,
            OutputLine::Malformed { .. } => self.malformed_lines += 1,
        }
    }
}

/// Scans a whole output file into totals.
pub fn tally_output<R: Read + Send>(reader: R, options: &ScanOptions) -> Result<OutputTally, ScanError> {
    let mut tally = OutputTally::default();
    scan_with_keys(
        reader,
        options,
        |line: &OutputLine| line.response_key(),
        |line, repeat| tally.add(line, repeat),
    )?;
    Ok(tally)
}

/// Sums over the requests that ask for one image size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestTotals {
    /// Requests.
    pub requests: u64,
    /// Characters of prompt text.
    pub prompt_chars: u64,
    /// Inline (reference) images.
    pub inline_images: u64,
    /// `fileData` parts.
    pub file_parts: u64,
}

/// Totals of a batch input file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputTally {
    /// Request sums by `imageSize` as written (`None`: not set).
    pub sizes: BTreeMap<Option<String>, RequestTotals>,
    /// Blank lines.
    pub blank_lines: u64,
    /// Lines that are not requests.
    pub malformed_lines: u64,
    /// Requests whose key an earlier request had.
    pub duplicate_keys: u64,
    /// All lines.
    pub lines: u64,
}

impl InputTally {
    /// Adds one line; `repeat` says its key was seen on an earlier request.
    pub fn add(&mut self, line: &InputLine, repeat: bool) {
        self.lines += 1;
        match line {
            InputLine::Request { image_size, prompt_chars, inline_images, file_parts, .. } => {
                let totals = self.sizes.entry(image_size.clone()).or_default();
                totals.requests += 1;
                totals.prompt_chars += prompt_chars;
                totals.inline_images += inline_images;
                totals.file_parts += file_parts;
                self.duplicate_keys += u64::from(repeat);
            }
            InputLine::Blank => self.blank_lines += 1,
            InputLine::Malformed { .. } => self.malformed_lines += 1,
        }
    }
}

/// Scans a whole input file into totals.
pub fn tally_input<R: Read + Send>(reader: R, options: &ScanOptions) -> Result<InputTally, ScanError> {
    let mut tally = InputTally::default();
    scan_with_keys(
        reader,
        options,
        |line: &InputLine| line.request_key(),
        |line, repeat| tally.add(line, repeat),
    )?;
    Ok(tally)
}

/// Scans every line, telling `add` whether the line's key (from `key`) was
/// seen on an earlier line.
fn scan_with_keys<L: LineRecord, R: Read + Send>(
    reader: R,
    options: &ScanOptions,
    key: impl Fn(&L) -> Option<&str>,
    mut add: impl FnMut(&L, bool),
) -> Result<(), ScanError> {
    let mut keys = KeyTracker::new();
    scan_lines(reader, options, |line_number, line: L| {
        let repeat =
            key(&line).is_some_and(|key| matches!(keys.see(key, line_number), KeySighting::Repeat { .. }));
        add(&line, repeat);
        ControlFlow::Continue(())
    })?;
    Ok(())
}

//! One line of a batch input file, read for what the estimate needs.
//!
//! A line is `{"key": ..., "request": GenerateContentRequest}` or a bare
//! `GenerateContentRequest`. Casing and duplicate rules are those of
//! [`scan_output_line`](super::scan_output_line): camelCase wins over
//! snake_case, the last repeat wins, `null` counts as absent.
//!
//! Settings of the wrong JSON type (`"imageSize": 2048`,
//! `"candidateCount": "two"`) come back as written, so the caller can name
//! the value in its message; this module does not judge which sizes exist.
//!
//! Media parts (`inlineData`, `fileData`) are counted by their MIME type in
//! a few fixed buckets: only `image/*` parts are reference images. Nothing
//! here allocates per part.

use serde::Serialize;

use super::field_walk::{
    Cased, WrongType, for_each_element, for_each_field, is_blank, not_json_reason, read_line_object,
    read_object_member, read_string_member,
};
use super::json_cursor::{JsonCursor, Parsed, ValueKind};

/// What one input line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputLine {
    /// A request.
    Request {
        /// The request key, when the line has one.
        key: Option<String>,
        /// The request's `model`, when it names one (a string, or the JSON
        /// text of a value of another type).
        model: Option<String>,
        /// `generationConfig.imageConfig.imageSize` exactly as written: the
        /// string's contents (`"2k"` stays `2k`), or the JSON text of a
        /// value of another type (`2048`).
        image_size: Option<String>,
        /// `generationConfig.candidateCount`.
        candidate_count: Option<CandidateCount>,
        /// What the parts of `contents` and `systemInstruction` hold.
        content: ContentCounts,
        /// Whether `tools` holds a Google Search tool (`googleSearch`,
        /// `googleSearchRetrieval`, either casing): the request asks for
        /// grounding.
        search: bool,
    },
    /// A line of whitespace only.
    Blank,
    /// A line that is not a request.
    Malformed {
        /// A short lowercase phrase, such as `no contents in the request`.
        reason: String,
    },
}

/// What the parts of a request hold: prompt text, reference images, and
/// other media by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContentCounts {
    /// Characters (Unicode scalar values) in all text parts.
    pub prompt_chars: u64,
    /// Inline parts with an `image/*` MIME type: reference images sent in
    /// the request.
    pub inline_images: u64,
    /// `fileData` parts with an `image/*` MIME type: reference images
    /// referenced by URI.
    pub file_parts: u64,
    /// Inline and `fileData` parts that are not images (or name no MIME
    /// type), by kind.
    pub other_media: MediaCounts,
}

impl ContentCounts {
    fn add(&mut self, other: Self) {
        self.prompt_chars += other.prompt_chars;
        self.inline_images += other.inline_images;
        self.file_parts += other.file_parts;
        self.other_media.add(other.other_media);
    }
}

/// What a media part is, by its MIME type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// `image/*`: a reference image.
    Image,
    /// `video/*`.
    Video,
    /// `audio/*`.
    Audio,
    /// `application/pdf`.
    Pdf,
    /// Any other MIME type, or none.
    Other,
}

impl MediaKind {
    /// The kind a MIME type names (`None`: no MIME type given). The type
    /// is compared without regard to case, as MIME types are.
    pub fn of_mime(mime: Option<&str>) -> MediaKind {
        let Some(mime) = mime else { return MediaKind::Other };
        let starts =
            |prefix: &str| mime.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
        let essence = mime.split(';').next().unwrap_or_default().trim_end();
        if starts("image/") {
            MediaKind::Image
        } else if starts("video/") {
            MediaKind::Video
        } else if starts("audio/") {
            MediaKind::Audio
        } else if essence.eq_ignore_ascii_case("application/pdf") {
            MediaKind::Pdf
        } else {
            MediaKind::Other
        }
    }
}

/// Media parts that are not images, by kind: a fixed set of buckets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MediaCounts {
    /// `video/*` parts.
    pub video: u64,
    /// `audio/*` parts.
    pub audio: u64,
    /// `application/pdf` parts.
    pub pdf: u64,
    /// Parts of any other MIME type, or none.
    pub other: u64,
}

impl MediaCounts {
    /// All the parts counted.
    pub fn total(&self) -> u64 {
        self.video + self.audio + self.pdf + self.other
    }

    /// Counts one part of `kind`; images are not counted here.
    pub fn count(&mut self, kind: MediaKind) {
        match kind {
            MediaKind::Image => {}
            MediaKind::Video => self.video += 1,
            MediaKind::Audio => self.audio += 1,
            MediaKind::Pdf => self.pdf += 1,
            MediaKind::Other => self.other += 1,
        }
    }

    fn add(&mut self, other: Self) {
        self.video += other.video;
        self.audio += other.audio;
        self.pdf += other.pdf;
        self.other += other.other;
    }
}

/// A `candidateCount` as found in a request. The API reads it as proto3
/// JSON reads an int32: a number, or a string holding one, to the nearest
/// double, so `2`, `"2"`, `2.0`, `1e2` and `"2E0"` are all whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CandidateCount {
    /// A whole number. Beyond the range of an `i64` it is held as
    /// `i64::MIN` or `i64::MAX`, which is all a caller judging it needs.
    Whole {
        /// The value.
        value: i64,
        /// The value's JSON text (`1e2`, `"2"`).
        written: String,
    },
    /// A number, or a string holding one, with a fractional part (`1.5`).
    Fraction {
        /// The value's JSON text.
        written: String,
    },
    /// Anything else, as the JSON text written (`"two"`, `" 2"`, `true`).
    NotANumber {
        /// The value's JSON text.
        written: String,
    },
}

impl CandidateCount {
    /// The count whose number (or string holding a decimal number) reads
    /// as `value`, written as the JSON text `written`.
    pub(crate) fn from_value(value: Option<f64>, written: String) -> Self {
        match value {
            None => CandidateCount::NotANumber { written },
            // `as` saturates, infinities included.
            Some(value) if value.fract() == 0.0 || value.is_infinite() => {
                CandidateCount::Whole { value: value as i64, written }
            }
            Some(_) => CandidateCount::Fraction { written },
        }
    }
}

/// The value of a string holding a decimal number (`2`, `-3`, `+2`,
/// `2.0`, `1e2`), to the nearest double, as the API reads an integer
/// field written as a string; `None` for anything else, such as a space,
/// `inf`, `nan` or `0x10`.
pub(crate) fn decimal_value(text: &str) -> Option<f64> {
    let decimal = text.bytes().any(|byte| byte.is_ascii_digit())
        && text.bytes().all(|byte| byte.is_ascii_digit() || b"+-.eE".contains(&byte));
    decimal.then(|| text.parse::<f64>().ok()).flatten()
}

/// A `candidateCount` value read from its JSON text.
fn read_candidate_count(written: &[u8]) -> CandidateCount {
    let value = match written.first() {
        Some(b'"') => JsonCursor::new(written).read_string().ok().and_then(|text| decimal_value(&text)),
        Some(b'-' | b'0'..=b'9') => {
            std::str::from_utf8(written).ok().and_then(|text| text.parse::<f64>().ok())
        }
        _ => None,
    };
    CandidateCount::from_value(value, String::from_utf8_lossy(written).into_owned())
}

impl InputLine {
    /// The key of a request line.
    pub fn request_key(&self) -> Option<&str> {
        match self {
            InputLine::Request { key, .. } => key.as_deref(),
            _ => None,
        }
    }
}

/// Reads one line of a batch input file. Never panics, whatever the bytes.
pub fn scan_input_line(line: &[u8]) -> InputLine {
    if is_blank(line) {
        return InputLine::Blank;
    }
    let mut cursor = JsonCursor::new(line);
    match read_line_fields(&mut cursor) {
        Ok(Some(fields)) => fields.into_input_line(),
        Ok(None) => malformed("line is not a JSON object"),
        Err(error) => InputLine::Malformed { reason: not_json_reason(line, &error) },
    }
}

/// The reason given for a line that holds a response (or an error) and no
/// request: the file is likely batch output.
pub const RESPONSE_NOT_REQUEST: &str = "a response, not a request";

/// Top-level members only a response line (batch output, a saved response)
/// has.
pub(crate) const RESPONSE_MEMBERS: [&str; 6] =
    ["response", "usageMetadata", "usage_metadata", "candidates", "error", "usage"];

fn malformed(reason: &str) -> InputLine {
    InputLine::Malformed { reason: reason.to_owned() }
}

#[derive(Default)]
struct LineFields {
    key: Option<Result<String, WrongType>>,
    request: Option<Result<RequestFields, WrongType>>,
    bare_request: RequestFields,
    /// Whether the line has a member only responses have.
    response: bool,
}

fn read_line_fields(cursor: &mut JsonCursor<'_>) -> Parsed<Option<LineFields>> {
    let mut fields = LineFields::default();
    let object = read_line_object(cursor, |name, cursor| {
        match name {
            "key" => fields.key = read_string_member(cursor)?,
            "request" => fields.request = read_object_member(cursor, read_request)?,
            _ => {
                fields.response |= RESPONSE_MEMBERS.contains(&name);
                fields.bare_request.read_field(name, cursor)?;
            }
        }
        Ok(())
    })?;
    Ok(object.then_some(fields))
}

fn read_request(cursor: &mut JsonCursor<'_>) -> Parsed<RequestFields> {
    let mut request = RequestFields::default();
    for_each_field(cursor, |name, cursor| request.read_field(name, cursor))?;
    Ok(request)
}

impl LineFields {
    /// Decides what the line is. The order of the checks is part of the
    /// contract: `reference::input_line` makes them in the same order.
    fn into_input_line(self) -> InputLine {
        let key = match self.key {
            Some(Err(WrongType)) => return malformed("key is not a string"),
            Some(Ok(key)) => Some(key),
            None => None,
        };
        let request = match self.request {
            Some(Err(WrongType)) => return malformed("request is not an object"),
            Some(Ok(request)) => request,
            None if self.bare_request.contents.is_some() => self.bare_request,
            None if self.response => return malformed(RESPONSE_NOT_REQUEST),
            None => return malformed("no request in the line"),
        };
        let contents = match request.contents {
            None => return malformed("no contents in the request"),
            Some(Err(WrongType)) => return malformed("contents is not an array"),
            Some(Ok(counts)) => counts,
        };
        let config = match request.generation_config.resolve() {
            None => GenerationConfig::default(),
            Some(Err(reason)) => return malformed(reason),
            Some(Ok(config)) => config,
        };
        let mut content = contents;
        content.add(request.system_instruction.resolve().unwrap_or_default());
        InputLine::Request {
            key,
            model: request.model,
            image_size: config.image_size,
            candidate_count: config.candidate_count,
            content,
            search: request.search.unwrap_or(false),
        }
    }
}

/// The members of a `GenerateContentRequest` that matter.
#[derive(Default)]
struct RequestFields {
    contents: Option<Result<ContentCounts, WrongType>>,
    system_instruction: Cased<ContentCounts>,
    model: Option<String>,
    generation_config: Cased<Result<GenerationConfig, &'static str>>,
    /// Whether the last `tools` holds a search tool; `None` when absent.
    search: Option<bool>,
}

#[derive(Debug, Clone, Default)]
struct GenerationConfig {
    image_size: Option<String>,
    candidate_count: Option<CandidateCount>,
}

/// A string's contents, or the JSON text of any other non-null value.
fn read_as_written(cursor: &mut JsonCursor<'_>) -> Parsed<Option<String>> {
    match cursor.peek_kind()? {
        ValueKind::Null => cursor.skip_value().map(|()| None),
        ValueKind::String => Ok(Some(cursor.read_string()?.into_owned())),
        _ => Ok(Some(String::from_utf8_lossy(cursor.read_raw()?).into_owned())),
    }
}

impl RequestFields {
    /// Reads the member `name`, skipping it if it is not one of ours.
    fn read_field(&mut self, name: &str, cursor: &mut JsonCursor<'_>) -> Parsed<()> {
        match name {
            "contents" => {
                self.contents = cursor.read_nullable(
                    ValueKind::Array,
                    |cursor| read_contents(cursor).map(Ok),
                    || Err(WrongType),
                )?;
            }
            "systemInstruction" | "system_instruction" => {
                let counts = cursor.read_nullable(ValueKind::Object, read_content, ContentCounts::default)?;
                self.system_instruction.set(name == "systemInstruction", counts);
            }
            "model" => self.model = read_as_written(cursor)?,
            "tools" => {
                self.search = cursor.read_nullable(ValueKind::Array, read_tools_search, || false)?;
            }
            "generationConfig" | "generation_config" => {
                let config = cursor.read_nullable(ValueKind::Object, read_generation_config, || {
                    Err("generationConfig is not an object")
                })?;
                self.generation_config.set(name == "generationConfig", config);
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    }
}

fn read_generation_config(cursor: &mut JsonCursor<'_>) -> Parsed<Result<GenerationConfig, &'static str>> {
    let mut candidate_count: Cased<CandidateCount> = Cased::default();
    let mut image_config: Cased<Result<Option<String>, &'static str>> = Cased::default();
    for_each_field(cursor, |name, cursor| {
        match name {
            "candidateCount" | "candidate_count" => {
                let count = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    _ => Some(read_candidate_count(cursor.read_raw()?)),
                };
                candidate_count.set(name == "candidateCount", count);
            }
            "imageConfig" | "image_config" => {
                let config = cursor.read_nullable(
                    ValueKind::Object,
                    |cursor| read_image_size(cursor).map(Ok),
                    || Err("imageConfig is not an object"),
                )?;
                image_config.set(name == "imageConfig", config);
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(image_config.resolve().transpose().map(|image_size| GenerationConfig {
        image_size: image_size.flatten(),
        candidate_count: candidate_count.resolve(),
    }))
}

fn read_image_size(cursor: &mut JsonCursor<'_>) -> Parsed<Option<String>> {
    let mut image_size: Cased<String> = Cased::default();
    for_each_field(cursor, |name, cursor| {
        match name {
            "imageSize" | "image_size" => {
                let size = read_as_written(cursor)?;
                image_size.set(name == "imageSize", size);
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(image_size.resolve())
}

/// Whether an array of `Tool` holds a Google Search tool: a member
/// `googleSearch` or `googleSearchRetrieval` (either casing) that is not
/// `null`. Lenient: an element of another type holds none.
fn read_tools_search(cursor: &mut JsonCursor<'_>) -> Parsed<bool> {
    let mut search = false;
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let mut google_search: Cased<()> = Cased::default();
        let mut retrieval: Cased<()> = Cased::default();
        for_each_field(cursor, |name, cursor| {
            let field = match name {
                "googleSearch" | "google_search" => &mut google_search,
                "googleSearchRetrieval" | "google_search_retrieval" => &mut retrieval,
                _ => return cursor.skip_value(),
            };
            let present = cursor.peek_kind()? != ValueKind::Null;
            cursor.skip_value()?;
            field.set(matches!(name, "googleSearch" | "googleSearchRetrieval"), present.then_some(()));
            Ok(())
        })?;
        search |= google_search.is_set() || retrieval.is_set();
        Ok(())
    })?;
    Ok(search)
}

/// The kind of an `inlineData` or `fileData` object by its `mimeType`
/// (`mime_type`): camelCase wins, `null` is absent, a value that is not a
/// string names no type.
fn read_media_kind(cursor: &mut JsonCursor<'_>) -> Parsed<MediaKind> {
    let mut kind: Cased<Option<MediaKind>> = Cased::default();
    for_each_field(cursor, |name, cursor| {
        match name {
            "mimeType" | "mime_type" => {
                let read = cursor.read_nullable(
                    ValueKind::String,
                    |cursor| Ok(Some(MediaKind::of_mime(Some(cursor.read_string()?.as_ref())))),
                    || None,
                )?;
                kind.set(name == "mimeType", read);
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(kind.resolve().flatten().unwrap_or(MediaKind::Other))
}

/// Counts over `contents`, an array of `Content`. Lenient inside: a member
/// of an unexpected type counts nothing.
fn read_contents(cursor: &mut JsonCursor<'_>) -> Parsed<ContentCounts> {
    let mut counts = ContentCounts::default();
    for_each_element(cursor, |cursor| {
        counts.add(read_content(cursor)?);
        Ok(())
    })?;
    Ok(counts)
}

/// Counts over one `Content` (`{"role": ..., "parts": [...]}`).
fn read_content(cursor: &mut JsonCursor<'_>) -> Parsed<ContentCounts> {
    if cursor.peek_kind()? != ValueKind::Object {
        return cursor.skip_value().map(|()| ContentCounts::default());
    }
    let mut counts = ContentCounts::default();
    for_each_field(cursor, |name, cursor| {
        if name == "parts" {
            counts = read_parts(cursor)?;
            Ok(())
        } else {
            cursor.skip_value()
        }
    })?;
    Ok(counts)
}

fn read_parts(cursor: &mut JsonCursor<'_>) -> Parsed<ContentCounts> {
    if cursor.peek_kind()? != ValueKind::Array {
        return cursor.skip_value().map(|()| ContentCounts::default());
    }
    let mut counts = ContentCounts::default();
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let mut text_chars = 0;
        let mut inline: Cased<Option<MediaKind>> = Cased::default();
        let mut file: Cased<Option<MediaKind>> = Cased::default();
        for_each_field(cursor, |name, cursor| {
            match name {
                "text" => {
                    text_chars = match cursor.peek_kind()? {
                        ValueKind::String => cursor.read_string()?.chars().count() as u64,
                        _ => cursor.skip_value().map(|()| 0)?,
                    };
                }
                "inlineData" | "inline_data" | "fileData" | "file_data" => {
                    let kind = cursor.read_nullable(
                        ValueKind::Object,
                        |cursor| read_media_kind(cursor).map(Some),
                        || None,
                    )?;
                    match name {
                        "inlineData" | "inline_data" => inline.set(name == "inlineData", kind),
                        _ => file.set(name == "fileData", kind),
                    }
                }
                _ => cursor.skip_value()?,
            }
            Ok(())
        })?;
        counts.prompt_chars += text_chars;
        match inline.resolve().flatten() {
            Some(MediaKind::Image) => counts.inline_images += 1,
            Some(kind) => counts.other_media.count(kind),
            None => {}
        }
        match file.resolve().flatten() {
            Some(MediaKind::Image) => counts.file_parts += 1,
            Some(kind) => counts.other_media.count(kind),
            None => {}
        }
        Ok(())
    })?;
    Ok(counts)
}

#[cfg(test)]
mod tests;

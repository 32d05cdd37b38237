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

use super::field_walk::{Cased, WrongType, for_each_element, for_each_field, is_blank, not_json_reason};
use super::json_cursor::{JsonCursor, Parsed, ValueKind, unsigned_value};
use super::output_line::read_inline_data_is_image;

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
        /// Characters (Unicode scalar values) in all text parts of
        /// `contents` and `systemInstruction`.
        prompt_chars: u64,
        /// Inline image parts (reference images sent in the request).
        inline_images: u64,
        /// `fileData` parts (files referenced by URI).
        file_parts: u64,
    },
    /// A line of whitespace only.
    Blank,
    /// A line that is not a request.
    Malformed {
        /// A short lowercase phrase, such as `no contents in the request`.
        reason: String,
    },
}

/// A `candidateCount` as found in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CandidateCount {
    /// A non-negative integer.
    Count(u64),
    /// Anything else, as the JSON text written (`"two"`, `1.5`, `-1`).
    NotACount {
        /// The value's JSON text.
        written: String,
    },
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
    if cursor.peek_kind()? != ValueKind::Object {
        cursor.skip_value()?;
        cursor.expect_end()?;
        return Ok(None);
    }
    let mut fields = LineFields::default();
    for_each_field(cursor, |name, cursor| {
        match name {
            "key" => {
                fields.key = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::String => Some(Ok(cursor.read_string()?.into_owned())),
                    _ => cursor.skip_value().map(|()| Some(Err(WrongType)))?,
                };
            }
            "request" => {
                fields.request = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::Object => {
                        let mut request = RequestFields::default();
                        for_each_field(cursor, |name, cursor| request.read_field(name, cursor))?;
                        Some(Ok(request))
                    }
                    _ => cursor.skip_value().map(|()| Some(Err(WrongType)))?,
                };
            }
            _ => {
                fields.response |= RESPONSE_MEMBERS.contains(&name);
                fields.bare_request.read_field(name, cursor)?;
            }
        }
        Ok(())
    })?;
    cursor.expect_end()?;
    Ok(Some(fields))
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
        let system = request.system_instruction.resolve().unwrap_or_default();
        InputLine::Request {
            key,
            model: request.model,
            image_size: config.image_size,
            candidate_count: config.candidate_count,
            prompt_chars: contents.prompt_chars + system.prompt_chars,
            inline_images: contents.inline_images + system.inline_images,
            file_parts: contents.file_parts + system.file_parts,
        }
    }
}

/// The members of a `GenerateContentRequest` that matter.
#[derive(Default)]
struct RequestFields {
    contents: Option<Result<PartCounts, WrongType>>,
    system_instruction: Cased<PartCounts>,
    model: Option<String>,
    generation_config: Cased<Result<GenerationConfig, &'static str>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct PartCounts {
    prompt_chars: u64,
    inline_images: u64,
    file_parts: u64,
}

impl PartCounts {
    fn add(&mut self, other: Self) {
        self.prompt_chars += other.prompt_chars;
        self.inline_images += other.inline_images;
        self.file_parts += other.file_parts;
    }
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
                self.contents = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::Array => Some(Ok(read_contents(cursor)?)),
                    _ => cursor.skip_value().map(|()| Some(Err(WrongType)))?,
                };
            }
            "systemInstruction" | "system_instruction" => {
                let counts = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    _ => Some(read_content(cursor)?),
                };
                self.system_instruction.set(name == "systemInstruction", counts);
            }
            "model" => self.model = read_as_written(cursor)?,
            "generationConfig" | "generation_config" => {
                let config = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::Object => Some(read_generation_config(cursor)?),
                    _ => cursor.skip_value().map(|()| Some(Err("generationConfig is not an object")))?,
                };
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
                    _ => {
                        let written = cursor.read_raw()?;
                        Some(match unsigned_value(written) {
                            Some(count) => CandidateCount::Count(count),
                            None => CandidateCount::NotACount {
                                written: String::from_utf8_lossy(written).into_owned(),
                            },
                        })
                    }
                };
                candidate_count.set(name == "candidateCount", count);
            }
            "imageConfig" | "image_config" => {
                let config = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::Object => Some(Ok(read_image_size(cursor)?)),
                    _ => cursor.skip_value().map(|()| Some(Err("imageConfig is not an object")))?,
                };
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

/// Counts over `contents`, an array of `Content`. Lenient inside: a member
/// of an unexpected type counts nothing.
fn read_contents(cursor: &mut JsonCursor<'_>) -> Parsed<PartCounts> {
    let mut counts = PartCounts::default();
    for_each_element(cursor, |cursor| {
        counts.add(read_content(cursor)?);
        Ok(())
    })?;
    Ok(counts)
}

/// Counts over one `Content` (`{"role": ..., "parts": [...]}`).
fn read_content(cursor: &mut JsonCursor<'_>) -> Parsed<PartCounts> {
    if cursor.peek_kind()? != ValueKind::Object {
        return cursor.skip_value().map(|()| PartCounts::default());
    }
    let mut counts = PartCounts::default();
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

fn read_parts(cursor: &mut JsonCursor<'_>) -> Parsed<PartCounts> {
    if cursor.peek_kind()? != ValueKind::Array {
        return cursor.skip_value().map(|()| PartCounts::default());
    }
    let mut counts = PartCounts::default();
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let mut text_chars = 0;
        let mut inline: Cased<Option<bool>> = Cased::default();
        let mut file: Cased<bool> = Cased::default();
        for_each_field(cursor, |name, cursor| {
            match name {
                "text" => {
                    text_chars = match cursor.peek_kind()? {
                        ValueKind::String => cursor.read_string()?.chars().count() as u64,
                        _ => cursor.skip_value().map(|()| 0)?,
                    };
                }
                "inlineData" | "inline_data" => {
                    let is_image = match cursor.peek_kind()? {
                        ValueKind::Null => cursor.skip_value().map(|()| None)?,
                        ValueKind::Object => Some(Some(read_inline_data_is_image(cursor)?)),
                        _ => cursor.skip_value().map(|()| Some(None))?,
                    };
                    inline.set(name == "inlineData", is_image);
                }
                "fileData" | "file_data" => {
                    let is_object = match cursor.peek_kind()? {
                        ValueKind::Null => cursor.skip_value().map(|()| None)?,
                        kind => cursor.skip_value().map(|()| Some(kind == ValueKind::Object))?,
                    };
                    file.set(name == "fileData", is_object);
                }
                _ => cursor.skip_value()?,
            }
            Ok(())
        })?;
        counts.prompt_chars += text_chars;
        counts.inline_images += u64::from(inline.resolve().flatten() == Some(true));
        counts.file_parts += u64::from(file.resolve() == Some(true));
        Ok(())
    })?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        key: Option<&str>,
        image_size: Option<&str>,
        candidate_count: Option<CandidateCount>,
    ) -> InputLine {
        InputLine::Request {
            key: key.map(str::to_owned),
            model: None,
            image_size: image_size.map(str::to_owned),
            candidate_count,
            prompt_chars: 5,
            inline_images: 0,
            file_parts: 0,
        }
    }

    #[test]
    fn classifies_lines_table() {
        let cases: Vec<(&str, InputLine)> = vec![
            (
                r#"{"key":"a","request":{"contents":[{"parts":[{"text":"a cat"}]}],"generationConfig":{"imageConfig":{"imageSize":"2K"}}}}"#,
                request(Some("a"), Some("2K"), None),
            ),
            (
                r#"{"contents":[{"role":"user","parts":[{"text":"a cat"}]}],"generation_config":{"image_config":{"image_size":"2k"},"candidate_count":2}}"#,
                request(None, Some("2k"), Some(CandidateCount::Count(2))),
            ),
            (
                r#"{"request":{"contents":[{"parts":[{"text":"a cat"}]}],"generationConfig":{"imageConfig":{"imageSize":2048},"candidateCount":"two"}}}"#,
                request(
                    None,
                    Some("2048"),
                    Some(CandidateCount::NotACount { written: "\"two\"".to_owned() }),
                ),
            ),
            (
                r#"{"request":{"contents":[{"parts":[{"text":"a cat"}]}],"generationConfig":{"candidateCount":1.0}}}"#,
                request(None, None, Some(CandidateCount::NotACount { written: "1.0".to_owned() })),
            ),
            ("   ", InputLine::Blank),
            (r#"{"key":"a"}"#, malformed("no request in the line")),
            (r#"{"request":{}}"#, malformed("no contents in the request")),
            (r#"{"request":{"contents":{}}}"#, malformed("contents is not an array")),
            (r#"{"request":"x"}"#, malformed("request is not an object")),
            (r#"{"key":1,"request":{"contents":[]}}"#, malformed("key is not a string")),
            (r#"{"contents":[],"generationConfig":[]}"#, malformed("generationConfig is not an object")),
            (
                r#"{"contents":[],"generationConfig":{"imageConfig":"2K"}}"#,
                malformed("imageConfig is not an object"),
            ),
            ("7", malformed("line is not a JSON object")),
        ];
        for (line, expected) in cases {
            assert_eq!(scan_input_line(line.as_bytes()), expected, "line {line}");
        }
    }

    #[test]
    fn counts_text_reference_images_and_files() {
        let line = r#"{"key":"r","request":{"model":"models/gemini-3-pro-image-preview",
            "systemInstruction":{"parts":[{"text":"be kind"}]},
            "contents":[{"role":"user","parts":[
                {"text":"héllo"},
                {"inlineData":{"mimeType":"image/png","data":"AAAA"}},
                {"inline_data":{"mime_type":"application/pdf","data":"AAAA"}},
                {"fileData":{"mimeType":"image/jpeg","fileUri":"gs://b/x.jpg"}},
                {"file_data":{"file_uri":"https://x"}}
            ]}]}}"#
            .replace('\n', " ");
        assert_eq!(
            scan_input_line(line.as_bytes()),
            InputLine::Request {
                key: Some("r".to_owned()),
                model: Some("models/gemini-3-pro-image-preview".to_owned()),
                image_size: None,
                candidate_count: None,
                prompt_chars: 12,
                inline_images: 1,
                file_parts: 2,
            }
        );
    }

    #[test]
    fn survives_hostile_bytes() {
        for line in [&b"\xff"[..], b"{\"request\":", b"{{{{", b"{\"contents\":[\"\\u\"]}"] {
            assert!(matches!(scan_input_line(line), InputLine::Malformed { .. }));
        }
    }
}

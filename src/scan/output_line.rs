//! One line of a batch output file, read for what the bill needs.
//!
//! A line is one of:
//! - `{"key": ..., "response": GenerateContentResponse}`,
//! - `{"key": ..., "error": {"code": ..., "message": ...}}` (or `"status"`
//!   in place of `"error"`, as an object or a non-empty string),
//! - a bare `GenerateContentResponse` (a saved response, a stream chunk,
//!   an agent event whose `content` and `usageMetadata` sit at the top),
//! - a Vertex AI batch prediction line (`{"request", "response", "status":
//!   ""}`; a failed one has a non-empty `status` and no `response`),
//! - an Interactions API object or an OpenAI-compatible chat completion
//!   (see [`super::api_usage`]),
//! - a server-sent event `data: {...}` line holding any of these (framing
//!   lines such as `event:` or `data: [DONE]` read as blank).
//!
//! Field names are accepted in camelCase and snake_case. Where both casings
//! of a field appear, camelCase wins; where a name repeats, the last one
//! wins (as in `serde_json`); `null` counts as absent. A response without
//! `usageMetadata` is malformed: it cannot be priced, and pricing it at zero
//! would hide a bill.

use super::api_usage::{ApiFields, ApiObject, ApiResponse};
use super::event_stream::{EventLine, event_line};
use super::field_walk::{Cased, WrongType, for_each_element, for_each_field, is_blank, not_json_reason};
use super::json_cursor::{JsonCursor, Parsed, ValueKind, signed_value, unsigned_value};
use super::served_tier::{ServiceTier, TierValue, TrafficType};

/// The reason given for a line that holds a request and no response: the
/// file is likely a batch input file.
pub const REQUEST_NOT_RESPONSE: &str = "a request, not a response";

/// What one output line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputLine {
    /// A response, billed by its usage.
    Response {
        /// The request key, when the line has one.
        key: Option<String>,
        /// `modelVersion`, when the response names it.
        model_version: Option<String>,
        /// The token counts from `usageMetadata`.
        usage: Usage,
        /// Inline image parts in the candidates, thought images left out.
        inline_images: u64,
        /// Whether the response has `candidates`: without them nothing
        /// shows whether its output was an image or text.
        candidates_present: bool,
        /// Google Search queries the response ran: the entries of
        /// `candidates[].groundingMetadata.webSearchQueries`, summed.
        search_queries: u64,
        /// Whether the response came wrapped in a `response` member (a
        /// batch output line) rather than bare.
        wrapped: bool,
        /// `responseId` (`id` for a chat completion): the stream a chunk
        /// belongs to.
        response_id: Option<String>,
    },
    /// A piece of a response that carries no token counts: a stream chunk
    /// before the last, or an agent event that is no model turn (a user
    /// message, a tool result). Counted, never billed.
    Chunk {
        /// `responseId`, when the chunk has one.
        response_id: Option<String>,
        /// `modelVersion`, when the chunk names it.
        model_version: Option<String>,
        /// Inline image parts in it, thought images left out.
        inline_images: u64,
    },
    /// A request that failed; not billed.
    Error {
        /// The request key, when the line has one.
        key: Option<String>,
        /// The error code, when it is an integer.
        code: Option<i64>,
        /// The error message, when there is one.
        message: Option<String>,
    },
    /// A line of whitespace only.
    Blank,
    /// A line that cannot be priced.
    Malformed {
        /// A short lowercase phrase, such as `no usageMetadata in the response`.
        reason: String,
    },
}

/// What a response's `usageMetadata` says: token counts (absent counts
/// are 0) and the lane fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// `promptTokenCount`.
    pub prompt_tokens: u64,
    /// TEXT entries of `promptTokensDetails`.
    pub prompt_text_tokens: u64,
    /// IMAGE entries of `promptTokensDetails`.
    pub prompt_image_tokens: u64,
    /// `candidatesTokenCount`.
    pub candidates_tokens: u64,
    /// TEXT entries of `candidatesTokensDetails`.
    pub candidate_text_tokens: u64,
    /// IMAGE entries of `candidatesTokensDetails`.
    pub candidate_image_tokens: u64,
    /// `thoughtsTokenCount`.
    pub thoughts_tokens: u64,
    /// `totalTokenCount`.
    pub total_tokens: u64,
    /// Whether `promptTokensDetails` was given; without it the split of the
    /// prompt by modality is unknown rather than zero.
    pub prompt_details_present: bool,
    /// Whether `candidatesTokensDetails` was given; without it the split of
    /// the output between image and text is unknown rather than zero.
    pub candidates_details_present: bool,
    /// `serviceTier`, when given (Developer API).
    pub service_tier: Option<TierValue<ServiceTier>>,
    /// `trafficType`, when given (Vertex AI).
    pub traffic_type: Option<TierValue<TrafficType>>,
}

impl Usage {
    /// Whether any token count was given (a Vertex AI stream chunk may
    /// carry only `trafficType`).
    pub fn has_counts(&self) -> bool {
        self.prompt_tokens > 0
            || self.candidates_tokens > 0
            || self.thoughts_tokens > 0
            || self.total_tokens > 0
            || self.prompt_details_present
            || self.candidates_details_present
    }
}

impl OutputLine {
    /// The key of a response line; error lines are not billed, so their keys
    /// do not count as repeats.
    pub fn response_key(&self) -> Option<&str> {
        match self {
            OutputLine::Response { key, .. } => key.as_deref(),
            _ => None,
        }
    }
}

/// Reads one line of a batch output file. Never panics, whatever the bytes.
pub fn scan_output_line(line: &[u8]) -> OutputLine {
    let line = match event_line(line) {
        EventLine::Plain => line,
        EventLine::Data(payload) => payload,
        EventLine::Framing => return OutputLine::Blank,
    };
    if is_blank(line) {
        return OutputLine::Blank;
    }
    let mut cursor = JsonCursor::new(line);
    match read_line_fields(&mut cursor) {
        Ok(Some(fields)) => fields.into_output_line(),
        Ok(None) => malformed("line is not a JSON object"),
        Err(error) => OutputLine::Malformed { reason: not_json_reason(line, &error) },
    }
}

fn malformed(reason: &str) -> OutputLine {
    OutputLine::Malformed { reason: reason.to_owned() }
}

/// The top-level members that matter, each as last written.
#[derive(Default)]
struct LineFields {
    key: Option<Result<String, WrongType>>,
    response: Option<Result<ResponseFields, WrongType>>,
    error: Option<ErrorDetails>,
    status: Option<ErrorDetails>,
    bare_response: ResponseFields,
    /// Interactions and chat-completion members.
    api: ApiFields,
    /// Whether the line has a `request` (and so may be a batch input line).
    request: bool,
    /// Whether the line is an agent (ADK) event: it has `author` or
    /// `invocationId`.
    agent_event: bool,
}

#[derive(Debug, Clone, Default)]
struct ErrorDetails {
    code: Option<i64>,
    message: Option<String>,
}

/// Reads the whole line; `None` when it is JSON but not an object.
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
            "response" => {
                fields.response = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::Object => Some(Ok(read_response(cursor)?)),
                    _ => cursor.skip_value().map(|()| Some(Err(WrongType)))?,
                };
            }
            "error" => fields.error = read_error(cursor)?,
            "status" => fields.status = read_error(cursor)?,
            _ => {
                fields.request |= matches!(name, "request" | "contents");
                fields.agent_event |= matches!(name, "author" | "invocationId" | "invocation_id");
                if !fields.bare_response.read_field(name, cursor)? && !fields.api.read_field(name, cursor)? {
                    cursor.skip_value()?;
                }
            }
        }
        Ok(())
    })?;
    cursor.expect_end()?;
    Ok(Some(fields))
}

impl LineFields {
    /// Decides what the line is. The order of the checks is part of the
    /// contract: `reference::output_line` makes them in the same order.
    fn into_output_line(self) -> OutputLine {
        let key = match self.key {
            Some(Err(WrongType)) => return malformed("key is not a string"),
            Some(Ok(key)) => Some(key),
            None => None,
        };
        if let Some(api) = self.api.into_response() {
            return api_line(key, api, self.error, self.status);
        }
        if let Some(error) = self.error.or(self.status) {
            return OutputLine::Error { key, code: error.code, message: error.message };
        }
        let wrapped = matches!(self.response, Some(Ok(_)));
        let response = match self.response {
            Some(Err(WrongType)) => return malformed("response is not an object"),
            Some(Ok(response)) => response,
            None if self.bare_response.is_present() || self.agent_event => self.bare_response,
            None if self.request => return malformed(REQUEST_NOT_RESPONSE),
            None => return malformed("no response or error in the line"),
        };
        let model_version = match response.model_version.resolve() {
            Some(Err(WrongType)) => return malformed("modelVersion is not a string"),
            Some(Ok(version)) => Some(version),
            None => None,
        };
        let inline_images = response.inline_images.or(response.content_images).unwrap_or(0);
        let candidates_present = response.inline_images.is_some() || response.content_images.is_some();
        let search_queries = response.search_queries;
        let response_id = response.response_id.resolve();
        // A stream chunk or agent event without token counts is a piece of a
        // response, not one; anything else without them cannot be priced.
        let piece = !wrapped && (response_id.is_some() || self.agent_event);
        let usage = match response.usage.resolve() {
            Some(Ok(usage)) if usage.has_counts() || !piece => usage,
            None | Some(Ok(_)) if piece => {
                return OutputLine::Chunk { response_id, model_version, inline_images };
            }
            None => return malformed("no usageMetadata in the response"),
            Some(Ok(usage)) => usage,
            Some(Err(reason)) => return OutputLine::Malformed { reason },
        };
        OutputLine::Response {
            key,
            model_version,
            usage,
            inline_images,
            candidates_present,
            search_queries,
            wrapped,
            response_id,
        }
    }
}

/// An Interactions or chat-completion object as a line. An interaction's
/// `status` is its state: `failed` or `cancelled` is an error (not billed),
/// anything else is billed by its usage.
fn api_line(
    key: Option<String>,
    api: ApiResponse,
    error: Option<ErrorDetails>,
    status: Option<ErrorDetails>,
) -> OutputLine {
    let state = status.and_then(|status| status.message);
    let failed = matches!(state.as_deref(), Some("failed" | "cancelled" | "incomplete"));
    if error.is_some() || (api.object == ApiObject::Interaction && failed && api.usage.is_none()) {
        let error = error.unwrap_or_default();
        let message = error.message.or_else(|| state.map(|state| format!("interaction {state}")));
        return OutputLine::Error { key, code: error.code, message };
    }
    match api.usage {
        Some(Ok(usage)) => OutputLine::Response {
            key,
            model_version: api.model,
            usage,
            inline_images: api.images,
            // An interaction's outputs and a completion's choices are its
            // content: what they hold is known.
            candidates_present: true,
            search_queries: 0,
            wrapped: false,
            response_id: api.id,
        },
        Some(Err(reason)) => OutputLine::Malformed { reason },
        None if api.object == ApiObject::ChatCompletion && api.id.is_some() => {
            OutputLine::Chunk { response_id: api.id, model_version: api.model, inline_images: api.images }
        }
        None => malformed("no usage in the response"),
    }
}

fn read_response(cursor: &mut JsonCursor<'_>) -> Parsed<ResponseFields> {
    let mut response = ResponseFields::default();
    for_each_field(cursor, |name, cursor| {
        if !response.read_field(name, cursor)? {
            cursor.skip_value()?;
        }
        Ok(())
    })?;
    Ok(response)
}

/// Reads `error` or `status`: an object, or a non-empty string taken as the
/// message. Anything else (`""` as Vertex writes on success, numbers) is no
/// error.
fn read_error(cursor: &mut JsonCursor<'_>) -> Parsed<Option<ErrorDetails>> {
    match cursor.peek_kind()? {
        ValueKind::Object => {
            let mut details = ErrorDetails::default();
            for_each_field(cursor, |name, cursor| {
                match (name, cursor.peek_kind()?) {
                    ("code", ValueKind::Number) => {
                        details.code = signed_value(cursor.read_number()?);
                    }
                    ("code", _) => {
                        details.code = None;
                        cursor.skip_value()?;
                    }
                    ("message", ValueKind::String) => {
                        details.message = Some(cursor.read_string()?.into_owned());
                    }
                    ("message", _) => {
                        details.message = None;
                        cursor.skip_value()?;
                    }
                    _ => cursor.skip_value()?,
                }
                Ok(())
            })?;
            Ok(Some(details))
        }
        ValueKind::String => {
            let message = cursor.read_string()?;
            Ok((!message.is_empty())
                .then(|| ErrorDetails { code: None, message: Some(message.into_owned()) }))
        }
        _ => cursor.skip_value().map(|()| None),
    }
}

/// The members of a `GenerateContentResponse` that matter.
#[derive(Default)]
struct ResponseFields {
    usage: Cased<Result<Usage, String>>,
    model_version: Cased<Result<String, WrongType>>,
    /// Images counted in `candidates` (or an agent event's `content`), when
    /// it is there.
    inline_images: Option<u64>,
    /// Search queries counted in `candidates`.
    search_queries: u64,
    /// Images counted in an agent event's top-level `content`.
    content_images: Option<u64>,
    response_id: Cased<String>,
}

impl ResponseFields {
    fn is_present(&self) -> bool {
        self.usage.is_set()
            || self.model_version.is_set()
            || self.inline_images.is_some()
            || self.content_images.is_some()
    }

    /// Reads the member `name` if it is one of ours; `false` if it is not
    /// (the value is then still under the cursor).
    fn read_field(&mut self, name: &str, cursor: &mut JsonCursor<'_>) -> Parsed<bool> {
        match name {
            "usageMetadata" | "usage_metadata" => {
                let usage = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::Object => Some(read_usage(cursor)?),
                    _ => {
                        cursor.skip_value()?;
                        Some(Err("usageMetadata is not an object".to_owned()))
                    }
                };
                self.usage.set(name == "usageMetadata", usage);
            }
            "modelVersion" | "model_version" => {
                let version = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::String => Some(Ok(cursor.read_string()?.into_owned())),
                    _ => cursor.skip_value().map(|()| Some(Err(WrongType)))?,
                };
                self.model_version.set(name == "modelVersion", version);
            }
            "candidates" => {
                let counts = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    _ => Some(count_in_candidates(cursor)?),
                };
                self.inline_images = counts.map(|counts| counts.images);
                self.search_queries = counts.map_or(0, |counts| counts.search_queries);
            }
            // An agent event's content sits at the top, without candidates.
            "content" => {
                self.content_images = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    _ => Some(count_images_in_content(cursor)?),
                };
            }
            "responseId" | "response_id" => {
                let id = match cursor.peek_kind()? {
                    ValueKind::String => Some(cursor.read_string()?.into_owned()),
                    _ => cursor.skip_value().map(|()| None)?,
                };
                self.response_id.set(name == "responseId", id);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// What the candidates of one response hold that the bill needs.
#[derive(Debug, Clone, Copy, Default)]
struct CandidateCounts {
    images: u64,
    search_queries: u64,
}

/// Counts inline image parts in `candidates[].content.parts[]`, leaving out
/// parts marked `"thought": true` (interim images are not output), and the
/// entries of `candidates[].groundingMetadata.webSearchQueries`. Lenient:
/// a member of an unexpected type counts nothing.
fn count_in_candidates(cursor: &mut JsonCursor<'_>) -> Parsed<CandidateCounts> {
    let mut counts = CandidateCounts::default();
    if cursor.peek_kind()? != ValueKind::Array {
        return cursor.skip_value().map(|()| counts);
    }
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let mut in_content = 0;
        let mut queries: Cased<u64> = Cased::default();
        for_each_field(cursor, |name, cursor| match name {
            "content" => {
                in_content = count_images_in_content(cursor)?;
                Ok(())
            }
            "groundingMetadata" | "grounding_metadata" => {
                let count = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    _ => Some(count_search_queries(cursor)?),
                };
                queries.set(name == "groundingMetadata", count);
                Ok(())
            }
            _ => cursor.skip_value(),
        })?;
        counts.images += in_content;
        counts.search_queries += queries.resolve().unwrap_or(0);
        Ok(())
    })?;
    Ok(counts)
}

/// The entries of `webSearchQueries` in a `groundingMetadata` object, each
/// one query run (and billed, past the free allowance); 0 for anything that
/// is not an object holding an array.
fn count_search_queries(cursor: &mut JsonCursor<'_>) -> Parsed<u64> {
    if cursor.peek_kind()? != ValueKind::Object {
        return cursor.skip_value().map(|()| 0);
    }
    let mut queries: Cased<u64> = Cased::default();
    for_each_field(cursor, |name, cursor| match name {
        "webSearchQueries" | "web_search_queries" => {
            let count = match cursor.peek_kind()? {
                ValueKind::Null => cursor.skip_value().map(|()| None)?,
                ValueKind::Array => {
                    let mut entries = 0;
                    for_each_element(cursor, |cursor| {
                        entries += 1;
                        cursor.skip_value()
                    })?;
                    Some(entries)
                }
                _ => cursor.skip_value().map(|()| Some(0))?,
            };
            queries.set(name == "webSearchQueries", count);
            Ok(())
        }
        _ => cursor.skip_value(),
    })?;
    Ok(queries.resolve().unwrap_or(0))
}

fn count_images_in_content(cursor: &mut JsonCursor<'_>) -> Parsed<u64> {
    if cursor.peek_kind()? != ValueKind::Object {
        return cursor.skip_value().map(|()| 0);
    }
    let mut in_parts = 0;
    for_each_field(cursor, |name, cursor| {
        if name == "parts" {
            in_parts = count_images_in_parts(cursor)?;
            Ok(())
        } else {
            cursor.skip_value()
        }
    })?;
    Ok(in_parts)
}

fn count_images_in_parts(cursor: &mut JsonCursor<'_>) -> Parsed<u64> {
    if cursor.peek_kind()? != ValueKind::Array {
        return cursor.skip_value().map(|()| 0);
    }
    let mut images = 0;
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let mut inline: Cased<Option<bool>> = Cased::default();
        let mut thought = false;
        for_each_field(cursor, |name, cursor| {
            match name {
                "inlineData" | "inline_data" => {
                    let is_image = match cursor.peek_kind()? {
                        ValueKind::Null => cursor.skip_value().map(|()| None)?,
                        ValueKind::Object => Some(Some(read_inline_data_is_image(cursor)?)),
                        _ => cursor.skip_value().map(|()| Some(None))?,
                    };
                    inline.set(name == "inlineData", is_image);
                }
                "thought" => {
                    thought = match cursor.peek_kind()? {
                        ValueKind::Bool => cursor.read_bool()?,
                        _ => cursor.skip_value().map(|()| false)?,
                    };
                }
                _ => cursor.skip_value()?,
            }
            Ok(())
        })?;
        if inline.resolve().flatten() == Some(true) && !thought {
            images += 1;
        }
        Ok(())
    })?;
    Ok(images)
}

/// Whether an `inlineData` object holds an image: its MIME type starts with
/// `image/`, or it gives no MIME type as a string.
pub(crate) fn read_inline_data_is_image(cursor: &mut JsonCursor<'_>) -> Parsed<bool> {
    let mut mime: Cased<Option<bool>> = Cased::default();
    for_each_field(cursor, |name, cursor| {
        match name {
            "mimeType" | "mime_type" => {
                let is_image = match cursor.peek_kind()? {
                    ValueKind::Null => cursor.skip_value().map(|()| None)?,
                    ValueKind::String => Some(Some(cursor.read_string()?.starts_with("image/"))),
                    _ => cursor.skip_value().map(|()| Some(None))?,
                };
                mime.set(name == "mimeType", is_image);
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(mime.resolve().flatten().unwrap_or(true))
}

/// The token counts as read, each checked only when the object is done so
/// that a later duplicate can replace an earlier bad value.
#[derive(Default)]
struct UsageFields {
    prompt: Cased<Option<u64>>,
    candidates: Cased<Option<u64>>,
    thoughts: Cased<Option<u64>>,
    total: Cased<Option<u64>>,
    prompt_details: Cased<Result<ModalityTokens, String>>,
    candidates_details: Cased<Result<ModalityTokens, String>>,
    service_tier: Cased<TierValue<ServiceTier>>,
    traffic_type: Cased<TierValue<TrafficType>>,
}

/// Token counts of one `*TokensDetails` array, by modality.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ModalityTokens {
    text: u64,
    image: u64,
}

fn read_usage(cursor: &mut JsonCursor<'_>) -> Parsed<Result<Usage, String>> {
    let mut fields = UsageFields::default();
    for_each_field(cursor, |name, cursor| {
        let (slot, camel) = match name {
            "promptTokenCount" => (&mut fields.prompt, true),
            "prompt_token_count" => (&mut fields.prompt, false),
            "candidatesTokenCount" => (&mut fields.candidates, true),
            "candidates_token_count" => (&mut fields.candidates, false),
            "thoughtsTokenCount" => (&mut fields.thoughts, true),
            "thoughts_token_count" => (&mut fields.thoughts, false),
            "totalTokenCount" => (&mut fields.total, true),
            "total_token_count" => (&mut fields.total, false),
            "promptTokensDetails" | "prompt_tokens_details" => {
                let details = read_details(cursor, "promptTokensDetails")?;
                fields.prompt_details.set(name == "promptTokensDetails", details);
                return Ok(());
            }
            "candidatesTokensDetails" | "candidates_tokens_details" => {
                let details = read_details(cursor, "candidatesTokensDetails")?;
                fields.candidates_details.set(name == "candidatesTokensDetails", details);
                return Ok(());
            }
            "serviceTier" | "service_tier" => {
                let tier = read_tier(cursor, ServiceTier::from_value)?;
                fields.service_tier.set(name == "serviceTier", tier);
                return Ok(());
            }
            "trafficType" | "traffic_type" => {
                let traffic = read_tier(cursor, TrafficType::from_value)?;
                fields.traffic_type.set(name == "trafficType", traffic);
                return Ok(());
            }
            _ => return cursor.skip_value(),
        };
        let count = read_count(cursor)?;
        slot.set(camel, count);
        Ok(())
    })?;
    Ok(fields.into_usage())
}

/// Reads a lane field: `None` for null. The string is borrowed from the
/// line (unless it has escapes) and mapped at once, so nothing is kept but
/// the enum, or a few inline bytes of a value not recognised.
fn read_tier<T>(cursor: &mut JsonCursor<'_>, known: fn(&str) -> Option<T>) -> Parsed<Option<TierValue<T>>> {
    match cursor.peek_kind()? {
        ValueKind::Null => cursor.skip_value().map(|()| None),
        ValueKind::String => Ok(Some(TierValue::from_string(&cursor.read_string()?, known))),
        _ => cursor.skip_value().map(|()| Some(TierValue::NotAString)),
    }
}

/// Reads a token count: `None` for null, `Some(None)` for a value that is
/// not a non-negative integer.
fn read_count(cursor: &mut JsonCursor<'_>) -> Parsed<Option<Option<u64>>> {
    match cursor.peek_kind()? {
        ValueKind::Null => cursor.skip_value().map(|()| None),
        ValueKind::Number => Ok(Some(unsigned_value(cursor.read_number()?))),
        _ => cursor.skip_value().map(|()| Some(None)),
    }
}

impl UsageFields {
    fn into_usage(self) -> Result<Usage, String> {
        let count = |slot: Cased<Option<u64>>, name: &str| match slot.resolve() {
            None => Ok(0),
            Some(Some(count)) => Ok(count),
            Some(None) => Err(format!("{name} is not a non-negative integer")),
        };
        let prompt_tokens = count(self.prompt, "promptTokenCount")?;
        let candidates_tokens = count(self.candidates, "candidatesTokenCount")?;
        let thoughts_tokens = count(self.thoughts, "thoughtsTokenCount")?;
        let total_tokens = count(self.total, "totalTokenCount")?;
        let prompt_details = self.prompt_details.resolve().transpose()?;
        let candidates_details = self.candidates_details.resolve().transpose()?;
        Ok(Usage {
            prompt_tokens,
            prompt_text_tokens: prompt_details.map_or(0, |details| details.text),
            prompt_image_tokens: prompt_details.map_or(0, |details| details.image),
            candidates_tokens,
            candidate_text_tokens: candidates_details.map_or(0, |details| details.text),
            candidate_image_tokens: candidates_details.map_or(0, |details| details.image),
            thoughts_tokens,
            total_tokens,
            prompt_details_present: prompt_details.is_some(),
            candidates_details_present: candidates_details.is_some(),
            service_tier: self.service_tier.resolve(),
            traffic_type: self.traffic_type.resolve(),
        })
    }
}

/// Reads a `*TokensDetails` value: `None` for null, else the sums or the
/// first reason it cannot be read.
fn read_details(cursor: &mut JsonCursor<'_>, name: &str) -> Parsed<Option<Result<ModalityTokens, String>>> {
    match cursor.peek_kind()? {
        ValueKind::Null => return cursor.skip_value().map(|()| None),
        ValueKind::Array => {}
        _ => {
            return cursor.skip_value().map(|()| Some(Err(format!("{name} is not an array"))));
        }
    }
    let mut sums = Ok(ModalityTokens::default());
    for_each_element(cursor, |cursor| {
        let entry = match cursor.peek_kind()? {
            ValueKind::Object => read_detail_entry(cursor, name)?,
            _ => cursor.skip_value().map(|()| Err(format!("{name} entry is not an object")))?,
        };
        if let Ok(totals) = &mut sums {
            match entry {
                Ok((Modality::Text, tokens)) => totals.text += tokens,
                Ok((Modality::Image, tokens)) => totals.image += tokens,
                Ok((Modality::Other, _)) => {}
                Err(reason) => sums = Err(reason),
            }
        }
        Ok(())
    })?;
    Ok(Some(sums))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Modality {
    Text,
    Image,
    Other,
}

fn read_detail_entry(cursor: &mut JsonCursor<'_>, name: &str) -> Parsed<Result<(Modality, u64), String>> {
    let mut modality = Modality::Other;
    let mut tokens: Cased<Option<u64>> = Cased::default();
    for_each_field(cursor, |field, cursor| {
        match field {
            "modality" => {
                modality = match cursor.peek_kind()? {
                    ValueKind::String => match &*cursor.read_string()? {
                        "TEXT" => Modality::Text,
                        "IMAGE" => Modality::Image,
                        _ => Modality::Other,
                    },
                    _ => cursor.skip_value().map(|()| Modality::Other)?,
                };
            }
            "tokenCount" | "token_count" => {
                let count = read_count(cursor)?;
                tokens.set(field == "tokenCount", count);
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(match tokens.resolve() {
        None => Ok((modality, 0)),
        Some(Some(count)) => Ok((modality, count)),
        Some(None) => Err(format!("tokenCount in {name} is not a non-negative integer")),
    })
}

#[cfg(test)]
mod tests;

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
//!
//! This module tells the line shapes apart; what `usageMetadata` says is
//! read by [`super::usage_metadata`], what the candidates hold by
//! [`super::candidates`].

use super::api_usage::{ApiFields, ApiObject, ApiResponse};
use super::candidates::{Content, read_candidates, read_content_images};
use super::event_stream::json_of_line;
use super::field_walk::{
    Cased, WrongType, for_each_field, not_json_reason, read_line_object, read_object_member,
    read_string_member,
};
use super::interaction_events::{Event, EventFields, EventKind};
use super::json_cursor::{JsonCursor, Parsed, ValueKind, signed_value};
use super::usage_metadata::{Usage, read_usage_metadata};
use crate::zone::parse_instant;

/// The reason given for a line that holds a request and no response: the
/// file is likely a batch input file.
pub const REQUEST_NOT_RESPONSE: &str = "a request, not a response";

/// What one output line says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "a response is nearly every line: boxing it would allocate once per line"
)]
pub enum OutputLine {
    /// A response, billed by its usage.
    Response {
        /// The request key, when the line has one.
        key: Option<String>,
        /// `modelVersion`, when the response names it.
        model_version: Option<String>,
        /// The token counts from `usageMetadata`.
        usage: Usage,
        /// What its candidates hold: inline image parts (thought images
        /// left out), whether there are candidates at all (without them
        /// nothing shows whether its output was an image or text), and the
        /// Google Search queries it ran.
        content: Content,
        /// Whether the response came wrapped in a `response` member (a
        /// batch output line) rather than bare.
        wrapped: bool,
        /// `responseId` (`id` for a chat completion): the stream a chunk
        /// belongs to.
        response_id: Option<String>,
        /// The string labels of the request the line echoes
        /// (`request.labels`), by name, each as last written: what
        /// `--by label:NAME` reads.
        labels: Labels,
        /// When the response was made, in seconds since the Unix epoch:
        /// a Vertex AI batch prediction line's `processed_time`, else the
        /// response's `createTime`, where readable (what `--by day` and
        /// `reconcile`'s days read).
        time: Option<i64>,
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
    let Some(line) = json_of_line(line) else { return OutputLine::Blank };
    let mut cursor = JsonCursor::new(line);
    match read_line_fields(&mut cursor) {
        Ok(Some(fields)) => fields.into_output_line(),
        Ok(None) => malformed("line is not a JSON object"),
        Err(error) => OutputLine::Malformed { reason: not_json_reason(line, &error) },
    }
}

/// The string labels of a line's `request` (`request.labels`), sorted by
/// name, each as last written; anything else in the request is skipped, as
/// is a label whose value is no string. A later `labels` member replaces
/// an earlier one, as a JSON object's later member does.
fn read_request_labels(cursor: &mut JsonCursor<'_>) -> Parsed<Labels> {
    let mut labels = std::collections::BTreeMap::new();
    if cursor.peek_kind()? != ValueKind::Object {
        cursor.skip_value()?;
        return Ok(Labels::default());
    }
    for_each_field(cursor, |name, cursor| {
        if name != "labels" {
            return cursor.skip_value();
        }
        labels.clear();
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        for_each_field(cursor, |label, cursor| {
            if cursor.peek_kind()? != ValueKind::String {
                return cursor.skip_value();
            }
            labels.insert(label.to_owned(), cursor.read_string()?.into_owned());
            Ok(())
        })
    })?;
    Ok(labels.into_iter().collect())
}

fn malformed(reason: &str) -> OutputLine {
    OutputLine::Malformed { reason: reason.to_owned() }
}

/// A request's string labels, sorted by name, each as last written. A
/// line without labels (nearly every line) costs neither an allocation
/// nor room in every [`OutputLine`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Option<Box<LabelPairs>>);

/// The pairs behind [`Labels`], boxed whole: one pointer in each line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LabelPairs(Vec<(String, String)>);

impl Labels {
    /// The labels as (name, value) pairs, sorted by name.
    pub fn as_slice(&self) -> &[(String, String)] {
        self.0.as_deref().map_or(&[], |pairs| pairs.0.as_slice())
    }
}

impl FromIterator<(String, String)> for Labels {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Labels {
        let pairs: Vec<_> = pairs.into_iter().collect();
        Labels((!pairs.is_empty()).then(|| Box::new(LabelPairs(pairs))))
    }
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
    /// The members of an event of an Interactions stream.
    event: EventFields,
    /// Whether the line has a `request` (and so may be a batch input line).
    request: bool,
    /// The request's labels.
    labels: Labels,
    /// `processed_time`, where readable.
    processed_time: Option<i64>,
    /// Whether the line is an agent (ADK) event: it has `author` or
    /// `invocationId`.
    agent_event: bool,
    /// Whether the event's `author` is `user`: what it holds is input.
    user_event: bool,
    /// Whether the event is `"partial": true`: a piece of a later whole
    /// event.
    partial: bool,
}

#[derive(Debug, Clone, Default)]
struct ErrorDetails {
    code: Option<i64>,
    message: Option<String>,
}

/// Reads the whole line; `None` when it is JSON but not an object.
fn read_line_fields(cursor: &mut JsonCursor<'_>) -> Parsed<Option<LineFields>> {
    let mut fields = LineFields::default();
    let object = read_line_object(cursor, |name, cursor| {
        match name {
            "key" => fields.key = read_string_member(cursor)?,
            "response" => fields.response = read_object_member(cursor, read_response)?,
            "error" => fields.error = read_error(cursor)?,
            "status" => fields.status = read_error(cursor)?,
            "author" => {
                fields.agent_event = true;
                fields.user_event = match cursor.peek_kind()? {
                    ValueKind::String => cursor.read_string()? == "user",
                    _ => cursor.skip_value().map(|()| false)?,
                };
            }
            "request" => {
                fields.request = true;
                fields.labels = read_request_labels(cursor)?;
            }
            "processed_time" => fields.processed_time = read_time(cursor)?,
            "partial" => {
                fields.partial = match cursor.peek_kind()? {
                    ValueKind::Bool => cursor.read_bool()?,
                    _ => cursor.skip_value().map(|()| false)?,
                };
            }
            _ => {
                fields.request |= matches!(name, "request" | "contents");
                fields.agent_event |= matches!(name, "invocationId" | "invocation_id");
                if !fields.bare_response.read_field(name, cursor)?
                    && !fields.api.read_field(name, cursor)?
                    && !fields.event.read_field(name, cursor)?
                {
                    cursor.skip_value()?;
                }
            }
        }
        Ok(())
    })?;
    Ok(object.then_some(fields))
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
        if let Some(event) = self.event.into_event() {
            return interaction_event_line(key, event, self.error);
        }
        let mut api = self.api;
        if self.response.is_none() && !self.bare_response.is_present() && !self.request && !self.agent_event {
            // A bare usage block: a response that names no model (tally's
            // --model prices it).
            api.assume_object_of_usage();
        }
        if let Some(api) = api.into_response() {
            return api_line(key, api, self.error, self.status);
        }
        // A line that names an error yet carries a response's usage was
        // billed for it (a Vertex AI line whose `status` reports a partial
        // failure): it is a response, priced, never dropped as an error.
        let usage_given = match &self.response {
            Some(Ok(response)) => response.usage.is_set(),
            Some(Err(WrongType)) => false,
            None => self.bare_response.usage.is_set(),
        };
        if let Some(error) = self.error.or(self.status).filter(|_| !usage_given) {
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
            // An empty version names no model, as a missing one does
            // (`--model` prices it).
            Some(Ok(version)) if version.is_empty() => None,
            Some(Ok(version)) => Some(version),
            None => None,
        };
        let inline_images = response.inline_images.or(response.content_images).unwrap_or(0);
        let content = Content {
            images: inline_images,
            candidates_present: response.inline_images.is_some() || response.content_images.is_some(),
            search_queries: response.search_queries,
        };
        let response_id = response.response_id.resolve();
        // A stream chunk or agent event without token counts is a piece of a
        // response, not one; anything else without them cannot be priced.
        // An agent's own whole event that holds an output image is a model
        // turn, usage or not: a response that gives no token counts.
        let model_turn = self.agent_event
            && !self.user_event
            && !self.partial
            && response_id.is_none()
            && inline_images > 0;
        let piece = !wrapped && (response_id.is_some() || self.agent_event) && !model_turn;
        let usage = match response.usage.resolve() {
            Some(Ok(usage)) if usage.has_counts() || !piece => usage,
            None | Some(Ok(_)) if piece => {
                return OutputLine::Chunk { response_id, model_version, inline_images };
            }
            None if model_turn => Usage::default(),
            None => return malformed("no usageMetadata in the response"),
            Some(Ok(usage)) => usage,
            Some(Err(reason)) => return OutputLine::Malformed { reason },
        };
        let time = self.processed_time.or(response.create_time.resolve());
        OutputLine::Response {
            key,
            model_version,
            usage,
            content,
            wrapped,
            response_id,
            labels: self.labels,
            time,
        }
    }
}

/// A time member: seconds since the Unix epoch when it is a string
/// [`parse_instant`] reads, else `None` (a response with an unreadable
/// time is still priced; it only has no day).
fn read_time(cursor: &mut JsonCursor<'_>) -> Parsed<Option<i64>> {
    match cursor.peek_kind()? {
        ValueKind::String => Ok(parse_instant(&cursor.read_string()?)),
        _ => cursor.skip_value().map(|()| None),
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
    // A completion chunk without token counts is a piece of its stream.
    let uncounted = match &api.usage {
        None => true,
        Some(Ok(usage)) => !usage.has_counts(),
        Some(Err(_)) => false,
    };
    if uncounted && api.object == ApiObject::ChatCompletion && api.id.is_some() {
        return OutputLine::Chunk {
            response_id: api.id,
            model_version: api.model,
            inline_images: api.images,
        };
    }
    match api.usage {
        Some(Ok(usage)) => OutputLine::Response {
            key,
            model_version: api.model,
            usage,
            // An interaction's outputs and a completion's choices are its
            // content: what they hold is known.
            content: Content::with_images(api.images),
            wrapped: false,
            response_id: api.id,
            labels: Labels::default(),
            time: None,
        },
        Some(Err(reason)) => OutputLine::Malformed { reason },
        None => malformed("no usage in the response"),
    }
}

/// An event of an Interactions stream as a line: the final event is the
/// interaction, billed by its usage (without usage it is a response that
/// gives no token counts); an `error` event is an error; any other event is
/// a piece of the stream, whatever usage it carries.
fn interaction_event_line(key: Option<String>, event: Event, error: Option<ErrorDetails>) -> OutputLine {
    let Event { kind, interaction, status, id, images } = event;
    match kind {
        EventKind::Piece => OutputLine::Chunk {
            response_id: id,
            model_version: interaction.and_then(|interaction| interaction.model),
            inline_images: images,
        },
        EventKind::Error => {
            let error = error.unwrap_or_default();
            OutputLine::Error { key, code: error.code, message: error.message }
        }
        EventKind::Final => {
            let mut api = interaction.unwrap_or(ApiResponse {
                object: ApiObject::Interaction,
                usage: None,
                model: None,
                id: None,
                images: 0,
            });
            let failed = matches!(status.as_deref(), Some("failed" | "cancelled" | "incomplete"));
            if api.usage.is_none() && !failed {
                api.usage = Some(Ok(Usage::default()));
            }
            api.id = id;
            api.images = images;
            let state = status.map(|state| ErrorDetails { code: None, message: Some(state) });
            api_line(key, api, None, state)
        }
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
    /// Vertex AI's `createTime`, where readable.
    create_time: Cased<i64>,
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
                let usage = read_usage_metadata(cursor)?;
                self.usage.set(name == "usageMetadata", usage);
            }
            "modelVersion" | "model_version" => {
                let version = read_string_member(cursor)?;
                self.model_version.set(name == "modelVersion", version);
            }
            "candidates" => {
                let counts = read_candidates(cursor)?;
                self.inline_images = counts.map(|counts| counts.images);
                self.search_queries = counts.map_or(0, |counts| counts.search_queries);
            }
            // An agent event's content sits at the top, without candidates.
            "content" => {
                self.content_images = read_content_images(cursor)?;
            }
            "responseId" | "response_id" => {
                let id = match cursor.peek_kind()? {
                    ValueKind::String => Some(cursor.read_string()?.into_owned()),
                    _ => cursor.skip_value().map(|()| None)?,
                };
                self.response_id.set(name == "responseId", id);
            }
            "createTime" | "create_time" => {
                let time = read_time(cursor)?;
                self.create_time.set(name == "createTime", time);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests;

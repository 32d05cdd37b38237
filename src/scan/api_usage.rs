//! The two other APIs that answer with Gemini images, read into the same
//! [`Usage`] as a `GenerateContentResponse`:
//!
//! - the Interactions API: `{"object": "interaction", "status":
//!   "completed", "model": ..., "service_tier": ..., "outputs": [...],
//!   "usage": {"total_input_tokens", "input_tokens_by_modality": [{"modality":
//!   "text", "tokens": N}], "total_output_tokens", "output_tokens_by_modality",
//!   "total_thought_tokens", "total_tokens", ...}}`. Its `status` is the
//!   interaction's state, not an error;
//! - the OpenAI-compatible endpoint: `{"object": "chat.completion", "model":
//!   ..., "usage": {"prompt_tokens", "completion_tokens", "total_tokens",
//!   "completion_tokens_details": {"reasoning_tokens", "text_tokens",
//!   "image_tokens"}}}`, where `completion_tokens` includes the reasoning
//!   tokens: image output is `image_tokens`, thinking is `reasoning_tokens`,
//!   and text is the rest.
//!
//! Both spellings (snake_case as the APIs write, camelCase as the
//! JavaScript SDK writes) are read; camelCase wins where both appear.

use super::field_walk::{Cased, for_each_element, for_each_field};
use super::json_cursor::{JsonCursor, Parsed, ValueKind, unsigned_value};
use super::served_tier::{ServiceTier, TierValue};
use super::usage_metadata::{Usage, read_count};

/// Which API an object with an `object` member comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiObject {
    /// `"object": "interaction"`.
    Interaction,
    /// `"object": "chat.completion"` or `"chat.completion.chunk"`.
    ChatCompletion,
}

impl ApiObject {
    fn from_value(value: &str) -> Option<ApiObject> {
        match value {
            "interaction" => Some(ApiObject::Interaction),
            "chat.completion" | "chat.completion.chunk" => Some(ApiObject::ChatCompletion),
            _ => None,
        }
    }
}

/// The members of an Interactions or chat-completion object that matter,
/// read whatever `object` says (it may come last).
#[derive(Default)]
pub(crate) struct ApiFields {
    object: Option<ApiObject>,
    usage: Option<Result<ApiCounts, String>>,
    model: Option<String>,
    service_tier: Cased<TierValue<ServiceTier>>,
    id: Option<String>,
    output_images: u64,
}

/// What an Interactions or chat-completion object amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiResponse {
    /// The API.
    pub object: ApiObject,
    /// The usage; `None` when the object carries none (yet).
    pub usage: Option<Result<Usage, String>>,
    /// `model`.
    pub model: Option<String>,
    /// `id`: the stream a chunk belongs to.
    pub id: Option<String>,
    /// Image outputs (`outputs[]` of `type` `image`).
    pub images: u64,
}

impl ApiFields {
    /// Reads the member `name` if it is one of ours; `false` if it is not
    /// (the value is then still under the cursor).
    pub(crate) fn read_field(&mut self, name: &str, cursor: &mut JsonCursor<'_>) -> Parsed<bool> {
        match name {
            "object" => {
                self.object = match cursor.peek_kind()? {
                    ValueKind::String => ApiObject::from_value(&cursor.read_string()?),
                    _ => cursor.skip_value().map(|()| None)?,
                };
            }
            "usage" => {
                self.usage = cursor.read_nullable(ValueKind::Object, read_counts, || {
                    Err("usage is not an object".to_owned())
                })?;
            }
            "model" => self.model = read_text(cursor)?,
            "id" => self.id = read_text(cursor)?,
            "service_tier" | "serviceTier" => {
                let tier = match cursor.peek_kind()? {
                    ValueKind::String => {
                        Some(TierValue::from_string(&cursor.read_string()?, ServiceTier::from_value))
                    }
                    _ => cursor.skip_value().map(|()| None)?,
                };
                self.service_tier.set(name == "serviceTier", tier);
            }
            "outputs" => self.output_images = count_image_outputs(cursor)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Takes the object to be `object` when it does not say (the
    /// interaction inside an event of a stream may leave it out).
    pub(crate) fn assume_object(&mut self, object: ApiObject) {
        self.object.get_or_insert(object);
    }

    /// Reads a `usage` block that names no API (a bare `{"usage": {...}}`,
    /// as some gateways log it) as the API its counters belong to: an
    /// interaction's when it gives `total_input_tokens` or the like, else a
    /// chat completion's. Nothing changes when `object` named the API or
    /// there is no `usage`.
    pub(crate) fn assume_object_of_usage(&mut self) {
        if self.object.is_some() {
            return;
        }
        self.object = self.usage.as_ref().map(|usage| match usage {
            Ok(counts) if counts.is_interaction() => ApiObject::Interaction,
            _ => ApiObject::ChatCompletion,
        });
    }

    /// The object, when `object` named one of the two APIs.
    pub(crate) fn into_response(self) -> Option<ApiResponse> {
        let object = self.object?;
        let service_tier = self.service_tier.resolve();
        let usage = self.usage.map(|counts| {
            counts.map(|counts| {
                let mut usage = counts.into_usage(object);
                usage.service_tier = service_tier;
                usage
            })
        });
        Some(ApiResponse { object, usage, model: self.model, id: self.id, images: self.output_images })
    }
}

fn read_text(cursor: &mut JsonCursor<'_>) -> Parsed<Option<String>> {
    match cursor.peek_kind()? {
        ValueKind::String => Ok(Some(cursor.read_string()?.into_owned())),
        _ => cursor.skip_value().map(|()| None),
    }
}

/// Counts `outputs[]` entries of `"type": "image"` (thoughts are not
/// output images).
fn count_image_outputs(cursor: &mut JsonCursor<'_>) -> Parsed<u64> {
    if cursor.peek_kind()? != ValueKind::Array {
        return cursor.skip_value().map(|()| 0);
    }
    let mut images = 0;
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let mut image = false;
        for_each_field(cursor, |name, cursor| match (name, cursor.peek_kind()?) {
            ("type", ValueKind::String) => {
                image = cursor.read_string()? == "image";
                Ok(())
            }
            _ => cursor.skip_value(),
        })?;
        images += u64::from(image);
        Ok(())
    })?;
    Ok(images)
}

/// Every counter either API writes in `usage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counter {
    TotalInput,
    TotalOutput,
    TotalThought,
    Total,
    Prompt,
    Completion,
    Reasoning,
    TextOut,
    ImageOut,
    PromptText,
    PromptImage,
    InputText,
    InputImage,
    OutputText,
    OutputImage,
}

const COUNTERS: usize = 15;

/// The counters as read; `Some(None)` is a value that is not a count.
#[derive(Default)]
struct ApiCounts {
    slots: [Cased<Option<u64>>; COUNTERS],
    output_by_modality: bool,
    input_by_modality: bool,
    completion_details: bool,
    prompt_details: bool,
}

impl ApiCounts {
    fn get(&self, counter: Counter) -> Result<Option<u64>, String> {
        match self.slots[counter as usize].clone().resolve() {
            None => Ok(None),
            Some(Some(count)) => Ok(Some(count)),
            Some(None) => Err(format!("usage {counter:?} is not a non-negative integer")),
        }
    }

    fn set(&mut self, counter: Counter, camel: bool, value: Option<Option<u64>>) {
        self.slots[counter as usize].set(camel, value);
    }

    fn add(&mut self, counter: Counter, count: u64) {
        let slot = &mut self.slots[counter as usize];
        let sum = slot.clone().resolve().flatten().unwrap_or(0).saturating_add(count);
        slot.set(false, Some(Some(sum)));
    }

    fn into_usage(self, object: ApiObject) -> Usage {
        let get = |counter| self.get(counter).ok().flatten().unwrap_or(0);
        match object {
            ApiObject::Interaction => Usage {
                prompt_tokens: get(Counter::TotalInput),
                prompt_text_tokens: get(Counter::InputText),
                prompt_image_tokens: get(Counter::InputImage),
                candidates_tokens: get(Counter::TotalOutput),
                candidate_text_tokens: get(Counter::OutputText),
                candidate_image_tokens: get(Counter::OutputImage),
                thoughts_tokens: get(Counter::TotalThought),
                total_tokens: get(Counter::Total),
                prompt_details_present: self.input_by_modality,
                candidates_details_present: self.output_by_modality,
                ..Usage::default()
            },
            ApiObject::ChatCompletion => {
                let reasoning = get(Counter::Reasoning);
                let image = get(Counter::ImageOut);
                // `completion_tokens` counts the reasoning tokens too.
                let output = get(Counter::Completion).saturating_sub(reasoning);
                Usage {
                    prompt_tokens: get(Counter::Prompt),
                    prompt_text_tokens: get(Counter::PromptText),
                    prompt_image_tokens: get(Counter::PromptImage),
                    candidates_tokens: output,
                    candidate_text_tokens: output.saturating_sub(image),
                    candidate_image_tokens: image,
                    thoughts_tokens: reasoning,
                    total_tokens: get(Counter::Total),
                    prompt_details_present: self.prompt_details,
                    candidates_details_present: self.completion_details,
                    ..Usage::default()
                }
            }
        }
    }

    /// Whether a counter only the Interactions API writes is given.
    fn is_interaction(&self) -> bool {
        use Counter::{
            InputImage, InputText, OutputImage, OutputText, TotalInput, TotalOutput, TotalThought,
        };
        [TotalInput, TotalOutput, TotalThought, InputText, InputImage, OutputText, OutputImage]
            .iter()
            .any(|counter| self.slots[*counter as usize].is_set())
    }

    /// The first counter that is not a count, if any.
    fn check(&self) -> Result<(), String> {
        for index in 0..COUNTERS {
            if matches!(self.slots[index].clone().resolve(), Some(None)) {
                return Err("a token count in usage is not a non-negative integer".to_owned());
            }
        }
        Ok(())
    }
}

/// The counter a name in `usage` (or in one of its `*_details`) is, and
/// whether it is spelled in camelCase.
fn counter_named(name: &str) -> Option<(Counter, bool)> {
    Some(match name {
        "total_input_tokens" => (Counter::TotalInput, false),
        "totalInputTokens" => (Counter::TotalInput, true),
        "total_output_tokens" => (Counter::TotalOutput, false),
        "totalOutputTokens" => (Counter::TotalOutput, true),
        "total_thought_tokens" => (Counter::TotalThought, false),
        "totalThoughtTokens" => (Counter::TotalThought, true),
        "total_tokens" => (Counter::Total, false),
        "totalTokens" => (Counter::Total, true),
        "prompt_tokens" => (Counter::Prompt, false),
        "promptTokens" => (Counter::Prompt, true),
        "completion_tokens" => (Counter::Completion, false),
        "completionTokens" => (Counter::Completion, true),
        _ => return None,
    })
}

/// Reads `usage` of either API; `Err` when a count is not a count. Usage
/// that gives no token counts reads as such, and is not priced.
fn read_counts(cursor: &mut JsonCursor<'_>) -> Parsed<Result<ApiCounts, String>> {
    let mut counts = ApiCounts::default();
    for_each_field(cursor, |name, cursor| {
        if let Some((counter, camel)) = counter_named(name) {
            let count = read_count(cursor)?;
            counts.set(counter, camel, count);
            return Ok(());
        }
        match name {
            "input_tokens_by_modality" | "inputTokensByModality" => {
                counts.input_by_modality |= read_by_modality(cursor, &mut counts, true)?;
            }
            "output_tokens_by_modality" | "outputTokensByModality" => {
                counts.output_by_modality |= read_by_modality(cursor, &mut counts, false)?;
            }
            "completion_tokens_details" | "completionTokensDetails" => {
                counts.completion_details |= read_details(cursor, &mut counts, false)?;
            }
            "prompt_tokens_details" | "promptTokensDetails" => {
                counts.prompt_details |= read_details(cursor, &mut counts, true)?;
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(counts.check().map(|()| counts))
}

/// Adds up `[{"modality": "image", "tokens": N}]` (any case); `true` when
/// it was an array.
fn read_by_modality(cursor: &mut JsonCursor<'_>, counts: &mut ApiCounts, input: bool) -> Parsed<bool> {
    if cursor.peek_kind()? != ValueKind::Array {
        return cursor.skip_value().map(|()| false);
    }
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let (mut modality, mut tokens) = (None, 0);
        for_each_field(cursor, |name, cursor| {
            match (name, cursor.peek_kind()?) {
                ("modality", ValueKind::String) => {
                    modality = Some(cursor.read_string()?.to_ascii_lowercase());
                }
                ("tokens" | "token_count" | "tokenCount", ValueKind::Number) => {
                    tokens = unsigned_value(cursor.read_number()?).unwrap_or(0);
                }
                _ => cursor.skip_value()?,
            }
            Ok(())
        })?;
        let counter = match (modality.as_deref(), input) {
            (Some("text"), true) => Counter::InputText,
            (Some("image"), true) => Counter::InputImage,
            (Some("text"), false) => Counter::OutputText,
            (Some("image"), false) => Counter::OutputImage,
            _ => return Ok(()),
        };
        counts.add(counter, tokens);
        Ok(())
    })?;
    Ok(true)
}

/// Reads `completion_tokens_details` / `prompt_tokens_details`; `true`
/// when it was an object giving a text or image count.
fn read_details(cursor: &mut JsonCursor<'_>, counts: &mut ApiCounts, prompt: bool) -> Parsed<bool> {
    if cursor.peek_kind()? != ValueKind::Object {
        return cursor.skip_value().map(|()| false);
    }
    let mut split = false;
    for_each_field(cursor, |name, cursor| {
        let (counter, camel) = match (name, prompt) {
            ("reasoning_tokens", false) => (Counter::Reasoning, false),
            ("reasoningTokens", false) => (Counter::Reasoning, true),
            ("text_tokens", false) => (Counter::TextOut, false),
            ("textTokens", false) => (Counter::TextOut, true),
            ("image_tokens", false) => (Counter::ImageOut, false),
            ("imageTokens", false) => (Counter::ImageOut, true),
            ("text_tokens", true) => (Counter::PromptText, false),
            ("textTokens", true) => (Counter::PromptText, true),
            ("image_tokens", true) => (Counter::PromptImage, false),
            ("imageTokens", true) => (Counter::PromptImage, true),
            _ => return cursor.skip_value(),
        };
        split |= !matches!(counter, Counter::Reasoning);
        let count = read_count(cursor)?;
        counts.set(counter, camel, count);
        Ok(())
    })?;
    Ok(split)
}

#[cfg(test)]
mod tests {
    use crate::scan::{OutputLine, REQUEST_NOT_RESPONSE, Usage, scan_output_line};

    fn usage_of(line: &str) -> (Option<String>, Usage, u64, Option<String>) {
        match scan_output_line(line.as_bytes()) {
            OutputLine::Response {
                model_version, usage, inline_images, response_id, wrapped: false, ..
            } => (model_version, usage, inline_images, response_id),
            other => panic!("not a bare response: {other:?}"),
        }
    }

    #[test]
    fn reads_an_interaction_whose_status_is_its_state() {
        let line = r#"{"id":"i1","object":"interaction","status":"completed","model":"gemini-3-pro-image","service_tier":"flex","outputs":[{"type":"thought"},{"type":"image","data":"AA"},{"type":"text","text":"ok"}],"usage":{"total_input_tokens":12,"input_tokens_by_modality":[{"modality":"text","tokens":12}],"total_output_tokens":1130,"output_tokens_by_modality":[{"modality":"image","tokens":1120},{"modality":"text","tokens":10}],"total_thought_tokens":90,"total_tokens":1232}}"#;
        let (model, usage, images, id) = usage_of(line);
        assert_eq!((model.as_deref(), images, id.as_deref()), (Some("gemini-3-pro-image"), 1, Some("i1")));
        assert_eq!(
            (
                usage.prompt_tokens,
                usage.candidates_tokens,
                usage.candidate_image_tokens,
                usage.candidate_text_tokens
            ),
            (12, 1130, 1120, 10)
        );
        assert_eq!((usage.thoughts_tokens, usage.total_tokens), (90, 1232));
        assert!(usage.candidates_details_present && usage.service_tier.is_some());
        // The same in the JavaScript SDK's camelCase, `object` last.
        let camel = r#"{"status":"completed","model":"m","usage":{"totalInputTokens":12,"totalOutputTokens":1120,"outputTokensByModality":[{"modality":"IMAGE","tokens":1120}]},"object":"interaction"}"#;
        let (_, usage, _, _) = usage_of(camel);
        assert_eq!((usage.prompt_tokens, usage.candidate_image_tokens), (12, 1120));
    }

    #[test]
    fn a_failed_interaction_is_an_error_and_one_in_progress_cannot_be_priced() {
        let failed = r#"{"object":"interaction","status":"failed","model":"m"}"#;
        assert!(matches!(scan_output_line(failed.as_bytes()), OutputLine::Error { .. }));
        let running = r#"{"object":"interaction","status":"in_progress","model":"m"}"#;
        assert!(matches!(scan_output_line(running.as_bytes()), OutputLine::Malformed { .. }));
    }

    #[test]
    fn splits_a_chat_completion_into_image_thinking_and_text() {
        let line = r#"{"id":"c1","object":"chat.completion","model":"gemini-3.1-flash-image","usage":{"prompt_tokens":10,"completion_tokens":1230,"total_tokens":1240,"completion_tokens_details":{"reasoning_tokens":100,"image_tokens":1120}}}"#;
        let (_, usage, _, _) = usage_of(line);
        assert_eq!(
            (
                usage.prompt_tokens,
                usage.candidates_tokens,
                usage.candidate_image_tokens,
                usage.candidate_text_tokens
            ),
            (10, 1130, 1120, 10)
        );
        assert_eq!(usage.thoughts_tokens, 100);
        // Without details the output cannot be split: all of it is image.
        let bare =
            r#"{"object":"chat.completion","model":"m","usage":{"prompt_tokens":1,"completion_tokens":5}}"#;
        let (_, usage, _, _) = usage_of(bare);
        assert!(!usage.candidates_details_present);
        // A chunk of a stream without usage is a piece, not a response.
        let chunk = r#"{"id":"c2","object":"chat.completion.chunk","model":"m","choices":[]}"#;
        assert!(matches!(scan_output_line(chunk.as_bytes()), OutputLine::Chunk { .. }));
    }

    #[test]
    fn reads_server_sent_event_lines() {
        let data = r#"data: {"usageMetadata":{"promptTokenCount":3},"responseId":"r"}"#;
        assert_eq!(usage_of(data).1.prompt_tokens, 3);
        for framing in ["event: message", "data: [DONE]", ": ping", "id: 4"] {
            assert_eq!(scan_output_line(framing.as_bytes()), OutputLine::Blank, "{framing}");
        }
    }

    #[test]
    fn reads_agent_events_and_stream_chunks_without_usage_as_pieces() {
        let user =
            r#"{"author":"user","invocationId":"i","content":{"role":"user","parts":[{"text":"hi"}]}}"#;
        assert!(matches!(scan_output_line(user.as_bytes()), OutputLine::Chunk { response_id: None, .. }));
        let model = r#"{"author":"agent","content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AA"}}]},"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":1120}}"#;
        assert_eq!(usage_of(model).2, 1);
        let vertex = r#"{"candidates":[],"usageMetadata":{"trafficType":"ON_DEMAND"},"responseId":"v"}"#;
        assert!(matches!(scan_output_line(vertex.as_bytes()), OutputLine::Chunk { .. }));
        // Without an ID or an agent it stays a response, as it always was.
        let lone = r#"{"candidates":[],"usageMetadata":{"trafficType":"ON_DEMAND"}}"#;
        assert!(matches!(scan_output_line(lone.as_bytes()), OutputLine::Response { .. }));
    }

    #[test]
    fn reads_vertex_prediction_lines_and_names_requests() {
        let ok = r#"{"request":{"contents":[]},"response":{"usageMetadata":{"promptTokenCount":2}},"status":"","processed_time":"t"}"#;
        assert!(matches!(scan_output_line(ok.as_bytes()), OutputLine::Response { wrapped: true, .. }));
        let failed = r#"{"request":{"contents":[]},"status":"Bad Request","processed_time":"t"}"#;
        assert!(matches!(scan_output_line(failed.as_bytes()), OutputLine::Error { .. }));
        let request = r#"{"key":"a","request":{"contents":[]}}"#;
        assert_eq!(
            scan_output_line(request.as_bytes()),
            OutputLine::Malformed { reason: REQUEST_NOT_RESPONSE.to_owned() }
        );
    }
}

//! A slow, obviously right reading of lines through `serde_json::Value`,
//! used only by tests to hold the fast cursor-based readers to the same
//! answers, byte for byte, on valid, odd and broken lines.

use serde_json::{Map, Value};

use super::candidates::Content;
use super::event_stream::json_of_line;
use super::field_walk::{is_blank, not_json_reason};
use super::input_line::{
    CandidateCount, ContentCounts, InputLine, MediaKind, RESPONSE_MEMBERS, RESPONSE_NOT_REQUEST,
    decimal_value,
};
use super::json_cursor::SyntaxError;
use super::output_line::{OutputLine, REQUEST_NOT_RESPONSE};
use super::served_tier::{ServiceTier, ShortText, TierValue, TrafficType};
use super::usage_metadata::Usage;

type Object = Map<String, Value>;

fn parse(line: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(line).map_err(|_| {
        let unused = SyntaxError { position: 0, problem: "" };
        not_json_reason(line, &unused)
    })
}

/// A member, `null` taken as absent.
fn member<'a>(object: &'a Object, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|value| !value.is_null())
}

/// A member in either casing, camelCase first.
fn cased<'a>(object: &'a Object, camel: &str, snake: &str) -> Option<&'a Value> {
    member(object, camel).or_else(|| member(object, snake))
}

fn key_of(object: &Object) -> Result<Option<String>, String> {
    match member(object, "key") {
        None => Ok(None),
        Some(Value::String(key)) => Ok(Some(key.clone())),
        Some(_) => Err("key is not a string".to_owned()),
    }
}

/// What `scan_output_line` must answer for `line`.
pub(crate) fn output_line(line: &[u8]) -> OutputLine {
    let malformed = |reason: String| OutputLine::Malformed { reason };
    let Some(line) = json_of_line(line) else { return OutputLine::Blank };
    let top = match parse(line) {
        Err(reason) => return malformed(reason),
        Ok(Value::Object(top)) => top,
        Ok(_) => return malformed("line is not a JSON object".into()),
    };
    let key = match key_of(&top) {
        Ok(key) => key,
        Err(reason) => return malformed(reason),
    };
    let error_of = |value: Option<&Value>| match value {
        Some(Value::Object(error)) => Some((
            member(error, "code").and_then(Value::as_i64),
            member(error, "message").and_then(Value::as_str).map(str::to_owned),
        )),
        Some(Value::String(message)) if !message.is_empty() => Some((None, Some(message.clone()))),
        _ => None,
    };
    if let Some((code, message)) =
        error_of(member(&top, "error")).or_else(|| error_of(member(&top, "status")))
    {
        return OutputLine::Error { key, code, message };
    }
    let wrapped = matches!(member(&top, "response"), Some(Value::Object(_)));
    let agent_event = ["author", "invocationId", "invocation_id"].iter().any(|name| top.contains_key(*name));
    let response = match member(&top, "response") {
        Some(Value::Object(response)) => response,
        Some(_) => return malformed("response is not an object".into()),
        None => {
            let bare = cased(&top, "usageMetadata", "usage_metadata").is_some()
                || cased(&top, "modelVersion", "model_version").is_some()
                || member(&top, "candidates").is_some()
                || member(&top, "content").is_some();
            if !bare && !agent_event {
                if top.contains_key("request") || top.contains_key("contents") {
                    return malformed(REQUEST_NOT_RESPONSE.into());
                }
                return malformed("no response or error in the line".into());
            }
            &top
        }
    };
    let model_version = match cased(response, "modelVersion", "model_version") {
        None => None,
        // An empty version names no model, as a missing one does.
        Some(Value::String(version)) if version.is_empty() => None,
        Some(Value::String(version)) => Some(version.clone()),
        Some(_) => return malformed("modelVersion is not a string".into()),
    };
    let inline_images = response_images(response);
    let candidates_present =
        member(response, "candidates").is_some() || member(response, "content").is_some();
    let search_queries = response_search_queries(response);
    let response_id = match cased(response, "responseId", "response_id") {
        Some(Value::String(id)) => Some(id.clone()),
        _ => None,
    };
    let user_event = member(&top, "author").and_then(Value::as_str) == Some("user");
    let partial = member(&top, "partial").and_then(Value::as_bool) == Some(true);
    let model_turn = agent_event && !user_event && !partial && response_id.is_none() && inline_images > 0;
    let piece = !wrapped && (response_id.is_some() || agent_event) && !model_turn;
    let usage = match cased(response, "usageMetadata", "usage_metadata") {
        None if piece => return OutputLine::Chunk { response_id, model_version, inline_images },
        None if model_turn => Usage::default(),
        None => return malformed("no usageMetadata in the response".into()),
        Some(Value::Object(usage)) => match usage_of(usage) {
            Ok(usage) if usage.has_counts() || !piece => usage,
            Ok(_) => return OutputLine::Chunk { response_id, model_version, inline_images },
            Err(reason) => return malformed(reason),
        },
        Some(_) => return malformed("usageMetadata is not an object".into()),
    };
    let content = Content { images: inline_images, candidates_present, search_queries };
    let mut labels: Vec<(String, String)> = match member(&top, "request")
        .and_then(Value::as_object)
        .and_then(|request| member(request, "labels"))
    {
        Some(Value::Object(labels)) => labels
            .iter()
            .filter_map(|(name, value)| value.as_str().map(|value| (name.clone(), value.to_owned())))
            .collect(),
        _ => Vec::new(),
    };
    labels.sort();
    let labels = labels.into_iter().collect();
    let time_of = |value: Option<&Value>| value.and_then(Value::as_str).and_then(crate::zone::parse_instant);
    let time = time_of(member(&top, "processed_time"))
        .or_else(|| time_of(member(response, "createTime")))
        .or_else(|| time_of(member(response, "create_time")));
    OutputLine::Response { key, model_version, usage, content, wrapped, response_id, labels, time }
}

/// A lane field: `spellings` in upper case, any case accepted.
fn tier_of<T: Copy>(
    usage: &Object,
    camel: &str,
    snake: &str,
    spellings: &[(&str, T)],
) -> Option<TierValue<T>> {
    match cased(usage, camel, snake)? {
        Value::String(value) => {
            let upper = value.to_ascii_uppercase();
            Some(match spellings.iter().find(|(spelling, _)| *spelling == upper) {
                Some((_, known)) => TierValue::Known(*known),
                None => TierValue::Unrecognised(ShortText::new(value)),
            })
        }
        _ => Some(TierValue::NotAString),
    }
}

const SERVICE_TIERS: [(&str, ServiceTier); 8] = [
    ("STANDARD", ServiceTier::Standard),
    ("FLEX", ServiceTier::Flex),
    ("PRIORITY", ServiceTier::Priority),
    ("UNSPECIFIED", ServiceTier::Unspecified),
    ("SERVICE_TIER_STANDARD", ServiceTier::Standard),
    ("SERVICE_TIER_FLEX", ServiceTier::Flex),
    ("SERVICE_TIER_PRIORITY", ServiceTier::Priority),
    ("SERVICE_TIER_UNSPECIFIED", ServiceTier::Unspecified),
];

const TRAFFIC_TYPES: [(&str, TrafficType); 5] = [
    ("ON_DEMAND", TrafficType::OnDemand),
    ("ON_DEMAND_FLEX", TrafficType::OnDemandFlex),
    ("ON_DEMAND_PRIORITY", TrafficType::OnDemandPriority),
    ("PROVISIONED_THROUGHPUT", TrafficType::ProvisionedThroughput),
    ("TRAFFIC_TYPE_UNSPECIFIED", TrafficType::Unspecified),
];

fn usage_of(usage: &Object) -> Result<Usage, String> {
    let count = |camel: &str, snake: &str| match cased(usage, camel, snake) {
        None => Ok(0),
        Some(value) => value.as_u64().ok_or_else(|| format!("{camel} is not a non-negative integer")),
    };
    let prompt_tokens = count("promptTokenCount", "prompt_token_count")?;
    let candidates_tokens = count("candidatesTokenCount", "candidates_token_count")?;
    let thoughts_tokens = count("thoughtsTokenCount", "thoughts_token_count")?;
    let total_tokens = count("totalTokenCount", "total_token_count")?;
    let details = |camel: &str, snake: &str| -> Result<Option<(u64, u64)>, String> {
        let Some(value) = cased(usage, camel, snake) else {
            return Ok(None);
        };
        let Value::Array(entries) = value else {
            return Err(format!("{camel} is not an array"));
        };
        let (mut text, mut image) = (0, 0);
        for entry in entries {
            let Value::Object(entry) = entry else {
                return Err(format!("{camel} entry is not an object"));
            };
            let tokens = match cased(entry, "tokenCount", "token_count") {
                None => 0,
                Some(value) => value
                    .as_u64()
                    .ok_or_else(|| format!("tokenCount in {camel} is not a non-negative integer"))?,
            };
            match entry.get("modality").and_then(Value::as_str) {
                Some("TEXT") => text += tokens,
                Some("IMAGE") => image += tokens,
                _ => {}
            }
        }
        Ok(Some((text, image)))
    };
    let prompt_details = details("promptTokensDetails", "prompt_tokens_details")?;
    let candidates_details = details("candidatesTokensDetails", "candidates_tokens_details")?;
    Ok(Usage {
        prompt_tokens,
        prompt_text_tokens: prompt_details.map_or(0, |(text, _)| text),
        prompt_image_tokens: prompt_details.map_or(0, |(_, image)| image),
        candidates_tokens,
        candidate_text_tokens: candidates_details.map_or(0, |(text, _)| text),
        candidate_image_tokens: candidates_details.map_or(0, |(_, image)| image),
        thoughts_tokens,
        total_tokens,
        prompt_details_present: prompt_details.is_some(),
        candidates_details_present: candidates_details.is_some(),
        service_tier: tier_of(usage, "serviceTier", "service_tier", &SERVICE_TIERS),
        traffic_type: tier_of(usage, "trafficType", "traffic_type", &TRAFFIC_TYPES),
    })
}

fn is_image(inline: &Object) -> bool {
    match cased(inline, "mimeType", "mime_type") {
        Some(Value::String(mime)) => mime.get(..6).is_some_and(|head| head.eq_ignore_ascii_case("image/")),
        _ => true,
    }
}

fn parts_of(content: &Value) -> &[Value] {
    match content {
        Value::Object(content) => match member(content, "parts") {
            Some(Value::Array(parts)) => parts,
            _ => &[],
        },
        _ => &[],
    }
}

fn response_images(response: &Object) -> u64 {
    if member(response, "candidates").is_none()
        && let Some(content) = member(response, "content")
    {
        return content_images(content);
    }
    let Some(Value::Array(candidates)) = member(response, "candidates") else {
        return 0;
    };
    let mut images = 0;
    for candidate in candidates {
        let Value::Object(candidate) = candidate else {
            continue;
        };
        let Some(content) = candidate.get("content") else {
            continue;
        };
        for part in parts_of(content) {
            let Value::Object(part) = part else { continue };
            let thought = part.get("thought").and_then(Value::as_bool).unwrap_or(false);
            if let Some(Value::Object(inline)) = cased(part, "inlineData", "inline_data")
                && is_image(inline)
                && !thought
            {
                images += 1;
            }
        }
    }
    images
}

/// The entries of `webSearchQueries` over every candidate's `groundingMetadata`.
fn response_search_queries(response: &Object) -> u64 {
    let Some(Value::Array(candidates)) = member(response, "candidates") else {
        return 0;
    };
    let queries = |candidate: &Value| {
        let Value::Object(candidate) = candidate else { return 0 };
        let Some(Value::Object(grounding)) = cased(candidate, "groundingMetadata", "grounding_metadata")
        else {
            return 0;
        };
        match cased(grounding, "webSearchQueries", "web_search_queries") {
            Some(Value::Array(queries)) => queries.len() as u64,
            _ => 0,
        }
    };
    candidates.iter().map(queries).sum()
}

fn content_images(content: &Value) -> u64 {
    let mut images = 0;
    for part in parts_of(content) {
        let Value::Object(part) = part else { continue };
        let thought = part.get("thought").and_then(Value::as_bool).unwrap_or(false);
        if let Some(Value::Object(inline)) = cased(part, "inlineData", "inline_data")
            && is_image(inline)
            && !thought
        {
            images += 1;
        }
    }
    images
}

/// A string's contents, or the compact JSON text of another value.
fn as_written(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// What `scan_input_line` must answer for `line`.
pub(crate) fn input_line(line: &[u8]) -> InputLine {
    let malformed = |reason: &str| InputLine::Malformed { reason: reason.to_owned() };
    if is_blank(line) {
        return InputLine::Blank;
    }
    let top = match parse(line) {
        Err(reason) => return InputLine::Malformed { reason },
        Ok(Value::Object(top)) => top,
        Ok(_) => return malformed("line is not a JSON object"),
    };
    let key = match key_of(&top) {
        Ok(key) => key,
        Err(reason) => return InputLine::Malformed { reason },
    };
    let request = match member(&top, "request") {
        Some(Value::Object(request)) => request,
        Some(_) => return malformed("request is not an object"),
        None if member(&top, "contents").is_some() => &top,
        None if RESPONSE_MEMBERS.iter().any(|name| top.contains_key(*name)) => {
            return malformed(RESPONSE_NOT_REQUEST);
        }
        None => return malformed("no request in the line"),
    };
    let contents = match member(request, "contents") {
        None => return malformed("no contents in the request"),
        Some(Value::Array(contents)) => contents,
        Some(_) => return malformed("contents is not an array"),
    };
    let (mut image_size, mut candidate_count) = (None, None);
    match cased(request, "generationConfig", "generation_config") {
        None => {}
        Some(Value::Object(config)) => {
            candidate_count = cased(config, "candidateCount", "candidate_count").map(|value| {
                let number = match value {
                    Value::Number(number) => number.as_f64(),
                    Value::String(text) => decimal_value(text),
                    _ => None,
                };
                CandidateCount::from_value(number, value.to_string())
            });
            match cased(config, "imageConfig", "image_config") {
                None => {}
                Some(Value::Object(image)) => {
                    image_size = cased(image, "imageSize", "image_size").map(as_written);
                }
                Some(_) => return malformed("imageConfig is not an object"),
            }
        }
        Some(_) => return malformed("generationConfig is not an object"),
    }
    let system = cased(request, "systemInstruction", "system_instruction");
    let mut counts = ContentCounts::default();
    let media_kind = |media: &Object| {
        MediaKind::of_mime(match cased(media, "mimeType", "mime_type") {
            Some(Value::String(mime)) => Some(mime.as_str()),
            _ => None,
        })
    };
    for content in contents.iter().chain(system) {
        for part in parts_of(content) {
            let Value::Object(part) = part else { continue };
            if let Some(Value::String(text)) = part.get("text") {
                counts.prompt_chars += text.chars().count() as u64;
            }
            if let Some(Value::Object(inline)) = cased(part, "inlineData", "inline_data") {
                match media_kind(inline) {
                    MediaKind::Image => counts.inline_images += 1,
                    kind => counts.other_media.count(kind),
                }
            }
            if let Some(Value::Object(file)) = cased(part, "fileData", "file_data") {
                match media_kind(file) {
                    MediaKind::Image => counts.file_parts += 1,
                    kind => counts.other_media.count(kind),
                }
            }
        }
    }
    let search_tool = |tool: &Value| {
        let Value::Object(tool) = tool else { return false };
        cased(tool, "googleSearch", "google_search").is_some()
            || cased(tool, "googleSearchRetrieval", "google_search_retrieval").is_some()
    };
    let search = match member(request, "tools") {
        Some(Value::Array(tools)) => tools.iter().any(search_tool),
        _ => false,
    };
    InputLine::Request {
        key,
        model: member(request, "model").map(as_written),
        image_size,
        candidate_count,
        content: counts,
        search,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::scan::{scan_input_line, scan_output_line};
    use crate::synth::SplitMix64;

    /// A JSON tree whose members keep their order and their repeats.
    #[derive(Debug, Clone)]
    enum Json {
        Null,
        Bool(bool),
        Number(String),
        Text(String),
        List(Vec<Json>),
        Members(Vec<(String, Json)>),
    }

    fn text(value: &str) -> Json {
        Json::Text(value.to_owned())
    }

    fn number(value: u64) -> Json {
        Json::Number(value.to_string())
    }

    fn members(pairs: Vec<(&str, Json)>) -> Json {
        Json::Members(pairs.into_iter().map(|(name, value)| (name.to_owned(), value)).collect())
    }

    /// Picks camelCase or snake_case for a name given in camelCase.
    fn spell(rng: &mut SplitMix64, camel: &str) -> String {
        if rng.chance(30) {
            let mut snake = String::new();
            for character in camel.chars() {
                if character.is_ascii_uppercase() {
                    snake.push('_');
                    snake.push(character.to_ascii_lowercase());
                } else {
                    snake.push(character);
                }
            }
            snake
        } else {
            camel.to_owned()
        }
    }

    fn random_scalar(rng: &mut SplitMix64) -> Json {
        match rng.below(9) {
            0 => Json::Null,
            1 => Json::Bool(rng.chance(50)),
            2 => number(rng.below(5000)),
            3 => Json::Number(
                rng.pick(&[
                    "-1",
                    "-0",
                    "1.5",
                    "2e3",
                    "18446744073709551616",
                    "0.0",
                    "2.0",
                    "1E2",
                    "4000000000",
                    "-1e30",
                ])
                .to_string(),
            ),
            4 => text(rng.pick::<&str>(&[
                "",
                "2K",
                "2k",
                "TEXT",
                "IMAGE",
                "image/png",
                "é\"\\\u{1}😀",
                "two",
                "2",
                "1e2",
                " 2",
                "1.5",
            ])),
            5 => Json::List(vec![number(1), text("x")]),
            6 => members(vec![("modality", text("IMAGE")), ("tokenCount", number(7))]),
            7 => Json::List(vec![]),
            _ => members(vec![]),
        }
    }

    fn usage(rng: &mut SplitMix64) -> Json {
        let detail = |rng: &mut SplitMix64, modality: &str| {
            members(vec![("modality", text(modality)), ("tokenCount", number(rng.below(3000)))])
        };
        // Usage that gives no token counts: empty, a total alone, a lane alone.
        match rng.below(12) {
            0 => return members(vec![]),
            1 => return members(vec![("totalTokenCount", number(rng.below(6000)))]),
            2 => return members(vec![("trafficType", text("ON_DEMAND"))]),
            _ => {}
        }
        let mut pairs = vec![
            ("promptTokenCount", number(rng.below(2000))),
            ("candidatesTokenCount", number(rng.below(3000))),
            ("thoughtsTokenCount", number(rng.below(900))),
            ("totalTokenCount", number(rng.below(6000))),
        ];
        let prompt = Json::List(vec![detail(rng, "TEXT"), detail(rng, "IMAGE")]);
        let candidates = Json::List(vec![detail(rng, "IMAGE"), detail(rng, "TEXT")]);
        pairs.push(("promptTokensDetails", prompt));
        pairs.push(("candidatesTokensDetails", candidates));
        if rng.chance(60) {
            let tier = rng.pick::<&str>(&[
                "standard",
                "flex",
                "Priority",
                "unspecified",
                "SERVICE_TIER_FLEX",
                "service_tier_standard",
                "SERVICE_TIER_UNSPECIFIED",
                "SERVICE_TIER_",
                "turbo",
                "a-lane-name-longer-than-the-inline-buffer-keeps-é",
            ]);
            pairs.push(("serviceTier", text(tier)));
        }
        if rng.chance(40) {
            let traffic = rng.pick::<&str>(&[
                "ON_DEMAND",
                "ON_DEMAND_FLEX",
                "on_demand_priority",
                "PROVISIONED_THROUGHPUT",
                "TRAFFIC_TYPE_UNSPECIFIED",
                "SPOT",
            ]);
            pairs.push(("trafficType", text(traffic)));
        }
        members(pairs)
    }

    fn part(rng: &mut SplitMix64) -> Json {
        match rng.below(4) {
            0 => members(vec![("text", text("a cat in a hat"))]),
            1 => members(vec![(
                "fileData",
                members(vec![
                    ("mimeType", text(rng.pick::<&str>(&["image/png", "video/mp4", "application/pdf"]))),
                    ("fileUri", text("gs://x")),
                ]),
            )]),
            2 => members(vec![
                ("thought", Json::Bool(true)),
                ("inlineData", members(vec![("data", text("QUJD"))])),
            ]),
            _ => members(vec![(
                "inlineData",
                members(vec![
                    (
                        "mimeType",
                        text(rng.pick::<&str>(&["image/png", "IMAGE/JPEG", "Image/Png", "audio/wav"])),
                    ),
                    ("data", text("iVBORw0KGgoAAAANSUhEUgAA")),
                ]),
            )]),
        }
    }

    fn content(rng: &mut SplitMix64) -> Json {
        let parts = (0..rng.below(4)).map(|_| part(rng)).collect();
        members(vec![("role", text("user")), ("parts", Json::List(parts))])
    }

    fn grounding(rng: &mut SplitMix64) -> Json {
        let queries = (0..rng.below(3)).map(|_| text("cat hats")).collect();
        match rng.below(3) {
            0 => Json::Null,
            1 => members(vec![("webSearchQueries", Json::List(queries))]),
            _ => members(vec![("web_search_queries", Json::List(queries))]),
        }
    }

    fn output_tree(rng: &mut SplitMix64) -> Json {
        let response = members(vec![
            (
                "candidates",
                Json::List(vec![members(vec![
                    ("content", content(rng)),
                    ("finishReason", text("STOP")),
                    ("groundingMetadata", grounding(rng)),
                ])]),
            ),
            ("usageMetadata", usage(rng)),
            ("modelVersion", text("gemini-3-pro-image-preview")),
        ]);
        match rng.below(5) {
            0 => response,
            // An agent (ADK) event: content and usage (if any) at the top.
            4 => {
                let mut pairs = vec![
                    ("author", text(rng.pick::<&str>(&["user", "image_agent"]))),
                    ("invocationId", text("inv-1")),
                    ("content", content(rng)),
                ];
                if rng.chance(30) {
                    pairs.push(("partial", Json::Bool(rng.chance(50))));
                }
                if rng.chance(50) {
                    pairs.push(("usageMetadata", usage(rng)));
                }
                members(pairs)
            }
            1 => members(vec![
                ("key", text("req-1")),
                ("error", members(vec![("code", number(429)), ("message", text("busy"))])),
            ]),
            _ => members(vec![("key", text("req-é\"1")), ("response", response)]),
        }
    }

    fn input_tree(rng: &mut SplitMix64) -> Json {
        let config = members(vec![
            ("responseModalities", Json::List(vec![text("IMAGE")])),
            ("candidateCount", number(rng.below(3))),
            ("imageConfig", members(vec![("aspectRatio", text("16:9")), ("imageSize", text("2K"))])),
        ]);
        let request = members(vec![
            ("model", text("models/gemini-3.1-flash-image-preview")),
            ("contents", Json::List(vec![content(rng), content(rng)])),
            ("systemInstruction", content(rng)),
            ("generationConfig", config),
            ("tools", tools(rng)),
        ]);
        if rng.chance(50) { request } else { members(vec![("key", text("k")), ("request", request)]) }
    }

    fn tools(rng: &mut SplitMix64) -> Json {
        let tool = |rng: &mut SplitMix64| {
            let name = rng.pick::<&str>(&["googleSearch", "googleSearchRetrieval", "codeExecution"]);
            members(vec![(name, members(vec![]))])
        };
        Json::List((0..rng.below(3)).map(|_| tool(rng)).collect())
    }

    /// Changes the tree the way real files and bugs do: other casing,
    /// shuffled, dropped, repeated, nulled or retyped members.
    fn perturb(rng: &mut SplitMix64, tree: &mut Json, rate: u64) {
        match tree {
            Json::Members(pairs) => {
                for (name, value) in pairs.iter_mut() {
                    *name = spell(rng, name);
                    if rng.chance(rate) {
                        *value = random_scalar(rng);
                    } else {
                        perturb(rng, value, rate);
                    }
                }
                if rng.chance(rate) && !pairs.is_empty() {
                    let index = rng.below(pairs.len() as u64) as usize;
                    pairs.remove(index);
                }
                if rng.chance(rate) && !pairs.is_empty() {
                    let index = rng.below(pairs.len() as u64) as usize;
                    let (name, _) = pairs[index].clone();
                    pairs.push((name, random_scalar(rng)));
                }
                for index in (1..pairs.len()).rev() {
                    let other = rng.below(index as u64 + 1) as usize;
                    pairs.swap(index, other);
                }
            }
            Json::List(items) => {
                for item in items {
                    perturb(rng, item, rate);
                }
            }
            _ => {}
        }
    }

    fn write_string(rng: &mut SplitMix64, value: &str, out: &mut String) {
        out.push('"');
        for character in value.chars() {
            match character {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 || rng.chance(3) => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    fn space(rng: &mut SplitMix64, out: &mut String) {
        if rng.chance(10) {
            out.push_str(rng.pick::<&str>(&[" ", "\t", "  ", "\r"]));
        }
    }

    fn write_json(rng: &mut SplitMix64, tree: &Json, out: &mut String) {
        space(rng, out);
        match tree {
            Json::Null => out.push_str("null"),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Number(value) => out.push_str(value),
            Json::Text(value) => write_string(rng, value, out),
            Json::List(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_json(rng, item, out);
                }
                space(rng, out);
                out.push(']');
            }
            Json::Members(pairs) => {
                out.push('{');
                for (index, (name, value)) in pairs.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    space(rng, out);
                    write_string(rng, name, out);
                    space(rng, out);
                    out.push(':');
                    write_json(rng, value, out);
                }
                space(rng, out);
                out.push('}');
            }
        }
        space(rng, out);
    }

    /// Breaks the bytes of a line a little, or not at all.
    fn damage(rng: &mut SplitMix64, mut bytes: Vec<u8>) -> Vec<u8> {
        if bytes.is_empty() {
            return bytes;
        }
        let at = rng.below(bytes.len() as u64) as usize;
        match rng.below(8) {
            0 => bytes.truncate(at),
            1 => bytes[at] = *rng.pick(b"{}[],:\"\\0-e.tn \x01\xff\xc3"),
            2 => bytes.insert(at, *rng.pick(b"{}[],:\"\\0-e.tn \x01\xff\xc3")),
            3 => {
                bytes.remove(at);
            }
            _ => {}
        }
        bytes
    }

    fn random_line(seed: u64, rate: u64) -> Vec<u8> {
        let mut rng = SplitMix64::new(seed);
        let mut tree = if rng.chance(50) { output_tree(&mut rng) } else { input_tree(&mut rng) };
        perturb(&mut rng, &mut tree, rate);
        let mut line = String::new();
        write_json(&mut rng, &tree, &mut line);
        damage(&mut rng, line.into_bytes())
    }

    /// Writes raw JSON text found in a request the way `serde_json` would,
    /// since `Value` keeps neither spacing nor member order.
    fn compact_written(line: InputLine) -> InputLine {
        let compact = |text: String| match serde_json::from_str::<Value>(&text) {
            Ok(value) => value.to_string(),
            Err(_) => text,
        };
        match line {
            InputLine::Request { key, model, image_size, candidate_count, content, search } => {
                InputLine::Request {
                    key,
                    model: model.map(compact),
                    image_size: image_size.map(compact),
                    candidate_count: candidate_count.map(|count| match count {
                        CandidateCount::Whole { value, written } => {
                            CandidateCount::Whole { value, written: compact(written) }
                        }
                        CandidateCount::Fraction { written } => {
                            CandidateCount::Fraction { written: compact(written) }
                        }
                        CandidateCount::NotANumber { written } => {
                            CandidateCount::NotANumber { written: compact(written) }
                        }
                    }),
                    content,
                    search,
                }
            }
            other => other,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn fast_readers_answer_exactly_as_the_serde_reference(seed in any::<u64>(), rate in 0u64..25) {
            let line = random_line(seed, rate);
            prop_assert_eq!(scan_output_line(&line), output_line(&line), "output {}", String::from_utf8_lossy(&line));
            prop_assert_eq!(compact_written(scan_input_line(&line)), compact_written(input_line(&line)), "input {}", String::from_utf8_lossy(&line));
        }

        #[test]
        fn fast_readers_agree_with_the_reference_on_arbitrary_bytes(line in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(scan_output_line(&line), output_line(&line));
            prop_assert_eq!(compact_written(scan_input_line(&line)), compact_written(input_line(&line)));
        }
    }

    #[test]
    fn generated_lines_are_mostly_meaningful() {
        // Guards the property test against testing only garbage.
        let (mut responses, mut requests) = (0, 0);
        for seed in 0..2000 {
            let line = random_line(seed, 3);
            responses += u32::from(matches!(scan_output_line(&line), OutputLine::Response { .. }));
            requests += u32::from(matches!(scan_input_line(&line), InputLine::Request { .. }));
        }
        assert!(responses > 300, "{responses} responses");
        assert!(requests > 300, "{requests} requests");
    }
}

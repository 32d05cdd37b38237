//! Synthetic batch OUTPUT: response lines of the usual models (or, with
//! `mixed`, of every model and spelling a table may hold), error lines,
//! and the sums a correct scan must find.

use std::io::{self, Write};

use super::{LineStyle, SynthSpec, Writer};
use crate::batch::{Content, OutputFileSums};
use crate::scan::Usage;

/// One image model as it appears in batch output.
struct ModelProfile {
    version: &'static str,
    /// Output image tokens for each size the model offers.
    image_tokens: &'static [u64],
    /// Prompt tokens one reference image counts.
    input_image_tokens: u64,
    /// Whether responses carry thinking tokens.
    thinks: bool,
    /// Share of responses, in percent.
    weight: u64,
}

const MODELS: [ModelProfile; 3] = [
    ModelProfile {
        version: "gemini-3.1-flash-image-preview",
        image_tokens: &[747, 1120, 1680, 2520],
        input_image_tokens: 1120,
        thinks: false,
        weight: 60,
    },
    ModelProfile {
        version: "gemini-3-pro-image-preview",
        image_tokens: &[1120, 1120, 2000],
        input_image_tokens: 560,
        thinks: true,
        weight: 25,
    },
    ModelProfile {
        version: "gemini-2.5-flash-image",
        image_tokens: &[1290],
        input_image_tokens: 258,
        thinks: false,
        weight: 15,
    },
];

/// What `mixed` files name: (`modelVersion` as written, or none; the
/// profile of its tokens). Every embedded card model is here, under each
/// spelling `tally` resolves, beside models no card lists.
const MIXED_VERSIONS: [(Option<&str>, usize); 17] = [
    (Some("gemini-nano-banana-2.1"), 0),
    (Some("gemini-3.1-flash-image"), 1),
    (Some("gemini-3.1-flash-image-preview"), 1),
    (Some("models/gemini-3.1-flash-image-preview"), 1),
    (Some("gemini-3.1-flash-lite-image"), 2),
    (Some("gemini-3-pro-image"), 3),
    (Some("gemini-3-pro-image-preview"), 3),
    (Some("gemini-3-pro-image-preview-11-2025"), 3),
    (Some("publishers/google/models/gemini-3-pro-image@001"), 3),
    (Some("gemini-2.5-flash-image"), 4),
    (Some("gemini-2.5-flash-image@default"), 4),
    (Some("GEMINI-2.5-FLASH-IMAGE-PREVIEW"), 4),
    (Some("projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash-image"), 4),
    (Some("imagen-4.0-generate-001"), 5),
    (Some("gemini-9-flash-image"), 1),
    // A card ID followed by no `-`: another model, not a dated version.
    (Some("gemini-3.1-flash-imagen-5"), 1),
    (None, 4),
];

/// The token profiles of [`MIXED_VERSIONS`].
const MIXED_PROFILES: [ModelProfile; 6] = [
    ModelProfile {
        version: "",
        image_tokens: &[1120, 1680, 3780],
        input_image_tokens: 1120,
        thinks: false,
        weight: 0,
    },
    ModelProfile {
        version: "",
        image_tokens: &[747, 1120, 1680, 2520],
        input_image_tokens: 1120,
        thinks: false,
        weight: 0,
    },
    ModelProfile { version: "", image_tokens: &[1120], input_image_tokens: 1120, thinks: false, weight: 0 },
    ModelProfile {
        version: "",
        image_tokens: &[1120, 2000],
        input_image_tokens: 560,
        thinks: true,
        weight: 0,
    },
    ModelProfile { version: "", image_tokens: &[1290], input_image_tokens: 258, thinks: false, weight: 0 },
    ModelProfile {
        version: "",
        image_tokens: &[1024, 1290],
        input_image_tokens: 0,
        thinks: false,
        weight: 0,
    },
];

/// How a `mixed` response line is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrapper {
    /// `{"key", "response"}`, or bare when no key is given.
    Usual,
    /// Vertex AI batch prediction: `{"request", "response", "status": ""}`.
    Vertex,
}

/// Lane fields a `mixed` bare response may carry in its `usageMetadata`:
/// (camelCase, snake_case, value).
const LANE_FIELDS: [(&str, &str, &str); 12] = [
    ("serviceTier", "service_tier", "standard"),
    ("serviceTier", "service_tier", "flex"),
    ("serviceTier", "service_tier", "priority"),
    ("serviceTier", "service_tier", "SERVICE_TIER_FLEX"),
    ("serviceTier", "service_tier", "unspecified"),
    ("serviceTier", "service_tier", "turbo"),
    ("trafficType", "traffic_type", "ON_DEMAND"),
    ("trafficType", "traffic_type", "ON_DEMAND_FLEX"),
    ("trafficType", "traffic_type", "ON_DEMAND_PRIORITY"),
    ("trafficType", "traffic_type", "PROVISIONED_THROUGHPUT"),
    ("trafficType", "traffic_type", "TRAFFIC_TYPE_UNSPECIFIED"),
    ("trafficType", "traffic_type", "on_demand"),
];

impl Writer {
    fn model(&mut self) -> &'static ModelProfile {
        let mut roll = self.rng.below(100);
        for model in &MODELS {
            if roll < model.weight {
                return model;
            }
            roll -= model.weight;
        }
        &MODELS[0]
    }
}

/// Writes a synthetic batch OUTPUT file of about `spec.target_bytes` and
/// returns the sums a correct scan of it must find.
pub fn write_batch_output(spec: &SynthSpec, out: &mut impl Write) -> io::Result<OutputFileSums> {
    let mut writer = Writer::new(spec);
    let mut expected = OutputFileSums::default();
    let mut written = 0u64;
    let mut line = String::new();
    let mut last_key: Option<String> = None;
    let mut index = 0u64;
    while written < spec.target_bytes {
        index += 1;
        line.clear();
        expected.lines += 1;
        let roll = writer.rng.below(100);
        let style =
            LineStyle { snake: writer.rng.chance(spec.snake_case_percent), spaced: writer.rng.chance(10) };
        if roll < spec.blank_percent {
            line.push_str(if writer.rng.chance(50) { "" } else { "  " });
            expected.blank_lines += 1;
        } else if roll < spec.blank_percent + spec.error_percent {
            write_error_line(&mut writer, &style, index, spec.mixed, &mut line);
            expected.error_lines += 1;
        } else {
            let key = if writer.rng.chance(spec.bare_percent) {
                None
            } else if let Some(previous) =
                last_key.clone().filter(|_| writer.rng.chance(spec.duplicate_percent))
            {
                Some(previous)
            } else {
                Some(writer.key(index))
            };
            let broken = writer.rng.chance(spec.broken_percent);
            let (model_version, usage, content) =
                write_response_line(&mut writer, &style, key.as_deref(), spec.mixed, &mut line);
            if broken {
                let cut = writer.rng.below(line.len() as u64 / 2) as usize;
                line.truncate(line.floor_char_boundary(cut));
                line.push_str("{\"");
                expected.malformed_lines += 1;
            } else {
                if key.is_some() && key == last_key {
                    expected.duplicate_responses += 1;
                }
                expected.add_response(model_version.map(str::to_owned), &usage, content);
                if key.is_some() {
                    last_key = key;
                }
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    Ok(expected)
}

fn write_error_line(writer: &mut Writer, style: &LineStyle, index: u64, mixed: bool, line: &mut String) {
    if mixed && writer.rng.chance(30) {
        // A failed Vertex AI batch prediction line: a status, no response.
        let (colon, comma) = (style.colon(), style.comma());
        line.push_str(&format!(
            "{{\"request\"{colon}{{\"contents\"{colon}[]}}{comma}\"status\"{colon}\"Bad Request: the request had an invalid argument\"{comma}\"processed_time\"{colon}\"2026-11-02T10:00:00Z\"}}"
        ));
        return;
    }
    let (code, status, message) = *writer.rng.pick(&[
        (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
        (400, "INVALID_ARGUMENT", "Request contains an invalid argument: \\\"imageSize\\\"."),
        (500, "INTERNAL", "An internal error has occurred."),
    ]);
    let wrapper = if writer.rng.chance(50) { "error" } else { "status" };
    let key = writer.key(index);
    let (colon, comma) = (style.colon(), style.comma());
    line.push_str(&format!(
        "{{\"key\"{colon}\"{key}\"{comma}\"{wrapper}\"{colon}{{\"code\"{colon}{code}{comma}\"message\"{colon}\"{message}\"{comma}\"status\"{colon}\"{status}\"}}}}"
    ));
}

/// Writes one response line; returns its model version, usage and image
/// count.
fn write_response_line(
    writer: &mut Writer,
    style: &LineStyle,
    key: Option<&str>,
    mixed: bool,
    line: &mut String,
) -> (Option<&'static str>, Usage, Content) {
    let (version, model) = if mixed {
        let (version, profile) = *writer.rng.pick(&MIXED_VERSIONS);
        (version, &MIXED_PROFILES[profile])
    } else {
        let model = writer.model();
        (Some(model.version), model)
    };
    let mut image_tokens = *writer.rng.pick(model.image_tokens);
    let reference_images = if writer.rng.chance(25) { 1 + writer.rng.below(3) } else { 0 };
    let prompt_text_tokens = 5 + writer.rng.below(400);
    let prompt_image_tokens = reference_images * model.input_image_tokens;
    let mut candidate_text_tokens = if writer.rng.chance(30) { 5 + writer.rng.below(60) } else { 0 };
    let thoughts_tokens = if model.thinks { 50 + writer.rng.below(1500) } else { 0 };
    let mut with_details = !writer.rng.chance(3);
    let thought_image = model.thinks && writer.rng.chance(10);
    // What only `mixed` files vary: images per response (a size no card
    // lists, two images, a text answer), search queries, the lane fields
    // and the Vertex AI wrapper.
    let mut images = 1;
    let mut queries = 0;
    let mut lane_field = None;
    let mut wrapper = Wrapper::Usual;
    if mixed {
        match writer.rng.below(20) {
            0 => image_tokens = 1000 + writer.rng.below(50),
            1 => {
                images = 2;
                image_tokens *= 2;
            }
            2 | 3 => {
                // Google leaves the details out of text-only answers.
                images = 0;
                image_tokens = 0;
                candidate_text_tokens = 5 + writer.rng.below(300);
                with_details = false;
            }
            _ => {}
        }
        if writer.rng.chance(10) {
            queries = 1 + writer.rng.below(3);
        }
        if key.is_none() {
            if writer.rng.chance(30) {
                wrapper = Wrapper::Vertex;
            } else if writer.rng.chance(85) {
                lane_field = Some(*writer.rng.pick(&LANE_FIELDS));
            }
        }
    }
    let usage = Usage {
        prompt_tokens: prompt_text_tokens + prompt_image_tokens,
        prompt_text_tokens: if with_details { prompt_text_tokens } else { 0 },
        prompt_image_tokens: if with_details { prompt_image_tokens } else { 0 },
        candidates_tokens: image_tokens + candidate_text_tokens,
        candidate_text_tokens: if with_details { candidate_text_tokens } else { 0 },
        candidate_image_tokens: if with_details { image_tokens } else { 0 },
        thoughts_tokens,
        total_tokens: prompt_text_tokens
            + prompt_image_tokens
            + image_tokens
            + candidate_text_tokens
            + thoughts_tokens,
        prompt_details_present: with_details,
        candidates_details_present: with_details,
        service_tier: None,
        traffic_type: None,
    };
    let (colon, comma) = (style.colon(), style.comma());

    let mut usage_json = String::from("{");
    let mut counts = vec![
        (("promptTokenCount", "prompt_token_count"), usage.prompt_tokens),
        (("candidatesTokenCount", "candidates_token_count"), usage.candidates_tokens),
        (("totalTokenCount", "total_token_count"), usage.total_tokens),
    ];
    if model.thinks {
        counts.push((("thoughtsTokenCount", "thoughts_token_count"), thoughts_tokens));
    }
    for (index, ((camel, snake), value)) in counts.into_iter().enumerate() {
        if index > 0 {
            usage_json.push_str(comma);
        }
        style.member(&mut usage_json, camel, snake);
        usage_json.push_str(&value.to_string());
    }
    if with_details {
        let token_count = style.name("tokenCount", "token_count");
        let detail = |modality: &str, tokens: u64| {
            format!("{{\"modality\"{colon}\"{modality}\"{comma}\"{token_count}\"{colon}{tokens}}}")
        };
        let mut prompt_details = vec![detail("TEXT", prompt_text_tokens)];
        if prompt_image_tokens > 0 {
            prompt_details.push(detail("IMAGE", prompt_image_tokens));
        }
        let mut candidate_details = vec![detail("IMAGE", image_tokens)];
        if candidate_text_tokens > 0 {
            candidate_details.push(detail("TEXT", candidate_text_tokens));
        }
        usage_json.push_str(comma);
        style.member(&mut usage_json, "promptTokensDetails", "prompt_tokens_details");
        usage_json.push_str(&format!("[{}]", prompt_details.join(comma)));
        usage_json.push_str(comma);
        style.member(&mut usage_json, "candidatesTokensDetails", "candidates_tokens_details");
        usage_json.push_str(&format!("[{}]", candidate_details.join(comma)));
    }
    if let Some((camel, snake, value)) = lane_field {
        usage_json.push_str(comma);
        style.member(&mut usage_json, camel, snake);
        usage_json.push_str(&format!("\"{value}\""));
    }
    usage_json.push('}');

    let inline = style.name("inlineData", "inline_data");
    let mime = style.name("mimeType", "mime_type");
    let mut parts = Vec::new();
    if thought_image {
        parts.push(format!(
            "{{\"thought\"{colon}true{comma}\"{inline}\"{colon}{{\"{mime}\"{colon}\"image/png\"{comma}\"data\"{colon}\"iVBORw0KGgo=\"}}}}"
        ));
    }
    if candidate_text_tokens > 0 {
        parts.push(format!("{{\"text\"{colon}\"Here is your image: \\\"{}\\\"\"}}", writer.prompt()));
    }
    for _ in 0..images {
        let payload = writer.payload();
        parts.push(format!(
            "{{\"{inline}\"{colon}{{\"{mime}\"{colon}\"image/png\"{comma}\"data\"{colon}\"{payload}\"}}}}"
        ));
    }
    let finish = style.name("finishReason", "finish_reason");
    let grounding = if queries > 0 {
        let list: Vec<String> = (0..queries).map(|query| format!("\"fox photo {query}\"")).collect();
        format!(
            "{comma}\"{}\"{colon}{{\"{}\"{colon}[{}]}}",
            style.name("groundingMetadata", "grounding_metadata"),
            style.name("webSearchQueries", "web_search_queries"),
            list.join(comma)
        )
    } else {
        String::new()
    };
    let candidates = format!(
        "[{{\"content\"{colon}{{\"parts\"{colon}[{}]{comma}\"role\"{colon}\"model\"}}{comma}\"{finish}\"{colon}\"STOP\"{comma}\"index\"{colon}0{grounding}}}]",
        parts.join(comma)
    );

    let mut response = String::from("{");
    let usage_first = writer.rng.chance(50);
    let mut members = vec![format!("\"candidates\"{colon}{candidates}")];
    let usage_member = format!("\"{}\"{colon}{usage_json}", style.name("usageMetadata", "usage_metadata"));
    if usage_first {
        members.insert(0, usage_member);
    } else {
        members.push(usage_member);
    }
    if let Some(version) = version {
        members.push(format!("\"{}\"{colon}\"{version}\"", style.name("modelVersion", "model_version")));
    }
    members.push(format!(
        "\"{}\"{colon}\"resp-{}\"",
        style.name("responseId", "response_id"),
        writer.rng.below(1 << 40)
    ));
    response.push_str(&members.join(comma));
    response.push('}');

    match (key, wrapper) {
        (_, Wrapper::Vertex) => line.push_str(&format!(
            "{{\"request\"{colon}{{\"contents\"{colon}[{{\"role\"{colon}\"user\"{comma}\"parts\"{colon}[{{\"text\"{colon}\"{}\"}}]}}]}}{comma}\"response\"{colon}{response}{comma}\"status\"{colon}\"\"{comma}\"processed_time\"{colon}\"2026-11-02T10:00:00Z\"}}",
            writer.prompt()
        )),
        (Some(key), Wrapper::Usual) => {
            line.push_str(&format!("{{\"key\"{colon}\"{key}\"{comma}\"response\"{colon}{response}}}"))
        }
        (None, Wrapper::Usual) => line.push_str(&response),
    }
    (version, usage, Content { images, candidates_present: true, search_queries: queries })
}

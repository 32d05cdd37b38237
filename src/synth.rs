//! Test support, not part of the library's interface: deterministic
//! synthetic batch files for tests and benchmarks, seeded output and input
//! JSONL of any size, written together with the sums a correct scan of them
//! must find.

use std::io::{self, Write};

use crate::batch::{Content, InputFileSums, OutputFileSums, RequestSums};
use crate::scan::{ContentCounts, Usage};

/// The splitmix64 generator: tiny, fast, and the same numbers on every
/// platform for a given seed, which is all synthetic data needs.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// A number in `0..bound` (`bound` > 0); the slight bias of a modulo
    /// does not matter for test data.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

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

const PROMPT_WORDS: [&str; 12] =
    ["a", "watercolor", "fox", "in", "the", "snow", "neon", "city", "at", "dusk", "product", "photo"];

/// What to put in a synthetic file. Percentages are of lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSpec {
    /// Stop after the line that reaches this many bytes.
    pub target_bytes: u64,
    /// The same seed gives the same file.
    pub seed: u64,
    /// Base64 characters per image (output images, or reference images in
    /// input files); each line varies it by up to 10%.
    pub payload_bytes: usize,
    /// Error lines (output) — no request is billed for them.
    pub error_percent: u64,
    /// Lines repeating the previous key.
    pub duplicate_percent: u64,
    /// Lines in snake_case instead of camelCase.
    pub snake_case_percent: u64,
    /// Lines without the `{"key", ...}` wrapper.
    pub bare_percent: u64,
    /// Blank lines.
    pub blank_percent: u64,
    /// Lines cut off mid-JSON.
    pub broken_percent: u64,
    /// Output of every kind a log or table may hold, not only one batch
    /// job's: every model of the embedded cards under every spelling of its
    /// version (preview and GA IDs, dated and Vertex AI versions, aliases'
    /// IDs in capitals), unknown models and responses without a
    /// `modelVersion`, bare responses served on each lane (`serviceTier`,
    /// `trafficType`, provisioned throughput, values no rule knows), Vertex
    /// AI batch prediction lines and their failures, text-only answers,
    /// sizes no card lists, and grounded responses. Off, the file is the same
    /// as before this option existed, seed for seed.
    pub mixed: bool,
}

impl Default for SynthSpec {
    /// 1 MiB of output-like data with ~500 KB images and a little of
    /// everything odd.
    fn default() -> Self {
        Self {
            target_bytes: 1 << 20,
            seed: 1,
            payload_bytes: 500_000,
            error_percent: 2,
            duplicate_percent: 1,
            snake_case_percent: 20,
            bare_percent: 5,
            blank_percent: 1,
            broken_percent: 1,
            mixed: false,
        }
    }
}

/// Writes names in camelCase or snake_case, and the separators with or
/// without spaces, for one line.
struct LineStyle {
    snake: bool,
    spaced: bool,
}

impl LineStyle {
    fn name<'a>(&self, camel: &'a str, snake: &'a str) -> &'a str {
        if self.snake { snake } else { camel }
    }

    fn colon(&self) -> &'static str {
        if self.spaced { ": " } else { ":" }
    }

    fn comma(&self) -> &'static str {
        if self.spaced { ", " } else { "," }
    }

    /// `"name":` in this line's casing and spacing.
    fn member(&self, out: &mut String, camel: &str, snake: &str) {
        out.push('"');
        out.push_str(self.name(camel, snake));
        out.push('"');
        out.push_str(self.colon());
    }
}

/// The random source plus a shared base64 pool that images are cut from.
struct Writer {
    rng: SplitMix64,
    pool: String,
    payload_bytes: usize,
}

impl Writer {
    fn new(spec: &SynthSpec) -> Self {
        const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut rng = SplitMix64::new(spec.seed);
        let pool_len = spec.payload_bytes + spec.payload_bytes / 10 + 4;
        let pool = (0..pool_len).map(|_| BASE64[rng.below(64) as usize] as char).collect();
        Self { rng, pool, payload_bytes: spec.payload_bytes }
    }

    /// A base64 string of about the payload size, ending in padding.
    fn payload(&mut self) -> &str {
        let spread = (self.payload_bytes / 10) as u64 + 1;
        let len = (self.payload_bytes as u64 - spread.min(self.payload_bytes as u64) / 2
            + self.rng.below(spread)) as usize;
        let start = self.rng.below(4) as usize;
        let len = len.min(self.pool.len() - start) / 4 * 4;
        &self.pool[start..start + len]
    }

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

    fn prompt(&mut self) -> String {
        let words = 3 + self.rng.below(20);
        (0..words).map(|_| *self.rng.pick(&PROMPT_WORDS)).collect::<Vec<_>>().join(" ")
    }

    fn key(&mut self, index: u64) -> String {
        match self.rng.below(40) {
            0 => format!("req-{index}-\\\"quoted\\\""),
            1 => format!("req-{index}-caf\\u00e9"),
            _ => format!("req-{index}"),
        }
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

/// Writes a synthetic batch INPUT file of about `spec.target_bytes` and
/// returns the sums a correct scan of it must find. Requests ask for
/// every size, some as `2k`, some with no size, some with reference images
/// inline or by URI; none sets `candidateCount`, so each asks for one image.
pub fn write_batch_input(spec: &SynthSpec, out: &mut impl Write) -> io::Result<InputFileSums> {
    let mut writer = Writer::new(spec);
    let mut expected = InputFileSums::default();
    let mut written = 0u64;
    let mut line = String::new();
    let mut last_key: Option<String> = None;
    let mut index = 0u64;
    while written < spec.target_bytes {
        index += 1;
        line.clear();
        expected.lines += 1;
        let style =
            LineStyle { snake: writer.rng.chance(spec.snake_case_percent), spaced: writer.rng.chance(10) };
        if writer.rng.chance(spec.blank_percent) {
            expected.blank_lines += 1;
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
            let (size, totals) = write_request_line(&mut writer, &style, key.as_deref(), &mut line);
            if broken {
                let cut = writer.rng.below(line.len() as u64 / 2) as usize;
                line.truncate(line.floor_char_boundary(cut));
                line.push('[');
                expected.malformed_lines += 1;
            } else {
                if key.is_some() && key == last_key {
                    expected.duplicate_keys += 1;
                }
                expected.sizes.entry(size).or_default().merge(&totals);
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

fn write_request_line(
    writer: &mut Writer,
    style: &LineStyle,
    key: Option<&str>,
    line: &mut String,
) -> (Option<String>, RequestSums) {
    let (colon, comma) = (style.colon(), style.comma());
    let prompt = writer.prompt();
    let mut content = ContentCounts::default();
    let mut parts = vec![format!("{{\"text\"{colon}\"{prompt}\"}}")];
    if writer.rng.chance(20) {
        let inline = style.name("inlineData", "inline_data");
        let mime = style.name("mimeType", "mime_type");
        for _ in 0..1 + writer.rng.below(3) {
            let payload = writer.payload();
            parts.push(format!(
                "{{\"{inline}\"{colon}{{\"{mime}\"{colon}\"image/jpeg\"{comma}\"data\"{colon}\"{payload}\"}}}}"
            ));
            content.inline_images += 1;
        }
    }
    if writer.rng.chance(5) {
        let file = style.name("fileData", "file_data");
        let uri = style.name("fileUri", "file_uri");
        let mime = style.name("mimeType", "mime_type");
        parts.push(format!(
            "{{\"{file}\"{colon}{{\"{mime}\"{colon}\"image/png\"{comma}\"{uri}\"{colon}\"gs://bucket/ref-{}.png\"}}}}",
            writer.rng.below(1000)
        ));
        content.file_parts += 1;
    }
    if writer.rng.chance(3) {
        let file = style.name("fileData", "file_data");
        let uri = style.name("fileUri", "file_uri");
        let mime = style.name("mimeType", "mime_type");
        parts.push(format!(
            "{{\"{file}\"{colon}{{\"{mime}\"{colon}\"video/mp4\"{comma}\"{uri}\"{colon}\"gs://bucket/clip.mp4\"}}}}"
        ));
        content.other_media.video += 1;
    }
    let search = writer.rng.chance(5);
    let size: Option<&str> = *writer.rng.pick(&[
        Some("512"),
        Some("1K"),
        Some("2K"),
        Some("2K"),
        Some("4K"),
        Some("2k"),
        None,
        None,
    ]);
    let mut config = format!(
        "\"{}\"{colon}[\"TEXT\"{comma}\"IMAGE\"]",
        style.name("responseModalities", "response_modalities")
    );
    if size.is_some() || writer.rng.chance(50) {
        config.push_str(comma);
        style.member(&mut config, "imageConfig", "image_config");
        config.push_str(&format!("{{\"{}\"{colon}\"16:9\"", style.name("aspectRatio", "aspect_ratio")));
        if let Some(size) = size {
            config.push_str(comma);
            style.member(&mut config, "imageSize", "image_size");
            config.push_str(&format!("\"{size}\""));
        }
        config.push('}');
    }
    let tools = if search {
        format!("{comma}\"tools\"{colon}[{{\"{}\"{colon}{{}}}}]", style.name("googleSearch", "google_search"))
    } else {
        String::new()
    };
    let request = format!(
        "{{\"contents\"{colon}[{{\"role\"{colon}\"user\"{comma}\"parts\"{colon}[{}]}}]{comma}\"{}\"{colon}{{{config}}}{tools}}}",
        parts.join(comma),
        style.name("generationConfig", "generation_config"),
    );
    match key {
        Some(key) => line.push_str(&format!("{{\"key\"{colon}\"{key}\"{comma}\"request\"{colon}{request}}}")),
        None => line.push_str(&request),
    }
    let mut totals = RequestSums::default();
    content.prompt_chars = prompt.chars().count() as u64;
    totals.add(size.is_some(), 1, &content, search);
    (size.map(str::to_owned), totals)
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::batch::{sum_input_file, sum_output_file};
    use crate::scan::{ScanOptions, decompress};

    fn small_spec(seed: u64, target_bytes: u64, payload_bytes: usize) -> SynthSpec {
        SynthSpec {
            target_bytes,
            seed,
            payload_bytes,
            error_percent: 5,
            duplicate_percent: 5,
            blank_percent: 2,
            broken_percent: 2,
            ..SynthSpec::default()
        }
    }

    fn scan_options() -> Vec<ScanOptions> {
        [(1, 4 << 20), (2, 4 << 20), (2, 3000), (3, 777)]
            .into_iter()
            .map(|(threads, block_bytes)| ScanOptions { threads, block_bytes, ..ScanOptions::default() })
            .collect()
    }

    #[test]
    fn scanning_generated_output_finds_exactly_the_expected_totals() {
        for (seed, target, payload) in [(1, 3 << 20, 2000), (2, 3 << 20, 10_000), (3, 200_000, 100)] {
            let mut file = Vec::new();
            let expected = write_batch_output(&small_spec(seed, target, payload), &mut file).unwrap();
            assert!(expected.groups.len() >= 6, "seed {seed}: {:?}", expected.groups.keys());
            assert!(
                expected.error_lines > 0 && expected.duplicate_responses > 0 && expected.malformed_lines > 0
            );
            for options in scan_options() {
                assert_eq!(
                    sum_output_file("synthetic", &file[..], &options).unwrap(),
                    expected,
                    "seed {seed} {options:?}"
                );
            }
        }
    }

    #[test]
    fn scanning_generated_input_finds_exactly_the_expected_totals() {
        for (seed, target, payload) in [(1, 2 << 20, 1000), (4, 300_000, 40)] {
            let mut file = Vec::new();
            let expected = write_batch_input(&small_spec(seed, target, payload), &mut file).unwrap();
            assert!(expected.sizes.contains_key(&Some("2k".to_owned())));
            assert!(expected.sizes.contains_key(&None));
            assert!(expected.sizes.values().any(|totals| totals.inline_images > 0 && totals.file_parts > 0));
            assert!(expected.sizes.values().any(|totals| totals.other_media.video > 0));
            assert!(expected.sizes.values().any(|totals| totals.search_requests > 0));
            for options in scan_options() {
                assert_eq!(
                    sum_input_file("synthetic", &file[..], &options).unwrap(),
                    expected,
                    "seed {seed} {options:?}"
                );
            }
        }
    }

    #[test]
    fn gzip_and_zstd_files_scan_like_plain_ones() {
        use flate2::{Compression, write::GzEncoder};
        let spec = small_spec(9, 1 << 20, 3000);
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        let expected = write_batch_output(&spec, &mut encoder).unwrap();
        let compressed = encoder.finish().unwrap();
        let source = decompress(std::io::Cursor::new(compressed)).unwrap();
        assert_eq!(sum_output_file("synthetic.gz", source, &ScanOptions::default()).unwrap(), expected);

        let mut encoder = zstd::Encoder::new(Vec::new(), 1).unwrap();
        assert_eq!(write_batch_output(&spec, &mut encoder).unwrap(), expected);
        let compressed = encoder.finish().unwrap();
        let source = decompress(std::io::Cursor::new(compressed)).unwrap();
        assert_eq!(sum_output_file("synthetic.zst", source, &ScanOptions::default()).unwrap(), expected);
    }

    #[test]
    fn the_same_seed_writes_the_same_bytes() {
        let spec = small_spec(5, 100_000, 500);
        let (mut first, mut second) = (Vec::new(), Vec::new());
        write_batch_output(&spec, &mut first).unwrap();
        write_batch_output(&spec, &mut second).unwrap();
        assert_eq!(first, second);
        let other = SynthSpec { seed: 6, ..spec };
        let mut third = Vec::new();
        write_batch_output(&other, &mut third).unwrap();
        assert_ne!(first, third);
    }

    #[test]
    fn every_generated_line_is_read_the_same_by_fast_and_reference_paths() {
        let mut file = Vec::new();
        write_batch_output(&small_spec(11, 400_000, 200), &mut file).unwrap();
        let mut lines = 0;
        crate::scan::scan_lines(&file[..], &ScanOptions::default(), |_, line: crate::scan::OutputLine| {
            lines += 1;
            assert!(!matches!(line, crate::scan::OutputLine::Malformed { ref reason } if !reason.starts_with("not JSON")));
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(lines > 100);
    }
}

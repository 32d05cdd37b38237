//! Tests of the output line reader: casings, line kinds, lane fields,
//! image counting and hostile bytes.

use super::*;
use crate::scan::served_tier::{ServiceTier, ShortText, TierValue, TrafficType};

fn response(key: Option<&str>, model: Option<&str>, usage: Usage, inline_images: u64) -> OutputLine {
    OutputLine::Response {
        key: key.map(str::to_owned),
        model_version: model.map(str::to_owned),
        usage,
        content: Content { images: inline_images, candidates_present: inline_images > 0, search_queries: 0 },
        wrapped: true,
        response_id: None,
        labels: Labels::default(),
        time: None,
    }
}

fn flash_2k_usage() -> Usage {
    Usage {
        prompt_tokens: 12,
        prompt_text_tokens: 12,
        candidates_tokens: 1680,
        candidate_image_tokens: 1680,
        total_tokens: 1692,
        prompt_details_present: true,
        candidates_details_present: true,
        ..Usage::default()
    }
}

const CAMEL: &str = r#"{"key":"a","response":{"candidates":[{"content":{"role":"model","parts":[{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":1680,"totalTokenCount":1692,"promptTokensDetails":[{"modality":"TEXT","tokenCount":12}],"candidatesTokensDetails":[{"modality":"IMAGE","tokenCount":1680}]},"modelVersion":"gemini-3.1-flash-image-preview"}}"#;

const SNAKE: &str = r#"{"response": {"usage_metadata": {"prompt_token_count": 12, "candidates_token_count": 1680, "total_token_count": 1692, "prompt_tokens_details": [{"modality": "TEXT", "token_count": 12}], "candidates_tokens_details": [{"modality": "IMAGE", "token_count": 1680}]}, "model_version": "gemini-3.1-flash-image-preview", "candidates": [{"content": {"parts": [{"inline_data": {"mime_type": "image/png", "data": "AAAA"}}]}}]}, "key": "a"}"#;

#[test]
fn reads_both_casings_in_any_order_alike() {
    let expected = response(Some("a"), Some("gemini-3.1-flash-image-preview"), flash_2k_usage(), 1);
    assert_eq!(scan_output_line(CAMEL.as_bytes()), expected);
    assert_eq!(scan_output_line(SNAKE.as_bytes()), expected);
}

#[test]
fn reads_a_bare_response_without_a_key() {
    let line = r#"{"modelVersion":"gemini-2.5-flash-image","usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1290,"totalTokenCount":1295}}"#;
    let usage = Usage { prompt_tokens: 5, candidates_tokens: 1290, total_tokens: 1295, ..Usage::default() };
    let OutputLine::Response { wrapped, .. } = scan_output_line(line.as_bytes()) else {
        panic!("not a response");
    };
    assert!(!wrapped);
    let mut want = response(None, Some("gemini-2.5-flash-image"), usage, 0);
    if let OutputLine::Response { wrapped, .. } = &mut want {
        *wrapped = false;
    }
    assert_eq!(scan_output_line(line.as_bytes()), want);
}

#[test]
fn reads_the_lane_fields_of_usage_metadata() {
    let read = |usage: &str| match scan_output_line(format!(r#"{{"usageMetadata":{usage}}}"#).as_bytes()) {
        OutputLine::Response { usage, .. } => (usage.service_tier, usage.traffic_type),
        other => panic!("not a response: {other:?}"),
    };
    let known = TierValue::Known;
    let cases = [
        (r#"{}"#, (None, None)),
        (r#"{"serviceTier":"flex"}"#, (Some(known(ServiceTier::Flex)), None)),
        (r#"{"service_tier":"SERVICE_TIER_PRIORITY"}"#, (Some(known(ServiceTier::Priority)), None)),
        (r#"{"service_tier":"flex","serviceTier":"standard"}"#, (Some(known(ServiceTier::Standard)), None)),
        (r#"{"serviceTier":null,"service_tier":"flex"}"#, (Some(known(ServiceTier::Flex)), None)),
        (r#"{"serviceTier":"flex"}"#, (Some(known(ServiceTier::Flex)), None)),
        (r#"{"trafficType":"ON_DEMAND_FLEX"}"#, (None, Some(TierValue::Known(TrafficType::OnDemandFlex)))),
        (
            r#"{"traffic_type":"PROVISIONED_THROUGHPUT"}"#,
            (None, Some(TierValue::Known(TrafficType::ProvisionedThroughput))),
        ),
        (r#"{"serviceTier":7}"#, (Some(TierValue::NotAString), None)),
        (
            r#"{"serviceTier":"turbo","trafficType":"ON_DEMAND"}"#,
            (
                Some(TierValue::Unrecognised(ShortText::new("turbo"))),
                Some(TierValue::Known(TrafficType::OnDemand)),
            ),
        ),
    ];
    for (usage, want) in cases {
        assert_eq!(read(usage), want, "{usage}");
    }
}

#[test]
fn classifies_lines_table() {
    let error = |key: Option<&str>, code: Option<i64>, message: Option<&str>| OutputLine::Error {
        key: key.map(str::to_owned),
        code,
        message: message.map(str::to_owned),
    };
    let cases: Vec<(&str, OutputLine)> = vec![
        ("", OutputLine::Blank),
        ("  \t\r", OutputLine::Blank),
        (
            r#"{"key":"k","error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}"#,
            error(Some("k"), Some(429), Some("Resource exhausted")),
        ),
        (
            r#"{"key":"k","status":{"code":3,"message":"bad imageSize"}}"#,
            error(Some("k"), Some(3), Some("bad imageSize")),
        ),
        (r#"{"status":"quota exceeded"}"#, error(None, None, Some("quota exceeded"))),
        (r#"{"key":"k","error":{"code":"429"}}"#, error(Some("k"), None, None)),
        (r#"{"key":"k","response":{"modelVersion":"m"}}"#, malformed("no usageMetadata in the response")),
        (r#"{"key":"k"}"#, malformed("no response or error in the line")),
        (r#"{"key":7,"response":{}}"#, malformed("key is not a string")),
        (r#"{"key":"k","response":[]}"#, malformed("response is not an object")),
        (r#"[1,2]"#, malformed("line is not a JSON object")),
        (r#"{"response":{"usageMetadata":3}}"#, malformed("usageMetadata is not an object")),
        (
            r#"{"response":{"usageMetadata":{"promptTokenCount":-1}}}"#,
            malformed("promptTokenCount is not a non-negative integer"),
        ),
        (
            r#"{"response":{"usageMetadata":{"totalTokenCount":"9"}}}"#,
            malformed("totalTokenCount is not a non-negative integer"),
        ),
        (
            r#"{"response":{"usageMetadata":{"candidatesTokensDetails":{}}}}"#,
            malformed("candidatesTokensDetails is not an array"),
        ),
        (
            r#"{"response":{"usageMetadata":{"promptTokensDetails":[{"modality":"TEXT","tokenCount":1.5}]}}}"#,
            malformed("tokenCount in promptTokensDetails is not a non-negative integer"),
        ),
        (r#"{"response":{"usageMetadata":{},"modelVersion":42}}"#, malformed("modelVersion is not a string")),
        (
            r#"{"key":"k","response":{"usageMetadata":{"promptTokenCount":"x","promptTokenCount":4}}}"#,
            response(Some("k"), None, Usage { prompt_tokens: 4, ..Usage::default() }, 0),
        ),
        (
            r#"{"response":{"usageMetadata":null,"usage_metadata":{"prompt_token_count":2}}}"#,
            response(None, None, Usage { prompt_tokens: 2, ..Usage::default() }, 0),
        ),
        (
            r#"{"response":{"usage_metadata":{"prompt_token_count":2},"usageMetadata":{"promptTokenCount":3}}}"#,
            response(None, None, Usage { prompt_tokens: 3, ..Usage::default() }, 0),
        ),
        (
            r#"{"key":"k\"\u00e9","response":{"usageMetadata":{}}}"#,
            response(Some("k\"é"), None, Usage::default(), 0),
        ),
        (r#"{"status":"","response":{"usageMetadata":{}}}"#, response(None, None, Usage::default(), 0)),
    ];
    for (line, expected) in cases {
        assert_eq!(scan_output_line(line.as_bytes()), expected, "line {line}");
    }
}

#[test]
fn counts_image_parts_but_not_thoughts_or_other_media() {
    let line = r#"{"response":{"usageMetadata":{},"candidates":[
        {"content":{"parts":[{"text":"here"},{"inlineData":{"data":"AA","mimeType":"image/jpeg"}},{"thought":true,"inlineData":{"mimeType":"image/png","data":"AA"}}]}},
        {"content":{"parts":[{"inline_data":{"mime_type":"audio/wav","data":"AA"}},{"inlineData":{"data":"AA"}}]}},
        {"content":"oops"}, 7
    ]}}"#
        .replace('\n', " ");
    let OutputLine::Response { content, .. } = scan_output_line(line.as_bytes()) else {
        panic!("not a response");
    };
    assert_eq!(content.images, 2);
}

#[test]
fn explains_lines_that_are_not_json() {
    let cases = [
        (r#"{"key":"abc"#, "not JSON: EOF while parsing a string at column 11"),
        ("{\"key\":\"k\"}}", "not JSON: trailing characters at column 12"),
        ("nonsense", "not JSON: expected ident at column 2"),
        ("@", "not JSON: expected value at column 1"),
    ];
    for (line, reason) in cases {
        assert_eq!(scan_output_line(line.as_bytes()), malformed(reason), "line {line}");
    }
}

#[test]
fn survives_hostile_bytes() {
    let mut huge = vec![b'{'; 1 << 20];
    huge.extend_from_slice(b"\xff\x00\"");
    for line in [&huge[..], b"\xff\xfe", b"{\"key\":\"\xc3\"}", b"\"\\ud800\"", &[0u8; 64][..]] {
        assert!(matches!(scan_output_line(line), OutputLine::Malformed { .. }));
    }
}

#[test]
fn counts_the_search_queries_of_every_candidate() {
    let line = r#"{"response":{"usageMetadata":{},"candidates":[
        {"groundingMetadata":{"webSearchQueries":["cat hats","hat sizes"],"web_search_queries":["x"]}},
        {"grounding_metadata":{"web_search_queries":["one"]}},
        {"groundingMetadata":null,"grounding_metadata":{"webSearchQueries":["a","b","c"]}},
        {"groundingMetadata":{"webSearchQueries":"not a list"}},
        {"groundingMetadata":[1,2]}
    ]}}"#
        .replace('\n', " ");
    let OutputLine::Response { content, .. } = scan_output_line(line.as_bytes()) else {
        panic!("not a response");
    };
    let Content { images: inline_images, candidates_present, search_queries } = content;
    // 2 (camelCase wins over snake_case) + 1 + 3 (null counts as absent) + 0 + 0.
    assert_eq!((search_queries, candidates_present, inline_images), (6, true, 0));
}

#[test]
fn tells_a_response_without_candidates_from_one_with_none_in_them() {
    let read = |line: &str| match scan_output_line(line.as_bytes()) {
        OutputLine::Response { content, .. } => content.candidates_present,
        other => panic!("not a response: {other:?}"),
    };
    assert!(!read(r#"{"usageMetadata":{"candidatesTokenCount":9}}"#));
    assert!(!read(r#"{"usageMetadata":{},"candidates":null}"#));
    assert!(read(r#"{"usageMetadata":{},"candidates":[]}"#));
    assert!(read(r#"{"usageMetadata":{},"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}"#));
}

#[test]
fn reads_mime_types_in_any_case() {
    for mime in ["IMAGE/PNG", "Image/Jpeg", "image/webp"] {
        let line = format!(
            r#"{{"usageMetadata":{{"candidatesTokenCount":1120}},"candidates":[{{"content":{{"parts":[{{"inlineData":{{"mimeType":"{mime}","data":"AA"}}}}]}}}}]}}"#
        );
        let OutputLine::Response { content, .. } = scan_output_line(line.as_bytes()) else {
            panic!("not a response: {line}");
        };
        assert_eq!(content.images, 1, "{mime}");
    }
}

#[test]
fn a_usage_block_without_token_counts_gives_none() {
    let counted = |usage: &str| match scan_output_line(format!(r#"{{"usageMetadata":{usage}}}"#).as_bytes()) {
        OutputLine::Response { usage, .. } => usage.has_counts(),
        other => panic!("not a response: {other:?}"),
    };
    for usage in
        ["{}", r#"{"totalTokenCount":1130}"#, r#"{"trafficType":"ON_DEMAND","serviceTier":"standard"}"#]
    {
        assert!(!counted(usage), "{usage}");
    }
    for usage in [r#"{"promptTokenCount":3}"#, r#"{"candidatesTokensDetails":[]}"#] {
        assert!(counted(usage), "{usage}");
    }
    // The same for the other APIs: a total alone is no count.
    for line in [
        r#"{"object":"chat.completion","model":"m","usage":{"total_tokens":1130}}"#,
        r#"{"object":"interaction","status":"completed","usage":{"total_tokens":1130}}"#,
        r#"{"object":"interaction","status":"completed","usage":{}}"#,
    ] {
        let OutputLine::Response { usage, .. } = scan_output_line(line.as_bytes()) else {
            panic!("not a response: {line}");
        };
        assert!(!usage.has_counts(), "{line}");
    }
    // A stream's chunk without counts is a piece of the stream.
    let chunk = r#"{"id":"c","object":"chat.completion.chunk","usage":{"total_tokens":5}}"#;
    assert!(matches!(scan_output_line(chunk.as_bytes()), OutputLine::Chunk { .. }));
}

#[test]
fn an_agent_event_holding_an_output_image_is_a_response_usage_or_not() {
    let event = |author: &str, extra: &str| {
        format!(
            r#"{{"author":"{author}","invocationId":"i",{extra}"content":{{"role":"model","parts":[{{"inlineData":{{"mimeType":"image/png","data":"AA"}}}}]}}}}"#
        )
    };
    let OutputLine::Response { usage, content, .. } = scan_output_line(event("image_agent", "").as_bytes())
    else {
        panic!("not a response");
    };
    assert_eq!((usage, content.images), (Usage::default(), 1));
    // The user's own image is input, and a partial event is a piece of a
    // later whole one.
    for line in [event("user", ""), event("image_agent", r#""partial":true,"#)] {
        assert!(matches!(scan_output_line(line.as_bytes()), OutputLine::Chunk { .. }), "{line}");
    }
}

/// A Vertex AI line echoes its request: the request's string labels are
/// read (sorted, each as last written; a later `labels` replaces an
/// earlier one), and the reference reader reads the same.
#[test]
fn reads_the_labels_of_the_request_a_line_echoes() {
    let line = r#"{"request":{"labels":{"old":"x"},"contents":[],"labels":{"team":"growth","n":5,"env":"dev","env":"prod"}},"response":{"usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":1120}},"status":""}"#;
    let read = scan_output_line(line.as_bytes());
    let OutputLine::Response { labels, .. } = &read else { panic!("{read:?}") };
    assert_eq!(
        labels.as_slice(),
        &[("env".to_string(), "prod".to_string()), ("team".to_string(), "growth".to_string())]
    );
    assert_eq!(crate::scan::reference::output_line(line.as_bytes()), read);
    for request in [r#""request":null"#, r#""request":[1]"#, r#""request":{"labels":"team"}"#] {
        let line = format!(r#"{{{request},"response":{{"usageMetadata":{{"promptTokenCount":2}}}}}}"#);
        let OutputLine::Response { labels, .. } = scan_output_line(line.as_bytes()) else { panic!("{line}") };
        assert!(labels.as_slice().is_empty(), "{line}");
    }
}

/// A response's time is the Vertex AI batch line's `processed_time`, else
/// the response's `createTime` (camelCase before snake_case); a time that
/// is unreadable or no string is no time, and the line is still priced.
/// The reference reader reads the same.
#[test]
fn reads_when_a_response_was_made() {
    let usage = r#""usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":1120}"#;
    let cases = [
        (
            format!(
                r#"{{"request":{{}},"response":{{{usage},"createTime":"2026-11-01T10:00:00Z"}},"status":"","processed_time":"2026-11-02T08:00:00Z"}}"#
            ),
            Some(1_793_606_400),
        ),
        (
            format!(r#"{{"response":{{{usage},"createTime":"2026-11-02T00:00:00-08:00"}}}}"#),
            Some(1_793_606_400),
        ),
        (format!(r#"{{{usage},"create_time":"2026-11-02 08:00:00 UTC"}}"#), Some(1_793_606_400)),
        (
            format!(r#"{{{usage},"createTime":"soon","create_time":"2026-11-02T08:00:00Z"}}"#),
            Some(1_793_606_400),
        ),
        (
            format!(r#"{{"response":{{{usage},"createTime":"2026-11-02T08:00:00Z"}},"processed_time":17}}"#),
            Some(1_793_606_400),
        ),
        (format!(r#"{{"response":{{{usage},"createTime":null}},"processed_time":"yesterday"}}"#), None),
        (format!(r#"{{"response":{{{usage}}}}}"#), None),
    ];
    for (line, want) in cases {
        let read = scan_output_line(line.as_bytes());
        let OutputLine::Response { time, .. } = &read else { panic!("{line}: {read:?}") };
        assert_eq!(*time, want, "{line}");
        assert_eq!(crate::scan::reference::output_line(line.as_bytes()), read, "{line}");
    }
}

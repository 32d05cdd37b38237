//! The input line reader, case by case.

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
        content: ContentCounts { prompt_chars: 5, ..ContentCounts::default() },
        search: false,
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
            request(None, Some("2k"), Some(CandidateCount::Whole { value: 2, written: "2".to_owned() })),
        ),
        (
            r#"{"request":{"contents":[{"parts":[{"text":"a cat"}]}],"generationConfig":{"imageConfig":{"imageSize":2048},"candidateCount":"two"}}}"#,
            request(None, Some("2048"), Some(CandidateCount::NotANumber { written: "\"two\"".to_owned() })),
        ),
        (
            r#"{"request":{"contents":[{"parts":[{"text":"a cat"}]}],"generationConfig":{"candidateCount":1.0}}}"#,
            request(None, None, Some(CandidateCount::Whole { value: 1, written: "1.0".to_owned() })),
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

/// proto3 JSON reads an int32 from a number or a string holding one, to
/// the nearest double: every whole value comes back as its value.
#[test]
fn reads_a_candidate_count_as_the_api_reads_an_int32() {
    let count = |written: &str| {
        let line = format!(r#"{{"contents":[],"generationConfig":{{"candidateCount":{written}}}}}"#);
        match scan_input_line(line.as_bytes()) {
            InputLine::Request { candidate_count: Some(count), .. } => count,
            other => panic!("{written}: {other:?}"),
        }
    };
    let whole = |value, written: &str| CandidateCount::Whole { value, written: written.to_owned() };
    let fraction = |written: &str| CandidateCount::Fraction { written: written.to_owned() };
    let not_a_number = |written: &str| CandidateCount::NotANumber { written: written.to_owned() };
    let cases = [
        ("2", whole(2, "2")),
        (r#""2""#, whole(2, r#""2""#)),
        ("2.0", whole(2, "2.0")),
        ("1e2", whole(100, "1e2")),
        ("2E0", whole(2, "2E0")),
        (r#""1e2""#, whole(100, r#""1e2""#)),
        (r#""+2""#, whole(2, r#""+2""#)),
        ("-0", whole(0, "-0")),
        ("-1", whole(-1, "-1")),
        ("4000000000", whole(4_000_000_000, "4000000000")),
        ("18446744073709551615", whole(i64::MAX, "18446744073709551615")),
        ("1e30", whole(i64::MAX, "1e30")),
        ("-1e30", whole(i64::MIN, "-1e30")),
        (r#""1e999""#, whole(i64::MAX, r#""1e999""#)),
        ("1.5", fraction("1.5")),
        (r#""0.5""#, fraction(r#""0.5""#)),
        (r#""two""#, not_a_number(r#""two""#)),
        (r#"" 2""#, not_a_number(r#"" 2""#)),
        (r#""""#, not_a_number(r#""""#)),
        (r#""inf""#, not_a_number(r#""inf""#)),
        (r#""NaN""#, not_a_number(r#""NaN""#)),
        (r#""0x10""#, not_a_number(r#""0x10""#)),
        ("true", not_a_number("true")),
        ("[2]", not_a_number("[2]")),
    ];
    for (written, want) in cases {
        assert_eq!(count(written), want, "{written}");
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
            content: ContentCounts {
                prompt_chars: 12,
                inline_images: 1,
                file_parts: 1,
                other_media: MediaCounts { pdf: 1, other: 1, ..MediaCounts::default() },
            },
            search: false,
        }
    );
}

#[test]
fn sorts_media_parts_by_mime_type() {
    let cases = [
        (Some("image/png"), MediaKind::Image),
        (Some("IMAGE/JPEG"), MediaKind::Image),
        (Some("image/webp"), MediaKind::Image),
        (Some("video/mp4"), MediaKind::Video),
        (Some("Video/quicktime"), MediaKind::Video),
        (Some("audio/wav"), MediaKind::Audio),
        (Some("application/pdf"), MediaKind::Pdf),
        (Some("Application/PDF; charset=binary"), MediaKind::Pdf),
        (Some("application/pdfx"), MediaKind::Other),
        (Some("text/plain"), MediaKind::Other),
        (Some("image"), MediaKind::Other),
        (Some(""), MediaKind::Other),
        (Some("é/"), MediaKind::Other),
        (None, MediaKind::Other),
    ];
    for (mime, want) in cases {
        assert_eq!(MediaKind::of_mime(mime), want, "{mime:?}");
    }
}

#[test]
fn counts_media_that_are_not_images_by_kind() {
    let line = r#"{"contents":[{"parts":[
            {"inlineData":{"mimeType":"video/mp4","data":"AAAA"}},
            {"fileData":{"mimeType":"video/mp4","fileUri":"gs://b/clip.mp4"}},
            {"file_data":{"mime_type":"audio/mpeg","file_uri":"gs://b/a.mp3"}},
            {"inlineData":{"mimeType":"application/pdf","data":"AAAA"}},
            {"inlineData":{"data":"AAAA"}},
            {"inlineData":{"mimeType":7,"mime_type":"image/png","data":"AAAA"}},
            {"inlineData":{"mimeType":null,"mime_type":"image/png","data":"AAAA"}},
            {"fileData":"gs://b/x"},
            {"inlineData":{"mimeType":"image/png"},"inline_data":{"mime_type":"video/mp4"}}
        ]}]}"#
        .replace('\n', " ");
    let InputLine::Request { content, .. } = scan_input_line(line.as_bytes()) else { panic!() };
    assert_eq!((content.inline_images, content.file_parts), (2, 0));
    assert_eq!(content.other_media, MediaCounts { video: 2, audio: 1, pdf: 1, other: 2 });
}

#[test]
fn notices_a_google_search_tool_in_either_casing() {
    let with_tools = |tools: &str| {
        let line = format!(r#"{{"request":{{"contents":[],"tools":{tools}}}}}"#);
        match scan_input_line(line.as_bytes()) {
            InputLine::Request { search, .. } => search,
            other => panic!("{other:?}"),
        }
    };
    let cases = [
        (r#"[{"google_search":{}}]"#, true),
        (r#"[{"googleSearch":{}}]"#, true),
        (r#"[{"codeExecution":{}},{"googleSearchRetrieval":{"dynamicRetrievalConfig":{}}}]"#, true),
        (r#"[{"google_search_retrieval":{}}]"#, true),
        (r#"[{"googleSearch":null}]"#, false),
        (r#"[{"googleSearch":{},"googleSearch":null}]"#, false),
        (r#"[{"google_search":null,"googleSearch":{}}]"#, true),
        (r#"[{"codeExecution":{}}]"#, false),
        (r#"["googleSearch"]"#, false),
        (r#"{"googleSearch":{}}"#, false),
        ("[]", false),
        ("null", false),
    ];
    for (tools, want) in cases {
        assert_eq!(with_tools(tools), want, "{tools}");
    }
}

#[test]
fn survives_hostile_bytes() {
    for line in [&b"\xff"[..], b"{\"request\":", b"{{{{", b"{\"contents\":[\"\\u\"]}"] {
        assert!(matches!(scan_input_line(line), InputLine::Malformed { .. }));
    }
}

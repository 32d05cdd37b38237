use super::*;

fn sniffed(bytes: &[u8]) -> Layout {
    sniff(&mut &bytes[..]).unwrap().layout
}

#[test]
fn tells_the_layout_from_the_content() {
    let response = br#"{"usageMetadata":{"promptTokenCount":1}}"#;
    let two_lines = [&response[..], b"\n", &response[..], b"\n"].concat();
    let cases: Vec<(&str, Vec<u8>, Layout)> = vec![
        ("nothing", b"".to_vec(), Layout::Empty),
        ("whitespace", b" \n\n\t".to_vec(), Layout::Empty),
        ("JSON lines", two_lines.clone(), Layout::Lines),
        ("one line", response.to_vec(), Layout::Document),
        ("one line and a newline", [&response[..], b"\n"].concat(), Layout::Document),
        ("pretty-printed", b"{\n  \"a\": 1\n}\n".to_vec(), Layout::Document),
        ("an array", b"[\n {\"a\": 1},\n {\"a\": 2}\n]".to_vec(), Layout::Document),
        ("events", b"data: {\"a\":1}\n\ndata: {\"a\":2}\n".to_vec(), Layout::Lines),
        ("a broken first line", [&response[..20], b"\n", &two_lines[..]].concat(), Layout::Lines),
        ("binary", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), Layout::Binary),
        ("latin-1 text", b"{\"key\": \"caf\xe9\"}\n{}\n".to_vec(), Layout::Lines),
        ("a zip archive", b"PK\x03\x04\x14\x00".to_vec(), Layout::Binary),
        ("text", b"hello\nworld\n".to_vec(), Layout::Lines),
        ("a byte-order mark", [&b"\xEF\xBB\xBF"[..], &two_lines[..]].concat(), Layout::Lines),
        // One stray control byte among good lines is a bad line, not a binary file.
        ("one NUL in a line", [&two_lines[..], b"{\"a\":\0}\n", &two_lines[..]].concat(), Layout::Lines),
        ("one escape first", [&b"\x1b"[..], &two_lines[..]].concat(), Layout::Lines),
        ("UTF-16 with its mark", utf16(b"\xFF\xFE", false, &two_lines), Layout::Utf16),
        ("UTF-16 big-endian with its mark", utf16(b"\xFE\xFF", true, &two_lines), Layout::Utf16),
        ("UTF-16 without a mark", utf16(b"", false, &two_lines), Layout::Utf16),
    ];
    for (name, bytes, want) in cases {
        assert_eq!(sniffed(&bytes), want, "{name}");
    }
}

/// `text` (ASCII) as UTF-16 after the byte-order mark `mark`.
fn utf16(mark: &[u8], big_endian: bool, text: &[u8]) -> Vec<u8> {
    let units = text.iter().flat_map(|&byte| if big_endian { [0, byte] } else { [byte, 0] });
    mark.iter().copied().chain(units).collect()
}

#[test]
fn a_long_first_line_is_read_to_its_end() {
    let long = format!("{{\"a\":\"{}\"}}", "x".repeat(200_000));
    assert_eq!(sniffed(format!("{long}\n{long}\n").as_bytes()), Layout::Lines);
    assert_eq!(sniffed(long.as_bytes()), Layout::Document);
}

#[test]
fn keeps_every_byte_read_for_the_line_reader() {
    let bytes = b"{\"a\":1}\n{\"a\":2}\n";
    let sniffed = sniff(&mut &bytes[..]).unwrap();
    assert_eq!(sniffed.head, bytes);
}

fn items(document: &str) -> Vec<(u64, String)> {
    match document_items(document.as_bytes()).unwrap() {
        Items::Read(items) => items
            .into_iter()
            .map(|item| (item.line, String::from_utf8(item.bytes.to_vec()).unwrap()))
            .collect(),
        Items::ResultsInFile(file) => vec![(0, file)],
    }
}

#[test]
fn cuts_an_array_into_its_elements_with_their_lines() {
    assert_eq!(
        items("[\n  {\"a\": 1},\n  {\n    \"b\": 2\n  }\n]\n"),
        [(2, "{\"a\": 1}".to_string()), (3, "{\n    \"b\": 2\n  }".to_string())]
    );
    assert_eq!(items("[]"), []);
}

#[test]
fn finds_inlined_responses_however_they_are_nested() {
    let want = [(1, "{\"response\":{}}".to_string()), (1, "{\"error\":{}}".to_string())];
    let documents = [
        r#"{"name":"batches/1","response":{"inlinedResponses":{"inlinedResponses":[{"response":{}},{"error":{}}]}}}"#,
        r#"{"name":"batches/1","response":{"inlinedResponses":[{"response":{}},{"error":{}}]}}"#,
        r#"{"name":"batches/1","dest":{"inlined_responses":[{"response":{}},{"error":{}}]}}"#,
        r#"{"output":{"inlinedResponses":{"inlinedResponses":[{"response":{}},{"error":{}}]}}}"#,
    ];
    for document in documents {
        assert_eq!(items(document), want, "{document}");
    }
    assert_eq!(
        items(r#"{"name":"batches/1","dest":{"fileName":"files/batch-1"}}"#),
        [(0, "files/batch-1".to_string())]
    );
}

#[test]
fn a_single_response_is_its_own_item() {
    let response = "{\n  \"response\": {\"usageMetadata\": {}},\n  \"key\": \"a\"\n}";
    assert_eq!(items(response), [(1, response.to_string())]);
}

#[test]
fn says_where_a_document_stops_being_json() {
    let error = document_items(b"[\n {\"a\": 1},\n {\"a\": \n").unwrap_err();
    assert!(error.starts_with("not JSON: ") && error.ends_with("at line 4"), "{error}");
}

/// Whitespace before the first line, or after a first line that is one
/// whole value, is looked through up to a bound, not held to the end: past
/// it the file is read as lines, which count blank lines as they stream.
#[test]
fn holds_no_more_than_the_lookahead_of_whitespace() {
    let response = br#"{"usageMetadata":{"promptTokenCount":1}}"#;
    let spaces = vec![b' '; 8 << 20];
    let newlines = vec![b'\n'; 8 << 20];
    let cases: Vec<(&str, Vec<u8>, Layout)> = vec![
        ("spaces only", spaces.clone(), Layout::Lines),
        ("newlines only", newlines.clone(), Layout::Lines),
        ("newlines, then a response", [&newlines[..], &response[..]].concat(), Layout::Lines),
        ("a response, then spaces", [&response[..], b"\n", &spaces[..]].concat(), Layout::Lines),
        ("a response, then a little whitespace", [&response[..], b"\n \n\t\n"].concat(), Layout::Document),
    ];
    for (name, bytes, want) in cases {
        let sniffed = sniff(&mut &bytes[..]).unwrap();
        assert_eq!(sniffed.layout, want, "{name}");
        assert!(
            sniffed.head.len() <= BLANK_LOOKAHEAD + HEAD_BYTES + response.len() + 1,
            "{name}: {}",
            sniffed.head.len()
        );
    }
}

/// A first line longer than the document limit (here endless): the sniff
/// holds one byte past the limit at most before handing it to the line
/// reader, which passes it over; it once doubled on to twice the limit.
#[test]
fn a_first_line_over_the_limit_is_held_to_the_limit_only() {
    let endless = std::io::Read::chain(&b"{\"key\": \""[..], std::io::repeat(b'a'));
    let sniffed = sniff(&mut std::io::Read::take(endless, 3 * DOCUMENT_LIMIT as u64)).unwrap();
    assert_eq!(sniffed.layout, Layout::Lines);
    assert!(sniffed.head.len() <= DOCUMENT_LIMIT + 1, "held {} bytes", sniffed.head.len());
}

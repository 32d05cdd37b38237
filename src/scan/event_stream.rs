//! Server-sent events, as `streamGenerateContent?alt=sse` writes them and
//! as people save them: `data: {...}` lines with blank lines between, maybe
//! `event:`, `id:`, `retry:` or `: comment` lines, and a closing
//! `data: [DONE]` (OpenAI-compatible streams).
//!
//! Each `data:` line holds one whole JSON chunk, which is read like a line
//! of JSON; the framing lines carry nothing to bill.

use super::field_walk::is_blank;

/// What a line is, as far as the event-stream framing goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventLine<'a> {
    /// Not an event-stream line: read it as it is.
    Plain,
    /// A `data:` line: its payload, to read as JSON.
    Data(&'a [u8]),
    /// A framing line (`event:`, `id:`, `retry:`, `: comment`,
    /// `data: [DONE]`): nothing to read.
    Framing,
}

/// Sorts a line. A JSON line starts with `{` (after whitespace), which is
/// checked first so that JSON lines pay one comparison.
#[inline]
pub(crate) fn event_line(line: &[u8]) -> EventLine<'_> {
    let start = line.iter().position(|byte| !matches!(byte, b' ' | b'\t' | b'\r' | b'\n'));
    let Some(start) = start else { return EventLine::Plain };
    let rest = &line[start..];
    if rest[0] == b'{' {
        return EventLine::Plain;
    }
    if let Some(payload) = rest.strip_prefix(b"data:") {
        let payload = payload.strip_prefix(b" ").unwrap_or(payload);
        let trimmed = payload.trim_ascii();
        if trimmed == b"[DONE]" {
            return EventLine::Framing;
        }
        return EventLine::Data(payload);
    }
    let framing = rest.starts_with(b":")
        || rest.starts_with(b"event:")
        || rest.starts_with(b"id:")
        || rest.starts_with(b"retry:");
    if framing { EventLine::Framing } else { EventLine::Plain }
}

/// The JSON a line holds: the line itself, or a `data:` line's payload;
/// `None` for a framing line or one of whitespace only, which read as
/// blank.
pub(crate) fn json_of_line(line: &[u8]) -> Option<&[u8]> {
    let json = match event_line(line) {
        EventLine::Plain => line,
        EventLine::Data(payload) => payload,
        EventLine::Framing => return None,
    };
    (!is_blank(json)).then_some(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_payload_of_data_lines_and_skips_the_framing() {
        let cases: [(&[u8], EventLine<'_>); 9] = [
            (b"{\"a\":1}", EventLine::Plain),
            (b"  {\"a\":1}", EventLine::Plain),
            (b"data: {\"a\":1}", EventLine::Data(b"{\"a\":1}")),
            (b"data:{\"a\":1}", EventLine::Data(b"{\"a\":1}")),
            (b"data: [DONE]", EventLine::Framing),
            (b"event: message", EventLine::Framing),
            (b": keep-alive", EventLine::Framing),
            (b"id: 7", EventLine::Framing),
            (b"nonsense", EventLine::Plain),
        ];
        for (line, want) in cases {
            assert_eq!(event_line(line), want, "{}", String::from_utf8_lossy(line));
        }
    }
}

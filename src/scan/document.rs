//! Telling a file's layout from its first bytes, and cutting a whole JSON
//! document into the items to read.
//!
//! Layouts, decided from the content, never from the name:
//! - **lines**: JSON lines (batch lines, bare responses, stream chunks) or
//!   server-sent events (`data: {...}`): read line by line, streaming, in
//!   memory that does not grow with the file;
//! - **document**: one JSON value over the whole file (a response
//!   pretty-printed or not, an array of responses, chunks or agent events,
//!   a batch job resource with inlined responses): read whole, up to
//!   [`DOCUMENT_LIMIT`] bytes, then cut into items;
//! - **empty**: nothing but whitespace;
//! - **UTF-16**: text, but not in UTF-8 (to convert first);
//! - **binary**: not text at all.
//!
//! A file whose first line is a complete JSON value with more lines after
//! it is JSON lines; one whose first line is not (pretty-printed JSON) or
//! that is one line only is a document, which, for a single response, reads
//! the same.

use std::io::{self, Read};

use super::field_walk::{for_each_element, for_each_field};
use super::json_cursor::{JsonCursor, Parsed, ValueKind};

/// The largest whole JSON document read (256 MiB): JSON lines stream
/// instead, in any size.
pub const DOCUMENT_LIMIT: usize = 256 << 20;

/// How much is looked at before deciding (more when the first line is
/// longer).
const HEAD_BYTES: usize = 64 << 10;

/// The most whitespace looked through before the first line, or after a
/// first line that is one whole value, before deciding: past it the file is
/// read as lines, whose blank lines are counted as they stream by, so that
/// a file of whitespace costs neither memory nor time.
const BLANK_LOOKAHEAD: usize = 1 << 20;

/// How a file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Nothing but whitespace.
    Empty,
    /// JSON lines or server-sent events: read line by line.
    Lines,
    /// One JSON document, read whole.
    Document,
    /// Text in UTF-16 (a byte-order mark, or a NUL beside every ASCII
    /// character), which is read only once converted to UTF-8.
    Utf16,
    /// Not text: binary data (NULs and other control bytes near the start,
    /// more than a stray one).
    Binary,
    /// A JSON document over [`DOCUMENT_LIMIT`].
    TooLarge,
}

/// A layout and the bytes read to decide it: for [`Layout::Document`] the
/// whole document, else the first bytes, to be read again before the rest.
#[derive(Debug)]
pub struct Sniffed {
    /// The layout.
    pub layout: Layout,
    /// The bytes read so far (a leading UTF-8 byte-order mark removed).
    pub head: Vec<u8>,
    /// The error that cut the reading short (a truncated compressed file):
    /// the layout is told from the bytes before it, and the error is the
    /// caller's to report once those bytes are read.
    pub error: Option<io::Error>,
}

/// A reader that turns its source's first error into the end of the stream
/// and keeps the error, so that what came before it can still be read.
struct StopAtError<'a, R> {
    source: &'a mut R,
    error: Option<io::Error>,
}

impl<R: Read> Read for StopAtError<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Ok(0);
        }
        loop {
            match self.source.read(buffer) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    self.error = Some(error);
                    return Ok(0);
                }
                read => return read,
            }
        }
    }
}

/// Reads until `head` holds `want` bytes or the stream ends; `true` at the
/// end.
fn fill(reader: &mut impl Read, head: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    while head.len() < want {
        let before = head.len();
        let room = (want - before).min(1 << 20);
        head.resize(before + room, 0);
        let read = loop {
            match reader.read(&mut head[before..]) {
                Ok(read) => break read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    head.truncate(before);
                    return Err(error);
                }
            }
        };
        head.truncate(before + read);
        if read == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

fn is_space(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Whether the first bytes are not text: NULs and other control bytes that
/// text does not hold (an image, an archive, a compiled file), more than
/// one and at least one in 64. A stray one in text is a bad line, said to
/// be malformed when it is read, and does not cost the good lines around
/// it. Text in another encoding than UTF-8 is still text: its lines are
/// read, and said to be malformed one by one.
fn looks_binary(sample: &[u8]) -> bool {
    let control = sample
        .iter()
        .filter(|&&byte| (byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r' | 0x0c)) || byte == 0x7f)
        .count();
    control > 1 && control * 64 >= sample.len()
}

/// Whether the first bytes are UTF-16 text: its byte-order mark (and not
/// UTF-32's), or, without one, a NUL beside nearly every character of
/// ASCII text, on the same side throughout.
pub(crate) fn looks_utf16(sample: &[u8]) -> bool {
    if sample.starts_with(b"\xFE\xFF")
        || (sample.starts_with(b"\xFF\xFE") && !sample[2..].starts_with(b"\0\0"))
    {
        return true;
    }
    let pairs = sample.len() / 2;
    if pairs < 4 {
        return false;
    }
    let zero_at = |offset: usize| {
        sample.chunks_exact(2).filter(|pair| pair[offset] == 0 && pair[1 - offset] != 0).count()
    };
    // 9 in 10 pairs: a few characters outside ASCII take both bytes.
    [0, 1].into_iter().any(|offset| zero_at(offset) * 10 >= pairs * 9)
}

/// Whether `bytes` are exactly one JSON value.
fn is_one_value(bytes: &[u8]) -> bool {
    let mut cursor = JsonCursor::new(bytes);
    cursor.skip_value().and_then(|()| cursor.expect_end()).is_ok()
}

/// Reads enough of `reader` to tell its layout. A read error ends the
/// reading: the layout is told from what came before it, and the error is
/// handed back in [`Sniffed::error`].
pub fn sniff(reader: &mut impl Read) -> io::Result<Sniffed> {
    let mut stopping = StopAtError { source: reader, error: None };
    let mut sniffed = sniff_until_error(&mut stopping)?;
    sniffed.error = stopping.error;
    Ok(sniffed)
}

fn sniff_until_error(reader: &mut impl Read) -> io::Result<Sniffed> {
    let mut head = Vec::new();
    let mut at_end = fill(reader, &mut head, HEAD_BYTES)?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        head.drain(..3);
    }
    let sniffed = |layout, head| Ok(Sniffed { layout, head, error: None });
    // Whitespace only so far: read on until something else or the end,
    // looking at each byte once.
    let mut searched = 0;
    let first = loop {
        if let Some(first) = head[searched..].iter().position(|byte| !is_space(byte)) {
            break searched + first;
        }
        if at_end {
            return sniffed(Layout::Empty, head);
        }
        if head.len() >= BLANK_LOOKAHEAD {
            return sniffed(Layout::Lines, head);
        }
        searched = head.len();
        at_end = fill(reader, &mut head, searched + HEAD_BYTES)?;
    };
    let sample = &head[..head.len().min(8 << 10)];
    if looks_utf16(sample) {
        return sniffed(Layout::Utf16, head);
    }
    if looks_binary(sample) {
        return sniffed(Layout::Binary, head);
    }
    match head[first] {
        b'[' => read_document(reader, head, at_end),
        b'{' => {
            // The first line, read to its end however long.
            let mut newline = memchr::memchr(b'\n', &head[first..]).map(|at| first + at);
            while newline.is_none() && !at_end && head.len() <= DOCUMENT_LIMIT {
                let from = head.len();
                // Doubling, but to one byte past the limit at most.
                at_end = fill(reader, &mut head, (from + from.max(HEAD_BYTES)).min(DOCUMENT_LIMIT + 1))?;
                newline = memchr::memchr(b'\n', &head[from..]).map(|at| from + at);
            }
            let Some(line_end) = newline.or(at_end.then_some(head.len())) else {
                // A first line over the document limit: only JSON lines can
                // be that long and still be read.
                return sniffed(Layout::Lines, head);
            };
            if is_one_value(&head[first..line_end]) {
                // Anything after the first line? Each byte looked at once,
                // and no more whitespace than the lookahead held.
                let mut searched = line_end;
                loop {
                    if head[searched..].iter().any(|byte| !is_space(byte)) {
                        return sniffed(Layout::Lines, head);
                    }
                    if at_end {
                        return sniffed(Layout::Document, head);
                    }
                    if head.len() - line_end >= BLANK_LOOKAHEAD {
                        return sniffed(Layout::Lines, head);
                    }
                    searched = head.len();
                    at_end = fill(reader, &mut head, searched + HEAD_BYTES)?;
                }
            }
            let pretty = head[first..line_end].iter().all(|byte| byte == &b'{' || is_space(byte));
            let document = read_document(reader, head, at_end)?;
            match document.layout {
                Layout::Document if pretty || is_one_value(&document.head) => Ok(document),
                Layout::TooLarge if pretty => Ok(document),
                // Not one document: JSON lines whose first line is broken.
                _ => sniffed(Layout::Lines, document.head),
            }
        }
        _ => sniffed(Layout::Lines, head),
    }
}

/// Reads the rest of a document into `head`, up to the limit.
fn read_document(reader: &mut impl Read, mut head: Vec<u8>, at_end: bool) -> io::Result<Sniffed> {
    if !at_end {
        let end = fill(reader, &mut head, DOCUMENT_LIMIT + 1)?;
        if !end || head.len() > DOCUMENT_LIMIT {
            return Ok(Sniffed { layout: Layout::TooLarge, head, error: None });
        }
    }
    Ok(Sniffed { layout: Layout::Document, head, error: None })
}

/// One item of a document: a response, a chunk, an event, an inlined
/// response or an error entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item<'a> {
    /// The 1-based line of the document the item starts on.
    pub line: u64,
    /// The item's JSON text.
    pub bytes: &'a [u8],
}

/// What a document holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Items<'a> {
    /// Items to read (an array's elements, a batch job's inlined
    /// responses, or the document itself).
    Read(Vec<Item<'a>>),
    /// A batch job resource whose results are in a file, not inlined.
    ResultsInFile(String),
}

/// Cuts a document into its items: the elements of a top-level array; the
/// inlined responses of a batch job resource (`inlinedResponses` as an
/// array, or an object holding it, under `response`, `dest` or `output`,
/// in either casing); else the document itself. `Err` is why the document
/// is not JSON.
pub fn document_items(document: &[u8]) -> Result<Items<'_>, String> {
    let not_json = |error: super::json_cursor::SyntaxError| {
        let line = 1 + memchr::memchr_iter(b'\n', &document[..error.position.min(document.len())]).count();
        format!("not JSON: {} at line {line}", error.problem)
    };
    let mut cursor = JsonCursor::new(document);
    let raw = match cursor.peek_kind().map_err(not_json)? {
        ValueKind::Array => {
            let mut elements = Vec::new();
            for_each_element(&mut cursor, |cursor| {
                elements.push(cursor.read_raw()?);
                Ok(())
            })
            .map_err(not_json)?;
            cursor.expect_end().map_err(not_json)?;
            elements
        }
        ValueKind::Object => {
            let found = find_inlined(&mut cursor, 0).map_err(not_json)?;
            cursor.expect_end().map_err(not_json)?;
            match found {
                Some(Found::Inlined(items)) => items,
                Some(Found::File(name)) => return Ok(Items::ResultsInFile(name)),
                None => vec![document],
            }
        }
        _ => vec![document],
    };
    let (mut line, mut counted) = (1u64, 0usize);
    let items = raw
        .into_iter()
        .map(|bytes| {
            let start = (bytes.as_ptr() as usize).saturating_sub(document.as_ptr() as usize);
            let start = start.clamp(counted, document.len());
            line += memchr::memchr_iter(b'\n', &document[counted..start]).count() as u64;
            counted = start;
            Item { line, bytes }
        })
        .collect();
    Ok(Items::Read(items))
}

enum Found<'a> {
    Inlined(Vec<&'a [u8]>),
    File(String),
}

/// Looks through the object under the cursor for inlined responses, or a
/// results file, under `response` / `dest` / `output`.
fn find_inlined<'a>(cursor: &mut JsonCursor<'a>, depth: usize) -> Parsed<Option<Found<'a>>> {
    let mut found = None;
    for_each_field(cursor, |name, cursor| {
        let kind = cursor.peek_kind()?;
        match (name, kind) {
            ("inlinedResponses" | "inlined_responses", ValueKind::Array) => {
                let mut items = Vec::new();
                for_each_element(cursor, |cursor| {
                    items.push(cursor.read_raw()?);
                    Ok(())
                })?;
                found = Some(Found::Inlined(items));
            }
            ("inlinedResponses" | "inlined_responses", ValueKind::Object) if depth < 4 => {
                if let Some(inner) = find_inlined(cursor, depth + 1)? {
                    found = Some(inner);
                }
            }
            ("response" | "dest" | "output", ValueKind::Object) if depth < 3 => {
                if let Some(inner) = find_inlined(cursor, depth + 1)? {
                    found = Some(inner);
                }
            }
            ("responsesFile" | "responses_file" | "fileName" | "file_name", ValueKind::String)
                if depth > 0 && found.is_none() =>
            {
                found = Some(Found::File(cursor.read_string()?.into_owned()));
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests;

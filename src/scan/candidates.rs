//! What the `candidates` of a response hold that the bill needs: inline
//! image parts (thought images left out) and the Google Search queries of
//! `groundingMetadata`. Lenient throughout: a member of an unexpected type
//! counts nothing.

use super::field_walk::{Cased, for_each_element, for_each_field};
use super::input_line::MediaKind;
use super::json_cursor::{JsonCursor, Parsed, ValueKind};

/// What the candidates of one response hold that the bill needs.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CandidateCounts {
    /// Inline image parts, thought images left out.
    pub(super) images: u64,
    /// Entries of `groundingMetadata.webSearchQueries`, summed.
    pub(super) search_queries: u64,
}

/// Reads a `candidates` member: `None` for null, else what it holds
/// (nothing, when it is not an array).
pub(super) fn read_candidates(cursor: &mut JsonCursor<'_>) -> Parsed<Option<CandidateCounts>> {
    cursor.read_nullable(ValueKind::Array, count_in_candidates, CandidateCounts::default)
}

/// Reads a `Content` member (`{"role": ..., "parts": [...]}`): `None` for
/// null, else its inline images (none, when it is not an object).
pub(super) fn read_content_images(cursor: &mut JsonCursor<'_>) -> Parsed<Option<u64>> {
    cursor.read_nullable(ValueKind::Object, count_images_in_content, || 0)
}

/// Counts inline image parts in `candidates[].content.parts[]`, leaving out
/// parts marked `"thought": true` (interim images are not output), and the
/// entries of `candidates[].groundingMetadata.webSearchQueries`.
fn count_in_candidates(cursor: &mut JsonCursor<'_>) -> Parsed<CandidateCounts> {
    let mut counts = CandidateCounts::default();
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let mut in_content = 0;
        let mut queries: Cased<u64> = Cased::default();
        for_each_field(cursor, |name, cursor| match name {
            "content" => {
                in_content = read_content_images(cursor)?.unwrap_or(0);
                Ok(())
            }
            "groundingMetadata" | "grounding_metadata" => {
                let count = cursor.read_nullable(ValueKind::Object, count_search_queries, || 0)?;
                queries.set(name == "groundingMetadata", count);
                Ok(())
            }
            _ => cursor.skip_value(),
        })?;
        counts.images += in_content;
        counts.search_queries += queries.resolve().unwrap_or(0);
        Ok(())
    })?;
    Ok(counts)
}

/// The entries of `webSearchQueries` in a `groundingMetadata` object, each
/// one query run (and billed, past the free allowance); 0 when it is not
/// an array.
fn count_search_queries(cursor: &mut JsonCursor<'_>) -> Parsed<u64> {
    let mut queries: Cased<u64> = Cased::default();
    for_each_field(cursor, |name, cursor| match name {
        "webSearchQueries" | "web_search_queries" => {
            let count = cursor.read_nullable(ValueKind::Array, count_elements, || 0)?;
            queries.set(name == "webSearchQueries", count);
            Ok(())
        }
        _ => cursor.skip_value(),
    })?;
    Ok(queries.resolve().unwrap_or(0))
}

fn count_elements(cursor: &mut JsonCursor<'_>) -> Parsed<u64> {
    let mut entries = 0;
    for_each_element(cursor, |cursor| {
        entries += 1;
        cursor.skip_value()
    })?;
    Ok(entries)
}

fn count_images_in_content(cursor: &mut JsonCursor<'_>) -> Parsed<u64> {
    let mut in_parts = 0;
    for_each_field(cursor, |name, cursor| {
        if name == "parts" {
            in_parts = cursor.read_nullable(ValueKind::Array, count_images_in_parts, || 0)?.unwrap_or(0);
            Ok(())
        } else {
            cursor.skip_value()
        }
    })?;
    Ok(in_parts)
}

fn count_images_in_parts(cursor: &mut JsonCursor<'_>) -> Parsed<u64> {
    let mut images = 0;
    for_each_element(cursor, |cursor| {
        if cursor.peek_kind()? != ValueKind::Object {
            return cursor.skip_value();
        }
        let mut inline: Cased<Option<bool>> = Cased::default();
        let mut thought = false;
        for_each_field(cursor, |name, cursor| {
            match name {
                "inlineData" | "inline_data" => {
                    let is_image = cursor.read_nullable(
                        ValueKind::Object,
                        |cursor| read_inline_data_is_image(cursor).map(Some),
                        || None,
                    )?;
                    inline.set(name == "inlineData", is_image);
                }
                "thought" => {
                    thought = match cursor.peek_kind()? {
                        ValueKind::Bool => cursor.read_bool()?,
                        _ => cursor.skip_value().map(|()| false)?,
                    };
                }
                _ => cursor.skip_value()?,
            }
            Ok(())
        })?;
        if inline.resolve().flatten() == Some(true) && !thought {
            images += 1;
        }
        Ok(())
    })?;
    Ok(images)
}

/// Whether an `inlineData` object holds an image: its MIME type starts with
/// `image/` in any case (MIME types are case-insensitive; `IMAGE/PNG` is an
/// image), or it gives no MIME type as a string.
fn read_inline_data_is_image(cursor: &mut JsonCursor<'_>) -> Parsed<bool> {
    let mut mime: Cased<Option<bool>> = Cased::default();
    for_each_field(cursor, |name, cursor| {
        match name {
            "mimeType" | "mime_type" => {
                let is_image = cursor.read_nullable(
                    ValueKind::String,
                    |cursor| Ok(Some(MediaKind::of_mime(Some(&cursor.read_string()?)) == MediaKind::Image)),
                    || None,
                )?;
                mime.set(name == "mimeType", is_image);
            }
            _ => cursor.skip_value()?,
        }
        Ok(())
    })?;
    Ok(mime.resolve().flatten().unwrap_or(true))
}

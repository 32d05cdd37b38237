//! The Interactions API's event streams (`stream: true`): one JSON event a
//! line (after `data:` when saved as server-sent events), told apart by
//! `event_type`. Two generations are read:
//!
//! - v1: `interaction.start`, `interaction.status_update`,
//!   `content.start` / `content.delta` / `content.stop`, then
//!   `interaction.complete`;
//! - v2: `interaction.created`, `interaction.status_update`,
//!   `step.start` / `step.delta` / `step.stop`, then
//!   `interaction.completed`;
//!
//! and `error` in either. Only the final event carries the interaction's
//! usage (in its `interaction` member, an Interactions object that may lack
//! `object`); a `step.stop` may carry a step's own usage, which is part of
//! the final total and never billed apart. Every other event is a piece of
//! the interaction: its ID (`interaction.id`, or `interaction_id`) ties the
//! stream together, and an image delta (`"delta": {"type": "image"}`) is
//! one output image.

use super::api_usage::{ApiFields, ApiObject, ApiResponse};
use super::field_walk::for_each_field;
use super::json_cursor::{JsonCursor, Parsed, ValueKind};

/// What an event is to the bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// `interaction.complete` (v1) or `interaction.completed` (v2): the
    /// interaction with its usage.
    Final,
    /// `error`: the interaction failed.
    Error,
    /// Any other event of the stream: a piece, never billed on its own.
    Piece,
}

impl EventKind {
    fn from_value(value: &str) -> Option<EventKind> {
        Some(match value {
            "interaction.complete" | "interaction.completed" => EventKind::Final,
            "error" => EventKind::Error,
            "interaction.start"
            | "interaction.created"
            | "interaction.status_update"
            | "content.start"
            | "content.delta"
            | "content.stop"
            | "step.start"
            | "step.delta"
            | "step.stop" => EventKind::Piece,
            _ => return None,
        })
    }
}

/// The members of an event line that matter, read whatever their order.
#[derive(Default)]
pub(crate) struct EventFields {
    /// `event_type`, when it names an event of an Interactions stream.
    pub(crate) kind: Option<EventKind>,
    /// `interaction`, when it is an object: its Interactions members and
    /// its `status`.
    interaction: Option<(ApiFields, Option<String>)>,
    /// `interaction_id`.
    interaction_id: Option<String>,
    /// Whether `delta` is an image.
    image_delta: bool,
}

/// What an event amounts to.
pub(crate) struct Event {
    /// The kind.
    pub(crate) kind: EventKind,
    /// The interaction the event names (`object` taken as `interaction`),
    /// with its usage, when the event holds one.
    pub(crate) interaction: Option<ApiResponse>,
    /// The interaction's `status`, when given.
    pub(crate) status: Option<String>,
    /// The interaction's ID, from either place.
    pub(crate) id: Option<String>,
    /// Output images the event carries.
    pub(crate) images: u64,
}

impl EventFields {
    /// Reads the member `name` if it is one of ours; `false` if it is not
    /// (the value is then still under the cursor).
    pub(crate) fn read_field(&mut self, name: &str, cursor: &mut JsonCursor<'_>) -> Parsed<bool> {
        match (name, cursor.peek_kind()?) {
            ("event_type", ValueKind::String) => self.kind = EventKind::from_value(&cursor.read_string()?),
            ("interaction", ValueKind::Object) => self.interaction = Some(read_interaction(cursor)?),
            ("interaction_id", ValueKind::String) => {
                self.interaction_id = Some(cursor.read_string()?.into_owned());
            }
            ("delta", ValueKind::Object) => self.image_delta = is_image_delta(cursor)?,
            ("event_type" | "interaction" | "interaction_id" | "delta", _) => {
                self.clear(name);
                cursor.skip_value()?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Forgets a member whose last value was of the wrong type.
    fn clear(&mut self, name: &str) {
        match name {
            "event_type" => self.kind = None,
            "interaction" => self.interaction = None,
            "interaction_id" => self.interaction_id = None,
            _ => self.image_delta = false,
        }
    }

    /// The event, when `event_type` named one of an Interactions stream.
    pub(crate) fn into_event(self) -> Option<Event> {
        let kind = self.kind?;
        let (interaction, status) = match self.interaction {
            Some((mut fields, status)) => {
                fields.assume_object(ApiObject::Interaction);
                (fields.into_response(), status)
            }
            None => (None, None),
        };
        let id = interaction.as_ref().and_then(|interaction| interaction.id.clone()).or(self.interaction_id);
        let images =
            u64::from(self.image_delta) + interaction.as_ref().map_or(0, |interaction| interaction.images);
        Some(Event { kind, interaction, status, id, images })
    }
}

/// Reads an `interaction` object: its Interactions members and `status`.
fn read_interaction(cursor: &mut JsonCursor<'_>) -> Parsed<(ApiFields, Option<String>)> {
    let mut fields = ApiFields::default();
    let mut status = None;
    for_each_field(cursor, |name, cursor| {
        if name == "status" {
            status = match cursor.peek_kind()? {
                ValueKind::String => Some(cursor.read_string()?.into_owned()),
                _ => cursor.skip_value().map(|()| None)?,
            };
        } else if !fields.read_field(name, cursor)? {
            cursor.skip_value()?;
        }
        Ok(())
    })?;
    Ok((fields, status))
}

/// Whether a `delta` object is an image (`"type": "image"`).
fn is_image_delta(cursor: &mut JsonCursor<'_>) -> Parsed<bool> {
    let mut image = false;
    for_each_field(cursor, |name, cursor| match (name, cursor.peek_kind()?) {
        ("type", ValueKind::String) => {
            image = cursor.read_string()? == "image";
            Ok(())
        }
        _ => cursor.skip_value(),
    })?;
    Ok(image)
}

#[cfg(test)]
mod tests {
    use crate::scan::{OutputLine, scan_output_line};

    #[test]
    fn bills_only_the_final_event_of_either_generation() {
        let usage = r#""usage":{"total_input_tokens":10,"total_output_tokens":1120,"output_tokens_by_modality":[{"modality":"image","tokens":1120}]}"#;
        for kind in ["interaction.complete", "interaction.completed"] {
            let line = format!(
                r#"{{"interaction":{{"id":"i","status":"completed",{usage},"model":"m"}},"event_type":"{kind}"}}"#
            );
            let OutputLine::Response { usage, response_id, model_version, .. } =
                scan_output_line(line.as_bytes())
            else {
                panic!("not a response: {line}");
            };
            assert_eq!((usage.prompt_tokens, usage.candidate_image_tokens), (10, 1120), "{kind}");
            assert_eq!((response_id.as_deref(), model_version.as_deref()), (Some("i"), Some("m")));
        }
        // A step's own usage is part of the final total, never billed apart.
        let step = format!(r#"{{"index":0,{usage},"event_type":"step.stop"}}"#);
        assert!(matches!(scan_output_line(step.as_bytes()), OutputLine::Chunk { response_id: None, .. }));
    }

    #[test]
    fn reads_the_other_events_as_pieces_of_their_interaction() {
        let cases = [
            (
                r#"{"interaction":{"id":"i","status":"in_progress","model":"m"},"event_type":"interaction.start"}"#,
                Some("i"),
                0,
            ),
            (
                r#"{"interaction_id":"i","status":"in_progress","event_type":"interaction.status_update"}"#,
                Some("i"),
                0,
            ),
            (
                r#"{"index":1,"delta":{"mime_type":"image/jpeg","data":"AA","type":"image"},"event_type":"content.delta"}"#,
                None,
                1,
            ),
            (r#"{"index":1,"delta":{"text":"hi","type":"text"},"event_type":"step.delta"}"#, None, 0),
            (r#"{"index":1,"event_type":"step.stop"}"#, None, 0),
        ];
        for (line, id, images) in cases {
            match scan_output_line(line.as_bytes()) {
                OutputLine::Chunk { response_id, inline_images, .. } => {
                    assert_eq!((response_id.as_deref(), inline_images), (id, images), "{line}");
                }
                other => panic!("not a chunk: {other:?} for {line}"),
            }
        }
    }

    #[test]
    fn an_error_event_is_an_error_and_a_final_event_without_usage_gives_no_counts() {
        let error = r#"{"event_type":"error","error":{"code":500,"message":"boom"}}"#;
        assert!(matches!(scan_output_line(error.as_bytes()), OutputLine::Error { code: Some(500), .. }));
        let bare = r#"{"event_type":"interaction.complete","interaction":{"id":"i","status":"completed"}}"#;
        let OutputLine::Response { usage, .. } = scan_output_line(bare.as_bytes()) else {
            panic!("not a response");
        };
        assert!(!usage.has_counts());
        let failed = r#"{"event_type":"interaction.completed","interaction":{"id":"i","status":"failed"}}"#;
        assert!(matches!(scan_output_line(failed.as_bytes()), OutputLine::Error { .. }));
        // An event type of some other API is not ours.
        let other = r#"{"event_type":"thread.run.created","status":"queued"}"#;
        let read = scan_output_line(other.as_bytes());
        assert!(!matches!(read, OutputLine::Chunk { .. } | OutputLine::Response { .. }), "{read:?}");
    }

    #[test]
    fn reads_a_bare_usage_block_as_a_response_without_a_model() {
        let chat = r#"{"usage":{"prompt_tokens":10,"completion_tokens":1130,"completion_tokens_details":{"image_tokens":1120}}}"#;
        let OutputLine::Response { usage, model_version: None, .. } = scan_output_line(chat.as_bytes())
        else {
            panic!("not a response without a model");
        };
        assert_eq!(
            (usage.prompt_tokens, usage.candidate_image_tokens, usage.candidate_text_tokens),
            (10, 1120, 10)
        );
        let interaction = r#"{"usage":{"total_input_tokens":10,"total_output_tokens":1120}}"#;
        let OutputLine::Response { usage, .. } = scan_output_line(interaction.as_bytes()) else {
            panic!("not a response");
        };
        assert_eq!((usage.prompt_tokens, usage.candidates_tokens), (10, 1120));
    }
}

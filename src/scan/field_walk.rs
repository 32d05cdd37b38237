//! What the line readers share: walking objects and arrays with a closure,
//! choosing between the camelCase and snake_case spelling of a field, and
//! wording the reason a line is not JSON.

use super::json_cursor::{JsonCursor, Parsed, SyntaxError, ValueKind};

/// A value that was there but of the wrong JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WrongType;

/// A field that may be written in camelCase or snake_case. Each spelling
/// keeps its last value; camelCase wins when both are there.
#[derive(Debug, Clone)]
pub(crate) struct Cased<T> {
    camel: Option<T>,
    snake: Option<T>,
}

impl<T> Default for Cased<T> {
    fn default() -> Self {
        Self { camel: None, snake: None }
    }
}

impl<T> Cased<T> {
    /// Records a value (`None` for JSON `null`) under one spelling.
    pub(crate) fn set(&mut self, camel: bool, value: Option<T>) {
        if camel {
            self.camel = value;
        } else {
            self.snake = value;
        }
    }

    pub(crate) fn is_set(&self) -> bool {
        self.camel.is_some() || self.snake.is_some()
    }

    pub(crate) fn resolve(self) -> Option<T> {
        self.camel.or(self.snake)
    }
}

/// Enters the object under the cursor and calls `visit` with each member's
/// name; `visit` must consume the member's value.
pub(crate) fn for_each_field<'a>(
    cursor: &mut JsonCursor<'a>,
    mut visit: impl FnMut(&str, &mut JsonCursor<'a>) -> Parsed<()>,
) -> Parsed<()> {
    cursor.enter_object()?;
    let mut first = true;
    while let Some(name) = cursor.next_field(&mut first)? {
        visit(&name, cursor)?;
    }
    Ok(())
}

/// Enters the array under the cursor and calls `visit` for each element;
/// `visit` must consume the element.
pub(crate) fn for_each_element<'a>(
    cursor: &mut JsonCursor<'a>,
    mut visit: impl FnMut(&mut JsonCursor<'a>) -> Parsed<()>,
) -> Parsed<()> {
    cursor.enter_array()?;
    let mut first = true;
    while cursor.next_element(&mut first)? {
        visit(cursor)?;
    }
    Ok(())
}

/// Reads a member that must be a string (a key, a model version): `None`
/// for null, [`WrongType`] for a value of any other kind.
pub(crate) fn read_string_member(cursor: &mut JsonCursor<'_>) -> Parsed<Option<Result<String, WrongType>>> {
    cursor.read_nullable(
        ValueKind::String,
        |cursor| Ok(Ok(cursor.read_string()?.into_owned())),
        || Err(WrongType),
    )
}

/// Whether a line holds nothing but JSON whitespace.
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The reason given for a line that is not JSON. The words come from
/// `serde_json`, which people know from other tools; malformed lines are
/// rare, so parsing them a second time costs nothing that matters.
pub(crate) fn not_json_reason(line: &[u8], error: &SyntaxError) -> String {
    match serde_json::from_slice::<serde_json::Value>(line) {
        Err(serde_error) => {
            let message = serde_error.to_string();
            let message = message.replacen(" at line 1 column ", " at column ", 1);
            format!("not JSON: {message}")
        }
        // Only reachable if the cursor is stricter than serde_json, which
        // the tests rule out; still give a useful reason.
        Ok(_) => format!("not JSON: {} at column {}", error.problem, error.position + 1),
    }
}

//! Errors by kind: each kind is one documented exit code, and every error the
//! library raises says its own kind ([`Kind`]), beside its type. The binary
//! maps a kind to its code in one place ([`ErrorKind::exit_code`]) and never
//! walks an error chain to guess.
//!
//! | code | kind | meaning |
//! |---|---|---|
//! | 0 | | success (also when stdout is closed early, as by `head`) |
//! | 1 | [`ErrorKind::Failure`] | anything else: an I/O failure, an internal error |
//! | 2 | [`ErrorKind::Usage`] | a bad flag, model, size, lane or count |
//! | 3 | [`ErrorKind::Card`] | the rate card cannot be read or breaks a rule |
//! | 4 | [`ErrorKind::Input`] | input data cannot be priced: a plan file that breaks a rule, a batch file that cannot be opened or read, a malformed line under `--strict`, a figure too large to compute exactly |
//! | 5 | | a verdict, not an error: over budget (see `app::Verdict`) |
//! | 6 | | a verdict, not an error: the total leaves something out |

use std::fmt;

/// What went wrong, as far as the exit code is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Anything else: an I/O failure, an internal error (exit 1).
    Failure,
    /// A bad flag, model, size, lane or count (exit 2).
    Usage,
    /// The rate card cannot be read or breaks a rule (exit 3).
    Card,
    /// Input data cannot be priced (exit 4).
    Input,
}

impl ErrorKind {
    /// The documented exit code of this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Failure => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Card => 3,
            ErrorKind::Input => 4,
        }
    }
}

/// An error that knows its kind.
pub trait Kind {
    /// The kind, and so the exit code, of this error.
    fn kind(&self) -> ErrorKind;
}

/// Any error a command ends with: its kind and its one-line message.
pub struct Error {
    kind: ErrorKind,
    inner: anyhow::Error,
}

impl Error {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, inner: anyhow::Error::msg(message.into()) }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The same error with `context` said first (`context: error`).
    pub fn context(self, context: &'static str) -> Error {
        Error { kind: self.kind, inner: self.inner.context(context) }
    }
}

impl<E: Kind + std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(error: E) -> Error {
        Error { kind: error.kind(), inner: error.into() }
    }
}

impl fmt::Display for Error {
    /// The message and its causes, on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.inner)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:#}", self.kind, self.inner)
    }
}

/// A usage mistake found after parsing, such as a bad `NBCOST_TODAY`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl Kind for UsageError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_documented_exit_code() {
        let codes: Vec<u8> = [ErrorKind::Failure, ErrorKind::Usage, ErrorKind::Card, ErrorKind::Input]
            .into_iter()
            .map(ErrorKind::exit_code)
            .collect();
        assert_eq!(codes, [1, 2, 3, 4]);
    }

    #[test]
    fn keeps_the_kind_and_says_the_context_first() {
        let error = Error::from(UsageError("`x` is not a date".into())).context("reading the date");
        assert_eq!(error.kind(), ErrorKind::Usage);
        assert_eq!(error.to_string(), "reading the date: `x` is not a date");
    }
}

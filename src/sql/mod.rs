//! `nbcost sql`: `tally`'s pricing as one SQL query, for BigQuery or
//! DuckDB, so that responses stored in a warehouse are priced where they
//! are instead of copied to one machine.
//!
//! The card is compiled into the query (see `card_tables`), and the
//! rules are `tally`'s, line by line (see `query`): the query needs
//! nothing but the table. Costs are exact decimals (`BIGNUMERIC` in
//! BigQuery, `DECIMAL(38, 18)` in DuckDB), never floats, and a row the card
//! cannot price has a `NULL` cost and says why.

mod card_tables;
mod dialect;
mod query;
mod reconcile;

pub use dialect::Dialect;
pub use reconcile::ReconcileSql;

use time::Date;

use crate::attribution::By;
use crate::card::{RateCard, UnknownModel};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::report::{Notice, Outcome, Verdict, lifecycle_warnings};
use crate::visible::visible;

/// What the column holds, where the engine cares: BigQuery types a `JSON`
/// column apart from a `STRING` one; DuckDB reads either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnType {
    /// A `JSON` column (what Vertex AI's request-response logging writes).
    #[default]
    Json,
    /// A `STRING` column holding JSON text (a JSONL file loaded as text).
    String,
}

/// The period rows are grouped by, from `--time-column`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// One row group per calendar day.
    #[default]
    Day,
    /// One row group per calendar month (its first day).
    Month,
}

/// `nbcost sql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlRequest {
    /// The engine.
    pub dialect: Dialect,
    /// The table: `project.dataset.table`, `schema.table` or `table`.
    pub table: String,
    /// The column holding one batch output line or response per row.
    pub column: String,
    /// Whether the column is `JSON` or text (BigQuery).
    pub column_type: ColumnType,
    /// `--lane`: the lane of every row, as in `tally`.
    pub lane: Option<Lane>,
    /// `--model`: the model of rows that name no `modelVersion`.
    pub model: Option<String>,
    /// `--time-column`: a `DATE` or `TIMESTAMP` column to group by.
    pub time_column: Option<String>,
    /// `--per`: the period of `time_column`.
    pub per: Period,
    /// `--where`: a filter, in the engine's SQL, on the table's rows.
    pub filter: Option<String>,
    /// `--by`: usage rows per attribution too (`key-prefix` or `label:NAME`).
    pub by: Option<By>,
    /// `--reconcile --bill-table`: the query sets a billing export table
    /// beside the priced rows, as `nbcost reconcile` does.
    pub reconcile: Option<ReconcileSql>,
}

/// The query, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlQuery {
    /// The query text, ending in `;` and a newline.
    pub text: String,
    /// A warning when the model given with `--model` is retired or retiring.
    pub notices: Vec<Notice>,
}

/// Why no query can be written.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// `--model` names no model in the card.
    #[error(transparent)]
    UnknownModel(#[from] UnknownModel),
    /// A table or column name that cannot be quoted.
    #[error(
        "{what} `{name}` cannot be used: give a plain name (letters, digits, `_`, `-`, `$`; a table may have `.` between its parts)"
    )]
    BadName {
        /// `--table`, `--column` or `--time-column`.
        what: &'static str,
        /// The name as given.
        name: String,
    },
    /// A `--where` filter that would not stay inside its clause.
    #[error("--where `{}` cannot be used: {why}", visible(.filter))]
    BadFilter {
        /// The filter as given.
        filter: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// `--by file`: a table's rows come from no file.
    #[error(
        "--by file names the file each line was read from, and a table's rows have none: give --by key-prefix or --by label:NAME"
    )]
    ByFile,
    /// `--reconcile` with `--by`.
    #[error("--reconcile compares the whole bill, SKU by SKU: leave out --by")]
    ReconcileBy,
    /// `--reconcile` with `--per month`.
    #[error("--reconcile compares day by day, as the bill counts: leave out --per month")]
    ReconcileMonth,
    /// `--by day`: a table has its own time column to group by.
    #[error(
        "--by day reads the responses' own times, and a table keeps its time in a column: give --time-column COLUMN (--per day is the default) in place of --by day"
    )]
    ByDay,
    /// A rate with more decimals than the query keeps.
    #[error("{what} needs more than 18 decimals per token: the query cannot hold it exactly")]
    RateTooFine {
        /// Which rate.
        what: String,
    },
}

impl Kind for SqlError {
    fn kind(&self) -> ErrorKind {
        match self {
            SqlError::UnknownModel(error) => error.kind(),
            SqlError::BadName { .. }
            | SqlError::BadFilter { .. }
            | SqlError::ByFile
            | SqlError::ByDay
            | SqlError::ReconcileBy
            | SqlError::ReconcileMonth => ErrorKind::Usage,
            SqlError::RateTooFine { .. } => ErrorKind::Card,
        }
    }
}

impl SqlQuery {
    /// The query for `request`, with `card` compiled in (named, with its
    /// date and source, in the query's header comment), as of `today`.
    pub fn build(card: &RateCard, request: &SqlRequest, today: Date) -> Result<SqlQuery, SqlError> {
        check_name("--table", &request.table, true)?;
        check_name("--column", &request.column, false)?;
        if let Some(column) = &request.time_column {
            check_name("--time-column", column, false)?;
        }
        if let Some(filter) = &request.filter {
            check_filter(filter, request.dialect)?;
        }
        match request.by {
            Some(By::File) => return Err(SqlError::ByFile),
            Some(By::Day(_)) => return Err(SqlError::ByDay),
            _ => {}
        }
        if let Some(reconcile) = &request.reconcile {
            check_name("--bill-table", &reconcile.bill_table, true)?;
            if request.by.is_some() {
                return Err(SqlError::ReconcileBy);
            }
            if request.time_column.is_some() && request.per == Period::Month {
                return Err(SqlError::ReconcileMonth);
            }
        }
        let header = format!(
            "-- nbcost {} sql --dialect {}\n\
             -- The cost of the responses in column {} of {},\n\
             -- priced by tally's rules at the rates of {} ({}, checked {}).\n\
             -- Costs are exact decimals, NULL where the card cannot price (see note); the total row says what it leaves out.\n",
            env!("CARGO_PKG_VERSION"),
            request.dialect.name(),
            request.column,
            request.table,
            // Comments too hold nothing from outside as it is: a newline in
            // a card's name or path would end the comment.
            visible(&card.meta.dated),
            visible(&card.meta.origin.source()),
            card.meta.checked,
        );
        let body = match &request.reconcile {
            Some(reconcile) => reconcile::write(card, request, reconcile, today)?,
            None => query::write(card, request)?,
        };
        Ok(SqlQuery {
            text: format!("{header}{body}"),
            notices: lifecycle_warnings(card, request.model.as_deref(), today),
        })
    }
}

impl Outcome for SqlQuery {
    fn verdict(&self) -> Verdict {
        Verdict::Pass
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// `--where` is trusted SQL (the user's own), yet it must stay one
/// condition inside its `WHERE ( … )`: not empty, no `;`, no comment (`--`,
/// `/*`, and BigQuery's `#`), and its
/// parentheses and quotes balanced outside string literals (as `dialect`
/// reads them: a backslash escapes in every BigQuery literal and in
/// DuckDB's `E'…'` strings), so that a filter
/// such as `TRUE) UNION ALL SELECT …` cannot close the clause and add rows.
fn check_filter(filter: &str, dialect: Dialect) -> Result<(), SqlError> {
    let bad = |why| Err(SqlError::BadFilter { filter: filter.to_string(), why });
    if filter.trim().is_empty() {
        return bad("it is empty: give a condition, or leave --where out");
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    // Whether the open literal reads `\` as an escape: every BigQuery
    // literal, and DuckDB's `E'…'` strings.
    let mut escapes = false;
    // The run of word characters (a name, keyword or number) just read
    // outside a literal: its length and whether it opened with a digit.
    let mut word = (0usize, false);
    let mut previous: Option<char> = None;
    let mut chars = filter.chars().peekable();
    while let Some(ch) = chars.next() {
        if let Some(open) = quote {
            if ch == '\\' && escapes {
                chars.next();
            } else if ch == open {
                // A doubled quote is the quote itself, inside the literal.
                if chars.peek() == Some(&open) {
                    chars.next();
                } else {
                    quote = None;
                    previous = Some(open);
                    word = (0, false);
                }
            }
            continue;
        }
        let e_before = matches!(previous, Some('e' | 'E'));
        // `E'…'` (or `e'…'`) is a DuckDB string with backslash escapes
        // where DuckDB's lexer reads the `E` as a token of its own: alone,
        // or after a number (`1E'…'` is `1` and `E'…'`); the `E` ending a
        // name or keyword (`ESCAPE'\'`) is the word's, and `'\'` is plain.
        let e_token = e_before && (word.0 == 1 || word.1);
        // Likewise a `$` outside a name starts a token of its own.
        let token_start = word.0 == 0 || word.1;
        previous = Some(ch);
        word = match (word_char(ch), word) {
            (false, _) => (0, false),
            (true, (0, _)) => (1, ch.is_ascii_digit()),
            (true, (length, digit)) => (length + 1, digit),
        };
        match ch {
            '\'' | '"' | '`' => {
                quote = Some(ch);
                let e_string = ch == '\'' && e_token;
                escapes = dialect == Dialect::BigQuery || e_string;
            }
            '(' => depth += 1,
            ')' if depth == 0 => {
                return bad("a `)` closes more than it opened: the filter would leave its clause");
            }
            ')' => depth -= 1,
            ';' => return bad("a filter is one condition, without `;`"),
            '-' if chars.peek() == Some(&'-') => return bad("a filter holds no `--` comment"),
            '/' if chars.peek() == Some(&'*') => return bad("a filter holds no `/*` comment"),
            // BigQuery also reads `#` to the end of the line as a comment.
            '#' if dialect == Dialect::BigQuery => return bad("a filter holds no `#` comment"),
            // DuckDB reads `$$…$$` and `$tag$…$tag$` as strings, whose
            // quotes this check would read as opening or closing others.
            '$' if dialect == Dialect::DuckDb && token_start && dollar_quote(chars.clone()) => {
                return bad(
                    "a filter holds no dollar-quoted string (`$$…$$`): write the string in single quotes",
                );
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return bad("a quote is left open");
    }
    if depth > 0 {
        return bad("a `(` is left open");
    }
    Ok(())
}

/// Whether the characters after a `$` complete DuckDB's opening of a
/// dollar-quoted string: an optional tag (a letter or `_`, then letters,
/// digits or `_`) and a `$`.
fn dollar_quote(mut rest: impl Iterator<Item = char>) -> bool {
    let mut first = true;
    for ch in rest.by_ref() {
        match ch {
            '$' => return true,
            ch if word_char(ch) && ch != '$' && !(first && ch.is_ascii_digit()) => first = false,
            _ => return false,
        }
    }
    false
}

/// Whether `ch` may continue a word (a name or keyword) in SQL.
fn word_char(ch: char) -> bool {
    ch.is_alphanumeric() || matches!(ch, '_' | '$') || !ch.is_ascii()
}

/// Refuses names that would need escaping: quoting stays trivial and
/// nothing typed can end the identifier early.
fn check_name(what: &'static str, name: &str, dotted: bool) -> Result<(), SqlError> {
    let part_ok = |part: &str| {
        !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '$'))
    };
    let ok = if dotted { name.split('.').all(part_ok) } else { part_ok(name) };
    if ok { Ok(()) } else { Err(SqlError::BadName { what, name: name.to_string() }) }
}

#[cfg(test)]
mod tests;

//! How each engine spells what the query needs: JSON access, type tests,
//! sums over JSON arrays, days in a time zone, exact decimals, inline tables
//! and quoting. The query itself (see [`super::query`]) is written once
//! against these.

use rust_decimal::Decimal;

use crate::zone::Zone;

/// The SQL engine a query is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Google BigQuery (GoogleSQL).
    BigQuery,
    /// DuckDB.
    DuckDb,
}

/// The SQL type of an inline table's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Type {
    Text,
    Int,
    Bool,
    /// An exact decimal (a rate).
    Decimal,
    /// A list of texts (a model's other names).
    TextList,
}

/// The scale of every exact decimal in the query: per-token rates need
/// up to 6 more digits than the card's per-1M rates.
pub(super) const SCALE: u32 = 18;

impl Dialect {
    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::BigQuery => "bigquery",
            Dialect::DuckDb => "duckdb",
        }
    }

    /// A quoted identifier; `name` has been checked to hold no quote.
    pub(super) fn ident(self, name: &str) -> String {
        match self {
            Dialect::BigQuery => format!("`{name}`"),
            Dialect::DuckDb => format!("\"{name}\""),
        }
    }

    /// A table path (`project.dataset.table`, `schema.table`), quoted.
    pub(super) fn table(self, path: &str) -> String {
        match self {
            // BigQuery quotes the whole path at once, which also allows the
            // `-` of project IDs.
            Dialect::BigQuery => format!("`{path}`"),
            Dialect::DuckDb => path.split('.').map(|part| self.ident(part)).collect::<Vec<_>>().join("."),
        }
    }

    /// The JSON value of `value` at the members `names`, in turn: any
    /// names at all, since none is written into a JSON path. BigQuery
    /// reads them by subscript, each a string literal; DuckDB by a JSON
    /// pointer (RFC 6901: `~` as `~0`, `/` as `~1`) held in one literal.
    pub(super) fn at_members(self, value: &str, names: &[&str]) -> String {
        match self {
            Dialect::BigQuery => {
                let subscripts: String =
                    names.iter().map(|name| format!("[{}]", self.string(name))).collect();
                format!("{value}{subscripts}")
            }
            Dialect::DuckDb => format!("json_extract({value}, {})", self.pointer(names)),
        }
    }

    /// The JSON pointer (RFC 6901: `~` as `~0`, `/` as `~1`) to the members
    /// `names`, as a string literal.
    pub(super) fn pointer(self, names: &[&str]) -> String {
        let pointer: String =
            names.iter().map(|name| format!("/{}", name.replace('~', "~0").replace('/', "~1"))).collect();
        self.string(&pointer)
    }

    /// `text` up to the first `separator` (all of it without one).
    pub(super) fn before(self, text: &str, separator: char) -> String {
        let separator = self.string(&separator.to_string());
        match self {
            Dialect::BigQuery => format!("SPLIT({text}, {separator})[SAFE_OFFSET(0)]"),
            Dialect::DuckDb => format!("split_part({text}, {separator}, 1)"),
        }
    }

    /// `text` cut to `bytes` bytes of UTF-8 on a character boundary, with
    /// `…` after it, when it is longer: the longest prefix of at most
    /// `bytes` characters that fits.
    pub(super) fn cut(self, text: &str, bytes: usize) -> String {
        match self {
            Dialect::BigQuery => format!(
                "IF(BYTE_LENGTH({text}) <= {bytes}, {text}, CONCAT(LEFT({text}, (SELECT MAX(n) \
                 FROM UNNEST(GENERATE_ARRAY(0, {bytes})) AS n WHERE BYTE_LENGTH(LEFT({text}, n)) <= {bytes})), '…'))"
            ),
            Dialect::DuckDb => format!(
                "IF(strlen({text}) <= {bytes}, {text}, left({text}, list_max([n FOR n IN range({}) \
                 IF strlen(left({text}, n)) <= {bytes}])) || '…')",
                bytes + 1
            ),
        }
    }

    /// `text` as its UTF-8 bytes, to sort by: byte order whatever the
    /// engine's or the table's collation.
    pub(super) fn bytes(self, text: &str) -> String {
        match self {
            Dialect::BigQuery => format!("CAST({text} AS BYTES)"),
            Dialect::DuckDb => format!("encode({text})"),
        }
    }

    /// Whether the JSON `value` is an object (`NULL` when absent).
    pub(super) fn is_object(self, value: &str) -> String {
        match self {
            Dialect::BigQuery => format!("JSON_TYPE({value}) = 'object'"),
            Dialect::DuckDb => format!("json_type({value}) = 'OBJECT'"),
        }
    }

    /// The text of the JSON `value` where it is a string, else `NULL`.
    pub(super) fn string_of(self, value: &str) -> String {
        match self {
            Dialect::BigQuery => format!("SAFE.STRING({value})"),
            Dialect::DuckDb => format!("CASE WHEN json_type({value}) = 'VARCHAR' THEN {value} ->> '$' END"),
        }
    }

    /// Whether the JSON object `value` has any of the members at `paths`,
    /// `null` or not.
    pub(super) fn has_member(self, value: &str, paths: &[&str]) -> String {
        let tests: Vec<String> = paths
            .iter()
            .map(|path| match self {
                Dialect::BigQuery => format!("JSON_QUERY({value}, '{path}') IS NOT NULL"),
                Dialect::DuckDb => format!("json_exists({value}, '{path}')"),
            })
            .collect();
        tests.join(" OR ")
    }

    /// A regular expression literal (`pattern` holds no quote).
    pub(super) fn regexp(self, pattern: &str) -> String {
        match self {
            Dialect::BigQuery => format!("r'{pattern}'"),
            Dialect::DuckDb => format!("'{pattern}'"),
        }
    }

    /// The integer `value` as text, for `CONCAT` (which DuckDB casts itself).
    pub(super) fn as_text(self, value: &str) -> String {
        match self {
            Dialect::BigQuery => format!("CAST({value} AS STRING)"),
            Dialect::DuckDb => value.to_string(),
        }
    }

    /// `a` modulo `b`, integers.
    pub(super) fn modulo(self, a: &str, b: &str) -> String {
        match self {
            Dialect::BigQuery => format!("MOD({a}, {b})"),
            Dialect::DuckDb => format!("{a} % {b}"),
        }
    }

    /// `a` divided by `b`, integers, rounded down.
    pub(super) fn quotient(self, a: &str, b: &str) -> String {
        match self {
            Dialect::BigQuery => format!("DIV({a}, {b})"),
            Dialect::DuckDb => format!("{a} // {b}"),
        }
    }

    /// A string literal.
    pub(super) fn string(self, text: &str) -> String {
        match self {
            Dialect::BigQuery => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
            Dialect::DuckDb => format!("'{}'", text.replace('\'', "''")),
        }
    }

    /// The day of the timestamp `value` in `zone`.
    pub(super) fn day_in(self, value: &str, zone: &Zone) -> String {
        let zone = self.string(zone.name());
        match self {
            Dialect::BigQuery => format!("DATE({value}, {zone})"),
            Dialect::DuckDb => format!("CAST(timezone({zone}, CAST({value} AS TIMESTAMPTZ)) AS DATE)"),
        }
    }

    /// The exact decimal type of every rate and cost.
    pub(super) fn decimal_type(self) -> String {
        match self {
            Dialect::BigQuery => format!("BIGNUMERIC(38, {SCALE})"),
            Dialect::DuckDb => format!("DECIMAL(38, {SCALE})"),
        }
    }

    /// An exact decimal literal, of the type every cost has.
    pub(super) fn decimal(self, value: Decimal) -> String {
        format!("CAST('{}' AS {})", value.normalize(), self.decimal_type())
    }

    /// A SQL type name.
    pub(super) fn type_name(self, kind: Type) -> String {
        match (self, kind) {
            (Dialect::BigQuery, Type::Text) => "STRING".into(),
            (Dialect::DuckDb, Type::Text) => "VARCHAR".into(),
            (Dialect::BigQuery, Type::Int) => "INT64".into(),
            (Dialect::DuckDb, Type::Int) => "BIGINT".into(),
            (_, Type::Bool) => "BOOL".into(),
            // Inline decimals are text in BigQuery (see `inline_table`).
            (Dialect::BigQuery, Type::Decimal) => "STRING".into(),
            (Dialect::DuckDb, Type::Decimal) => self.decimal_type(),
            (Dialect::BigQuery, Type::TextList) => "ARRAY<STRING>".into(),
            (Dialect::DuckDb, Type::TextList) => "VARCHAR[]".into(),
        }
    }

    /// The distinct values of `text`, sorted, joined by `, `.
    pub(super) fn sorted_list(self, text: &str) -> String {
        match self {
            Dialect::BigQuery => format!("STRING_AGG(DISTINCT {text}, ', ' ORDER BY {text})"),
            Dialect::DuckDb => format!("string_agg(DISTINCT {text}, ', ' ORDER BY {text})"),
        }
    }

    /// The CTE `name` holding `lines` of rows (each row already SQL, `NULL`
    /// as it is), with `columns` named and typed. DuckDB names the columns
    /// of a `VALUES` list; BigQuery has no `VALUES` table, so it unnests a
    /// typed array of structs, its decimals written as text and made exact
    /// decimals once (a number literal would be a float).
    pub(super) fn inline_table(self, name: &str, columns: &[(&str, Type)], lines: &[Vec<String>]) -> String {
        let rows =
            lines.iter().filter(|line| !line.is_empty()).map(|line| line.join(",")).collect::<Vec<_>>();
        let rows = rows.join(",\n");
        let names: Vec<&str> = columns.iter().map(|(column, _)| *column).collect();
        match self {
            // A VALUES list needs a row: no rows is a typed row filtered out.
            Dialect::DuckDb if rows.is_empty() => {
                let nulls: Vec<String> = columns
                    .iter()
                    .map(|(_, kind)| format!("CAST(NULL AS {})", self.type_name(*kind)))
                    .collect();
                format!("{name}({}) AS (SELECT {} WHERE FALSE)", names.join(", "), nulls.join(", "))
            }
            Dialect::DuckDb => format!("{name}({}) AS (VALUES\n{rows})", names.join(", ")),
            Dialect::BigQuery => {
                let fields: Vec<String> = columns
                    .iter()
                    .map(|(column, kind)| format!("{column} {}", self.type_name(*kind)))
                    .collect();
                let select: Vec<String> = columns
                    .iter()
                    .map(|(column, kind)| match kind {
                        Type::Decimal => format!("CAST({column} AS {}) AS {column}", self.decimal_type()),
                        _ => column.to_string(),
                    })
                    .collect();
                let select = if columns.iter().any(|(_, kind)| *kind == Type::Decimal) {
                    select.join(", ")
                } else {
                    "*".to_string()
                };
                format!(
                    "{name} AS (SELECT {select} FROM UNNEST(ARRAY<STRUCT<{}>>[\n{rows}]))",
                    fields.join(", ")
                )
            }
        }
    }

    /// An exact decimal as a cell of an inline table: a decimal literal in
    /// DuckDB (exact, typed by its digits), text in BigQuery (made exact by
    /// the table's cast).
    pub(super) fn decimal_cell(self, value: Decimal) -> String {
        match self {
            Dialect::DuckDb => value.normalize().to_string(),
            Dialect::BigQuery => format!("'{}'", value.normalize()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_tables_as_each_engine_does() {
        assert_eq!(Dialect::BigQuery.table("my-project.logs.responses"), "`my-project.logs.responses`");
        assert_eq!(Dialect::DuckDb.table("main.responses"), "\"main\".\"responses\"");
        assert_eq!(Dialect::DuckDb.ident("line"), "\"line\"");
    }

    #[test]
    fn writes_decimals_exactly() {
        let rate = Decimal::new(3, 8);
        assert_eq!(Dialect::DuckDb.decimal(rate), "CAST('0.00000003' AS DECIMAL(38, 18))");
        assert_eq!(Dialect::BigQuery.decimal(rate), "CAST('0.00000003' AS BIGNUMERIC(38, 18))");
    }
}

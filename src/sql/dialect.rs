//! How each engine spells what the query needs: JSON access, type tests,
//! sums over JSON arrays, exact decimals, inline tables and quoting. The
//! query itself (see [`super::query`]) is written once against these.

use rust_decimal::Decimal;

/// The SQL engine a query is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Google BigQuery (GoogleSQL).
    BigQuery,
    /// DuckDB.
    DuckDb,
}

/// A JSON value's type, as the query tests it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Json {
    Object,
    Array,
    String,
    Boolean,
    Null,
}

/// The SQL type of an inline table's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Type {
    Text,
    Int,
    Bool,
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

    /// The JSON value at `path` (`$.a.b`) of the JSON `value`; SQL `NULL`
    /// when absent, JSON `null` when written as null.
    pub(super) fn at(self, value: &str, path: &str) -> String {
        match self {
            Dialect::BigQuery => format!("JSON_QUERY({value}, '{path}')"),
            Dialect::DuckDb => format!("json_extract({value}, '{path}')"),
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
            Dialect::DuckDb => {
                let pointer: String = names
                    .iter()
                    .map(|name| format!("/{}", name.replace('~', "~0").replace('/', "~1")))
                    .collect();
                format!("json_extract({value}, {})", self.string(&pointer))
            }
        }
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
                "CASE WHEN BYTE_LENGTH({text}) <= {bytes} THEN {text} ELSE CONCAT(LEFT({text}, (SELECT MAX(n)
      \
                 FROM UNNEST(GENERATE_ARRAY(1, {bytes})) AS n WHERE BYTE_LENGTH(LEFT({text}, n)) <= {bytes})), '…') END"
            ),
            Dialect::DuckDb => format!(
                "CASE WHEN strlen({text}) <= {bytes} THEN {text} ELSE left({text}, list_max(list_filter(range(1, {}),
      \
                 lambda n: strlen(left({text}, n)) <= {bytes}))) || '…' END",
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

    /// A CTE.
    pub(super) fn cte(self, name: &str, body: &str) -> String {
        format!("{name} AS (\n{body}\n)")
    }

    /// A CTE that DuckDB computes once rather than inline where it is used
    /// (the per-row steps read the JSON: inlined, each use would parse it
    /// again).
    pub(super) fn cte_once(self, name: &str, body: &str) -> String {
        match self {
            Dialect::DuckDb => format!("{name} AS MATERIALIZED (\n{body}\n)"),
            Dialect::BigQuery => self.cte(name, body),
        }
    }

    /// Whether a type name `kind` (as [`Dialect::field`] gives it) is `expected`.
    fn kind_is(self, kind: &str, expected: Json) -> String {
        match self {
            Dialect::BigQuery => {
                let name = match expected {
                    Json::Object => "object",
                    Json::Array => "array",
                    Json::String => "string",
                    Json::Boolean => "boolean",
                    Json::Null => "null",
                };
                format!("{kind} = '{name}'")
            }
            Dialect::DuckDb => match expected {
                Json::Object => format!("{kind} = 'OBJECT'"),
                Json::Array => format!("{kind} = 'ARRAY'"),
                Json::String => format!("{kind} = 'VARCHAR'"),
                Json::Boolean => format!("{kind} = 'BOOLEAN'"),
                Json::Null => format!("{kind} = 'NULL'"),
            },
        }
    }

    /// Whether the JSON `value` is of type `kind` (`NULL` when absent).
    pub(super) fn is(self, value: &str, kind: Json) -> String {
        match self {
            Dialect::BigQuery => self.kind_is(&format!("JSON_TYPE({value})"), kind),
            Dialect::DuckDb => self.kind_is(&format!("json_type({value})"), kind),
        }
    }

    /// `value` with JSON `null` made SQL `NULL`: null counts as absent.
    pub(super) fn present(self, value: &str) -> String {
        format!("IF({}, NULL, {value})", self.is(value, Json::Null))
    }

    /// The member at `path` of `value`, spelled in camelCase or snake_case:
    /// the camelCase one where it is not null.
    pub(super) fn cased(self, value: &str, camel: &str, snake: &str) -> String {
        format!(
            "COALESCE({}, {})",
            self.present(&self.at(value, &format!("$.{camel}"))),
            self.present(&self.at(value, &format!("$.{snake}")))
        )
    }

    /// The text of a JSON string `value`.
    pub(super) fn text(self, value: &str) -> String {
        match self {
            Dialect::BigQuery => format!("JSON_VALUE({value})"),
            Dialect::DuckDb => format!("({value} ->> '$')"),
        }
    }

    /// Whether the member `value` (as the typed parse reads it: never
    /// JSON `null`) is of type `kind`. DuckDB's parse keeps a member's JSON
    /// text, so its first character tells.
    pub(super) fn member_is(self, value: &str, kind: Json) -> String {
        match (self, kind) {
            (Dialect::BigQuery, _) => self.is(value, kind),
            (Dialect::DuckDb, Json::Object) => format!("{value} LIKE '{{%'"),
            (Dialect::DuckDb, Json::Array) => format!("{value} LIKE '[%'"),
            (Dialect::DuckDb, Json::String) => format!("{value} LIKE '\"%'"),
            (Dialect::DuckDb, Json::Boolean) => format!("{value} IN ('true', 'false')"),
            (Dialect::DuckDb, Json::Null) => "FALSE".to_string(),
        }
    }

    /// Whether the member `value` is one of the strings `texts` (plain
    /// words, which JSON writes without escapes).
    pub(super) fn member_in(self, value: &str, texts: &[&str]) -> String {
        let list = |quote: &str| {
            texts.iter().map(|text| format!("'{quote}{text}{quote}'")).collect::<Vec<_>>().join(", ")
        };
        match self {
            Dialect::BigQuery => {
                format!("({} AND JSON_VALUE({value}) IN ({}))", self.is(value, Json::String), list(""))
            }
            Dialect::DuckDb => format!("{value} IN ({})", list("\"")),
        }
    }

    /// Whether the member `value` is `true`.
    pub(super) fn member_true(self, value: &str) -> String {
        match self {
            Dialect::BigQuery => {
                format!("({} AND JSON_VALUE({value}) = 'true')", self.is(value, Json::Boolean))
            }
            Dialect::DuckDb => format!("{value} = 'true'"),
        }
    }

    /// Whether the member `value` is a non-negative JSON integer: written
    /// in digits (BigQuery), typed UBIGINT (DuckDB).
    pub(super) fn is_count(self, value: &str) -> String {
        match self {
            Dialect::BigQuery => {
                format!(
                    "(JSON_TYPE({value}) = 'number' AND REGEXP_CONTAINS(JSON_VALUE({value}), r'^[0-9]+$'))"
                )
            }
            Dialect::DuckDb => format!("json_type({value}) = 'UBIGINT'"),
        }
    }

    /// The member `value` as a token count: a 64-bit integer when it is a
    /// non-negative JSON integer, else `NULL`.
    pub(super) fn count(self, value: &str) -> String {
        let integer = match self {
            Dialect::BigQuery => format!("SAFE_CAST(JSON_VALUE({value}) AS INT64)"),
            Dialect::DuckDb => format!("TRY_CAST({value} AS BIGINT)"),
        };
        format!("CASE WHEN {} THEN {integer} END", self.is_count(value))
    }

    /// Whether the JSON object `value` has any of the members at `paths`,
    /// `null` or not.
    pub(super) fn has_member(self, value: &str, paths: &[&str]) -> String {
        let tests: Vec<String> = paths
            .iter()
            .map(|path| match self {
                Dialect::BigQuery => format!("{} IS NOT NULL", self.at(value, path)),
                Dialect::DuckDb => format!("json_exists({value}, '{path}')"),
            })
            .collect();
        format!("({})", tests.join(" OR "))
    }

    /// `a` modulo `b`, integers.
    pub(super) fn modulo(self, a: &str, b: &str) -> String {
        match self {
            Dialect::BigQuery => format!("MOD({a}, {b})"),
            Dialect::DuckDb => format!("({a} % {b})"),
        }
    }

    /// `a` divided by `b`, integers, rounded down.
    pub(super) fn quotient(self, a: &str, b: &str) -> String {
        match self {
            Dialect::BigQuery => format!("DIV({a}, {b})"),
            Dialect::DuckDb => format!("({a} // {b})"),
        }
    }

    /// The first match of the regular expression `pattern` in `text`.
    pub(super) fn regexp_extract(self, text: &str, pattern: &str) -> String {
        match self {
            Dialect::BigQuery => format!("REGEXP_EXTRACT({text}, r'{pattern}')"),
            Dialect::DuckDb => format!("regexp_extract({text}, '{pattern}')"),
        }
    }

    /// A string literal.
    pub(super) fn string(self, text: &str) -> String {
        match self {
            Dialect::BigQuery => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
            Dialect::DuckDb => format!("'{}'", text.replace('\'', "''")),
        }
    }

    /// The exact decimal type of every rate and cost.
    pub(super) fn decimal_type(self) -> String {
        match self {
            Dialect::BigQuery => format!("BIGNUMERIC(38, {SCALE})"),
            Dialect::DuckDb => format!("DECIMAL(38, {SCALE})"),
        }
    }

    /// An exact decimal literal.
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
        }
    }

    /// The distinct values of `text`, sorted, joined by `, `.
    pub(super) fn sorted_list(self, text: &str) -> String {
        match self {
            Dialect::BigQuery => format!("STRING_AGG(DISTINCT {text}, ', ' ORDER BY {text})"),
            Dialect::DuckDb => format!("string_agg(DISTINCT {text}, ', ' ORDER BY {text})"),
        }
    }

    /// The body of a CTE holding `rows`, each cell already SQL (`NULL`
    /// as it is), with `columns` named and typed. BigQuery has no `VALUES`
    /// table, so it unnests a typed array of structs.
    pub(super) fn inline_table(self, columns: &[(&str, Type)], rows: &[Vec<String>]) -> String {
        let tuples: Vec<String> = rows.iter().map(|row| format!("    ({})", row.join(", "))).collect();
        let tuples = tuples.join(",\n");
        match self {
            Dialect::BigQuery => {
                let fields: Vec<String> =
                    columns.iter().map(|(name, kind)| format!("{name} {}", self.type_name(*kind))).collect();
                format!("SELECT * FROM UNNEST(ARRAY<STRUCT<{}>>[\n{tuples}\n  ])", fields.join(", "))
            }
            Dialect::DuckDb => {
                let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
                format!("SELECT * FROM (VALUES\n{tuples}\n  ) AS t({})", names.join(", "))
            }
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

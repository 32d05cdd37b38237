//! What the sql tests share (`tests/sql.rs` and `tests/sql_reconcile.rs`
//! both include this file): the Python they run their queries with, and
//! how they read the values the queries and nbcost's JSON give.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

/// The Python that has DuckDB and sqlglot; without it the test fails,
/// naming the set-up step.
pub fn python() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("NBCOST_SQL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/sql-venv/bin/python"));
    let ready = Command::new(&python)
        .args(["-c", "import duckdb, sqlglot"])
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(
        ready,
        "the `nbcost sql` tests need Python with the packages duckdb and sqlglot, not found at {}: \
         run `bash tests/sql/setup.sh` (or set NBCOST_SQL_PYTHON to a Python that has them)",
        python.display()
    );
    python
}

/// A value as text; `None` for null.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// An exact decimal (equal to another of the same value, whatever its
/// trailing zeros); `None` for null.
pub fn decimal(value: &Value) -> Option<Decimal> {
    text(value).map(|text| Decimal::from_str(&text).unwrap_or_else(|_| panic!("not a decimal: {text}")))
}

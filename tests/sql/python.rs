//! The Python the sql tests run their queries with (`tests/sql.rs` and
//! `tests/sql_reconcile.rs` both include this file).

use std::path::{Path, PathBuf};
use std::process::Command;

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

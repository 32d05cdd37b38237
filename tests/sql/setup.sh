#!/usr/bin/env bash
# Makes target/sql-venv: a Python virtual environment with the pinned DuckDB
# and sqlglot that tests/sql.rs runs `nbcost sql`'s queries with. Needs
# Python 3 and the package index; does nothing when the environment is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/sql-venv
if "$venv/bin/python" -c "import duckdb, sqlglot" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/sql/requirements.txt
"$venv/bin/python" -c "import duckdb, sqlglot; print('sql tests: duckdb', duckdb.__version__, 'sqlglot', sqlglot.__version__)"

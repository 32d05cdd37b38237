"""Runs an `nbcost sql --reconcile` query in DuckDB, for tests/sql_reconcile.rs.

usage: reconcile.py RESPONSES BILL QUERY_FILE duckdb|bigquery

RESPONSES is a JSONL file whose lines become the rows of `responses`: the
line in the VARCHAR column `line`, and in the TIMESTAMPTZ column
`logged_at` the time the line itself says (a Vertex AI batch line's
`processed_time`, else its response's `createTime`; none for a line that is
no JSON), as a request-response logging table's `logging_time` holds it. BILL is billing-export rows as
JSON lines (`bq query --format=json` writes every number as a string):
they become the table `bill`, typed as Google's billing export is
(`usage_start_time` a TIMESTAMP, `usage.amount`, `cost` and
`currency_conversion_rate` FLOAT64, `credits` an array of structs). A
`bigquery` query is first transpiled by sqlglot (see run.py). The rows are
printed as one JSON array, every value as text.
"""

import json
import sys

from run import text, transpile


def instant(value):
    """A time as DuckDB reads a TIMESTAMPTZ: `… UTC` as `…+00`."""
    if value is None:
        return None
    return value[:-4] + "+00" if value.endswith(" UTC") else value


def number(value):
    return None if value is None else float(value)


def main():
    responses, bill, query_path, dialect = sys.argv[1:5]
    import duckdb

    query = open(query_path, encoding="utf-8").read()
    if dialect == "bigquery":
        query = transpile(query)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute('CREATE TABLE responses (line VARCHAR, logged_at TIMESTAMPTZ)')
    rows = []
    with open(responses, encoding="utf-8", newline="\n") as lines:
        for line in lines:
            line = line.rstrip("\n")
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError:
                # A line that cannot be read says no time: it is kept, as a
                # logging table would hold it, for the query to count.
                rows.append((line, None))
                continue
            time = parsed.get("processed_time") or (parsed.get("response") or parsed).get("createTime")
            rows.append((line, instant(time)))
    if rows:  # DuckDB's executemany refuses no rows: an empty table stays empty
        con.executemany("INSERT INTO responses VALUES (?, ?)", rows)
    con.execute(
        "CREATE TABLE bill (service STRUCT(id VARCHAR, description VARCHAR), "
        "sku STRUCT(id VARCHAR, description VARCHAR), usage_start_time TIMESTAMPTZ, "
        "usage STRUCT(amount DOUBLE, unit VARCHAR), cost DOUBLE, currency VARCHAR, "
        "currency_conversion_rate DOUBLE, cost_type VARCHAR, "
        "credits STRUCT(name VARCHAR, amount DOUBLE)[], project STRUCT(id VARCHAR))"
    )
    with open(bill, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            usage = row.get("usage") or {}
            con.execute(
                "INSERT INTO bill VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    row.get("service"),
                    row.get("sku"),
                    instant(row.get("usage_start_time")),
                    {"amount": number(usage.get("amount")), "unit": usage.get("unit")},
                    number(row.get("cost")),
                    row.get("currency"),
                    number(row.get("currency_conversion_rate")),
                    row.get("cost_type"),
                    [{"name": c.get("name"), "amount": number(c.get("amount"))} for c in row.get("credits") or []],
                    row.get("project"),
                ],
            )
    result = con.execute(query)
    names = [description[0] for description in result.description]
    out = [{name: text(value) for name, value in zip(names, row)} for row in result.fetchall()]
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

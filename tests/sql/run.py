"""Runs an `nbcost sql` query in DuckDB against a JSONL file, for tests/sql.rs.

usage: run.py FILE QUERY_FILE duckdb|bigquery [TABLE COLUMN]

The file's lines become the rows of TABLE (default `responses`): the line
in the VARCHAR column COLUMN (default `line`), and a TIMESTAMP column
`logged_at`, in October 2026 for odd lines (1, 3, ...) and November 2026
for even ones, for `--time-column`. A `duckdb` query
runs as written; a `bigquery` query is first parsed and transpiled to
DuckDB by sqlglot, which knows BigQuery's dialect. The rows are printed
as one JSON array, every value as text (decimals keep every digit).

Needs the Python packages `duckdb` and `sqlglot` (tests/sql/setup.sh).
"""

import decimal
import json
import sys


def transpile(query):
    """BigQuery SQL as DuckDB SQL, by sqlglot.

    These renderings are mended, each to the same meaning in DuckDB:
    - sqlglot writes BigQuery's SAFE.PARSE_JSON(x) as `SAFE.JSON(x)`, which
      DuckDB has no function for: TRY_CAST(x AS JSON) (NULL for text that
      is not JSON);
    - it keeps JSON_TYPE(x) as it is, but the two engines name the types
      apart (BigQuery `string`, `number`, `object`; DuckDB `VARCHAR`,
      `BIGINT`, `OBJECT`): DuckDB's names are mapped to BigQuery's;
    - it writes JSON_QUERY_ARRAY(x, p) as a cast to JSON[], which fails on
      a value that is no array, where BigQuery returns NULL: the cast is
      made only for an array;
    - (`--by`) it keeps a JSON subscript x['a']['b'] as it is, which DuckDB
      turns into a JSON path without escaping the name: json_extract with
      a JSON pointer, which holds any name;
    - (`--by`) it writes BYTE_LENGTH(x) as OCTET_LENGTH(x), which DuckDB
      has for BLOBs only: strlen(x), the bytes of a string;
    - (`--by`) it writes CAST(x AS BYTES) as a cast to BLOB, which reads
      backslash escapes in the text: encode(x), its UTF-8 bytes;
    - it writes SAFE.STRING(x) (a JSON string's text, NULL for any other
      value) as a cast DuckDB has not: the text where the type is a string;
    - it keeps JSON_STRIP_NULLS(x, include_arrays => FALSE), which DuckDB has
      no function for: x as it is, each member read by subscript then taken
      as absent (SQL NULL) where it is a JSON null, which is what reading a
      member of the stripped value gives in BigQuery.
    """
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(query, read="bigquery")

    bigquery_names = sqlglot.parse_one(
        "CASE LOWER(JSON_TYPE(x)) WHEN 'varchar' THEN 'string' WHEN 'bigint' THEN 'number' "
        "WHEN 'ubigint' THEN 'number' WHEN 'hugeint' THEN 'number' WHEN 'double' THEN 'number' "
        "ELSE LOWER(JSON_TYPE(x)) END",
        read="duckdb",
    )

    for node in list(tree.find_all(exp.JSONExtractArray)):
        value = exp.JSONExtract(this=node.this.copy(), expression=node.args.get("expression") or exp.Literal.string("$"))
        # JSON_TYPE is mapped to BigQuery's type names below.
        guarded = sqlglot.parse_one("CASE WHEN JSON_TYPE(x) = 'array' THEN CAST(x AS JSON[]) END", read="duckdb")
        for inner in list(guarded.find_all(exp.Column)):
            if inner.name == "x":
                inner.replace(value.copy())
        node.replace(guarded)
    # JSON_STRIP_NULLS(x, include_arrays => FALSE) makes the members written
    # as null absent, which DuckDB has no function for: x as it is, with each
    # member read by subscript (below) taken as absent when it is null.
    stripped = False
    for node in list(tree.find_all(exp.JSONStripNulls)):
        node.replace(node.this.copy())
        stripped = True
    # SAFE.STRING(x), a JSON string's text (NULL for any other value), which
    # sqlglot writes as a cast that DuckDB has not: spelled out by type.
    for node in list(tree.find_all(exp.SafeFunc)):
        if isinstance(node.this, exp.String):
            text = sqlglot.parse_one("CASE WHEN JSON_TYPE(x) = 'string' THEN JSON_VALUE(x) END", read="bigquery")
            for inner in list(text.find_all(exp.Column)):
                if inner.name == "x":
                    inner.replace(node.this.this.copy())
            node.replace(text)
    # Innermost first: x['a']['b'] is a subscript of a subscript.
    for node in reversed(list(tree.find_all(exp.Bracket))):
        names = node.expressions
        if len(names) == 1 and isinstance(names[0], exp.Literal) and names[0].is_string:
            name = names[0].this.replace("~", "~0").replace("/", "~1")
            inner = node.this
            if isinstance(inner, exp.Anonymous) and inner.name == "json_extract":
                # Extend the pointer already made for the subscript inside.
                value, pointer = inner.expressions
                node.replace(exp.Anonymous(this="json_extract", expressions=[value.copy(), exp.Literal.string(pointer.this + "/" + name)]))
            else:
                node.replace(exp.Anonymous(this="json_extract", expressions=[inner.copy(), exp.Literal.string("/" + name)]))
    if stripped:
        # Outermost subscripts only: x['a']['b'] is one json_extract by now.
        for node in list(tree.find_all(exp.Anonymous)):
            if node.name == "json_extract" and not (isinstance(node.parent, exp.Anonymous) and node.parent.name == "json_extract"):
                node.replace(exp.Nullif(this=node.copy(), expression=exp.Literal.string("null")))
    for node in list(tree.find_all(exp.ByteLength)):
        node.replace(exp.Anonymous(this="strlen", expressions=[node.this.copy()]))
    for node in list(tree.find_all(exp.Cast)):
        if node.to.this == exp.DataType.Type.BINARY:
            node.replace(exp.Anonymous(this="encode", expressions=[node.this.copy()]))
    for node in list(tree.find_all(exp.SafeFunc)):
        if isinstance(node.this, exp.ParseJSON):
            node.replace(exp.TryCast(this=node.this.this, to=exp.DataType.build("JSON")))
    # Innermost first, so that a JSON_TYPE inside another is mapped too.
    for node in reversed(list(tree.find_all(exp.JSONType))):
        mapped = bigquery_names.copy()
        for inner in list(mapped.find_all(exp.JSONType)):
            inner.set("this", node.this.copy())
        node.replace(mapped)
    return tree.sql(dialect="duckdb")


def text(value):
    """A value as text: decimals in plain notation with every digit."""
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def main():
    path, query_path, dialect = sys.argv[1:4]
    table, column = (sys.argv[4:6] + ["responses", "line"][len(sys.argv[4:6]):])[:2]
    import duckdb

    query = open(query_path, encoding="utf-8").read()
    if dialect == "bigquery":
        query = transpile(query)
    elif dialect != "duckdb":
        sys.exit(f"unknown dialect {dialect}")
    con = duckdb.connect()
    with open(path, encoding="utf-8", newline="\n") as lines:
        rows = [
            (line.rstrip("\n"), "2026-10-15 12:00:00" if number % 2 else "2026-11-15 12:00:00")
            for number, line in enumerate(lines, start=1)
        ]
    con.execute(f'CREATE TABLE "{table}" ("{column}" VARCHAR, logged_at TIMESTAMP)')
    con.executemany(f'INSERT INTO "{table}" VALUES (?, ?)', rows)
    result = con.execute(query)
    names = [description[0] for description in result.description]
    out = []
    for row in result.fetchall():
        out.append({name: text(value) for name, value in zip(names, row)})
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

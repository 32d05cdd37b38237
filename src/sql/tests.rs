use super::*;
use crate::report::testing::today;

fn request(dialect: Dialect) -> SqlRequest {
    SqlRequest {
        dialect,
        table: "logs.responses".into(),
        column: "line".into(),
        column_type: ColumnType::Json,
        lane: None,
        model: None,
        time_column: None,
        per: Period::Day,
        filter: None,
        by: None,
        reconcile: None,
    }
}

fn card() -> RateCard {
    RateCard::embedded_named("2026-10").unwrap()
}

#[test]
fn refuses_names_it_would_have_to_escape() {
    for (table, column) in [("logs.responses`; DROP", "line"), ("logs..t", "line"), ("t", "a.b"), ("t", "")] {
        let request = SqlRequest { table: table.into(), column: column.into(), ..request(Dialect::DuckDb) };
        let error = SqlQuery::build(&card(), &request, today()).unwrap_err();
        assert!(matches!(error, SqlError::BadName { .. }), "{table} {column}: {error}");
        assert_eq!(error.kind(), ErrorKind::Usage);
    }
    let filter = SqlRequest { filter: Some("1 = 1; DROP TABLE t".into()), ..request(Dialect::DuckDb) };
    assert!(matches!(SqlQuery::build(&card(), &filter, today()), Err(SqlError::BadFilter { .. })));
}

#[test]
fn names_the_table_the_card_and_the_dialect() {
    for dialect in [Dialect::BigQuery, Dialect::DuckDb] {
        let query = SqlQuery::build(&card(), &request(dialect), today()).unwrap();
        assert!(query.text.starts_with("-- nbcost "), "{}", query.text);
        assert!(query.text.contains(&format!("--dialect {}", dialect.name())));
        assert!(query.text.contains("October 2026 (embedded 2026-10, checked 2026-10-09)"), "{}", query.text);
        assert!(query.text.ends_with(";\n"));
    }
}

/// The query stays short enough to read and to paste into a console:
/// at most 15,000 bytes with the card's tables, in each dialect, with or
/// without `--by`.
#[test]
fn the_query_stays_under_fifteen_thousand_bytes() {
    use crate::attribution::By;
    for dialect in [Dialect::BigQuery, Dialect::DuckDb] {
        for by in [None, Some(By::KeyPrefix { separator: '/' }), Some(By::Label("team".into()))] {
            let request = SqlRequest { table: "responses".into(), by, ..request(dialect) };
            let query = SqlQuery::build(&card(), &request, today()).unwrap();
            assert!(
                query.text.len() <= 15_000,
                "{} {:?}: {} bytes",
                dialect.name(),
                request.by,
                query.text.len()
            );
        }
    }
}

#[test]
fn an_unknown_fallback_model_is_refused_with_the_card_named() {
    let unknown = SqlRequest { model: Some("imagen-4".into()), ..request(Dialect::BigQuery) };
    let error = SqlQuery::build(&card(), &unknown, today()).unwrap_err();
    assert!(error.to_string().contains("imagen-4"), "{error}");
}

#[test]
fn a_rate_finer_than_the_query_holds_is_refused_not_rounded() {
    let mut card = card();
    let model = &mut card.models[0];
    let rates = model.tokens.get_mut(&Lane::Standard).unwrap();
    rates.image_output = rust_decimal::Decimal::new(1, 13);
    let error = SqlQuery::build(&card, &request(Dialect::DuckDb), today()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Card);
    assert_eq!(
        error.to_string(),
        "the standard image output rate 0.0000000000001 of gemini-nano-banana-2.1 needs more than 18 decimals per token: the query cannot hold it exactly"
    );
}

/// `--where` is the user's own SQL, but it cannot leave its clause: an
/// empty filter, a `)` that closes the clause, a comment, an open quote or
/// parenthesis are refused; quotes and parentheses inside literals are not.
#[test]
fn a_filter_stays_inside_its_clause() {
    let refused = [
        ("", Dialect::DuckDb, "empty"),
        ("   ", Dialect::BigQuery, "empty"),
        ("TRUE) UNION ALL SELECT * FROM secrets WHERE (TRUE", Dialect::DuckDb, "closes more"),
        ("1 = 1; DROP TABLE t", Dialect::DuckDb, "without `;`"),
        ("TRUE -- )", Dialect::DuckDb, "`--` comment"),
        ("TRUE /* )", Dialect::BigQuery, "`/*` comment"),
        ("1=1 #'\n)) SELECT 1; DROP TABLE t", Dialect::BigQuery, "`#` comment"),
        ("1=1 # x", Dialect::BigQuery, "`#` comment"),
        // DuckDB reads a backslash escape in an `E'…'` string: the literal
        // does not end at `\'`.
        (
            "c IS NOT NULL OR E'\\'' IS NULL ) UNION ALL SELECT 1 WHERE ( E'\\'' IS NOT NULL",
            Dialect::DuckDb,
            "closes more",
        ),
        ("e'\\' = c", Dialect::DuckDb, "quote is left open"),
        ("c > 1.5e'\\' = c", Dialect::DuckDb, "quote is left open"),
        // DuckDB's dollar-quoted strings hold a `'` this check would open.
        (
            "$$'$$ IS NOT NULL) UNION ALL SELECT secret AS line FROM secrets WHERE ($$'$$ IS NOT NULL",
            Dialect::DuckDb,
            "dollar-quoted",
        ),
        ("c = $x$'$x$ OR c = $x$'$x$", Dialect::DuckDb, "dollar-quoted"),
        ("c = 1$_1$'$_1$", Dialect::DuckDb, "dollar-quoted"),
        ("name = 'open", Dialect::DuckDb, "quote is left open"),
        ("(a = 1", Dialect::DuckDb, "`(` is left open"),
        // DuckDB reads no backslash escape: the literal ends at `\'`.
        ("x = 'a\\' ) UNION ALL SELECT 1 --'", Dialect::DuckDb, "closes more"),
        // Nor after a word ending in `e`: the literal ends at `\'` there too.
        ("c LIKE 'a' ESCAPE'\\' ) UNION ALL SELECT 1 --'", Dialect::DuckDb, "closes more"),
    ];
    for (filter, dialect, why) in refused {
        let request = SqlRequest { filter: Some(filter.into()), ..request(dialect) };
        let error = SqlQuery::build(&card(), &request, today()).unwrap_err();
        assert!(matches!(error, SqlError::BadFilter { .. }), "{filter}: {error}");
        assert!(error.to_string().contains(why), "{filter}: {error}");
        assert_eq!(error.kind(), ErrorKind::Usage);
    }
    let accepted = [
        ("project = 'a(b' AND (n > 1)", Dialect::DuckDb),
        ("note = 'it''s; -- fine'", Dialect::DuckDb),
        ("note = 'it\\'s )'", Dialect::BigQuery),
        ("`my col` = \"x)\"", Dialect::BigQuery),
        ("a - -1 > 0", Dialect::DuckDb),
        ("tag = '#1' AND `a#b` = 1", Dialect::BigQuery),
        ("c = E'it\\'s )'", Dialect::DuckDb),
        ("name = 'e' AND c = 'x\\'", Dialect::DuckDb),
        // `ESCAPE'\'` is the word ESCAPE and a plain string: no `E'…'`.
        ("c LIKE 'a\\%' ESCAPE'\\'", Dialect::DuckDb),
        ("c LIKE 'a\\%' ESCAPE '\\'", Dialect::DuckDb),
        // A `$` inside a name, or before a digit (a parameter), opens nothing.
        ("a$$b = 1 AND c$x$ = 2", Dialect::DuckDb),
        ("c = $1", Dialect::DuckDb),
        ("note = '$$' AND tag = '$x$'", Dialect::DuckDb),
        ("c = '$$'", Dialect::BigQuery),
        // After a number, `E'…'` is a string of its own with escapes.
        ("c = 1E'\\' )'", Dialect::DuckDb),
    ];
    for (filter, dialect) in accepted {
        let request = SqlRequest { filter: Some(filter.into()), ..request(dialect) };
        let query =
            SqlQuery::build(&card(), &request, today()).unwrap_or_else(|err| panic!("{filter}: {err}"));
        assert!(query.text.contains(filter));
    }
}

/// The card's name and path reach the header comment with control
/// characters made visible: a newline cannot end the comment and run SQL.
#[test]
fn the_header_comment_holds_no_line_break_from_the_card() {
    let mut card = card();
    card.meta.dated = "April 2026\nDROP TABLE responses; --".into();
    card.meta.origin = crate::card::CardOrigin::File("cards/x\nCOPY t TO 'f'; --.toml".into());
    for dialect in [Dialect::BigQuery, Dialect::DuckDb] {
        let query = SqlQuery::build(&card, &request(dialect), today()).unwrap();
        let header: Vec<&str> = query.text.lines().take_while(|line| line.starts_with("--")).collect();
        // The four lines that name the card, then the list of steps.
        assert_eq!(header.len(), 4 + 1 + super::query::STEPS.len(), "{}", query.text);
        assert!(header[2].contains("April 2026\\u{a}DROP TABLE responses; --"), "{}", header[2]);
        assert!(header[2].contains("x\\u{a}COPY t TO 'f'; --.toml"), "{}", header[2]);
        assert!(!query.text.lines().any(|line| line.starts_with("DROP") || line.starts_with("COPY")));
    }
}

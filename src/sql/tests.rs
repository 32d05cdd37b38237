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
    assert!(matches!(SqlQuery::build(&card(), &filter, today()), Err(SqlError::BadFilter(_))));
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

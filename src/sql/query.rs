//! The query: `tally`'s rules, line by line, in SQL.
//!
//! It is a short chain of CTEs, each reading the one before, each rule
//! written once (the list below is also the query's header comment):
//!
//! - the card's tables (see [`card_tables`]);
//! - `nb_source`: the column of each row (and its period), `--where` applied;
//! - `nb_parsed`, `nb_members`: each row parsed ONCE into typed columns
//!   (DuckDB: one `json_transform`; BigQuery: each path read once), the
//!   response's members camelCase over snake_case, null as absent, its
//!   images and search queries counted;
//! - `nb_usage`: the members of `usageMetadata`, parsed the same way;
//! - `nb_typed`: the values the rules need (counts, version, flags);
//! - `nb_row`: what each row is (`usage`, `chunk`, `error`, `malformed` with
//!   its reason, `empty`), its lane, and its output split between the image
//!   and the text rate;
//! - `nb_resolved`: each model version resolved to a card model;
//! - `nb_group`, `nb_priced`: sums per model, size and lane, priced;
//! - `nb_grounding`, `nb_other`, `nb_total`, `nb_result`: search queries,
//!   the other kinds of row, the total, all as one table.
//!
//! Only a few rules need the JSON again after the typed parse, and only on
//! the rows that are malformed anyway (why a line is malformed), so the
//! engine parses each row once.

use super::card_tables::{card_tables, price_per_query};
use super::dialect::{Dialect, Json, Type};
use super::{Period, SqlError, SqlRequest};
use crate::attribution::By;
use crate::card::RateCard;

/// The query's CTEs after the card's tables, one line each, for the
/// header comment.
pub(super) const STEPS: [&str; 14] = [
    "nb_names, nb_models, nb_sizes, nb_rates, nb_lanes: the rate card",
    "nb_source     the column of each row and its period (--where applied)",
    "nb_parsed     each row parsed once into typed members",
    "nb_members    the response's members (camelCase over snake_case), images, search queries",
    "nb_usage      the members of usageMetadata",
    "nb_typed      the token counts, model version and flags the rules need",
    "nb_row        each row's kind (usage, chunk, error, malformed, empty), reason, lane, output split",
    "nb_resolved   each model version resolved to a card model (nb_names)",
    "nb_group      sums per period, model, image tokens per image and lane",
    "nb_priced     each group priced at its lane's rates (nb_rates), sized (nb_sizes), or why not",
    "nb_grounding  search queries per model at the card's grounding price",
    "nb_other      error, chunk, malformed and empty rows counted",
    "nb_total      the total, and what it leaves out",
    "nb_result     all of them as one table",
];

/// The query text for `request` against `card`.
pub(super) fn write(card: &RateCard, request: &SqlRequest) -> Result<String, SqlError> {
    let d = request.dialect;
    let by = ByColumns::new(d, request.by.as_ref());
    let ctes = pricing(card, request)?;
    let period = if request.time_column.is_some() { "period, " } else { "" };
    let steps: String = STEPS.iter().map(|step| format!("--   {step}\n")).collect();
    Ok(format!(
        "-- Steps (CTEs), each reading the one before:\n{steps}WITH\n{}\n\
         SELECT {period}{carry}model, model_version, size, lane, responses, images, prompt_tokens,\n  \
         image_output_tokens, text_output_tokens, thoughts_tokens, cost, kind, search_queries, note\n\
         FROM nb_result\nORDER BY period, {order}kind_order, COALESCE(card_order, 1000000), \
         unknown_version, tokens_per_image NULLS FIRST, lane_order, note;\n",
        ctes.join(",\n"),
        carry = by.carry,
        order = by.order,
    ))
}

/// Every step of the pricing, the card's tables to `nb_result`.
pub(super) fn pricing(card: &RateCard, request: &SqlRequest) -> Result<Vec<String>, SqlError> {
    let d = request.dialect;
    let mut ctes = card_tables(d, card)?;
    ctes.push(source(d, request));
    let by = ByColumns::new(d, request.by.as_ref());
    ctes.extend(match d {
        Dialect::DuckDb => duckdb_parse(&by),
        Dialect::BigQuery => bigquery_parse(request, &by),
    });
    ctes.push(typed(d, &by));
    ctes.push(row(d, request, &by));
    ctes.push(resolve(d, card, request)?);
    ctes.extend(price(d, card, &by)?);
    Ok(ctes)
}

/// With `--by`, what the query adds for the attribution, each piece
/// written where it goes (all empty without `--by`, so that the query is
/// then as it was). The attribution is read once per row, beside the
/// period, in `nb_parsed` (`by_value`), cut to tally's length in
/// `nb_members`, and carried as `attribution` to `nb_group`, where it is
/// one key more. Grounding, other kinds and the total keep it `NULL`:
/// tally prices search queries for the whole tally.
#[derive(Default)]
struct ByColumns {
    /// `nb_parsed`: `… AS by_value, `, the value as read from the JSON.
    read: String,
    /// `nb_members`: `… AS attribution, `, cut to 256 bytes.
    cut: String,
    /// `attribution, ` where the per-row steps and the groups carry it.
    carry: &'static str,
    /// `NULL, ` in its place in the rows that have none.
    null: &'static str,
    /// The ORDER BY key: attributions in byte order, the rows without one after them.
    order: String,
}

/// The most bytes of an attribution kept, as `tally` keeps them.
const MAX_ATTRIBUTION_BYTES: usize = 256;

impl ByColumns {
    fn new(d: Dialect, by: Option<&By>) -> ByColumns {
        let Some(by) = by else { return ByColumns::default() };
        let text =
            |value: &str| format!("CASE WHEN {} THEN {} END", d.is(value, Json::String), d.text(value));
        let value = match by {
            By::KeyPrefix { separator } => d.before(&text(&d.at_members("j", &["key"])), *separator),
            // `request` (a batch output line echoes its request) first, then
            // `full_request` (a request-response logging row).
            By::Label(name) => {
                let label = |request: &str| {
                    format!(
                        "CASE WHEN {} THEN {} END",
                        d.is(&d.at_members("j", &[request, "labels"]), Json::Object),
                        text(&d.at_members("j", &[request, "labels", name]))
                    )
                };
                format!(
                    "COALESCE({},
      {})",
                    label("request"),
                    label("full_request")
                )
            }
            // Refused before the query is written (`SqlError::ByFile`, `ByDay`).
            By::File | By::Day(_) => format!("CAST(NULL AS {})", d.type_name(Type::Text)),
        };
        ByColumns {
            read: format!("{value} AS by_value,\n    "),
            cut: format!("{} AS attribution, ", d.cut("by_value", MAX_ATTRIBUTION_BYTES)),
            carry: "attribution, ",
            null: "NULL, ",
            order: format!("{} NULLS LAST, ", d.bytes("attribution")),
        }
    }
}

fn source(d: Dialect, request: &SqlRequest) -> String {
    let period = match (&request.time_column, request.per) {
        // Reconciling, a day is the bill's: in its time zone.
        (Some(column), Period::Day) => match (d, &request.reconcile) {
            (_, Some(reconcile)) => super::reconcile::day_in(d, &d.ident(column), &reconcile.zone),
            (Dialect::BigQuery, None) => format!("DATE({})", d.ident(column)),
            (Dialect::DuckDb, None) => format!("CAST({} AS DATE)", d.ident(column)),
        },
        (Some(column), Period::Month) => match d {
            // The cast is a no-op in BigQuery; it keeps the type a DATE where
            // the query is carried to an engine whose DATE_TRUNC returns a
            // TIMESTAMP (DuckDB).
            Dialect::BigQuery => format!("CAST(DATE_TRUNC(DATE({}), MONTH) AS DATE)", d.ident(column)),
            Dialect::DuckDb => format!("CAST(date_trunc('month', {}) AS DATE)", d.ident(column)),
        },
        (None, _) => "CAST(NULL AS DATE)".to_string(),
    };
    let filter =
        request.filter.as_ref().map(|filter| format!("\n  WHERE (\n    {filter}\n  )")).unwrap_or_default();
    // DuckDB reads a JSON column as its text.
    let line = match d {
        Dialect::DuckDb => format!("CAST({} AS VARCHAR)", d.ident(&request.column)),
        Dialect::BigQuery => d.ident(&request.column),
    };
    d.cte(
        "nb_source",
        &format!("  SELECT {period} AS period, {line} AS line\n  FROM {}{filter}", d.table(&request.table)),
    )
}

/// The typed parse of a line (DuckDB's `json_transform` structure):
/// scalars are read as `JSON` (their JSON text) so that a value of the
/// wrong type is seen, not cast. `@R` stands for the members of a
/// response, read both inside `response` (a batch output line) and at the
/// top (a bare response); `@P` for a content part.
const DUCKDB_LINE: &str = r#"{"key":"JSON","error":"JSON","status":"JSON","object":"JSON","author":"JSON","invocationId":"JSON","invocation_id":"JSON","partial":"JSON","response":{@R},@R}"#;
const DUCKDB_RESPONSE: &str = r#""usageMetadata":"JSON","usage_metadata":"JSON","modelVersion":"JSON","model_version":"JSON","responseId":"JSON","response_id":"JSON","candidates":[{"content":{"parts":[@P]},"groundingMetadata":{"webSearchQueries":"JSON","web_search_queries":"JSON"},"grounding_metadata":{"webSearchQueries":"JSON","web_search_queries":"JSON"}}],"content":{"parts":[@P]}"#;
const DUCKDB_PART: &str = r#"{"inlineData":{"mimeType":"JSON","mime_type":"JSON"},"inline_data":{"mimeType":"JSON","mime_type":"JSON"},"thought":"JSON"}"#;

/// The response's members as read from the bare line (DuckDB), with the
/// names of the `response` member's.
const RESPONSE_MEMBERS: [&str; 8] = [
    "usageMetadata",
    "usage_metadata",
    "modelVersion",
    "model_version",
    "responseId",
    "response_id",
    "candidates",
    "content",
];

/// DuckDB: one `json_transform` per row; then the response's members from
/// `response` (a batch output line) or the line itself.
fn duckdb_parse(by: &ByColumns) -> Vec<String> {
    let bare: Vec<String> = RESPONSE_MEMBERS.iter().map(|name| format!("'{name}': v.{name}")).collect();
    vec![
        d_cte(
            "nb_parsed",
            &format!(
                "  SELECT period, {read}line IS NULL OR trim(line) = '' AS empty, j, json_transform(j, replace(replace(\n    \
                 '{DUCKDB_LINE}',\n    \
                 '@R', '{DUCKDB_RESPONSE}'),\n    \
                 '@P', '{DUCKDB_PART}')) AS v\n  \
                 FROM (SELECT *, CASE WHEN json_valid(line) THEN line END AS j FROM nb_source) AS s",
                read = by.read,
            ),
        ),
        d_cte(
            "nb_members",
            &format!(
                "  SELECT period, {cut}empty, j, key, error, status, object, author, partial, agent_event, wrapped,\n    \
                 -- Only a response that is no object and no usage needs the JSON again.\n    \
                 CASE WHEN wrapped AND usage IS NULL THEN json_type(j, '$.response') <> 'OBJECT' ELSE FALSE END AS response_wrong,\n    \
                 usage, version, response_id, candidates_given, content_given,\n    \
                 -- Output images: inlineData given, not a thought, whose MIME type starts with image/ in any\n    \
                 -- case or is no string (a string's JSON text starts with a quote); in the candidates, or in\n    \
                 -- an agent event's own content.\n    \
                 COALESCE(list_sum(list_transform(\n      \
                 CASE WHEN candidates_given THEN list_transform(r.candidates, lambda c: c.content) ELSE [r.content] END,\n      \
                 lambda c: len(list_filter(\n        \
                 list_transform(c.parts, lambda p: CASE WHEN p.thought = 'true' THEN NULL ELSE COALESCE(p.inlineData, p.inline_data) END),\n        \
                 lambda i: i IS NOT NULL AND COALESCE(lower(COALESCE(i.mimeType, i.mime_type)) LIKE '\"image/%' OR COALESCE(i.mimeType, i.mime_type) NOT LIKE '\"%', TRUE))))), 0) AS images,\n    \
                 COALESCE(list_sum(list_transform(\n      \
                 list_transform(r.candidates, lambda c: COALESCE(c.groundingMetadata, c.grounding_metadata)),\n      \
                 lambda g: json_array_length(COALESCE(g.webSearchQueries, g.web_search_queries)))), 0) AS search_queries\n  \
                 FROM (\n    \
                 SELECT *, v.key, v.error, v.status, v.object, v.author, v.partial,\n      \
                 COALESCE(v.author, v.invocationId, v.invocation_id) IS NOT NULL AS agent_event,\n      \
                 v.response IS NOT NULL AS wrapped,\n      \
                 COALESCE(r.usageMetadata, r.usage_metadata) AS usage, COALESCE(r.modelVersion, r.model_version) AS version,\n      \
                 COALESCE(r.responseId LIKE '\"%' OR r.response_id LIKE '\"%', FALSE) AS response_id,\n      \
                 r.candidates IS NOT NULL AS candidates_given, r.content IS NOT NULL AS content_given\n    \
                 FROM (SELECT *, CASE WHEN v.response IS NOT NULL THEN v.response ELSE {{{bare}}} END AS r FROM nb_parsed) AS p\n  \
                 ) AS m",
                bare = bare.join(", "),
                cut = by.cut,
            ),
        ),
        d_cte(
            "nb_usage",
            &format!(
                "  SELECT *,\n    \
                 {image} AS detail_image_tokens,\n    \
                 {text} AS detail_text_tokens,\n    \
                 {wrong} AS entry_wrong\n  \
                 FROM (\n    \
                 SELECT *, json_transform(candidate_details, '{ENTRY}') AS candidate_entries,\n      \
                 json_transform(prompt_details, '{ENTRY}') AS prompt_entries\n    \
                 FROM (\n      \
                 SELECT *,{counts},\n        \
                 COALESCE(u.promptTokensDetails, u.prompt_tokens_details) AS prompt_details,\n        \
                 COALESCE(u.candidatesTokensDetails, u.candidates_tokens_details) AS candidate_details,\n        \
                 UPPER(COALESCE(u.serviceTier, u.service_tier)) AS service_tier,\n        \
                 UPPER(COALESCE(u.trafficType, u.traffic_type)) AS traffic_type\n      \
                 FROM (SELECT *, json_transform(usage, '{usage_spec}') AS u FROM nb_members) AS m\n    \
                 ) AS c\n  \
                 ) AS e",
                counts = COUNTS
                    .iter()
                    .map(|(name, camel, snake)| format!("\n        COALESCE(u.{camel}, u.{snake}) AS {name}"))
                    .collect::<Vec<_>>()
                    .join(","),
                usage_spec = duckdb_usage_spec(),
                image = duckdb_entry_sum("IMAGE"),
                text = duckdb_entry_sum("TEXT"),
                // Every entry an object, every count a non-negative integer.
                wrong = ["candidate", "prompt"]
                    .map(|details| {
                        format!(
                            "NOT list_has_all(['OBJECT'], json_type({details}_details, '$[*]'))\n      \
                             OR list_bool_or(list_transform({details}_entries, lambda e: NOT {}))",
                            Dialect::DuckDb.is_count("COALESCE(e.tokenCount, e.token_count)")
                        )
                    })
                    .join("\n      OR "),
            ),
        ),
    ]
}

/// A `*TokensDetails` entry as DuckDB's typed parse reads it.
const ENTRY: &str = r#"[{"modality":"VARCHAR","tokenCount":"JSON","token_count":"JSON"}]"#;

/// The tokens of `modality` entries of `candidatesTokensDetails` (DuckDB).
fn duckdb_entry_sum(modality: &str) -> String {
    format!(
        "COALESCE(list_sum(list_transform(candidate_entries,\n      \
         lambda e: CASE WHEN e.modality = '{modality}' THEN TRY_CAST(COALESCE(e.tokenCount, e.token_count) AS BIGINT) END)), 0)"
    )
}

fn d_cte(name: &str, body: &str) -> String {
    Dialect::DuckDb.cte(name, body)
}

/// The token counts of `usageMetadata`: the column, and its two spellings.
const COUNTS: [(&str, &str, &str); 4] = [
    ("prompt_json", "promptTokenCount", "prompt_token_count"),
    ("candidates_json", "candidatesTokenCount", "candidates_token_count"),
    ("thoughts_json", "thoughtsTokenCount", "thoughts_token_count"),
    ("total_json", "totalTokenCount", "total_token_count"),
];

fn duckdb_usage_spec() -> String {
    let mut members: Vec<String> = Vec::new();
    for (_, camel, snake) in COUNTS {
        members.push(format!(r#""{camel}":"JSON","{snake}":"JSON""#));
    }
    members.push(
        r#""promptTokensDetails":"JSON","prompt_tokens_details":"JSON","candidatesTokensDetails":"JSON","candidates_tokens_details":"JSON","serviceTier":"VARCHAR","service_tier":"VARCHAR","trafficType":"VARCHAR","traffic_type":"VARCHAR""#
            .to_string(),
    );
    format!("{{{}}}", members.join(","))
}

/// BigQuery: each path of the JSON read once, where it is used.
fn bigquery_parse(request: &SqlRequest, by: &ByColumns) -> Vec<String> {
    let d = Dialect::BigQuery;
    let (j, empty) = match request.column_type {
        super::ColumnType::String => {
            ("SAFE.PARSE_JSON(line, wide_number_mode => 'round')", "line IS NULL OR TRIM(line) = ''")
        }
        super::ColumnType::Json => ("line", "line IS NULL"),
    };
    let member = |value: &str, camel: &str, snake: &str| d.cased(value, camel, snake);
    let top: Vec<String> = ["key", "error", "status", "object", "author", "partial"]
        .iter()
        .map(|name| format!("{} AS {name}", d.present(&d.at("j", &format!("$.{name}")))))
        .collect();
    let counts: Vec<String> = COUNTS
        .iter()
        .map(|(name, camel, snake)| format!("\n      {} AS {name}", member("usage", camel, snake)))
        .collect();
    // The tokens of `modality` entries of candidatesTokensDetails.
    let entry_sum = |modality: &str| {
        format!(
            "(SELECT COALESCE(SUM({}), 0) FROM (SELECT JSON_VALUE(e, '$.modality') AS modality, {} AS n\n      \
             FROM UNNEST(JSON_QUERY_ARRAY(candidate_details)) AS e) AS x WHERE modality = '{modality}')",
            d.count("n"),
            member("e", "tokenCount", "token_count")
        )
    };
    // Every entry an object, every count a non-negative integer.
    let entry_wrong = |details: &str| {
        format!(
            "EXISTS(SELECT 1 FROM (SELECT e, {} AS n FROM UNNEST(JSON_QUERY_ARRAY({details})) AS e) AS x\n      \
             WHERE COALESCE(JSON_TYPE(e) <> 'object', TRUE) OR (n IS NOT NULL AND NOT {}))",
            member("e", "tokenCount", "token_count"),
            d.is_count("n"),
        )
    };
    vec![
        d.cte(
            "nb_parsed",
            &format!(
                "  SELECT *, CASE WHEN JSON_TYPE(response) = 'object' THEN response ELSE j END AS r\n  \
                 FROM (SELECT period, {read}{empty} AS empty, j, JSON_QUERY(j, '$.response') AS response\n    \
                 FROM (SELECT period, line, {j} AS j FROM nb_source) AS s) AS p",
                read = by.read,
            ),
        ),
        d.cte(
            "nb_members",
            &format!(
                "  SELECT *,\n    \
                 -- Output images: inlineData objects, not thoughts, whose MIME type starts with image/ in any\n    \
                 -- case or is no string; in the candidates, or in an agent event's own content.\n    \
                 COALESCE((SELECT COUNTIF(JSON_TYPE(i) = 'object' AND NOT COALESCE({thought}, FALSE)\n        \
                 AND COALESCE(STARTS_WITH(LOWER(JSON_VALUE(m)), 'image/') OR JSON_TYPE(m) <> 'string', TRUE))\n      \
                 FROM (SELECT i, t, {mime} AS m FROM (SELECT {inline} AS i, JSON_QUERY(p, '$.thought') AS t\n        \
                 FROM UNNEST(IF(candidates_given, JSON_QUERY_ARRAY(r, '$.candidates'), [r])) AS c,\n        \
                 UNNEST(JSON_QUERY_ARRAY(c, '$.content.parts')) AS p) AS s) AS s), 0) AS images,\n    \
                 (SELECT COALESCE(SUM(ARRAY_LENGTH(JSON_QUERY_ARRAY({queries}))), 0)\n      \
                 FROM (SELECT {grounding} AS g FROM UNNEST(JSON_QUERY_ARRAY(r, '$.candidates')) AS c) AS s\n      \
                 WHERE JSON_TYPE(g) = 'object') AS search_queries\n  \
                 FROM (\n    \
                 SELECT period, {cut}empty, j, r, {top},\n      \
                 COALESCE(JSON_QUERY(j, '$.author'), JSON_QUERY(j, '$.invocationId'), JSON_QUERY(j, '$.invocation_id')) IS NOT NULL AS agent_event,\n      \
                 COALESCE(JSON_TYPE(response) = 'object', FALSE) AS wrapped,\n      \
                 COALESCE(JSON_TYPE(response) NOT IN ('object', 'null'), FALSE) AS response_wrong,\n      \
                 {usage} AS usage, {version} AS version,\n      \
                 COALESCE(JSON_TYPE(JSON_QUERY(r, '$.responseId')) = 'string' OR JSON_TYPE(JSON_QUERY(r, '$.response_id')) = 'string', FALSE) AS response_id,\n      \
                 {candidates} IS NOT NULL AS candidates_given, {content} IS NOT NULL AS content_given\n    \
                 FROM nb_parsed\n  \
                 ) AS m",
                top = top.join(", "),
                cut = by.cut,
                usage = member("r", "usageMetadata", "usage_metadata"),
                version = member("r", "modelVersion", "model_version"),
                candidates = d.present(&d.at("r", "$.candidates")),
                content = d.present(&d.at("r", "$.content")),
                thought = d.member_true("t"),
                mime = member("i", "mimeType", "mime_type"),
                inline = member("p", "inlineData", "inline_data"),
                grounding = member("c", "groundingMetadata", "grounding_metadata"),
                queries = member("g", "webSearchQueries", "web_search_queries"),
            ),
        ),
        d.cte(
            "nb_usage",
            &format!(
                "  SELECT *,\n    \
                 {image} AS detail_image_tokens,\n    \
                 {text} AS detail_text_tokens,\n    \
                 {candidate_wrong}\n    \
                 OR {prompt_wrong} AS entry_wrong\n  \
                 FROM (\n    \
                 SELECT *,{counts},\n      \
                 {prompt_details} AS prompt_details,\n      \
                 {candidate_details} AS candidate_details,\n      \
                 UPPER(JSON_VALUE({tier})) AS service_tier,\n      \
                 UPPER(JSON_VALUE({traffic})) AS traffic_type\n    \
                 FROM nb_members\n  \
                 ) AS m",
                counts = counts.join(","),
                prompt_details = member("usage", "promptTokensDetails", "prompt_tokens_details"),
                candidate_details = member("usage", "candidatesTokensDetails", "candidates_tokens_details"),
                tier = member("usage", "serviceTier", "service_tier"),
                traffic = member("usage", "trafficType", "traffic_type"),
                image = entry_sum("IMAGE"),
                text = entry_sum("TEXT"),
                candidate_wrong = entry_wrong("candidate_details"),
                prompt_wrong = entry_wrong("prompt_details"),
            ),
        ),
    ]
}

/// The values the rules need, from the members: shared by both engines.
fn typed(d: Dialect, by: &ByColumns) -> String {
    let is = |value: &str, kind| d.member_is(value, kind);
    let is_error = |field: &str| {
        format!(
            "({} OR ({} AND NOT {}))",
            is(field, Json::Object),
            is(field, Json::String),
            d.member_in(field, &[""])
        )
    };
    let counts: Vec<String> = COUNTS
        .iter()
        .map(|(name, _, _)| format!("{} AS {}", d.count(name), name.replace("_json", "_n")))
        .collect();
    d.cte(
        "nb_typed",
        &format!(
            "  SELECT period, {carry}empty, j, wrapped, response_wrong, agent_event, response_id, candidates_given, content_given,\n    \
             images, search_queries, service_tier, traffic_type,\n    \
             COALESCE(NOT {key_string}, FALSE) AS key_wrong,\n    \
             COALESCE({api_object}, FALSE) AS api_object,\n    \
             COALESCE({error} OR {status}, FALSE) AS is_error,\n    \
             COALESCE({user}, FALSE) AS user_event,\n    \
             COALESCE({partial}, FALSE) AS partial,\n    \
             version IS NOT NULL AS version_given,\n    \
             CASE WHEN {version_string} THEN {version_text} END AS version,\n    \
             usage IS NOT NULL AS usage_given,\n    \
             COALESCE({usage_object}, FALSE) AS usage_object,\n    \
             {counts},\n    \
             prompt_json IS NOT NULL OR candidates_json IS NOT NULL OR thoughts_json IS NOT NULL OR total_json IS NOT NULL AS any_count,\n    \
             candidate_details IS NOT NULL AS details_present,\n    \
             prompt_details IS NOT NULL AS prompt_details_present,\n    \
             COALESCE(NOT {cd_array}, FALSE) OR COALESCE(NOT {pd_array}, FALSE) AS details_wrong,\n    \
             detail_image_tokens, detail_text_tokens, COALESCE(entry_wrong, FALSE) AS entry_wrong,\n    \
             prompt_json, candidates_json, thoughts_json, total_json\n  \
             FROM nb_usage",
            key_string = is("key", Json::String),
            api_object = d.member_in("object", &["interaction", "chat.completion", "chat.completion.chunk"]),
            error = is_error("error"),
            status = is_error("status"),
            user = d.member_in("author", &["user"]),
            partial = d.member_true("partial"),
            version_string = is("version", Json::String),
            version_text = d.text("version"),
            usage_object = is("usage", Json::Object),
            counts = counts.join(", "),
            cd_array = is("candidate_details", Json::Array),
            pd_array = is("prompt_details", Json::Array),
            carry = by.carry,
        ),
    )
}

fn row(d: Dialect, request: &SqlRequest, by: &ByColumns) -> String {
    let tier = |names: &str| {
        let names: Vec<String> = names
            .split(' ')
            .flat_map(|name| [format!("'{name}'"), format!("'SERVICE_TIER_{name}'")])
            .collect();
        format!("service_tier IN ({})", names.join(", "))
    };
    let lane = match request.lane {
        Some(lane) => d.string(lane.name()),
        None => format!(
            "CASE WHEN wrapped THEN 'batch'\n      \
             WHEN {} THEN 'standard' WHEN {} THEN 'flex' WHEN {} THEN 'priority'\n      \
             WHEN traffic_type = 'ON_DEMAND' THEN 'standard' WHEN traffic_type = 'ON_DEMAND_FLEX' THEN 'flex'\n      \
             WHEN traffic_type = 'ON_DEMAND_PRIORITY' THEN 'priority' WHEN traffic_type = 'PROVISIONED_THROUGHPUT' THEN 'provisioned'\n      \
             ELSE 'standard' END",
            tier("STANDARD UNSPECIFIED"),
            tier("FLEX"),
            tier("PRIORITY")
        ),
    };
    let body = format!(
        "  SELECT period, {carry}kind, reason, version, search_queries, images, prompt_tokens, thoughts_tokens,\n    \
         CASE WHEN kind = 'usage' THEN {lane} END AS lane,\n    \
         image_output_tokens, text_output_tokens,\n    \
         CASE WHEN NOT counted THEN NULL\n      \
         WHEN images > 1 AND {modulo} = 0 THEN {quotient}\n      \
         ELSE image_output_tokens END AS tokens_per_image\n  \
         FROM (\n    \
         SELECT *,\n      \
         CASE WHEN empty THEN 'empty' WHEN reason IS NOT NULL THEN 'malformed' WHEN is_error THEN 'error'\n        \
         WHEN piece AND NOT counted THEN 'chunk' ELSE 'usage' END AS kind,\n      \
         CASE WHEN details_present THEN detail_image_tokens WHEN images > 0 OR NOT candidates_present THEN candidates_tokens\n        \
         ELSE 0 END AS image_output_tokens,\n      \
         CASE WHEN details_present THEN GREATEST(detail_text_tokens, GREATEST(candidates_tokens - detail_image_tokens, 0))\n        \
         WHEN images > 0 OR NOT candidates_present THEN 0 ELSE candidates_tokens END AS text_output_tokens\n    \
         FROM (\n      \
         SELECT *,\n        \
         CASE\n          \
         WHEN empty THEN NULL\n          \
         WHEN j IS NULL THEN 'not JSON'\n          \
         WHEN key_wrong THEN 'key is not a string'\n          \
         WHEN api_object THEN 'an Interactions or chat completion object: the query reads GenerateContentResponse shapes; tally reads these'\n          \
         WHEN is_error THEN NULL\n          \
         WHEN response_wrong THEN 'response is not an object'\n          \
         WHEN NOT (wrapped OR response_present OR agent_event) THEN CASE\n            \
         WHEN NOT COALESCE({is_object}, FALSE) THEN 'line is not a JSON object'\n            \
         WHEN {has_request} THEN 'a request, not a response'\n            \
         ELSE 'no response or error in the line' END\n          \
         WHEN version_given AND version IS NULL THEN 'modelVersion is not a string'\n          \
         WHEN usage_given AND NOT usage_object THEN 'usageMetadata is not an object'\n          \
         WHEN count_wrong THEN 'a token count is not a non-negative integer'\n          \
         WHEN details_wrong THEN 'a *TokensDetails member is not an array'\n          \
         WHEN entry_wrong THEN 'a *TokensDetails entry is not an object with a token count'\n          \
         WHEN NOT usage_given AND NOT piece AND NOT model_turn THEN 'no usageMetadata in the response'\n        \
         END AS reason\n      \
         FROM (\n        \
         SELECT *,\n          \
         candidates_given OR content_given AS candidates_present,\n          \
         usage_given OR version_given OR candidates_given OR content_given AS response_present,\n          \
         -- An agent's own whole event holding an output image is a model turn, usage or not;\n          \
         -- any other agent event or stream chunk without counts is a piece of a response.\n          \
         agent_event AND NOT user_event AND NOT partial AND NOT response_id AND images > 0 AS model_turn,\n          \
         NOT wrapped AND (response_id OR (agent_event AND (user_event OR partial OR images = 0))) AS piece,\n          \
         -- Usage that is empty, or gives only totalTokenCount or a lane, is never priced at $0.\n          \
         usage_object AND (prompt_tokens > 0 OR candidates_tokens > 0 OR thoughts_tokens > 0\n            \
         OR details_present OR prompt_details_present) AS counted,\n          \
         {count_wrong} AS count_wrong\n        \
         FROM (SELECT *, COALESCE(prompt_n, 0) AS prompt_tokens, COALESCE(candidates_n, 0) AS candidates_tokens,\n          \
         COALESCE(thoughts_n, 0) AS thoughts_tokens FROM nb_typed) AS t\n      \
         ) AS shaped\n    \
         ) AS classified\n  \
         ) AS split",
        modulo = d.modulo("image_output_tokens", "images"),
        quotient = d.quotient("image_output_tokens", "images"),
        is_object = d.is("j", Json::Object),
        has_request = d.has_member("j", &["$.request", "$.contents"]),
        count_wrong = COUNTS
            .iter()
            .map(|(name, _, _)| {
                format!("({name} IS NOT NULL AND COALESCE({} < 0, TRUE))", name.replace("_json", "_n"))
            })
            .collect::<Vec<_>>()
            .join("\n          OR "),
        carry = by.carry,
    );
    d.cte_once("nb_row", &body)
}

/// `nb_resolved`: each usage row with its card model, resolved as `tally`
/// does: the name without its resource path and `@` version, by exact
/// name (ID, former ID, alias), else by the longest ID or former ID that
/// prefixes it followed by `-`, in any case; `--model` for rows that name
/// no version.
fn resolve(d: Dialect, card: &RateCard, request: &SqlRequest) -> Result<String, SqlError> {
    let fallback = match &request.model {
        Some(name) => d.string(&card.resolve(name)?.model.id),
        None => format!("CAST(NULL AS {})", d.type_name(Type::Text)),
    };
    let after_slash = d.regexp_extract("TRIM(version)", "[^/]*$");
    let bare = format!("LOWER(TRIM({}))", d.regexp_extract(&after_slash, "^[^@]*"));
    Ok(d.cte(
        "nb_resolved",
        &format!(
            "  SELECT r.*, CASE WHEN r.version IS NULL THEN {fallback} ELSE m.model_id END AS model_id\n  \
             FROM nb_row AS r\n  \
             LEFT JOIN (\n    \
             SELECT version, model_id, ROW_NUMBER() OVER (PARTITION BY version\n      \
             ORDER BY CASE WHEN n.name = v.bare THEN 0 ELSE 1 END, n.exact_rank, LENGTH(n.name) DESC, n.prefix_rank DESC) AS choice\n    \
             FROM (SELECT version, {bare} AS bare FROM (SELECT DISTINCT version FROM nb_row WHERE kind = 'usage') AS d) AS v\n    \
             JOIN nb_names AS n ON n.name = v.bare OR (n.prefix_rank IS NOT NULL AND STARTS_WITH(v.bare, CONCAT(n.name, '-')))\n  \
             ) AS m ON m.version = r.version AND m.choice = 1\n  \
             WHERE r.kind = 'usage'"
        ),
    ))
}

/// The CTEs that sum, price and list: usage rows, grounding rows, the
/// other kinds of row, and the total, as `nb_result`.
fn price(d: Dialect, card: &RateCard, by: &ByColumns) -> Result<Vec<String>, SqlError> {
    let none = "'(none)'";
    let decimal = d.decimal_type();
    let text_type = d.type_name(Type::Text);
    let per_query = match price_per_query(card)? {
        Some(price) => d.decimal(price),
        None => format!("CAST(NULL AS {decimal})"),
    };
    let unknown_key = format!("CASE WHEN model_id IS NULL THEN COALESCE(version, {none}) END");
    let versions = d.sorted_list(&format!("COALESCE(version, {none})"));
    // The keys a usage row is grouped by; the grounding rows are grouped
    // by the period, the model and the unknown version.
    let carry = by.carry;
    let keys = format!("period, {carry}model_id, {unknown_key}, tokens_per_image, lane");
    Ok(vec![
        d.cte(
            "nb_group",
            &format!(
                "  SELECT period, {carry}model_id, {unknown_key} AS unknown_version, tokens_per_image, lane, {versions} AS model_version,\n    \
                 COUNT(*) AS responses, SUM(images) AS images, SUM(prompt_tokens) AS prompt_tokens,\n    \
                 SUM(image_output_tokens) AS image_output_tokens, SUM(text_output_tokens) AS text_output_tokens,\n    \
                 SUM(thoughts_tokens) AS thoughts_tokens, SUM(search_queries) AS search_queries\n  \
                 FROM nb_resolved\n  \
                 GROUP BY {keys}"
            ),
        ),
        d.cte(
            "nb_priced",
            &format!(
                "  SELECT g.*, m.card_order, l.lane_order,\n    \
                 CASE WHEN g.tokens_per_image IS NULL THEN 'unknown (no token counts)'\n      \
                 WHEN g.tokens_per_image = 0 THEN 'no image'\n      \
                 ELSE COALESCE(s.size, CONCAT('unknown (', CAST(g.tokens_per_image AS {text_type}), ' tokens/image)')) END AS size,\n    \
                 CASE\n      \
                 WHEN g.lane = 'provisioned' THEN 'served on provisioned throughput: billed by the commitment, not per token (not in the total)'\n      \
                 WHEN g.tokens_per_image IS NULL AND g.responses = 1 THEN 'the response gives no token counts'\n      \
                 WHEN g.tokens_per_image IS NULL THEN 'the responses give no token counts'\n      \
                 WHEN g.model_id IS NULL AND g.model_version = {none} THEN 'the responses name no modelVersion: give --model to price them'\n      \
                 WHEN g.model_id IS NULL THEN 'the model is not in the rate card: pass a card that lists it with --rates'\n      \
                 WHEN t.lane IS NULL THEN CONCAT(g.model_id, ' has no ', g.lane, ' lane in the rate card (it has ', m.lanes, ')')\n      \
                 WHEN g.prompt_tokens > 0 AND t.input_rate IS NULL THEN CONCAT('the rate card gives no ', g.lane, ' input rate for ', g.model_id)\n      \
                 WHEN g.text_output_tokens + g.thoughts_tokens > 0 AND t.text_rate IS NULL THEN CONCAT('the rate card gives no ', g.lane, ' text output rate for ', g.model_id)\n      \
                 END AS note,\n    \
                 g.prompt_tokens * COALESCE(t.input_rate, 0) + g.image_output_tokens * t.image_rate\n      \
                 + (g.text_output_tokens + g.thoughts_tokens) * COALESCE(t.text_rate, 0) AS tokens_cost\n  \
                 FROM nb_group AS g\n  \
                 LEFT JOIN nb_models AS m ON m.model_id = g.model_id\n  \
                 LEFT JOIN nb_sizes AS s ON s.model_id = g.model_id AND s.output_tokens = g.tokens_per_image\n  \
                 LEFT JOIN nb_rates AS t ON t.model_id = g.model_id AND t.lane = g.lane\n  \
                 LEFT JOIN nb_lanes AS l ON l.lane = g.lane"
            ),
        ),
        d.cte(
            "nb_grounding",
            &format!(
                "  SELECT q.*, m.card_order,\n    \
                 CASE WHEN q.model_id IS NULL THEN 'the model is not in the rate card'\n      \
                 WHEN NOT m.grounding THEN CONCAT('the rate card gives ', q.model_id, ' no Google Search grounding price')\n      \
                 WHEN {per_query} IS NULL THEN 'the rate card has no [grounding] prices' END AS note,\n    \
                 q.queries * {per_query} AS queries_cost\n  \
                 FROM (\n    \
                 SELECT period, model_id, unknown_version, {versions} AS model_version, SUM(search_queries) AS queries\n    \
                 FROM (\n      \
                 -- The versions of the groups (as nb_group has them) that ran queries.\n      \
                 SELECT period, model_id, {unknown_key} AS unknown_version, version, search_queries,\n        \
                 SUM(search_queries) OVER (PARTITION BY {keys}) AS group_queries\n      \
                 FROM nb_resolved\n    ) AS s\n    \
                 WHERE group_queries > 0\n    \
                 GROUP BY period, model_id, unknown_version\n  ) AS q\n  \
                 LEFT JOIN nb_models AS m ON m.model_id = q.model_id"
            ),
        ),
        d.cte(
            "nb_other",
            "  SELECT period, kind, reason, COUNT(*) AS lines\n  FROM nb_row WHERE kind <> 'usage'\n  GROUP BY period, kind, reason",
        ),
        d.cte(
            "nb_total",
            "  SELECT period, SUM(responses) AS responses, SUM(images) AS images, SUM(prompt_tokens) AS prompt_tokens,\n    \
             SUM(image_output_tokens) AS image_output_tokens, SUM(text_output_tokens) AS text_output_tokens,\n    \
             SUM(thoughts_tokens) AS thoughts_tokens, SUM(search_queries) AS search_queries, SUM(cost) AS cost,\n    \
             SUM(unpriced) AS unpriced, SUM(unpriced_queries) AS unpriced_queries, SUM(malformed) AS malformed\n  \
             FROM (\n    \
             SELECT period, responses, images, prompt_tokens, image_output_tokens, text_output_tokens, thoughts_tokens,\n      \
             search_queries, CASE WHEN note IS NULL THEN tokens_cost ELSE 0 END AS cost,\n      \
             CASE WHEN note IS NOT NULL AND lane <> 'provisioned' THEN responses ELSE 0 END AS unpriced,\n      \
             0 AS unpriced_queries, 0 AS malformed\n    \
             FROM nb_priced\n    \
             UNION ALL\n    \
             SELECT period, 0, 0, 0, 0, 0, 0, 0, CASE WHEN note IS NULL THEN queries_cost ELSE 0 END,\n      \
             0, CASE WHEN note IS NULL THEN 0 ELSE queries END, 0\n    \
             FROM nb_grounding\n    \
             UNION ALL\n    \
             SELECT period, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, CASE WHEN kind = 'malformed' THEN lines ELSE 0 END\n    \
             FROM nb_other\n  ) AS parts\n  \
             GROUP BY period",
        ),
        d.cte(
            "nb_result",
            &format!(
                "  SELECT period, {carry}1 AS kind_order, card_order, unknown_version, tokens_per_image, lane_order,\n    \
                 model_id AS model, model_version, size, lane, responses, images, prompt_tokens,\n    \
                 image_output_tokens, text_output_tokens, thoughts_tokens,\n    \
                 CASE WHEN note IS NULL THEN tokens_cost END AS cost, 'usage' AS kind, search_queries, note\n  \
                 FROM nb_priced\n  \
                 UNION ALL\n  \
                 SELECT period, {null}2, card_order, unknown_version, NULL, NULL, model_id, model_version, NULL, NULL,\n    \
                 NULL, NULL, NULL, NULL, NULL, NULL, CASE WHEN note IS NULL THEN queries_cost END, 'grounding', queries, note\n  \
                 FROM nb_grounding\n  \
                 UNION ALL\n  \
                 SELECT period, {null}CASE kind WHEN 'error' THEN 3 WHEN 'chunk' THEN 4 WHEN 'malformed' THEN 5 ELSE 6 END,\n    \
                 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, lines, NULL, NULL, NULL, NULL, NULL,\n    \
                 CASE WHEN kind <> 'malformed' THEN CAST(0 AS {decimal}) END, kind, NULL,\n    \
                 CASE kind\n      \
                 WHEN 'error' THEN 'error lines: failed requests, not billed'\n      \
                 WHEN 'chunk' THEN 'stream chunks without token counts: counted, never billed'\n      \
                 WHEN 'empty' THEN 'empty rows: nothing to bill'\n      \
                 ELSE CONCAT('malformed: ', reason, '; not priced') END\n  \
                 FROM nb_other\n  \
                 UNION ALL\n  \
                 SELECT period, {null}7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, responses, images, prompt_tokens,\n    \
                 image_output_tokens, text_output_tokens, thoughts_tokens, cost, 'total', search_queries,\n    \
                 CASE WHEN unpriced + unpriced_queries + malformed > 0 THEN CONCAT('INCOMPLETE: leaves out ',\n      \
                 CAST(unpriced AS {text_type}), ' unpriced responses, ', CAST(unpriced_queries AS {text_type}),\n      \
                 ' unpriced search queries and ', CAST(malformed AS {text_type}), ' malformed rows') END\n  \
                 FROM nb_total",
                null = by.null,
            ),
        ),
    ])
}

//! The query: `tally`'s rules, line by line, in SQL.
//!
//! It is a short chain of CTEs, each reading those before it, listed one a
//! line in the query's header comment ([`STEPS`]). Each row is parsed once
//! (`nb_parsed`, the one part each engine writes its own way: DuckDB with
//! `json_transform`, BigQuery by path), into the same columns; from there
//! the rules are written once for both engines (`nb_row`). The rows are
//! summed per model version, tokens per image and lane (`nb_sums`) before
//! anything is resolved or priced, so that the card's tables are joined to
//! a few thousand sums, never to the rows.
//!
//! The SQL is written below as it is printed, with `$NAME` standing for
//! what depends on the engine, the card or the flags.

use super::card_tables::{CardFacts, card_tables};
use super::dialect::{Dialect, Type};
use super::{ColumnType, Period, SqlError, SqlRequest};
use crate::attribution::By;
use crate::card::RateCard;

/// The query's CTEs, one line each, for the header comment.
pub(super) const STEPS: [&str; 10] = [
    "nb_models, nb_sizes, nb_rates: the rate card (per 1M tokens)",
    "nb_source: each row's line and period",
    "nb_parsed: each line parsed once",
    "nb_row: each row's kind (and why malformed), lane and tokens",
    "nb_sums: rows summed per kind, version, size, lane",
    "nb_resolved: versions resolved to card models",
    "nb_usage: usage per model, size, lane, priced or why not",
    "nb_grounding: search queries per model",
    "nb_result: all rows but the total",
    "nb_total: the total, and what it leaves out",
];

/// The query text for `request` against `card`.
pub(super) fn write(card: &RateCard, request: &SqlRequest) -> Result<String, SqlError> {
    let (ctes, values) = steps(card, request)?;
    let values: Vec<(&str, &str)> = values.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let steps: String = STEPS.iter().map(|step| format!("--   {step}\n")).collect();
    Ok(format!("-- CTEs, each reading those before it:\n{steps}WITH\n{ctes}\n{}", fill(OUTPUT, &values)))
}

/// The query's CTEs alone, the card's tables to `nb_total`, without its
/// final `SELECT`: what `--reconcile` builds on.
pub(super) fn pricing(card: &RateCard, request: &SqlRequest) -> Result<String, SqlError> {
    Ok(steps(card, request)?.0)
}

/// What each `$NAME` of a template stands for.
type Values = Vec<(&'static str, String)>;

/// The CTEs, `,`-joined, and the values [`OUTPUT`] is filled with.
fn steps(card: &RateCard, request: &SqlRequest) -> Result<(String, Values), SqlError> {
    let d = request.dialect;
    let (mut ctes, facts) = card_tables(d, card)?;
    let by = ByColumns::new(d, request.by.as_ref());
    ctes.push(source(d, request));
    ctes.push(match d {
        Dialect::DuckDb => {
            fill(DUCKDB_PARSED, &[("$READ_BY", &by.read), ("$CUT_BY", &by.cut), ("$BY", by.carry)])
        }
        Dialect::BigQuery => bigquery_parsed(request.column_type, &by),
    });
    let values = rules_values(d, card, request, &facts, &by)?;
    let filled: Vec<(&str, &str)> = values.iter().map(|(name, value)| (*name, value.as_str())).collect();
    ctes.push(fill(RULES, &filled));
    Ok((ctes.join(",\n"), values))
}

/// `template` with each `$NAME` in it replaced by its value, in one pass:
/// a value (which may hold a label's name, say) is never read again for
/// names. Of two names that start alike, the longer is meant.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        let found =
            values.iter().filter(|(name, _)| rest.starts_with(name)).max_by_key(|(name, _)| name.len());
        match found {
            Some((name, value)) => {
                text.push_str(value);
                rest = &rest[name.len()..];
            }
            None => {
                // A `$` of the SQL itself: a JSON path or the end of a pattern.
                debug_assert!(
                    !rest[1..].starts_with(|c: char| c.is_ascii_uppercase()),
                    "no value for {}",
                    &rest[..rest.len().min(20)]
                );
                text.push('$');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    text
}

fn source(d: Dialect, request: &SqlRequest) -> String {
    let period = match (&request.time_column, request.per) {
        // Reconciling, a day is the bill's: in its time zone.
        (Some(column), Period::Day) => match (d, &request.reconcile) {
            (_, Some(reconcile)) => d.day_in(&d.ident(column), &reconcile.zone),
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
        // Without a period, the rows are not grouped by one.
        (None, _) => String::new(),
    };
    let filter = request.filter.as_ref().map(|filter| format!(" WHERE ({filter})")).unwrap_or_default();
    // A DuckDB JSON column is text already: its functions read it as the
    // VARCHAR column of a loaded file.
    let line = d.ident(&request.column);
    let period = if period.is_empty() { period } else { format!("{period} AS period, ") };
    // DuckDB scans a row group (122,880 rows) on one thread: nb_parsed
    // reads the rows in two halves, each a scan of its own that DuckDB can
    // run beside the other, so that a table of one row group is parsed on
    // two threads; nb_source is read twice, not kept.
    let keep = match d {
        Dialect::BigQuery => "",
        Dialect::DuckDb => " NOT MATERIALIZED",
    };
    format!("nb_source AS{keep} (SELECT {period}{line} AS line FROM {}{filter})", d.table(&request.table))
}

/// DuckDB: one `json_transform` per row reads the line's members (the
/// response's both inside `response`, a batch output line, and at the top,
/// a bare response; `@` is a member read as its JSON text, so that a value
/// of the wrong type is seen, not cast); a second reads the small usage
/// block, a third the candidates' `*TokensDetails` list (the prompt's,
/// which nothing is summed from, only where an entry may be wrong: see
/// [`DUCKDB_CHECKS`]; reading both lists on every row took a tenth of the
/// query's time). Where the typed parse
/// reads a non-object like an empty one, the JSON is read again, and only
/// for the rows the check reaches (see [`DUCKDB_CHECKS`]). A string
/// function on the whole line is costly: `trim` runs only on a line that
/// is not JSON.
const DUCKDB_PARSED: &str = r#"nb_parsed AS (SELECT *, (v.error LIKE '{%' OR v.error LIKE '"__%' OR v.status LIKE '{%' OR v.status LIKE '"__%') IS TRUE AND usage IS NULL AS is_error,
(v.author = '"user"') IS TRUE AS user_event, (v.partial = 'true') IS TRUE AS partial,
CASE WHEN version_json LIKE '"%' THEN version_json ->> '$' END AS version, (usage LIKE '{%') IS TRUE AS usage_object,
cd IS NOT NULL AS detail, pd IS NOT NULL AS prompt_detail, counts[1] AS prompt, counts[2] AS candidates, counts[3] AS thoughts, counts[4] AS total,
len([m FOR m IN [COALESCE(lower(COALESCE(i.mimeType, i.mime_type)), '') FOR i IN [COALESCE(p.inlineData, p.inline_data)
FOR p IN COALESCE(flatten([c.content.parts FOR c IN candidate_list]), content.parts, []) IF p.thought IS DISTINCT FROM 'true'] IF i IS NOT NULL]
IF m LIKE '"image/%' OR m NOT LIKE '"%']) AS images,
COALESCE(list_sum([len(COALESCE(g.webSearchQueries, g.web_search_queries)) FOR g IN [COALESCE(c.groundingMetadata, c.grounding_metadata) FOR c IN candidate_list]]), 0) AS queries,
COALESCE(list_sum([TRY_CAST(COALESCE(e.tokenCount, e.token_count) AS BIGINT) FOR e IN entries IF e.modality = 'IMAGE']), 0) AS detail_image,
COALESCE(list_sum([TRY_CAST(COALESCE(e.tokenCount, e.token_count) AS BIGINT) FOR e IN entries IF e.modality = 'TEXT']), 0) AS detail_text
FROM (SELECT *, regexp_replace(UPPER(COALESCE(u.serviceTier, u.service_tier) ->> '$'), '^SERVICE_TIER_', '') AS tier, UPPER(COALESCE(u.trafficType, u.traffic_type) ->> '$') AS traffic,
[CASE WHEN x IS NULL THEN 0 WHEN json_type(x) = 'UBIGINT' THEN TRY_CAST(x AS BIGINT) END FOR x IN [COALESCE(u.promptTokenCount, u.prompt_token_count),
COALESCE(u.candidatesTokenCount, u.candidates_token_count), COALESCE(u.thoughtsTokenCount, u.thoughts_token_count), COALESCE(u.totalTokenCount, u.total_token_count)]] AS counts,
json_transform(cd, '[{"modality":"VARCHAR","tokenCount":"JSON","token_count":"JSON"}]') AS entries
FROM (SELECT *, COALESCE(u.candidatesTokensDetails, u.candidates_tokens_details) AS cd, COALESCE(u.promptTokensDetails, u.prompt_tokens_details) AS pd
FROM (SELECT *, json_transform(usage, replace('{"promptTokenCount":@,"prompt_token_count":@,"candidatesTokenCount":@,"candidates_token_count":@,"thoughtsTokenCount":@,"thoughts_token_count":@,"totalTokenCount":@,"total_token_count":@,"promptTokensDetails":@,"prompt_tokens_details":@,"candidatesTokensDetails":@,"candidates_tokens_details":@,"serviceTier":@,"service_tier":@,"trafficType":@,"traffic_type":@}', '@', '"JSON"')) AS u
FROM (SELECT *, $CUT_BYCOALESCE(v.author, v.invocationId, v.invocation_id) IS NOT NULL AS agent_event,
IF(wrapped, COALESCE(r.usageMetadata, r.usage_metadata), COALESCE(v.usageMetadata, v.usage_metadata)) AS usage,
IF(wrapped, COALESCE(r.modelVersion, r.model_version), COALESCE(v.modelVersion, v.model_version)) AS version_json,
(IF(wrapped, r.responseId, v.responseId) LIKE '"%' OR IF(wrapped, r.response_id, v.response_id) LIKE '"%') IS TRUE AS response_id,
IF(wrapped, r.candidates, v.candidates) AS candidate_list, IF(wrapped, r.content, v.content) AS content, candidate_list IS NOT NULL OR content IS NOT NULL AS candidates_present
FROM (SELECT *, $READ_BYv.response AS r, v.response IS NOT NULL AS wrapped
FROM (SELECT *, IF(j IS NULL, line IS NULL OR trim(line) = '', FALSE) AS empty, json_transform(j, replace(replace(replace(replace(
'{"key":@,"error":@,"status":@,"object":@,"author":@,"invocationId":@,"invocation_id":@,"partial":@,"response":{#R},#R}',
'#R', '"usageMetadata":@,"usage_metadata":@,"modelVersion":@,"model_version":@,"responseId":@,"response_id":@,"candidates":[{"content":{"parts":[#P]},"groundingMetadata":#G,"grounding_metadata":#G}],"content":{"parts":[#P]}'),
'#P', '{"inlineData":{"mimeType":@,"mime_type":@},"inline_data":{"mimeType":@,"mime_type":@},"thought":@}'),
'#G', '{"webSearchQueries":[@],"web_search_queries":[@]}'), '@', '"JSON"')) AS v
FROM (SELECT *, CASE WHEN json_valid(line) THEN line END AS j
-- two halves (odd lengths, the rest), parsed on two threads
FROM (SELECT * FROM nb_source WHERE strlen(line) % 2 = 1 UNION ALL SELECT * FROM nb_source WHERE strlen(line) % 2 IS DISTINCT FROM 1)))))))))"#;

/// BigQuery: each member read by subscript, once, from the line with its
/// `null` members left out (`JSON_STRIP_NULLS`), so that `null` reads as
/// absent; the line as it is (`j`) where `null` counts (an agent event,
/// a request).
const BIGQUERY_PARSED: &str = r#"nb_parsed AS (SELECT *, (JSON_TYPE(s['error']) IN ('object', 'string') AND JSON_VALUE(s['error']) IS DISTINCT FROM ''
OR JSON_TYPE(s['status']) IN ('object', 'string') AND JSON_VALUE(s['status']) IS DISTINCT FROM '') IS TRUE AND usage IS NULL AS is_error,
(JSON_VALUE(s['author']) = 'user') IS TRUE AS user_event, (TO_JSON_STRING(s['partial']) = 'true') IS TRUE AS partial,
SAFE.STRING(version_json) AS version, (JSON_TYPE(usage) = 'object') IS TRUE AS usage_object,
cd IS NOT NULL AS detail, pd IS NOT NULL AS prompt_detail, IFNULL(ds.image, 0) AS detail_image, IFNULL(ds.text, 0) AS detail_text
FROM (SELECT *, REGEXP_REPLACE(UPPER(JSON_VALUE(COALESCE(usage['serviceTier'], usage['service_tier']))), '^SERVICE_TIER_', '') AS tier, UPPER(JSON_VALUE(COALESCE(usage['trafficType'], usage['traffic_type']))) AS traffic,
SAFE_CAST(REGEXP_EXTRACT(IFNULL(TO_JSON_STRING(COALESCE(usage['promptTokenCount'], usage['prompt_token_count'])), '0'), r'^[0-9]+$') AS INT64) AS prompt,
SAFE_CAST(REGEXP_EXTRACT(IFNULL(TO_JSON_STRING(COALESCE(usage['candidatesTokenCount'], usage['candidates_token_count'])), '0'), r'^[0-9]+$') AS INT64) AS candidates,
SAFE_CAST(REGEXP_EXTRACT(IFNULL(TO_JSON_STRING(COALESCE(usage['thoughtsTokenCount'], usage['thoughts_token_count'])), '0'), r'^[0-9]+$') AS INT64) AS thoughts,
SAFE_CAST(REGEXP_EXTRACT(IFNULL(TO_JSON_STRING(COALESCE(usage['totalTokenCount'], usage['total_token_count'])), '0'), r'^[0-9]+$') AS INT64) AS total,
(SELECT AS STRUCT SUM(IF(modality = 'IMAGE', n, 0)) AS image, SUM(IF(modality = 'TEXT', n, 0)) AS text FROM (SELECT JSON_VALUE(e['modality']) AS modality,
SAFE_CAST(JSON_VALUE(COALESCE(e['tokenCount'], e['token_count'])) AS INT64) AS n FROM UNNEST(JSON_QUERY_ARRAY(cd)) AS e)) AS ds,
(SELECT COUNT(*) FROM (SELECT i, COALESCE(i['mimeType'], i['mime_type']) AS m FROM (SELECT COALESCE(p['inlineData'], p['inline_data']) AS i
FROM UNNEST(IF(r['candidates'] IS NULL, [r], JSON_QUERY_ARRAY(r['candidates']))) AS c, UNNEST(JSON_QUERY_ARRAY(c['content']['parts'])) AS p
WHERE TO_JSON_STRING(p['thought']) IS DISTINCT FROM 'true')) WHERE JSON_TYPE(i) = 'object'
AND COALESCE(STARTS_WITH(LOWER(JSON_VALUE(m)), 'image/') OR JSON_TYPE(m) <> 'string', TRUE)) AS images,
IFNULL((SELECT SUM(ARRAY_LENGTH(JSON_QUERY_ARRAY(COALESCE(g['webSearchQueries'], g['web_search_queries']))))
FROM (SELECT COALESCE(c['groundingMetadata'], c['grounding_metadata']) AS g FROM UNNEST(JSON_QUERY_ARRAY(r['candidates'])) AS c) WHERE JSON_TYPE(g) = 'object'), 0) AS queries
FROM (SELECT *, COALESCE(usage['candidatesTokensDetails'], usage['candidates_tokens_details']) AS cd, COALESCE(usage['promptTokensDetails'], usage['prompt_tokens_details']) AS pd
FROM (SELECT *, COALESCE(r['usageMetadata'], r['usage_metadata']) AS usage, COALESCE(r['modelVersion'], r['model_version']) AS version_json,
(JSON_TYPE(r['responseId']) = 'string' OR JSON_TYPE(r['response_id']) = 'string') IS TRUE AS response_id, r['candidates'] IS NOT NULL OR r['content'] IS NOT NULL AS candidates_present
FROM (SELECT *, $CUT_BYIF(wrapped, s['response'], s) AS r
FROM (SELECT *, $READ_BY(JSON_TYPE(s['response']) = 'object') IS TRUE AS wrapped,
COALESCE(JSON_QUERY(j, '$.author'), JSON_QUERY(j, '$.invocationId'), JSON_QUERY(j, '$.invocation_id')) IS NOT NULL AS agent_event
FROM (SELECT *, $EMPTY AS empty, JSON_STRIP_NULLS(j, include_arrays => FALSE) AS s FROM (SELECT *, $J AS j FROM nb_source))))))))"#;

fn bigquery_parsed(column_type: ColumnType, by: &ByColumns) -> String {
    let (j, empty) = match column_type {
        ColumnType::String => {
            ("SAFE.PARSE_JSON(line, wide_number_mode => 'round')", "line IS NULL OR TRIM(line) = ''")
        }
        ColumnType::Json => ("line", "line IS NULL"),
    };
    fill(BIGQUERY_PARSED, &[("$READ_BY", &by.read), ("$CUT_BY", &by.cut), ("$EMPTY", empty), ("$J", j)])
}

/// The shape checks the rules make of a parsed line, where each engine
/// writes them its own way.
struct Checks {
    /// `key` is there and no string.
    key_wrong: &'static str,
    /// `object` names an Interactions or chat completion object.
    api_object: &'static str,
    /// `response` is there and no object.
    response_wrong: &'static str,
    /// A `*TokensDetails` member is there and no array.
    details_wrong: &'static str,
    /// A `*TokensDetails` entry is no object, or its count no count.
    entry_wrong: &'static str,
}

/// DuckDB: members are their JSON text; where the typed parse reads a
/// non-object like an empty one, the JSON is read again, and only then.
const DUCKDB_CHECKS: Checks = Checks {
    key_wrong: r#"v.key NOT LIKE '"%'"#,
    api_object: r#"v.object IN ('"interaction"', '"chat.completion"', '"chat.completion.chunk"')"#,
    response_wrong: "wrapped AND usage IS NULL AND json_type(j, '$.response') <> 'OBJECT'",
    details_wrong: "cd NOT LIKE '[%' OR pd NOT LIKE '[%'",
    // Checked only where the lists' (compact) text may hold a wrong entry:
    // an element that opens with no `{` (after `[`, or after an object and
    // `,`), or a token count that is not 1 to 19 digits. There an entry
    // that is no object, which the parse read as one without members, is
    // found by reading the JSON again.
    entry_wrong: r#"regexp_matches(concat(cd, pd), '(\[|\},)[^{]|"token(Count|_count)":([0-9]*[^0-9,}]|[0-9]{20})')
AND (list_bool_or([json_type(COALESCE(e.tokenCount, e.token_count)) <> 'UBIGINT'
FOR e IN list_concat(entries, json_transform(pd, '[{"modality":"VARCHAR","tokenCount":"JSON","token_count":"JSON"}]'))])
OR NOT list_has_all(['OBJECT'], list_concat(json_type(cd, '$[*]'), json_type(pd, '$[*]'))))"#,
};

const BIGQUERY_CHECKS: Checks = Checks {
    key_wrong: "JSON_TYPE(s['key']) <> 'string'",
    api_object: "JSON_VALUE(s['object']) IN ('interaction', 'chat.completion', 'chat.completion.chunk')",
    response_wrong: "JSON_TYPE(s['response']) <> 'object'",
    details_wrong: "JSON_TYPE(cd) <> 'array' OR JSON_TYPE(pd) <> 'array'",
    entry_wrong: "EXISTS(SELECT 1 FROM UNNEST([cd, pd]) AS d, UNNEST(JSON_QUERY_ARRAY(d)) AS e
WHERE COALESCE(JSON_TYPE(e) <> 'object', TRUE) OR REGEXP_CONTAINS(TO_JSON_STRING(COALESCE(e['tokenCount'], e['token_count'])), r'[^0-9]'))",
};

/// The rules, from the parsed members to the result, for both engines.
const RULES: &str = r#"nb_row AS (SELECT *, IF(detail, GREATEST(detail_text, candidates - detail_image), candidates - image_out) AS text_out,
IF(counted AND (image_out > 0 OR images = 0), IF(images > 1 AND $MOD = 0, $DIV, image_out), NULL) AS per_image, $LANE AS lane
FROM (SELECT *, CASE WHEN empty THEN 'empty' WHEN reason IS NOT NULL THEN 'malformed' WHEN is_error THEN 'error'
WHEN piece AND NOT counted THEN 'chunk' ELSE 'usage' END AS kind,
CASE WHEN detail THEN detail_image WHEN images > 0 OR NOT candidates_present THEN candidates ELSE 0 END AS image_out
FROM (SELECT *, CASE WHEN empty THEN NULL
WHEN j IS NULL THEN 'not JSON'
WHEN $KEY_WRONG THEN 'key is not a string'
WHEN $API_OBJECT THEN 'an Interactions or chat completion object: the query reads GenerateContentResponse shapes; tally reads these'
WHEN is_error THEN NULL
WHEN $RESPONSE_WRONG THEN 'response is not an object'
WHEN NOT (wrapped OR usage IS NOT NULL OR version_json IS NOT NULL OR candidates_present OR agent_event) THEN CASE
WHEN $NOT_OBJECT THEN 'line is not a JSON object'
WHEN $HAS_REQUEST THEN 'a request, not a response'
ELSE 'no response or error in the line' END
WHEN version IS NULL AND version_json IS NOT NULL THEN 'modelVersion is not a string'
WHEN usage IS NOT NULL AND NOT usage_object THEN 'usageMetadata is not an object'
WHEN prompt IS NULL OR candidates IS NULL OR thoughts IS NULL OR total IS NULL THEN 'a token count is not a non-negative integer'
WHEN $DETAILS_WRONG THEN 'a *TokensDetails member is not an array'
WHEN $ENTRY_WRONG THEN 'a *TokensDetails entry is not an object with a token count'
WHEN usage IS NULL AND NOT piece AND NOT model_turn THEN 'no usageMetadata in the response'
END AS reason
FROM (SELECT *, usage_object AND (prompt > 0 OR candidates > 0 OR thoughts > 0 OR detail OR prompt_detail) AS counted,
agent_event AND NOT user_event AND NOT partial AND NOT response_id AND images > 0 AS model_turn,
NOT wrapped AND (response_id OR agent_event AND (user_event OR partial OR images = 0)) AS piece
FROM nb_parsed)))),
nb_sums AS (SELECT $P$BYkind, reason, version, per_image, lane, COUNT(*) AS responses, SUM(images) AS images, SUM(prompt) AS prompt,
SUM(image_out) AS image_out, SUM(text_out) AS text_out, SUM(thoughts) AS thoughts, SUM(queries) AS queries
FROM nb_row GROUP BY $P$BYkind, reason, version, per_image, lane),
nb_resolved AS (SELECT *, IF(m IS NULL, version_name, NULL) AS unknown_version
FROM (SELECT s.*, $MODEL, COALESCE(NULLIF(s.version, ''), '(none)') AS version_name FROM nb_sums AS s LEFT JOIN (
SELECT version, m, ROW_NUMBER() OVER (PARTITION BY version ORDER BY name = bare DESC, LENGTH(name) DESC) AS choice
FROM (SELECT DISTINCT version, LOWER(TRIM(REGEXP_EXTRACT(REGEXP_EXTRACT(TRIM(version), $AFTER_SLASH), $BEFORE_AT))) AS bare FROM nb_sums)
JOIN ($NAMES) ON name = bare OR prefix AND STARTS_WITH(bare, CONCAT(name, '-'))) AS n
ON n.version = s.version AND n.choice = 1
WHERE kind = 'usage')),
nb_usage AS (SELECT *,
CASE WHEN per_image IS NULL THEN 'unknown (no token counts)' WHEN per_image = 0 THEN 'no image'
ELSE COALESCE(label, CONCAT('unknown (', $TEXT_PER_IMAGE, ' tokens/image)')) END AS size,
CASE $PROVISIONEDWHEN per_image IS NULL THEN CONCAT(IF(responses = 1, 'the response gives', 'the responses give'), ' no output token count')
WHEN m IS NULL AND model_version = '(none)' THEN 'the responses name no modelVersion: give --model to price them'
WHEN m IS NULL THEN 'the model is not in the rate card: pass a card that lists it with --rates'
WHEN image_rate IS NULL THEN CONCAT(model, ' has no ', lane, ' lane in the rate card (it has ', lanes, ')')$RATE_ARMS
END AS note,
$COST AS cost
FROM (SELECT $P$BYm, unknown_version, per_image, lane, $VERSIONS AS model_version, SUM(responses) AS responses, SUM(images) AS images,
SUM(prompt) AS prompt, SUM(image_out) AS image_out, SUM(text_out) AS text_out, SUM(thoughts) AS thoughts, SUM(queries) AS queries
FROM nb_resolved GROUP BY $P$BYm, unknown_version, per_image, lane)
LEFT JOIN nb_models USING (m) LEFT JOIN nb_sizes USING (m, per_image) LEFT JOIN nb_rates USING (m, lane)),
nb_grounding AS (SELECT $Pm, unknown_version, $VERSIONS AS model_version, SUM(queries) AS queries
FROM (SELECT *, SUM(queries) OVER (PARTITION BY $P$BYm, unknown_version, per_image, lane) AS group_queries FROM nb_resolved)
WHERE group_queries > 0 GROUP BY $Pm, unknown_version),
nb_result AS (SELECT $P$BYm, per_image, model, model_version, size, lane, responses, images, prompt,
image_out, text_out, thoughts, IF(note IS NULL, cost, NULL) AS cost, 'usage' AS kind, queries, note FROM nb_usage
UNION ALL SELECT $P$NULL_BYm, NULL, model, model_version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
IF(grounding, queries * $PRICE, NULL), 'grounding', queries, CASE WHEN m IS NULL THEN 'the model is not in the rate card'
WHEN NOT grounding THEN CONCAT('the rate card gives ', model, ' no Google Search grounding price')$NO_PRICE END
FROM nb_grounding LEFT JOIN nb_models USING (m)
UNION ALL SELECT $P$NULL_BYNULL, NULL, NULL, NULL, NULL, NULL, SUM(responses), NULL, NULL, NULL, NULL, NULL, IF(kind = 'malformed', NULL, 0), kind, NULL,
CASE kind WHEN 'error' THEN 'error lines: failed requests, not billed' WHEN 'chunk' THEN 'stream chunks without token counts: counted, never billed'
WHEN 'empty' THEN 'empty rows: nothing to bill' ELSE CONCAT('malformed: ', reason, '; not priced') END
FROM nb_sums WHERE kind <> 'usage' GROUP BY $Pkind, reason),
nb_total AS (SELECT $PSUM(IF(kind = 'usage', responses, 0)) AS responses, COALESCE(SUM(images), 0) AS images, COALESCE(SUM(prompt), 0) AS prompt,
COALESCE(SUM(image_out), 0) AS image_out, COALESCE(SUM(text_out), 0) AS text_out, COALESCE(SUM(thoughts), 0) AS thoughts, COALESCE(SUM(cost), 0) AS cost,
SUM(IF(kind = 'usage', queries, 0)) AS queries, SUM(IF(kind = 'usage' AND note IS NOT NULL AND lane <> 'provisioned', responses, 0)) AS unpriced,
SUM(IF(kind = 'grounding' AND note IS NOT NULL, queries, 0)) AS unpriced_queries, SUM(IF(kind = 'malformed', responses, 0)) AS malformed
FROM nb_result$GROUP_TOTAL)"#;

/// The query's final `SELECT`: every row of `nb_result` and the total.
const OUTPUT: &str = r#"SELECT $OUTmodel, model_version, size, lane, responses, images, prompt AS prompt_tokens, image_out AS image_output_tokens,
text_out AS text_output_tokens, thoughts AS thoughts_tokens, cost, kind, queries AS search_queries, note
FROM (SELECT * FROM nb_result UNION ALL SELECT $P$NULL_BYNULL, NULL, NULL, NULL, NULL, NULL, responses, images, prompt, image_out, text_out,
thoughts, cost, 'total', queries, IF(unpriced + unpriced_queries + malformed > 0, CONCAT('INCOMPLETE: leaves out ', $TEXT_UNPRICED,
' unpriced responses, ', $TEXT_UNPRICED_QUERIES, ' unpriced search queries and ', $TEXT_MALFORMED, ' malformed rows'), NULL) FROM nb_total)
ORDER BY $P$ORDER_BYSTRPOS('usage grounding error chunk malformed empty total', kind), m NULLS LAST, IF(m IS NULL, model_version, NULL),
per_image NULLS FIRST, STRPOS('standard batch flex priority provisioned', lane), note;
"#;

/// The lane of a row that does not say it (no `--lane`): batch for a
/// batch output line, else its `serviceTier`, else its `trafficType`.
const LANE: &str = "CASE WHEN wrapped THEN 'batch'
WHEN tier IN ('STANDARD', 'UNSPECIFIED') THEN 'standard' WHEN tier = 'FLEX' THEN 'flex' WHEN tier = 'PRIORITY' THEN 'priority'
WHEN traffic = 'ON_DEMAND_FLEX' THEN 'flex' WHEN traffic = 'ON_DEMAND_PRIORITY' THEN 'priority'
WHEN traffic = 'PROVISIONED_THROUGHPUT' THEN 'provisioned' ELSE 'standard' END";

/// What [`RULES`] leaves to the engine, the card and the flags.
fn rules_values(
    d: Dialect,
    card: &RateCard,
    request: &SqlRequest,
    facts: &CardFacts,
    by: &ByColumns,
) -> Result<Values, SqlError> {
    let decimal = d.decimal_type();
    let checks = match d {
        Dialect::DuckDb => &DUCKDB_CHECKS,
        Dialect::BigQuery => &BIGQUERY_CHECKS,
    };
    let model = match &request.model {
        // Rows that name no version are priced as `--model`.
        Some(name) => {
            let fallback = card.resolve(name)?.model;
            let m = card.models.iter().position(|model| std::ptr::eq(model, fallback)).unwrap_or_default();
            format!("IF(COALESCE(s.version, '') = '', {m}, n.m) AS m")
        }
        None => "n.m".to_string(),
    };
    let mut rate_arms = String::new();
    let mut input = "input_rate".to_string();
    let mut text = "text_rate".to_string();
    if facts.input_missing {
        rate_arms.push_str("\nWHEN prompt > 0 AND input_rate IS NULL THEN CONCAT('the rate card gives no ', lane, ' input rate for ', model)");
        input = "COALESCE(input_rate, 0)".to_string();
    }
    if facts.text_missing {
        rate_arms.push_str("\nWHEN text_out + thoughts > 0 AND text_rate IS NULL THEN CONCAT('the rate card gives no ', lane, ' text output rate for ', model)");
        text = "COALESCE(text_rate, 0)".to_string();
    }
    let (price, no_price) = match facts.price_per_query {
        Some(price) => (d.decimal(price), String::new()),
        None => (
            format!("CAST(NULL AS {decimal})"),
            " ELSE 'the rate card has no [grounding] prices'".to_string(),
        ),
    };
    let (lane, provisioned) = match request.lane {
        Some(lane) => (d.string(lane.name()), String::new()),
        None => (
            LANE.to_string(),
            "WHEN lane = 'provisioned' THEN 'served on provisioned throughput: billed by the commitment, not per token (not in the total)'\n"
                .to_string(),
        ),
    };
    // Without `--time-column` there is no period: the total is of the whole
    // table, and of no rows, no total.
    let (period, group_total) = match request.time_column {
        Some(_) => ("period, ", " GROUP BY period"),
        None => ("", " HAVING COUNT(*) > 0"),
    };
    Ok(vec![
        ("$NOT_OBJECT", d.is_object("j").replace(" = ", " IS DISTINCT FROM ")),
        ("$KEY_WRONG", checks.key_wrong.to_string()),
        ("$API_OBJECT", checks.api_object.to_string()),
        ("$RESPONSE_WRONG", checks.response_wrong.to_string()),
        ("$DETAILS_WRONG", checks.details_wrong.to_string()),
        ("$ENTRY_WRONG", checks.entry_wrong.to_string()),
        ("$HAS_REQUEST", d.has_member("j", &["$.request", "$.contents"])),
        ("$MOD", d.modulo("image_out", "images")),
        ("$DIV", d.quotient("image_out", "images")),
        ("$LANE", lane),
        ("$MODEL", model),
        // Every name a version may resolve by, and whether it may add a
        // suffix to the name (`prefix`: IDs and former IDs).
        ("$NAMES", match d {
            Dialect::DuckDb => "SELECT m, unnest(list_concat([LOWER(model)], former)) AS name, TRUE AS prefix FROM nb_models \
                UNION ALL SELECT m, unnest(aliases), FALSE FROM nb_models".to_string(),
            Dialect::BigQuery => "SELECT m, name, TRUE AS prefix FROM nb_models, UNNEST(ARRAY_CONCAT([LOWER(model)], former)) AS name \
                UNION ALL SELECT m, name, FALSE FROM nb_models, UNNEST(aliases) AS name".to_string(),
        }),
        ("$AFTER_SLASH", d.regexp("[^/]*$")),
        ("$BEFORE_AT", d.regexp("^[^@]*")),
        ("$VERSIONS", d.sorted_list("version_name")),
        ("$TEXT_PER_IMAGE", d.as_text("per_image")),
        ("$TEXT_UNPRICED_QUERIES", d.as_text("unpriced_queries")),
        ("$TEXT_UNPRICED", d.as_text("unpriced")),
        ("$TEXT_MALFORMED", d.as_text("malformed")),
        ("$PROVISIONED", provisioned),
        ("$RATE_ARMS", rate_arms),
        ("$COST", {
            // The card's rates are per million tokens.
            let cost =
                format!("(prompt * {input} + image_out * image_rate + (text_out + thoughts) * {text})");
            match d {
                // DuckDB types the card's rates by their digits: every cost is made one type.
                Dialect::DuckDb => format!("CAST({cost} * 0.000001 AS {decimal})"),
                Dialect::BigQuery => format!("{cost} * CAST('0.000001' AS {decimal})"),
            }
        }),
        ("$PRICE", price),
        ("$NO_PRICE", no_price),
        ("$OUT", format!("{period}{}", by.carry)),
        ("$P", period.to_string()),
        ("$GROUP_TOTAL", group_total.to_string()),
        ("$ORDER_BY", by.order.clone()),
        ("$NULL_BY", by.null.to_string()),
        ("$BY", by.carry.to_string()),
    ])
}

/// With `--by`, what the query adds for the attribution, each piece
/// written where it goes (all empty without `--by`, so that the query is
/// then as it would be without it). The attribution is read once per row
/// where the line is parsed (`by_value`), cut to tally's length
/// (`attribution`), and carried through the rows to `nb_sums` and
/// `nb_usage`, where it is one key more. Grounding, other kinds and the
/// total keep it `NULL`: tally prices search queries for the whole tally.
#[derive(Default)]
struct ByColumns {
    /// `… AS by_value, `, the value as read from the JSON.
    read: String,
    /// `… AS attribution, `, cut to 256 bytes.
    cut: String,
    /// `attribution, ` where the rows and the groups carry it.
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
        let value = match by {
            By::KeyPrefix { separator } => {
                // The parsed line: DuckDB's typed parse, BigQuery's line without nulls.
                let key = match d {
                    Dialect::DuckDb => "v.key",
                    Dialect::BigQuery => "s['key']",
                };
                d.before(&d.string_of(key), *separator)
            }
            // `request` (a batch output line echoes its request) first, then
            // `full_request` (a request-response logging row).
            By::Label(name) => {
                let labels = |request: &'static str| [request, "labels"];
                let label = |request: &'static str| [request, "labels", name.as_str()];
                // DuckDB reads by a JSON pointer, which takes a name such as `0`
                // as an index where `labels` is an array: there it must be an object.
                let index = name == "-" || name.chars().all(|c| c.is_ascii_digit());
                match d {
                    Dialect::DuckDb if !index => format!(
                        "[x ->> '$' FOR x IN json_extract(j, [{}, {}]) IF json_type(x) = 'VARCHAR'][1]",
                        d.pointer(&label("request")),
                        d.pointer(&label("full_request"))
                    ),
                    Dialect::DuckDb => {
                        let label = |request: &'static str| {
                            format!(
                                "CASE WHEN {} THEN {} END",
                                d.is_object(&d.at_members("j", &labels(request))),
                                d.string_of(&d.at_members("j", &label(request)))
                            )
                        };
                        format!("COALESCE({}, {})", label("request"), label("full_request"))
                    }
                    Dialect::BigQuery => format!(
                        "COALESCE({}, {})",
                        d.string_of(&d.at_members("j", &label("request"))),
                        d.string_of(&d.at_members("j", &label("full_request")))
                    ),
                }
            }
            // Refused before the query is written (`SqlError::ByFile`, `ByDay`).
            By::File | By::Day(_) => format!("CAST(NULL AS {})", d.type_name(Type::Text)),
        };
        ByColumns {
            read: format!("{value} AS by_value, "),
            cut: format!("{} AS attribution, ", d.cut("by_value", MAX_ATTRIBUTION_BYTES)),
            carry: "attribution, ",
            null: "NULL, ",
            order: format!("{} NULLS LAST, ", d.bytes("attribution")),
        }
    }
}

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
use super::dialect::{Dialect, Json, Type};
use super::{ColumnType, Period, SqlError, SqlRequest};
use crate::attribution::By;
use crate::card::RateCard;

/// The query's CTEs, one line each, for the header comment.
pub(super) const STEPS: [&str; 10] = [
    "nb_models, nb_names, nb_sizes, nb_rates: the rate card",
    "nb_source    each row's line and period (--where applied)",
    "nb_parsed    each line parsed once: the members the rules read, its images and search queries",
    "nb_row       what each row is (usage, chunk, error, malformed and why, empty), its lane and tokens",
    "nb_sums      the rows summed per kind, model version, image tokens per image and lane",
    "nb_resolved  each model version resolved to a card model",
    "nb_usage     usage per model, size and lane, priced at its lane's rates, or why not",
    "nb_grounding search queries per model",
    "nb_result    the usage, grounding and other rows as one table",
    "nb_total     the total, and what it leaves out",
];

/// The query text for `request` against `card`.
pub(super) fn write(card: &RateCard, request: &SqlRequest) -> Result<String, SqlError> {
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
    let values: Vec<(&str, &str)> = values.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let rules = fill(RULES, &values);
    let steps: String = STEPS.iter().map(|step| format!("--   {step}\n")).collect();
    Ok(format!("-- CTEs, each reading those before it:\n{steps}WITH\n{},\n{rules}", ctes.join(",\n")))
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
        (Some(column), Period::Day) => match d {
            Dialect::BigQuery => format!("DATE({})", d.ident(column)),
            Dialect::DuckDb => format!("CAST({} AS DATE)", d.ident(column)),
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
    let filter = request.filter.as_ref().map(|filter| format!(" WHERE ({filter})")).unwrap_or_default();
    // DuckDB reads a JSON column as its text.
    let line = match d {
        Dialect::DuckDb => format!("CAST({} AS VARCHAR)", d.ident(&request.column)),
        Dialect::BigQuery => d.ident(&request.column),
    };
    format!(
        "nb_source AS (SELECT {period} AS period, {line} AS line FROM {}{filter})",
        d.table(&request.table)
    )
}

/// DuckDB: one `json_transform` per row reads the line's members (the
/// response's both inside `response`, a batch output line, and at the top,
/// a bare response; `@` is a member read as its JSON text, so that a value
/// of the wrong type is seen, not cast); a second reads the small usage
/// block, a third the two `*TokensDetails` lists. Where the typed parse
/// reads a non-object like an empty one, the JSON is read again, and only
/// then (`response_wrong`, `entry_wrong`).
const DUCKDB_PARSED: &str = r#"nb_parsed AS (SELECT *, key NOT LIKE '"%' AS key_wrong, object IN ('"interaction"', '"chat.completion"', '"chat.completion.chunk"') AS api_object,
-- An error is an object or a string that is not empty ("").
COALESCE(error LIKE '{%' OR error LIKE '"__%' OR status LIKE '{%' OR status LIKE '"__%', FALSE) AS is_error,
COALESCE(author = '"user"', FALSE) AS user_event, COALESCE(partial_json = 'true', FALSE) AS partial,
CASE WHEN wrapped AND usage IS NULL THEN json_type(j, '$.response') <> 'OBJECT' END AS response_wrong,
version_json IS NOT NULL AS version_given, CASE WHEN version_json LIKE '"%' THEN version_json ->> '$' END AS version,
usage IS NOT NULL AS usage_given, COALESCE(usage LIKE '{%', FALSE) AS usage_object,
cd IS NOT NULL AS detail, pd IS NOT NULL AS prompt_detail, cd NOT LIKE '[%' OR pd NOT LIKE '[%' AS details_wrong,
-- Output images: inlineData given, not a thought, whose MIME type starts with image/ in any case or is no string.
COALESCE(len(list_filter(list_transform(list_transform(COALESCE(flatten(list_transform(candidate_list, lambda c: c.content.parts)), content.parts),
lambda p: IF(p.thought = 'true', NULL, COALESCE(p.inlineData, p.inline_data))),
lambda i: IF(i IS NULL, NULL, COALESCE(lower(COALESCE(i.mimeType, i.mime_type)), ''))),
lambda m: m LIKE '"image/%' OR m NOT LIKE '"%')), 0) AS images,
COALESCE(list_sum(list_transform(list_transform(candidate_list, lambda c: COALESCE(c.groundingMetadata, c.grounding_metadata)),
lambda g: len(COALESCE(g.webSearchQueries, g.web_search_queries)))), 0) AS queries,
COALESCE(list_sum(list_transform(entries[1], lambda e: IF(e.modality = 'IMAGE', TRY_CAST(COALESCE(e.tokenCount, e.token_count) AS BIGINT), 0))), 0) AS detail_image,
COALESCE(list_sum(list_transform(entries[1], lambda e: IF(e.modality = 'TEXT', TRY_CAST(COALESCE(e.tokenCount, e.token_count) AS BIGINT), 0))), 0) AS detail_text,
-- An entry that is no object reads as one without members: only then is the JSON read again.
CASE WHEN list_bool_or(list_transform(flatten(entries), lambda e: json_type(COALESCE(e.tokenCount, e.token_count)) <> 'UBIGINT')) THEN TRUE
WHEN list_bool_or(list_transform(flatten(entries), lambda e: e.modality IS NULL AND COALESCE(e.tokenCount, e.token_count) IS NULL))
THEN NOT list_has_all(['OBJECT'], list_concat(json_type(cd, '$[*]'), json_type(pd, '$[*]'))) END AS entry_wrong
FROM (SELECT *, COALESCE(u.promptTokenCount, u.prompt_token_count) AS prompt_json, COALESCE(u.candidatesTokenCount, u.candidates_token_count) AS candidates_json,
COALESCE(u.thoughtsTokenCount, u.thoughts_token_count) AS thoughts_json, COALESCE(u.totalTokenCount, u.total_token_count) AS total_json,
UPPER(COALESCE(u.serviceTier, u.service_tier)) AS tier, UPPER(COALESCE(u.trafficType, u.traffic_type)) AS traffic,
json_transform(concat('[', COALESCE(cd, 'null'), ',', COALESCE(pd, 'null'), ']'), '[[{"modality":"VARCHAR","tokenCount":"JSON","token_count":"JSON"}]]') AS entries
FROM (SELECT *, COALESCE(u.candidatesTokensDetails, u.candidates_tokens_details) AS cd, COALESCE(u.promptTokensDetails, u.prompt_tokens_details) AS pd
FROM (SELECT *, json_transform(usage, replace('{"promptTokenCount":@,"prompt_token_count":@,"candidatesTokenCount":@,"candidates_token_count":@,"thoughtsTokenCount":@,"thoughts_token_count":@,"totalTokenCount":@,"total_token_count":@,"promptTokensDetails":@,"prompt_tokens_details":@,"candidatesTokensDetails":@,"candidates_tokens_details":@,"serviceTier":"VARCHAR","service_tier":"VARCHAR","trafficType":"VARCHAR","traffic_type":"VARCHAR"}', '@', '"JSON"')) AS u
FROM (SELECT period, $BYempty, j, wrapped, v.key, v.error, v.status, v.object, v.author, v.partial AS partial_json,
COALESCE(v.author, v.invocationId, v.invocation_id) IS NOT NULL AS agent_event,
IF(wrapped, COALESCE(r.usageMetadata, r.usage_metadata), COALESCE(v.usageMetadata, v.usage_metadata)) AS usage,
IF(wrapped, COALESCE(r.modelVersion, r.model_version), COALESCE(v.modelVersion, v.model_version)) AS version_json,
COALESCE(IF(wrapped, r.responseId, v.responseId) LIKE '"%' OR IF(wrapped, r.response_id, v.response_id) LIKE '"%', FALSE) AS response_id,
IF(wrapped, r.candidates, v.candidates) AS candidate_list, IF(wrapped, r.content, v.content) AS content, candidate_list IS NOT NULL OR content IS NOT NULL AS candidates_present
FROM (SELECT *, $CUT_BYv.response AS r, v.response IS NOT NULL AS wrapped
FROM (SELECT period, $READ_BYline IS NULL OR trim(line) = '' AS empty, j, json_transform(j, replace(replace(replace(replace(
'{"key":@,"error":@,"status":@,"object":@,"author":@,"invocationId":@,"invocation_id":@,"partial":@,"response":{#R},#R}',
'#R', '"usageMetadata":@,"usage_metadata":@,"modelVersion":@,"model_version":@,"responseId":@,"response_id":@,"candidates":[{"content":{"parts":[#P]},"groundingMetadata":#G,"grounding_metadata":#G}],"content":{"parts":[#P]}'),
'#P', '{"inlineData":{"mimeType":@,"mime_type":@},"inline_data":{"mimeType":@,"mime_type":@},"thought":@}'),
'#G', '{"webSearchQueries":[@],"web_search_queries":[@]}'), '@', '"JSON"')) AS v
FROM (SELECT *, CASE WHEN json_valid(line) THEN line END AS j FROM nb_source))))))))"#;

/// BigQuery: each member read by subscript, once, from the line with its
/// `null` members left out (`JSON_STRIP_NULLS`), so that `null` reads as
/// absent; the line as it is (`j`) where `null` counts (an agent event,
/// a request).
const BIGQUERY_PARSED: &str = r#"nb_parsed AS (SELECT *, JSON_TYPE(s['key']) <> 'string' AS key_wrong, JSON_VALUE(s['object']) IN ('interaction', 'chat.completion', 'chat.completion.chunk') AS api_object,
COALESCE(JSON_TYPE(s['error']) = 'object' OR JSON_TYPE(s['status']) = 'object' OR JSON_TYPE(s['error']) = 'string' AND JSON_VALUE(s['error']) <> ''
OR JSON_TYPE(s['status']) = 'string' AND JSON_VALUE(s['status']) <> '', FALSE) AS is_error,
COALESCE(JSON_VALUE(s['author']) = 'user', FALSE) AS user_event, COALESCE(TO_JSON_STRING(s['partial']) = 'true', FALSE) AS partial,
version_json IS NOT NULL AS version_given, IF(JSON_TYPE(version_json) = 'string', JSON_VALUE(version_json), NULL) AS version,
u IS NOT NULL AS usage_given, COALESCE(JSON_TYPE(u) = 'object', FALSE) AS usage_object,
TO_JSON_STRING(COALESCE(u['promptTokenCount'], u['prompt_token_count'])) AS prompt_json,
TO_JSON_STRING(COALESCE(u['candidatesTokenCount'], u['candidates_token_count'])) AS candidates_json,
TO_JSON_STRING(COALESCE(u['thoughtsTokenCount'], u['thoughts_token_count'])) AS thoughts_json,
TO_JSON_STRING(COALESCE(u['totalTokenCount'], u['total_token_count'])) AS total_json,
cd IS NOT NULL AS detail, pd IS NOT NULL AS prompt_detail, JSON_TYPE(cd) <> 'array' OR JSON_TYPE(pd) <> 'array' AS details_wrong,
IFNULL(ds.image, 0) AS detail_image, IFNULL(ds.text, 0) AS detail_text,
EXISTS(SELECT 1 FROM UNNEST(ARRAY_CONCAT(IFNULL(JSON_QUERY_ARRAY(cd), []), IFNULL(JSON_QUERY_ARRAY(pd), []))) AS e
WHERE COALESCE(JSON_TYPE(e) <> 'object', TRUE) OR NOT REGEXP_CONTAINS(IFNULL(TO_JSON_STRING(COALESCE(e['tokenCount'], e['token_count'])), '0'), r'^[0-9]+$')) AS entry_wrong
FROM (SELECT *, UPPER(JSON_VALUE(COALESCE(u['serviceTier'], u['service_tier']))) AS tier, UPPER(JSON_VALUE(COALESCE(u['trafficType'], u['traffic_type']))) AS traffic,
(SELECT AS STRUCT SUM(IF(JSON_VALUE(e['modality']) = 'IMAGE', n, 0)) AS image, SUM(IF(JSON_VALUE(e['modality']) = 'TEXT', n, 0)) AS text
FROM (SELECT e, SAFE_CAST(JSON_VALUE(COALESCE(e['tokenCount'], e['token_count'])) AS INT64) AS n FROM UNNEST(JSON_QUERY_ARRAY(cd)) AS e)) AS ds,
-- Output images: inlineData objects, not thoughts, whose MIME type starts with image/ in any case or is no string.
IFNULL((SELECT COUNTIF(JSON_TYPE(i) = 'object' AND COALESCE(TO_JSON_STRING(t) <> 'true', TRUE)
AND COALESCE(STARTS_WITH(LOWER(JSON_VALUE(m)), 'image/') OR JSON_TYPE(m) <> 'string', TRUE))
FROM (SELECT i, t, COALESCE(i['mimeType'], i['mime_type']) AS m FROM (SELECT COALESCE(p['inlineData'], p['inline_data']) AS i, p['thought'] AS t
FROM UNNEST(IF(r['candidates'] IS NULL, [r], JSON_QUERY_ARRAY(r['candidates']))) AS c, UNNEST(JSON_QUERY_ARRAY(c['content']['parts'])) AS p))), 0) AS images,
IFNULL((SELECT SUM(ARRAY_LENGTH(JSON_QUERY_ARRAY(COALESCE(g['webSearchQueries'], g['web_search_queries']))))
FROM (SELECT COALESCE(c['groundingMetadata'], c['grounding_metadata']) AS g FROM UNNEST(JSON_QUERY_ARRAY(r['candidates'])) AS c) WHERE JSON_TYPE(g) = 'object'), 0) AS queries
FROM (SELECT *, COALESCE(u['candidatesTokensDetails'], u['candidates_tokens_details']) AS cd, COALESCE(u['promptTokensDetails'], u['prompt_tokens_details']) AS pd
FROM (SELECT *, COALESCE(r['usageMetadata'], r['usage_metadata']) AS u, COALESCE(r['modelVersion'], r['model_version']) AS version_json,
COALESCE(JSON_TYPE(r['responseId']) = 'string' OR JSON_TYPE(r['response_id']) = 'string', FALSE) AS response_id, r['candidates'] IS NOT NULL OR r['content'] IS NOT NULL AS candidates_present
FROM (SELECT *, IF(wrapped, s['response'], s) AS r, JSON_TYPE(s['response']) <> 'object' AS response_wrong
FROM (SELECT *, $CUT_BYCOALESCE(JSON_TYPE(s['response']) = 'object', FALSE) AS wrapped,
COALESCE(JSON_QUERY(j, '$.author'), JSON_QUERY(j, '$.invocationId'), JSON_QUERY(j, '$.invocation_id')) IS NOT NULL AS agent_event
FROM (SELECT period, $READ_BY$EMPTY AS empty, j, JSON_STRIP_NULLS(j, include_arrays => FALSE) AS s FROM (SELECT period, line, $J AS j FROM nb_source))))))))"#;

fn bigquery_parsed(column_type: ColumnType, by: &ByColumns) -> String {
    let (j, empty) = match column_type {
        ColumnType::String => {
            ("SAFE.PARSE_JSON(line, wide_number_mode => 'round')", "line IS NULL OR TRIM(line) = ''")
        }
        ColumnType::Json => ("line", "line IS NULL"),
    };
    fill(BIGQUERY_PARSED, &[("$READ_BY", &by.read), ("$CUT_BY", &by.cut), ("$EMPTY", empty), ("$J", j)])
}

/// The rules, from the parsed members to the result, for both engines.
const RULES: &str = r#"nb_row AS (SELECT *, IF(detail, GREATEST(detail_text, candidates - detail_image), candidates - image_out) AS text_out,
IF(counted, IF(images > 1 AND $MOD = 0, $DIV, image_out), NULL) AS per_image, $LANE AS lane
FROM (SELECT *, CASE WHEN empty THEN 'empty' WHEN reason IS NOT NULL THEN 'malformed' WHEN is_error THEN 'error'
WHEN piece AND NOT counted THEN 'chunk' ELSE 'usage' END AS kind,
CASE WHEN detail THEN detail_image WHEN images > 0 OR NOT candidates_present THEN candidates ELSE 0 END AS image_out
FROM (SELECT *, CASE WHEN empty THEN NULL
WHEN j IS NULL THEN 'not JSON'
WHEN key_wrong THEN 'key is not a string'
WHEN api_object THEN 'an Interactions or chat completion object: the query reads GenerateContentResponse shapes; tally reads these'
WHEN is_error THEN NULL
WHEN response_wrong THEN 'response is not an object'
WHEN NOT (wrapped OR usage_given OR version_given OR candidates_present OR agent_event) THEN CASE
WHEN ($IS_OBJECT) IS NOT TRUE THEN 'line is not a JSON object'
WHEN $HAS_REQUEST THEN 'a request, not a response'
ELSE 'no response or error in the line' END
WHEN version_given AND version IS NULL THEN 'modelVersion is not a string'
WHEN usage_given AND NOT usage_object THEN 'usageMetadata is not an object'
WHEN count_wrong THEN 'a token count is not a non-negative integer'
WHEN details_wrong THEN 'a *TokensDetails member is not an array'
WHEN entry_wrong THEN 'a *TokensDetails entry is not an object with a token count'
WHEN NOT usage_given AND NOT piece AND NOT model_turn THEN 'no usageMetadata in the response'
END AS reason
FROM (SELECT *, COALESCE(prompt_n, 0) AS prompt, COALESCE(candidates_n, 0) AS candidates, COALESCE(thoughts_n, 0) AS thoughts,
-- Usage that is empty, or gives only totalTokenCount or a lane, is never priced at $0.
usage_object AND (COALESCE(prompt_n > 0 OR candidates_n > 0 OR thoughts_n > 0, FALSE) OR detail OR prompt_detail) AS counted,
-- An agent's own whole event holding an output image is a model turn, usage or not;
-- any other agent event or stream chunk without counts is a piece of a response.
agent_event AND NOT user_event AND NOT partial AND NOT response_id AND images > 0 AS model_turn,
NOT wrapped AND (response_id OR agent_event AND (user_event OR partial OR images = 0)) AS piece,
prompt_json IS NOT NULL AND prompt_n IS NULL OR candidates_json IS NOT NULL AND candidates_n IS NULL
OR thoughts_json IS NOT NULL AND thoughts_n IS NULL OR total_json IS NOT NULL AND total_n IS NULL AS count_wrong
FROM (SELECT *, $COUNTS FROM nb_parsed))))),
nb_sums AS (SELECT period, $BYkind, reason, version, per_image, lane, COUNT(*) AS responses, SUM(images) AS images, SUM(prompt) AS prompt,
SUM(image_out) AS image_out, SUM(text_out) AS text_out, SUM(thoughts) AS thoughts, SUM(queries) AS queries
FROM nb_row GROUP BY period, $BYkind, reason, version, per_image, lane),
-- A version resolves by its name without resource path and @version: exactly (ID, former ID, alias),
-- else by the longest ID or former ID it starts with before a '-'.
nb_resolved AS (SELECT *, IF(m IS NULL, version_name, NULL) AS unknown_version
FROM (SELECT s.*, $MODEL AS m, COALESCE(s.version, '(none)') AS version_name FROM nb_sums AS s LEFT JOIN (
SELECT version, m, ROW_NUMBER() OVER (PARTITION BY version ORDER BY name = bare DESC, LENGTH(name) DESC) AS choice
FROM (SELECT DISTINCT version, LOWER(TRIM(REGEXP_EXTRACT(REGEXP_EXTRACT(TRIM(version), $AFTER_SLASH), $BEFORE_AT))) AS bare FROM nb_sums)
JOIN nb_names ON name = bare OR prefix AND STARTS_WITH(bare, CONCAT(name, '-'))) AS n ON n.version = s.version AND n.choice = 1
WHERE kind = 'usage')),
nb_usage AS (SELECT g.*, model,
CASE WHEN per_image IS NULL THEN 'unknown (no token counts)' WHEN per_image = 0 THEN 'no image'
ELSE COALESCE(size, CONCAT('unknown (', $TEXT_PER_IMAGE, ' tokens/image)')) END AS size,
CASE $PROVISIONEDWHEN per_image IS NULL THEN CONCAT(IF(responses = 1, 'the response gives', 'the responses give'), ' no token counts')
WHEN g.m IS NULL AND model_version = '(none)' THEN 'the responses name no modelVersion: give --model to price them'
WHEN g.m IS NULL THEN 'the model is not in the rate card: pass a card that lists it with --rates'
WHEN r.m IS NULL THEN CONCAT(model, ' has no ', g.lane, ' lane in the rate card (it has ', lanes, ')')$RATE_ARMS
END AS note,
$COST AS cost
FROM (SELECT period, $BYm, unknown_version, per_image, lane, $VERSIONS AS model_version, SUM(responses) AS responses, SUM(images) AS images,
SUM(prompt) AS prompt, SUM(image_out) AS image_out, SUM(text_out) AS text_out, SUM(thoughts) AS thoughts, SUM(queries) AS queries
FROM nb_resolved GROUP BY period, $BYm, unknown_version, per_image, lane) AS g
LEFT JOIN nb_models AS m ON m.m = g.m
LEFT JOIN nb_sizes AS s ON s.m = g.m AND s.tokens = g.per_image
LEFT JOIN nb_rates AS r ON r.m = g.m AND r.lane = g.lane),
-- The versions of the usage rows (as nb_usage groups them) that ran search queries.
nb_grounding AS (SELECT period, m, unknown_version, $VERSIONS AS model_version, SUM(queries) AS queries
FROM (SELECT *, SUM(queries) OVER (PARTITION BY period, $BYm, unknown_version, per_image, lane) AS group_queries FROM nb_resolved)
WHERE group_queries > 0 GROUP BY period, m, unknown_version),
nb_result AS (SELECT period, $BYm, unknown_version, per_image, model, model_version, size, lane, responses, images, prompt,
image_out, text_out, thoughts, IF(note IS NULL, cost, NULL) AS cost, 'usage' AS kind, queries, note FROM nb_usage
UNION ALL SELECT period, $NULL_BYq.m, unknown_version, NULL, model, model_version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
IF(grounding, queries * $PRICE, NULL), 'grounding', queries, CASE WHEN q.m IS NULL THEN 'the model is not in the rate card'
WHEN NOT grounding THEN CONCAT('the rate card gives ', model, ' no Google Search grounding price')$NO_PRICE END
FROM nb_grounding AS q LEFT JOIN nb_models AS m ON m.m = q.m
UNION ALL SELECT period, $NULL_BYNULL, NULL, NULL, NULL, NULL, NULL, NULL, SUM(responses), NULL, NULL, NULL, NULL, NULL, IF(kind = 'malformed', NULL, 0), kind, NULL,
CASE kind WHEN 'error' THEN 'error lines: failed requests, not billed' WHEN 'chunk' THEN 'stream chunks without token counts: counted, never billed'
WHEN 'empty' THEN 'empty rows: nothing to bill' ELSE CONCAT('malformed: ', reason, '; not priced') END
FROM nb_sums WHERE kind <> 'usage' GROUP BY period, kind, reason),
nb_total AS (SELECT period, SUM(IF(kind = 'usage', responses, 0)) AS responses, COALESCE(SUM(images), 0) AS images, COALESCE(SUM(prompt), 0) AS prompt,
COALESCE(SUM(image_out), 0) AS image_out, COALESCE(SUM(text_out), 0) AS text_out, COALESCE(SUM(thoughts), 0) AS thoughts, COALESCE(SUM(cost), 0) AS cost,
SUM(IF(kind = 'usage', queries, 0)) AS queries, SUM(IF(kind = 'usage' AND note IS NOT NULL AND lane <> 'provisioned', responses, 0)) AS unpriced,
SUM(IF(kind = 'grounding' AND note IS NOT NULL, queries, 0)) AS unpriced_queries, SUM(IF(kind = 'malformed', responses, 0)) AS malformed
FROM nb_result GROUP BY period)
SELECT $OUTmodel, model_version, size, lane, responses, images, prompt AS prompt_tokens, image_out AS image_output_tokens,
text_out AS text_output_tokens, thoughts AS thoughts_tokens, cost, kind, queries AS search_queries, note
FROM (SELECT * FROM nb_result UNION ALL SELECT period, $NULL_BYNULL, NULL, NULL, NULL, NULL, NULL, NULL, responses, images, prompt, image_out, text_out,
thoughts, cost, 'total', queries, IF(unpriced + unpriced_queries + malformed > 0, CONCAT('INCOMPLETE: leaves out ', $TEXT_UNPRICED,
' unpriced responses, ', $TEXT_UNPRICED_QUERIES, ' unpriced search queries and ', $TEXT_MALFORMED, ' malformed rows'), NULL) FROM nb_total)
ORDER BY period, $ORDER_BYSTRPOS('usage grounding error chunk malformed empty total', kind), m NULLS LAST, unknown_version,
per_image NULLS FIRST, STRPOS('standard batch flex priority provisioned', lane), note;
"#;

/// The lane of a row that does not say it (no `--lane`): batch for a
/// batch output line, else its `serviceTier`, else its `trafficType`.
const LANE: &str = "CASE WHEN wrapped THEN 'batch'
WHEN tier IN ('STANDARD', 'SERVICE_TIER_STANDARD', 'UNSPECIFIED', 'SERVICE_TIER_UNSPECIFIED') THEN 'standard'
WHEN tier IN ('FLEX', 'SERVICE_TIER_FLEX') THEN 'flex' WHEN tier IN ('PRIORITY', 'SERVICE_TIER_PRIORITY') THEN 'priority'
WHEN traffic = 'ON_DEMAND_FLEX' THEN 'flex' WHEN traffic = 'ON_DEMAND_PRIORITY' THEN 'priority'
WHEN traffic = 'PROVISIONED_THROUGHPUT' THEN 'provisioned' ELSE 'standard' END";

/// What [`RULES`] leaves to the engine, the card and the flags.
fn rules_values(
    d: Dialect,
    card: &RateCard,
    request: &SqlRequest,
    facts: &CardFacts,
    by: &ByColumns,
) -> Result<Vec<(&'static str, String)>, SqlError> {
    let decimal = d.decimal_type();
    let counts: Vec<String> = ["prompt", "candidates", "thoughts", "total"]
        .iter()
        .map(|count| format!("{} AS {count}_n", d.count(&format!("{count}_json"))))
        .collect();
    let model = match &request.model {
        // Rows that name no version are priced as `--model`.
        Some(name) => {
            let fallback = card.resolve(name)?.model;
            let m = card.models.iter().position(|model| std::ptr::eq(model, fallback)).unwrap_or_default();
            format!("IF(s.version IS NULL, {m}, n.m)")
        }
        None => "n.m".to_string(),
    };
    let mut rate_arms = String::new();
    let mut input = "input_rate".to_string();
    let mut text = "text_rate".to_string();
    if facts.input_missing {
        rate_arms.push_str("\nWHEN prompt > 0 AND input_rate IS NULL THEN CONCAT('the rate card gives no ', g.lane, ' input rate for ', model)");
        input = "COALESCE(input_rate, 0)".to_string();
    }
    if facts.text_missing {
        rate_arms.push_str("\nWHEN text_out + thoughts > 0 AND text_rate IS NULL THEN CONCAT('the rate card gives no ', g.lane, ' text output rate for ', model)");
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
            "WHEN g.lane = 'provisioned' THEN 'served on provisioned throughput: billed by the commitment, not per token (not in the total)'\n"
                .to_string(),
        ),
    };
    let period_out = if request.time_column.is_some() { "period, " } else { "" };
    Ok(vec![
        ("$IS_OBJECT", d.is("j", Json::Object)),
        ("$HAS_REQUEST", d.has_member("j", &["$.request", "$.contents"])),
        ("$COUNTS", counts.join(", ")),
        ("$MOD", d.modulo("image_out", "images")),
        ("$DIV", d.quotient("image_out", "images")),
        ("$LANE", lane),
        ("$MODEL", model),
        ("$AFTER_SLASH", d.regexp("[^/]*$")),
        ("$BEFORE_AT", d.regexp("^[^@]*")),
        ("$VERSIONS", d.sorted_list("version_name")),
        ("$TEXT_PER_IMAGE", d.as_text("per_image")),
        ("$TEXT_UNPRICED_QUERIES", d.as_text("unpriced_queries")),
        ("$TEXT_UNPRICED", d.as_text("unpriced")),
        ("$TEXT_MALFORMED", d.as_text("malformed")),
        ("$PROVISIONED", provisioned),
        ("$RATE_ARMS", rate_arms),
        ("$COST", format!("prompt * {input} + image_out * image_rate + (text_out + thoughts) * {text}")),
        ("$PRICE", price),
        ("$NO_PRICE", no_price),
        ("$OUT", format!("{period_out}{}", by.carry)),
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
                format!("COALESCE({},\n{})", label("request"), label("full_request"))
            }
            // Refused before the query is written (`SqlError::ByFile`).
            By::File => format!("CAST(NULL AS {})", d.type_name(Type::Text)),
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

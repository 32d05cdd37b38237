//! The query: `tally`'s rules, line by line, in SQL.
//!
//! It is a chain of CTEs, each reading the one before:
//!
//! 1. `nb_source`, `nb_json`: the column of each row (and its period), as
//!    JSON; text that is not JSON is a malformed row, an empty one an
//!    empty row;
//! 2. `nb_top`, `nb_line`: the line's shape: a batch output line (`{"key",
//!    "response"}`, Vertex AI's `{"request", "response", "status"}`), an
//!    error line (`error`, or `status` as an object or a non-empty string),
//!    a bare response or agent event;
//! 3. `nb_members`, `nb_response`, `nb_usage_members`, `nb_usage`: the
//!    members of the response and of its `usageMetadata` that the bill
//!    needs, camelCase over snake_case, null as absent;
//! 4. `nb_row`: what the row is (`usage`, `chunk`, `error`, `malformed`
//!    with the reason, `empty`), the lane it was served on, its model
//!    version, its output split between the image and the text rate, and
//!    its image tokens per image;
//! 5. `nb_version`, `nb_match`, `nb_resolved`: each distinct model version
//!    resolved to a card model, once;
//! 6. `nb_group`, `nb_priced`: sums per card model (or unknown version),
//!    image tokens per image and lane, each priced once at the lane's
//!    per-token rates, or left unpriced (`NULL`) with the reason;
//! 7. `nb_grounding`: search queries per model at the card's grounding
//!    price; `nb_other`: error, chunk, malformed and empty rows counted;
//!    `nb_total`: the total, marked incomplete where anything is unpriced;
//!    `nb_result`: all of them as one table.
//!
//! The per-row steps (1 to 4) read each object once: DuckDB extracts all
//! the members a step needs in one parse ([`Dialect::pack`]) and keeps
//! each step's rows rather than recomputing them where they are used.

use super::card_tables::{card_tables, price_per_query};
use super::dialect::{Dialect, Field, Json, Type};
use super::{ColumnType, Period, SqlError, SqlRequest};
use crate::card::RateCard;

/// The query text for `request` against `card`.
pub(super) fn write(card: &RateCard, request: &SqlRequest) -> Result<String, SqlError> {
    let d = request.dialect;
    let mut ctes = card_tables(d, card)?;
    ctes.push(source(d, request));
    ctes.push(json(d, request));
    ctes.extend(line(d));
    ctes.extend(response(d));
    ctes.extend(usage(d));
    ctes.push(row(d, request));
    ctes.extend(resolve(d, card, request)?);
    ctes.extend(price(d, card)?);
    let period = if request.time_column.is_some() { "period, " } else { "" };
    Ok(format!(
        "WITH\n{}\nSELECT\n  {period}model, model_version, size, lane, responses, images, prompt_tokens,\n  \
         image_output_tokens, text_output_tokens, thoughts_tokens, cost,\n  \
         kind, search_queries, note\nFROM nb_result\nORDER BY period, kind_order, COALESCE(card_order, 1000000), \
         unknown_version, tokens_per_image NULLS FIRST, lane_order, note;\n",
        ctes.join(",\n")
    ))
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
    let filter =
        request.filter.as_ref().map(|filter| format!("\n  WHERE (\n    {filter}\n  )")).unwrap_or_default();
    d.cte(
        "nb_source",
        &format!(
            "  SELECT {period} AS period, {} AS line\n  FROM {}{filter}",
            d.ident(&request.column),
            d.table(&request.table)
        ),
    )
}

fn json(d: Dialect, request: &SqlRequest) -> String {
    let body = match (d, request.column_type) {
        (Dialect::DuckDb, _) => "  SELECT period,\n    \
             line IS NULL OR trim(CAST(line AS VARCHAR)) = '' AS empty,\n    \
             CASE WHEN json_valid(CAST(line AS VARCHAR)) THEN CAST(CAST(line AS VARCHAR) AS JSON) END AS j\n  \
             FROM nb_source"
            .to_string(),
        (Dialect::BigQuery, ColumnType::String) => "  SELECT period,\n    \
             line IS NULL OR TRIM(line) = '' AS empty,\n    \
             SAFE.PARSE_JSON(line, wide_number_mode => 'round') AS j\n  \
             FROM nb_source"
            .to_string(),
        (Dialect::BigQuery, ColumnType::Json) => {
            "  SELECT period, line IS NULL AS empty, line AS j\n  FROM nb_source".to_string()
        }
    };
    d.cte_once("nb_json", &body)
}

/// Whether `field` is an error: an object, or a non-empty string.
fn is_error(d: Dialect, field: &Field) -> String {
    format!(
        "COALESCE({} OR ({} AND {} <> ''), FALSE)",
        d.field_is(field, Json::Object),
        d.field_is(field, Json::String),
        d.text(&field.value)
    )
}

/// The members of a line that tell its shape.
const TOP: [&str; 11] = [
    "$.key",
    "$.response",
    "$.error",
    "$.status",
    "$.object",
    "$.request",
    "$.contents",
    "$.author",
    "$.invocationId",
    "$.invocation_id",
    "$.partial",
];

fn line(d: Dialect) -> Vec<String> {
    let top = |index| d.field("j", "top", &TOP, index);
    let (key, response, object) = (top(0), top(1), top(4));
    let present = |index| format!("{} IS NOT NULL", top(index).kind);
    let api_object = format!(
        "{} AND {} IN ('interaction', 'chat.completion', 'chat.completion.chunk')",
        d.field_is(&object, Json::String),
        d.text(&object.value)
    );
    let body = format!(
        "  SELECT period, empty, j,\n    \
         COALESCE({is_object}, FALSE) AS is_object,\n    \
         COALESCE(NOT ({key_null} OR {key_string}), FALSE) AS key_wrong,\n    \
         COALESCE({api}, FALSE) AS api_object,\n    \
         {error} OR {status} AS is_error,\n    \
         COALESCE({response_object}, FALSE) AS wrapped,\n    \
         COALESCE(NOT ({response_null} OR {response_object}), FALSE) AS response_wrong,\n    \
         {request} OR {contents} AS has_request,\n    \
         {author} OR {invocation} OR {invocation_snake} AS agent_event,\n    \
         COALESCE({author_string} AND {author_text} = 'user', FALSE) AS user_event,\n    \
         COALESCE({partial_bool} AND {partial_text} = 'true', FALSE) AS partial,\n    \
         CASE WHEN {response_object} THEN {response_value} ELSE j END AS r\n  \
         FROM nb_top",
        is_object = d.is("j", Json::Object),
        key_null = d.field_is(&key, Json::Null),
        key_string = d.field_is(&key, Json::String),
        api = api_object,
        error = is_error(d, &top(2)),
        status = is_error(d, &top(3)),
        response_value = response.value,
        response_object = d.field_is(&response, Json::Object),
        response_null = d.field_is(&response, Json::Null),
        request = present(5),
        contents = present(6),
        author = present(7),
        invocation = present(8),
        invocation_snake = present(9),
        author_string = d.field_is(&top(7), Json::String),
        author_text = d.text(&top(7).value),
        partial_bool = d.field_is(&top(10), Json::Boolean),
        partial_text = d.text(&top(10).value),
    );
    vec![
        d.cte_once(
            "nb_top",
            &format!("  SELECT period, empty, j{}\n  FROM nb_json", d.pack("j", "top", &TOP)),
        ),
        d.cte_once("nb_line", &body),
    ]
}

/// Whether the part `p` is an output image: an `inlineData` object whose
/// MIME type starts with `image/` (or gives none as a string), not marked
/// `"thought": true`.
fn is_image_part(d: Dialect, part: &str) -> String {
    let inline = d.cased(part, "inlineData", "inline_data");
    let mime = d.cased(&inline, "mimeType", "mime_type");
    let thought = d.at(part, "$.thought");
    format!(
        "COALESCE({inline_object}, FALSE) AND COALESCE(CASE WHEN {mime_string} THEN STARTS_WITH(LOWER({mime_text}), 'image/') END, TRUE) AND NOT COALESCE({thought_bool} AND {thought_text} = 'true', FALSE)",
        inline_object = d.is(&inline, Json::Object),
        mime_string = d.is(&mime, Json::String),
        mime_text = d.text(&mime),
        thought_bool = d.is(&thought, Json::Boolean),
        thought_text = match d {
            Dialect::BigQuery => format!("JSON_VALUE({thought})"),
            Dialect::DuckDb => format!("CAST({thought} AS VARCHAR)"),
        },
    )
}

/// Image parts in `content.parts` of the JSON `holder` (a candidate, or an
/// agent event's top level).
fn images_in_content(d: Dialect, holder: &str, part: &str) -> String {
    let parts = d.at(holder, "$.content.parts");
    d.sum_over(&parts, part, &format!("CASE WHEN {} THEN 1 ELSE 0 END", is_image_part(d, part)))
}

/// The members of a response the bill needs, in both spellings.
const MEMBERS: [&str; 8] = [
    "$.usageMetadata",
    "$.usage_metadata",
    "$.modelVersion",
    "$.model_version",
    "$.candidates",
    "$.content",
    "$.responseId",
    "$.response_id",
];

fn response(d: Dialect) -> Vec<String> {
    let member = |index| d.field("r", "m", &MEMBERS, index);
    let usage = d.either(&member(0), &member(1));
    let version = d.either(&member(2), &member(3));
    let (candidates, content) = (member(4), member(5));
    let string_or_null =
        |field: Field| format!("CASE WHEN {} THEN {} END", d.field_is(&field, Json::String), field.value);
    let grounding = d.cased("c", "groundingMetadata", "grounding_metadata");
    let queries = d.cased(&grounding, "webSearchQueries", "web_search_queries");
    let queries_in = format!(
        "CASE WHEN {} THEN {} ELSE 0 END",
        d.is(&grounding, Json::Object),
        d.sum_over(&queries, "q", "1")
    );
    let body = format!(
        "  SELECT *,\n    \
         CASE WHEN {usage_given} THEN {usage_value} END AS u,\n    \
         {usage_given} AS usage_given,\n    \
         COALESCE({usage_object}, FALSE) AS usage_object,\n    \
         {version_given} AS version_given,\n    \
         CASE WHEN {version_string} THEN {version_text} END AS version,\n    \
         {candidates_given} OR {content_given} AS candidates_present,\n    \
         CASE WHEN {candidates_given} THEN {candidate_images} ELSE {content_images} END AS images,\n    \
         CASE WHEN {candidates_given} THEN {search_queries} ELSE 0 END AS search_queries,\n    \
         COALESCE({response_id}, {response_id_snake}) IS NOT NULL AS has_response_id,\n    \
         {usage_given} OR {version_given} OR {candidates_given} OR {content_given} AS response_present\n  \
         FROM nb_members",
        usage_given = d.given(&usage),
        usage_value = usage.value,
        usage_object = d.field_is(&usage, Json::Object),
        version_given = d.given(&version),
        version_string = d.field_is(&version, Json::String),
        version_text = d.text(&version.value),
        candidates_given = d.given(&candidates),
        content_given = d.given(&content),
        candidate_images = d.sum_over(&candidates.value, "c", &images_in_content(d, "c", "p")),
        // An agent event holds its parts in its own `content`.
        content_images = images_in_content(d, "r", "p"),
        search_queries = d.sum_over(&candidates.value, "c", &queries_in),
        response_id = string_or_null(member(6)),
        response_id_snake = string_or_null(member(7)),
    );
    vec![
        d.cte_once("nb_members", &format!("  SELECT *{}\n  FROM nb_line", d.pack("r", "m", &MEMBERS))),
        d.cte_once("nb_response", &body),
    ]
}

/// The token count `field` of `usageMetadata`: its value, and whether it
/// is written but is no non-negative integer.
fn count(d: Dialect, field: &Field) -> (String, String) {
    let integer = d.field_integer(field);
    (format!("COALESCE({integer}, 0)"), format!("({} AND COALESCE({integer} < 0, TRUE))", d.given(field)))
}

/// The sum of `modality` entries of a `*TokensDetails` array, and whether
/// an entry is unreadable (not an object, or a count that is not one).
fn details(d: Dialect, details: &str, modality: &str) -> (String, String) {
    let tokens = d.cased("e", "tokenCount", "token_count");
    let integer = d.integer(&tokens);
    let modality_of = d.at("e", "$.modality");
    let sum = d.sum_over(
        details,
        "e",
        &format!(
            "CASE WHEN {} AND {} = '{modality}' THEN COALESCE({integer}, 0) ELSE 0 END",
            d.is(&modality_of, Json::String),
            d.text(&modality_of)
        ),
    );
    let bad = d.any_over(
        details,
        "e",
        &format!(
            "NOT COALESCE({}, FALSE) OR ({tokens} IS NOT NULL AND COALESCE({integer} < 0, TRUE))",
            d.is("e", Json::Object)
        ),
    );
    (sum, bad)
}

/// The members of `usageMetadata` the bill needs, in both spellings.
const USAGE: [&str; 16] = [
    "$.promptTokenCount",
    "$.prompt_token_count",
    "$.candidatesTokenCount",
    "$.candidates_token_count",
    "$.thoughtsTokenCount",
    "$.thoughts_token_count",
    "$.totalTokenCount",
    "$.total_token_count",
    "$.promptTokensDetails",
    "$.prompt_tokens_details",
    "$.candidatesTokensDetails",
    "$.candidates_tokens_details",
    "$.serviceTier",
    "$.service_tier",
    "$.trafficType",
    "$.traffic_type",
];

fn usage(d: Dialect) -> Vec<String> {
    let member =
        |index: usize| d.either(&d.field("u", "um", &USAGE, index), &d.field("u", "um", &USAGE, index + 1));
    let (prompt, prompt_bad) = count(d, &member(0));
    let (candidates, candidates_bad) = count(d, &member(2));
    let (thoughts, thoughts_bad) = count(d, &member(4));
    let (total, total_bad) = count(d, &member(6));
    let (prompt_details, candidate_details) = (member(8), member(10));
    let (image, image_bad) = details(d, &candidate_details.value, "IMAGE");
    let (text, _) = details(d, &candidate_details.value, "TEXT");
    let (_, prompt_details_bad) = details(d, &prompt_details.value, "TEXT");
    let upper = |field: Field| {
        format!("CASE WHEN {} THEN UPPER({}) END", d.field_is(&field, Json::String), d.text(&field.value))
    };
    let body = format!(
        "  SELECT *,\n    \
         {prompt} AS prompt_tokens,\n    \
         {candidates} AS candidates_tokens,\n    \
         {thoughts} AS thoughts_tokens,\n    \
         {total} AS total_tokens,\n    \
         {image} AS detail_image_tokens,\n    \
         {text} AS detail_text_tokens,\n    \
         {cd_given} AS details_present,\n    \
         {pd_given} AS prompt_details_present,\n    \
         {prompt_bad} OR {candidates_bad} OR {thoughts_bad} OR {total_bad} AS count_wrong,\n    \
         ({cd_given} AND NOT COALESCE({cd_array}, FALSE))\n      \
         OR ({pd_given} AND NOT COALESCE({pd_array}, FALSE)) AS details_wrong,\n    \
         {image_bad} OR {prompt_details_bad} AS detail_entry_wrong,\n    \
         {tier_upper} AS service_tier,\n    \
         {traffic_upper} AS traffic_type\n  \
         FROM nb_usage_members",
        cd_given = d.given(&candidate_details),
        pd_given = d.given(&prompt_details),
        cd_array = d.field_is(&candidate_details, Json::Array),
        pd_array = d.field_is(&prompt_details, Json::Array),
        tier_upper = upper(member(12)),
        traffic_upper = upper(member(14)),
    );
    vec![
        d.cte_once(
            "nb_usage_members",
            &format!("  SELECT *{}\n  FROM nb_response", d.pack("u", "um", &USAGE)),
        ),
        d.cte_once("nb_usage", &body),
    ]
}

fn row(d: Dialect, request: &SqlRequest) -> String {
    let tier = "CASE WHEN STARTS_WITH(service_tier, 'SERVICE_TIER_') THEN SUBSTR(service_tier, 14) ELSE service_tier END";
    let lane = match request.lane {
        Some(lane) => format!("'{}'", lane.name()),
        None => format!(
            "CASE\n      WHEN wrapped THEN 'batch'\n      \
             WHEN ({tier}) IN ('STANDARD', 'UNSPECIFIED') THEN 'standard'\n      \
             WHEN ({tier}) = 'FLEX' THEN 'flex'\n      \
             WHEN ({tier}) = 'PRIORITY' THEN 'priority'\n      \
             WHEN traffic_type = 'ON_DEMAND' THEN 'standard'\n      \
             WHEN traffic_type = 'ON_DEMAND_FLEX' THEN 'flex'\n      \
             WHEN traffic_type = 'ON_DEMAND_PRIORITY' THEN 'priority'\n      \
             WHEN traffic_type = 'PROVISIONED_THROUGHPUT' THEN 'provisioned'\n      \
             ELSE 'standard'\n    END"
        ),
    };
    // A count that prices: a usage block that is empty, or gives only
    // `totalTokenCount` or a lane, cannot be split into input, image and
    // text, and is not priced (never $0).
    let has_counts = "(prompt_tokens > 0 OR candidates_tokens > 0 OR thoughts_tokens > 0 \
                      OR details_present OR prompt_details_present)";
    // An agent's own whole event holding an output image is a model turn,
    // usage or not; any other agent event or stream chunk without counts
    // is a piece of a response.
    let model_turn =
        "(agent_event AND NOT user_event AND NOT partial AND NOT has_response_id AND images > 0)";
    let piece = format!("(NOT wrapped AND (has_response_id OR agent_event) AND NOT {model_turn})");
    let body = format!(
        "  SELECT period, lane, kind, reason, version, search_queries, images,\n    \
         prompt_tokens, thoughts_tokens, image_output_tokens, text_output_tokens,\n    \
         CASE WHEN NOT counted THEN NULL\n      \
         WHEN images > 1 AND {modulo} = 0 THEN {quotient}\n      \
         ELSE image_output_tokens END AS tokens_per_image\n  \
         FROM (\n    \
         SELECT *,\n    \
         CASE WHEN kind = 'usage' THEN {lane} END AS lane,\n    \
         COALESCE(usage_object AND {has_counts}, FALSE) AS counted,\n    \
         CASE\n      WHEN details_present THEN detail_image_tokens\n      \
         WHEN images > 0 OR NOT candidates_present THEN candidates_tokens\n      \
         ELSE 0 END AS image_output_tokens,\n    \
         CASE\n      WHEN details_present THEN GREATEST(detail_text_tokens, GREATEST(candidates_tokens - detail_image_tokens, 0))\n      \
         WHEN images > 0 OR NOT candidates_present THEN 0\n      \
         ELSE candidates_tokens END AS text_output_tokens\n    \
         FROM (\n      \
         SELECT *,\n      \
         CASE\n        \
         WHEN empty THEN 'empty'\n        \
         WHEN j IS NULL OR NOT is_object OR key_wrong OR api_object OR (NOT is_error AND (\n          \
         response_wrong OR NOT (wrapped OR response_present OR agent_event)\n          \
         OR (version_given AND version IS NULL)\n          \
         OR (u IS NOT NULL AND (NOT usage_object OR count_wrong OR details_wrong OR detail_entry_wrong))\n          \
         OR (u IS NULL AND NOT {piece} AND NOT {model_turn}))) THEN 'malformed'\n        \
         WHEN is_error THEN 'error'\n        \
         WHEN {piece} AND NOT COALESCE(usage_object AND {has_counts}, FALSE) THEN 'chunk'\n        \
         ELSE 'usage' END AS kind,\n      \
         CASE\n        \
         WHEN j IS NULL THEN 'not JSON'\n        \
         WHEN NOT is_object THEN 'line is not a JSON object'\n        \
         WHEN key_wrong THEN 'key is not a string'\n        \
         WHEN api_object THEN 'an Interactions or chat completion object: the query reads GenerateContentResponse shapes; tally reads these'\n        \
         WHEN is_error THEN NULL\n        \
         WHEN response_wrong THEN 'response is not an object'\n        \
         WHEN NOT (wrapped OR response_present OR agent_event) AND has_request THEN 'a request, not a response'\n        \
         WHEN NOT (wrapped OR response_present OR agent_event) THEN 'no response or error in the line'\n        \
         WHEN version_given AND version IS NULL THEN 'modelVersion is not a string'\n        \
         WHEN u IS NOT NULL AND NOT usage_object THEN 'usageMetadata is not an object'\n        \
         WHEN u IS NOT NULL AND count_wrong THEN 'a token count is not a non-negative integer'\n        \
         WHEN u IS NOT NULL AND details_wrong THEN 'a *TokensDetails member is not an array'\n        \
         WHEN u IS NOT NULL AND detail_entry_wrong THEN 'a *TokensDetails entry is not an object with a token count'\n        \
         WHEN u IS NULL AND NOT {piece} AND NOT {model_turn} THEN 'no usageMetadata in the response'\n        \
         END AS reason\n      \
         FROM nb_usage\n    ) AS classified\n  ) AS split",
        modulo = d.modulo("image_output_tokens", "images"),
        quotient = d.quotient("image_output_tokens", "images"),
    );
    d.cte_once("nb_row", &body)
}

/// The CTEs that resolve each distinct model version to a card model, as
/// `tally` does: the name without its resource path and `@` version, by
/// exact name (ID, former ID, alias), else by the longest ID or former ID
/// that prefixes it followed by `-`, in any case.
fn resolve(d: Dialect, card: &RateCard, request: &SqlRequest) -> Result<Vec<String>, SqlError> {
    let fallback = match &request.model {
        Some(name) => d.string(&card.resolve(name)?.model.id),
        None => format!("CAST(NULL AS {})", d.type_name(Type::Text)),
    };
    let after_slash = d.regexp_extract("TRIM(version)", "[^/]*$");
    let before_at = d.regexp_extract(&after_slash, "^[^@]*");
    Ok(vec![
        d.cte(
            "nb_version",
            &format!(
                "  SELECT version, LOWER(TRIM({before_at})) AS bare\n  \
                 FROM (SELECT DISTINCT version FROM nb_row WHERE kind = 'usage' AND version IS NOT NULL) AS v"
            ),
        ),
        d.cte(
            "nb_match",
            "  SELECT v.version, n.model_id,\n    \
             ROW_NUMBER() OVER (PARTITION BY v.version\n      \
             ORDER BY CASE WHEN n.name = v.bare THEN 0 ELSE 1 END, n.exact_rank, LENGTH(n.name) DESC, n.prefix_rank DESC) AS choice\n  \
             FROM nb_version AS v CROSS JOIN nb_names AS n\n  \
             WHERE n.name = v.bare OR (n.prefix_rank IS NOT NULL AND STARTS_WITH(v.bare, CONCAT(n.name, '-')))",
        ),
        d.cte(
            "nb_resolved",
            &format!(
                "  SELECT r.*, CASE WHEN r.version IS NULL THEN {fallback} ELSE m.model_id END AS model_id\n  \
                 FROM nb_row AS r\n  \
                 LEFT JOIN (SELECT version, model_id FROM nb_match WHERE choice = 1) AS m ON m.version = r.version\n  \
                 WHERE r.kind = 'usage'"
            ),
        ),
    ])
}

/// The CTEs that sum, price and list: usage rows, grounding rows, the
/// other kinds of row, and the total, as `nb_result`.
fn price(d: Dialect, card: &RateCard) -> Result<Vec<String>, SqlError> {
    let none = "'(none)'";
    let decimal = d.decimal_type();
    let text_type = d.type_name(Type::Text);
    let int_type = d.type_name(Type::Int);
    let null_text = format!("CAST(NULL AS {text_type})");
    let null_int = format!("CAST(NULL AS {int_type})");
    let null_decimal = format!("CAST(NULL AS {decimal})");
    let per_query = match price_per_query(card)? {
        Some(price) => d.decimal(price),
        None => null_decimal.clone(),
    };
    let unknown_key = format!("CASE WHEN model_id IS NULL THEN COALESCE(version, {none}) END");
    Ok(vec![
        d.cte(
            "nb_group",
            &format!(
                "  SELECT period, model_id, {unknown_key} AS unknown_version, tokens_per_image, lane,\n    \
                 {versions} AS model_version,\n    \
                 COUNT(*) AS responses, SUM(images) AS images, SUM(prompt_tokens) AS prompt_tokens,\n    \
                 SUM(image_output_tokens) AS image_output_tokens, SUM(text_output_tokens) AS text_output_tokens,\n    \
                 SUM(thoughts_tokens) AS thoughts_tokens, SUM(search_queries) AS search_queries\n  \
                 FROM nb_resolved\n  \
                 GROUP BY period, model_id, {unknown_key}, tokens_per_image, lane",
                versions = d.sorted_list(&format!("COALESCE(version, {none})")),
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
                 SELECT period, model_id, {unknown_key} AS unknown_version, version, search_queries,\n        \
                 SUM(search_queries) OVER (PARTITION BY period, model_id, {unknown_key}, tokens_per_image, lane) AS group_queries\n      \
                 FROM nb_resolved\n    ) AS s\n    \
                 WHERE group_queries > 0\n    \
                 GROUP BY period, model_id, unknown_version\n  ) AS q\n  \
                 LEFT JOIN nb_models AS m ON m.model_id = q.model_id",
                versions = d.sorted_list(&format!("COALESCE(version, {none})")),
            ),
        ),
        d.cte(
            "nb_other",
            "  SELECT period, kind, reason, COUNT(*) AS lines\n  \
             FROM nb_row WHERE kind <> 'usage'\n  \
             GROUP BY period, kind, reason",
        ),
        d.cte(
            "nb_total",
            "  SELECT period,\n    \
                 SUM(responses) AS responses, SUM(images) AS images, SUM(prompt_tokens) AS prompt_tokens,\n    \
                 SUM(image_output_tokens) AS image_output_tokens, SUM(text_output_tokens) AS text_output_tokens,\n    \
                 SUM(thoughts_tokens) AS thoughts_tokens, SUM(search_queries) AS search_queries,\n    \
                 SUM(cost) AS cost, SUM(unpriced) AS unpriced, SUM(unpriced_queries) AS unpriced_queries, SUM(malformed) AS malformed\n  \
                 FROM (\n    \
                 SELECT period, responses, images, prompt_tokens, image_output_tokens, text_output_tokens, thoughts_tokens, search_queries,\n      \
                 CASE WHEN note IS NULL THEN tokens_cost ELSE 0 END AS cost,\n      \
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
                "  SELECT period, 1 AS kind_order, card_order, unknown_version, tokens_per_image, lane_order,\n    \
                 model_id AS model, model_version, size, lane, responses, images, prompt_tokens,\n    \
                 image_output_tokens, text_output_tokens, thoughts_tokens,\n    \
                 CASE WHEN note IS NULL THEN tokens_cost END AS cost,\n    \
                 'usage' AS kind, search_queries, note\n  \
                 FROM nb_priced\n  \
                 UNION ALL\n  \
                 SELECT period, 2, card_order, unknown_version, {null_int}, {null_int},\n    \
                 model_id, model_version, {null_text}, {null_text}, {null_int}, {null_int}, {null_int},\n    \
                 {null_int}, {null_int}, {null_int},\n    \
                 CASE WHEN note IS NULL THEN queries_cost END,\n    \
                 'grounding', queries, note\n  \
                 FROM nb_grounding\n  \
                 UNION ALL\n  \
                 SELECT period, CASE kind WHEN 'error' THEN 3 WHEN 'chunk' THEN 4 WHEN 'malformed' THEN 5 ELSE 6 END,\n    \
                 {null_int}, {null_text}, {null_int}, {null_int},\n    \
                 {null_text}, {null_text}, {null_text}, {null_text}, lines, {null_int}, {null_int},\n    \
                 {null_int}, {null_int}, {null_int},\n    \
                 CASE WHEN kind = 'malformed' THEN {null_decimal} ELSE CAST(0 AS {decimal}) END,\n    \
                 kind, {null_int},\n    \
                 CASE kind\n      \
                 WHEN 'error' THEN 'error lines: failed requests, not billed'\n      \
                 WHEN 'chunk' THEN 'stream chunks without token counts: counted, never billed'\n      \
                 WHEN 'empty' THEN 'empty rows: nothing to bill'\n      \
                 ELSE CONCAT('malformed: ', reason, '; not priced') END\n  \
                 FROM nb_other\n  \
                 UNION ALL\n  \
                 SELECT period, 7, {null_int}, {null_text}, {null_int}, {null_int},\n    \
                 {null_text}, {null_text}, {null_text}, {null_text}, responses, images, prompt_tokens,\n    \
                 image_output_tokens, text_output_tokens, thoughts_tokens, cost,\n    \
                 'total', search_queries,\n    \
                 CASE WHEN unpriced + unpriced_queries + malformed > 0 THEN CONCAT('INCOMPLETE: leaves out ',\n      \
                 CAST(unpriced AS {text_type}), ' unpriced responses, ', CAST(unpriced_queries AS {text_type}),\n      \
                 ' unpriced search queries and ', CAST(malformed AS {text_type}), ' malformed rows') END\n  \
                 FROM nb_total"
            ),
        ),
    ])
}

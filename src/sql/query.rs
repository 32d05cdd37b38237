//! The query: `tally`'s rules, line by line, in SQL.
//!
//! It is a chain of CTEs, each reading the one before:
//!
//! 1. `nb_source`, `nb_json`: the column of each row (and its period), as
//!    JSON; text that is not JSON is a malformed row, an empty one an
//!    empty row;
//! 2. `nb_line`: the line's shape: a batch output line (`{"key",
//!    "response"}`, Vertex AI's `{"request", "response", "status"}`), an
//!    error line (`error`, or `status` as an object or a non-empty string),
//!    a bare response or agent event;
//! 3. `nb_response`, `nb_usage`: the members of the response and of its
//!    `usageMetadata` that the bill needs, camelCase over snake_case, null
//!    as absent;
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
//!    `nb_total`: the total, marked incomplete where anything is unpriced.

use super::card_tables::{card_tables, price_per_query};
use super::dialect::{Dialect, Json, Type};
use super::{ColumnType, Period, SqlError, SqlRequest};
use crate::card::RateCard;

/// The query text for `request` against `card`.
pub(super) fn write(card: &RateCard, request: &SqlRequest) -> Result<String, SqlError> {
    let d = request.dialect;
    let mut ctes = card_tables(d, card)?;
    ctes.push(source(d, request));
    ctes.push(json(d, request));
    ctes.push(line(d));
    ctes.push(response(d));
    ctes.push(usage(d));
    ctes.push(row(d, request));
    ctes.extend(resolve(d, card, request)?);
    ctes.extend(price(d, card)?);
    let period = if request.time_column.is_some() { "period, " } else { "" };
    Ok(format!(
        "WITH\n{}\nSELECT\n  {period}model, model_version, size, lane, responses, images, prompt_tokens,\n  \
         image_output_tokens, text_output_tokens, thoughts_tokens, cost,\n  \
         kind, search_queries, note\nFROM nb_result\nORDER BY period, kind_order, COALESCE(card_order, 1000000), \
         unknown_version, tokens_per_image, lane_order, note;\n",
        ctes.join(",\n")
    ))
}

fn cte(name: &str, body: &str) -> String {
    format!("{name} AS (\n{body}\n)")
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
    cte(
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
    cte("nb_json", &body)
}

/// Whether the JSON `value` is an error: an object, or a non-empty string.
fn is_error(d: Dialect, value: &str) -> String {
    format!(
        "COALESCE({} OR ({} AND {} <> ''), FALSE)",
        d.is(value, Json::Object),
        d.is(value, Json::String),
        d.text(value)
    )
}

fn line(d: Dialect) -> String {
    let top = |name: &str| d.at("j", &format!("$.{name}"));
    let object = top("object");
    let api_object = format!(
        "{} AND {} IN ('interaction', 'chat.completion', 'chat.completion.chunk')",
        d.is(&object, Json::String),
        d.text(&object)
    );
    let body = format!(
        "  SELECT period, empty, j,\n    \
         COALESCE({is_object}, FALSE) AS is_object,\n    \
         COALESCE(NOT ({key_null} OR {key_string}), FALSE) AS key_wrong,\n    \
         COALESCE({api}, FALSE) AS api_object,\n    \
         {error} OR {status} AS is_error,\n    \
         COALESCE({response_object}, FALSE) AS wrapped,\n    \
         COALESCE(NOT ({response_null} OR {response_object}), FALSE) AS response_wrong,\n    \
         {request} IS NOT NULL OR {contents} IS NOT NULL AS has_request,\n    \
         {author} IS NOT NULL OR {invocation} IS NOT NULL OR {invocation_snake} IS NOT NULL AS agent_event,\n    \
         CASE WHEN {response_object} THEN {response} ELSE j END AS r\n  \
         FROM nb_json",
        is_object = d.is("j", Json::Object),
        key_null = d.is(&top("key"), Json::Null),
        key_string = d.is(&top("key"), Json::String),
        api = api_object,
        error = is_error(d, &top("error")),
        status = is_error(d, &top("status")),
        response = top("response"),
        response_object = d.is(&top("response"), Json::Object),
        response_null = d.is(&top("response"), Json::Null),
        request = top("request"),
        contents = top("contents"),
        author = top("author"),
        invocation = top("invocationId"),
        invocation_snake = top("invocation_id"),
    );
    cte("nb_line", &body)
}

/// Whether the part `p` is an output image: an `inlineData` object whose
/// MIME type starts with `image/` (or gives none as a string), not marked
/// `"thought": true`.
fn is_image_part(d: Dialect, part: &str) -> String {
    let inline = d.cased(part, "inlineData", "inline_data");
    let mime = d.cased(&inline, "mimeType", "mime_type");
    let thought = d.at(part, "$.thought");
    format!(
        "COALESCE({inline_object}, FALSE) AND COALESCE(CASE WHEN {mime_string} THEN STARTS_WITH({mime_text}, 'image/') END, TRUE) AND NOT COALESCE({thought_bool} AND {thought_text} = 'true', FALSE)",
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

fn response(d: Dialect) -> String {
    let candidates = d.present(&d.at("r", "$.candidates"));
    let content = d.present(&d.at("r", "$.content"));
    let string_or_null = |value: String| format!("CASE WHEN {} THEN {value} END", d.is(&value, Json::String));
    let response_id = format!(
        "COALESCE({}, {})",
        string_or_null(d.at("r", "$.responseId")),
        string_or_null(d.at("r", "$.response_id"))
    );
    let grounding = d.cased("c", "groundingMetadata", "grounding_metadata");
    let queries = d.cased(&grounding, "webSearchQueries", "web_search_queries");
    let queries_in = format!(
        "CASE WHEN {} THEN {} ELSE 0 END",
        d.is(&grounding, Json::Object),
        d.sum_over(&queries, "q", "1")
    );
    let body = format!(
        "  SELECT *,\n    \
         {usage} AS u,\n    \
         {version} AS version_json,\n    \
         {candidates} IS NOT NULL OR {content} IS NOT NULL AS candidates_present,\n    \
         CASE WHEN {candidates} IS NOT NULL THEN {candidate_images} ELSE {content_images} END AS images,\n    \
         {search_queries} AS search_queries,\n    \
         {response_id} IS NOT NULL AS has_response_id,\n    \
         {usage} IS NOT NULL OR {version} IS NOT NULL OR {candidates} IS NOT NULL OR {content} IS NOT NULL AS response_present\n  \
         FROM nb_line",
        usage = d.cased("r", "usageMetadata", "usage_metadata"),
        version = d.cased("r", "modelVersion", "model_version"),
        candidate_images = d.sum_over(&candidates, "c", &images_in_content(d, "c", "p")),
        content_images = images_in_content(d, &content, "p"),
        search_queries = d.sum_over(&candidates, "c", &queries_in),
    );
    cte("nb_response", &body)
}

/// The token count `camel`/`snake` of `usageMetadata`: its value, and
/// whether it is written but is no non-negative integer.
fn count(d: Dialect, camel: &str, snake: &str) -> (String, String) {
    let value = d.cased("u", camel, snake);
    let integer = d.integer(&value);
    (format!("COALESCE({integer}, 0)"), format!("({value} IS NOT NULL AND COALESCE({integer} < 0, TRUE))"))
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

fn usage(d: Dialect) -> String {
    let (prompt, prompt_bad) = count(d, "promptTokenCount", "prompt_token_count");
    let (candidates, candidates_bad) = count(d, "candidatesTokenCount", "candidates_token_count");
    let (thoughts, thoughts_bad) = count(d, "thoughtsTokenCount", "thoughts_token_count");
    let (total, total_bad) = count(d, "totalTokenCount", "total_token_count");
    let prompt_details = d.cased("u", "promptTokensDetails", "prompt_tokens_details");
    let candidate_details = d.cased("u", "candidatesTokensDetails", "candidates_tokens_details");
    let (image, image_bad) = details(d, &candidate_details, "IMAGE");
    let (text, _) = details(d, &candidate_details, "TEXT");
    let (_, prompt_details_bad) = details(d, &prompt_details, "TEXT");
    let tier = d.cased("u", "serviceTier", "service_tier");
    let traffic = d.cased("u", "trafficType", "traffic_type");
    let upper =
        |value: &str| format!("CASE WHEN {} THEN UPPER({}) END", d.is(value, Json::String), d.text(value));
    let body = format!(
        "  SELECT *,\n    \
         COALESCE({u_object}, FALSE) AS usage_object,\n    \
         {prompt} AS prompt_tokens,\n    \
         {candidates} AS candidates_tokens,\n    \
         {thoughts} AS thoughts_tokens,\n    \
         {total} AS total_tokens,\n    \
         {image} AS detail_image_tokens,\n    \
         {text} AS detail_text_tokens,\n    \
         {candidate_details} IS NOT NULL AS details_present,\n    \
         {prompt_details} IS NOT NULL AS prompt_details_present,\n    \
         {prompt_bad} OR {candidates_bad} OR {thoughts_bad} OR {total_bad} AS count_wrong,\n    \
         ({candidate_details} IS NOT NULL AND NOT COALESCE({cd_array}, FALSE))\n      \
         OR ({prompt_details} IS NOT NULL AND NOT COALESCE({pd_array}, FALSE)) AS details_wrong,\n    \
         {image_bad} OR {prompt_details_bad} AS detail_entry_wrong,\n    \
         {tier_upper} AS service_tier,\n    \
         {traffic_upper} AS traffic_type\n  \
         FROM nb_response",
        u_object = d.is("u", Json::Object),
        cd_array = d.is(&candidate_details, Json::Array),
        pd_array = d.is(&prompt_details, Json::Array),
        tier_upper = upper(&tier),
        traffic_upper = upper(&traffic),
    );
    cte("nb_usage", &body)
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
    let has_counts = "(prompt_tokens > 0 OR candidates_tokens > 0 OR thoughts_tokens > 0 OR total_tokens > 0 \
                      OR details_present OR prompt_details_present)";
    let piece = "(NOT wrapped AND (has_response_id OR agent_event))";
    let body = format!(
        "  SELECT period, lane, kind, reason, version, search_queries, images,\n    \
         prompt_tokens, thoughts_tokens, image_output_tokens, text_output_tokens,\n    \
         CASE WHEN images > 1 AND {modulo} = 0 THEN {quotient}\n      \
         ELSE image_output_tokens END AS tokens_per_image\n  \
         FROM (\n    \
         SELECT *,\n    \
         CASE WHEN kind = 'usage' THEN {lane} END AS lane,\n    \
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
         OR (version_json IS NOT NULL AND NOT COALESCE({version_string}, FALSE))\n          \
         OR (u IS NOT NULL AND (NOT usage_object OR count_wrong OR details_wrong OR detail_entry_wrong))\n          \
         OR (u IS NULL AND NOT {piece}))) THEN 'malformed'\n        \
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
         WHEN version_json IS NOT NULL AND NOT COALESCE({version_string}, FALSE) THEN 'modelVersion is not a string'\n        \
         WHEN u IS NOT NULL AND NOT usage_object THEN 'usageMetadata is not an object'\n        \
         WHEN u IS NOT NULL AND count_wrong THEN 'a token count is not a non-negative integer'\n        \
         WHEN u IS NOT NULL AND details_wrong THEN 'a *TokensDetails member is not an array'\n        \
         WHEN u IS NOT NULL AND detail_entry_wrong THEN 'a *TokensDetails entry is not an object with a token count'\n        \
         WHEN u IS NULL AND NOT {piece} THEN 'no usageMetadata in the response'\n        \
         END AS reason,\n      \
         CASE WHEN {version_string} THEN {version_text} END AS version\n      \
         FROM nb_usage\n    ) AS classified\n  ) AS split",
        version_string = d.is("version_json", Json::String),
        modulo = d.modulo("image_output_tokens", "images"),
        quotient = d.quotient("image_output_tokens", "images"),
        version_text = d.text("version_json"),
    );
    cte("nb_row", &body)
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
        cte(
            "nb_version",
            &format!(
                "  SELECT version, LOWER(TRIM({before_at})) AS bare\n  \
                 FROM (SELECT DISTINCT version FROM nb_row WHERE kind = 'usage' AND version IS NOT NULL) AS v"
            ),
        ),
        cte(
            "nb_match",
            "  SELECT v.version, n.model_id,\n    \
             ROW_NUMBER() OVER (PARTITION BY v.version\n      \
             ORDER BY CASE WHEN n.name = v.bare THEN 0 ELSE 1 END, n.exact_rank, LENGTH(n.name) DESC, n.prefix_rank DESC) AS choice\n  \
             FROM nb_version AS v CROSS JOIN nb_names AS n\n  \
             WHERE n.name = v.bare OR (n.prefix_rank IS NOT NULL AND STARTS_WITH(v.bare, CONCAT(n.name, '-')))",
        ),
        cte(
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
        cte(
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
        cte(
            "nb_priced",
            &format!(
                "  SELECT g.*, m.card_order, l.lane_order,\n    \
                 CASE WHEN g.tokens_per_image = 0 THEN 'no image'\n      \
                 ELSE COALESCE(s.size, CONCAT('unknown (', CAST(g.tokens_per_image AS {text_type}), ' tokens/image)')) END AS size,\n    \
                 CASE\n      \
                 WHEN g.lane = 'provisioned' THEN 'served on provisioned throughput: billed by the commitment, not per token (not in the total)'\n      \
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
        cte(
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
        cte(
            "nb_other",
            "  SELECT period, kind, reason, COUNT(*) AS lines\n  \
             FROM nb_row WHERE kind <> 'usage'\n  \
             GROUP BY period, kind, reason",
        ),
        cte(
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
        cte(
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

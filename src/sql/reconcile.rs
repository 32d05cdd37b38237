//! `nbcost sql --reconcile --bill-table TABLE`: the billing export beside
//! the priced responses, in the warehouse, by `reconcile`'s rules.
//!
//! The pricing chain ends in `nb_parts` (each period × model × lane ×
//! part the responses cost, as `reconcile` sums the tally's rows); the
//! steps here read the billing export once, map each usage row to the
//! card's first `[[sku]]` rule (its SKU ID's, else its description's, the
//! description glob written as an anchored regular expression), sum the
//! rows per day and mapping (or per SKU where no rule maps), and set both
//! sides beside each other with `reconcile`'s statuses. Tax, adjustments
//! and credits are summed on the total row, never netted into a SKU. The
//! total's status is `reconcile`'s verdict: never a match where responses
//! or bill rows are left out (`incomplete`, with a note counting them),
//! where the bill table holds no row of the two services (`no_bill`), or
//! where every day is still settling (`nothing_settled`).

use rust_decimal::Decimal;
use time::Date;

use super::dialect::{Dialect, Type};
use super::{SqlError, SqlRequest};
use crate::bill::{GEMINI_API, VERTEX_AI};
use crate::card::{RateCard, SkuRule};
use crate::zone::Zone;

/// What the comparison needs besides the card's pricing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileSql {
    /// `--bill-table`: the billing export table.
    pub bill_table: String,
    /// `--tolerance`, in percent.
    pub tolerance_percent: Decimal,
    /// `--tz`: the zone whose days count, where the comparison is by day.
    pub zone: Zone,
    /// `--settle-days`: by day, the days before today the bill may still
    /// revise, left out with today.
    pub settle_days: u64,
    /// The SKU rules of the card in force, then of older cards (as
    /// `History::sku_rules` gives them).
    pub rules: Vec<SkuRule>,
}

impl ReconcileSql {
    /// By day, the last day compared, as `reconcile` takes it: today and
    /// the `settle_days` before it are left out (none for 0; `None` when
    /// that is before the calendar).
    pub(super) fn last_day(&self, today: Date) -> Option<Date> {
        crate::report::reconcile::last_settled_day(today, self.settle_days)
    }
}

/// The whole query: the pricing chain to `nb_grounding`, the parts it
/// prices, and the comparison. By day where `--time-column` gives each
/// response's time (its day in the bill's zone), else over the bill's
/// whole period.
pub(super) fn write(
    card: &RateCard,
    request: &SqlRequest,
    reconcile: &ReconcileSql,
    today: Date,
) -> Result<String, SqlError> {
    let d = request.dialect;
    let pricing = super::query::pricing(card, request)?;
    let per_day = request.time_column.is_some();
    let mut ctes = vec![parts(d, per_day)];
    let (compare, select) = ctes_of(d, &reconcile.rules, reconcile, per_day, reconcile.last_day(today));
    ctes.extend(compare);
    let steps: String = super::query::STEPS
        .iter()
        .chain(&[PARTS_STEP])
        .chain(&STEPS)
        .map(|step| format!("--   {step}\n"))
        .collect();
    Ok(format!(
        "-- CTEs, each reading those before it:\n{steps}WITH\n{pricing},\n{}\n{select}",
        ctes.join(",\n")
    ))
}

/// The step that unpivots the priced groups into parts.
const PARTS_STEP: &str =
    "nb_parts      per period, model, lane and part: what the responses count and cost (search: queries)";

/// `nb_parts`: each priced group's input, image output and text output
/// (text and thinking tokens), and each model's search queries, as
/// `reconcile` sums the tally's rows: a part of a group the card cannot
/// price has a `NULL` cost; responses of no card model, and provisioned
/// ones, are no part. The card's rates are per million tokens.
fn parts(d: Dialect, per_day: bool) -> String {
    let day = if per_day { "period" } else { "CAST(NULL AS DATE)" };
    let per_token = |cost: &str| match d {
        Dialect::DuckDb => format!("CAST({cost} * 0.000001 AS {})", d.decimal_type()),
        Dialect::BigQuery => format!("{cost} * CAST('0.000001' AS {})", d.decimal_type()),
    };
    let part = |name: &str, quantity: &str, cost: &str| {
        format!(
            "  SELECT {day} AS day, model, lane, '{name}' AS part, SUM({quantity}) AS quantity,
    CASE WHEN COUNT(*) = COUNT(CASE WHEN note IS NULL THEN 1 END) THEN SUM({cost}) END AS cost
  FROM nb_usage WHERE model IS NOT NULL AND lane <> 'provisioned'
  GROUP BY {group}model, lane",
            cost = per_token(cost),
            group = if per_day { "period, " } else { "" },
        )
    };
    let text = "text_out + thoughts";
    cte(
        "nb_parts",
        &[
            part("input", "prompt", "prompt * COALESCE(input_rate, 0)"),
            part("image_output", "image_out", "image_out * image_rate"),
            part("text_output", text, &format!("({text}) * COALESCE(text_rate, 0)")),
            format!(
                "  SELECT {day}, model, 'standard', 'search', SUM(queries),
    CASE WHEN COUNT(*) = COUNT(cost) THEN SUM(cost) END
  FROM nb_result WHERE kind = 'grounding' AND model IS NOT NULL
  GROUP BY {group}model",
                group = if per_day { "period, " } else { "" },
            ),
        ]
        .join("\n  UNION ALL\n"),
    )
}

/// The steps of the comparison, for the query's header.
pub(super) const STEPS: [&str; 8] = [
    "nb_sku        the card's [[sku]] rules, in order",
    "nb_export     the export's rows of the Gemini API and Vertex AI, each once, in the card's currency",
    "nb_bill       those of the days compared (by day: the settled ones)",
    "nb_match      each usage row's first rule: its SKU ID's, else its description's",
    "nb_billed     usage summed per day and mapping, or per SKU no rule maps",
    "nb_mapped     each mapping beside the parts it claims, with its status",
    "nb_compared   mapped, unmatched and not-billed rows as one table",
    "nb_verdict    the totals, what is no usage, what is left out, and the verdict",
];

/// A glob of the card (`*` any text, the rest itself, ASCII case
/// ignored) as an anchored regular expression on lower-cased text: every
/// character but letters and digits escaped, so that no text of a card
/// can be read as regular-expression syntax.
pub(super) fn glob_regex(pattern: &str) -> String {
    let mut regex = String::from("^");
    for ch in pattern.trim().chars() {
        match ch {
            '*' => regex.push_str("(?s:.*)"),
            ch if ch.is_ascii_alphanumeric() => regex.push(ch.to_ascii_lowercase()),
            ch if ch.is_ascii() => {
                regex.push('\\');
                regex.push(ch);
            }
            // Outside ASCII, lower-cased as SQL's LOWER does the text: RE2
            // reads it as the character.
            ch => regex.extend(ch.to_lowercase()),
        }
    }
    regex.push('$');
    regex
}

/// Whether `text` matches the regular expression column `regex`.
fn regex_match(d: Dialect, text: &str, regex: &str) -> String {
    match d {
        Dialect::BigQuery => format!("REGEXP_CONTAINS({text}, {regex})"),
        Dialect::DuckDb => format!("regexp_matches({text}, {regex})"),
    }
}

/// The CTE `name` of `body`.
fn cte(name: &str, body: &str) -> String {
    format!("{name} AS (\n{body}\n)")
}

/// The sum of the `amount`s of the export's `credits` array, each read
/// exactly first (a FLOAT64 sum of -0.1 and -0.2 is -0.30000000000000004).
fn credits(d: Dialect) -> String {
    let amount = exact(d, "c.amount");
    match d {
        Dialect::BigQuery => format!("(SELECT SUM({amount}) FROM UNNEST(b.credits) AS c)"),
        Dialect::DuckDb => format!("list_sum([{amount} FOR c IN b.credits])"),
    }
}

/// A number of the export as an exact decimal: read from its shortest
/// text, so that a FLOAT64 `0.0672` is 0.0672, not the binary fraction
/// nearest it.
fn exact(d: Dialect, value: &str) -> String {
    format!("CAST(CAST({value} AS {}) AS {})", d.type_name(Type::Text), d.decimal_type())
}

/// An amount of a bill row (`amount`, an exact decimal of the row) in the
/// card's currency (US dollars): as it is where the row is in dollars (or
/// does not say, `usd`), else divided by the row's conversion `rate` and
/// rounded to 12 decimals, half away from zero, as `reconcile` does. A
/// rate of 0 is none: the amount is then `NULL`, a row left unread.
fn in_card_currency(d: Dialect, amount: &str) -> String {
    let converted = match d {
        Dialect::BigQuery => format!("CAST(ROUND({amount} / rate, 12) AS {})", d.decimal_type()),
        // DuckDB divides decimals in DOUBLE, so the quotient is taken in
        // whole units of 10^-18 (HUGEINT), exactly: a row of more than
        // about 85 million in its currency overflows, and DuckDB says so.
        Dialect::DuckDb => {
            let units = |x: &str| {
                format!("(CAST(trunc({x}) AS HUGEINT) * {E18} + CAST(({x} - trunc({x})) * {E18} AS HUGEINT))")
            };
            let (a, r) = (units(amount), units("rate"));
            format!(
                "CAST(CAST(sign({a}) * ((abs({a}) * 2000000000000 + {r}) // (2 * {r})) AS DECIMAL(38, 0)) \
                 * CAST('0.000000000001' AS DECIMAL(38, 12)) AS {})",
                d.decimal_type()
            )
        }
    };
    format!("CASE WHEN usd THEN {amount} ELSE {converted} END")
}

/// 10^18, the units of a DuckDB decimal of 18 places.
const E18: &str = "1000000000000000000";

/// `|a − b| × 100 ≤ tolerance × max(|a|, |b|)`.
fn within(a: &str, b: &str, tolerance: &str) -> String {
    format!("ABS({a} - {b}) * 100 <= {tolerance} * GREATEST(ABS({a}), ABS({b}))")
}

/// The comparison's CTEs, after the pricing chain's `nb_parts` (columns
/// `day`, `model`, `lane`, `part`, `quantity`, `cost`), and the final
/// `SELECT`. `per_day`: the parts carry days (else `day` is `NULL`).
fn ctes_of(
    d: Dialect,
    rules: &[SkuRule],
    request: &ReconcileSql,
    per_day: bool,
    last_day: Option<Date>,
) -> (Vec<String>, String) {
    let dec = d.decimal_type();
    let text = d.type_name(Type::Text);
    let null_text = format!("CAST(NULL AS {text})");
    let rows: Vec<Vec<String>> = rules
        .iter()
        .enumerate()
        .map(|(order, rule)| {
            let cells = [
                order.to_string(),
                rule.id.as_deref().map_or(null_text.clone(), |id| d.string(&id.trim().to_lowercase())),
                d.string(&glob_regex(&rule.pattern)),
                rule.model.as_deref().map_or(null_text.clone(), |model| d.string(model)),
                d.string(rule.lane.name()),
                d.string(rule.part.name()),
            ];
            vec![format!("({})", cells.join(", "))]
        })
        .collect();
    let columns = [
        ("rule_order", Type::Int),
        ("sku_id", Type::Text),
        ("pattern", Type::Text),
        ("model", Type::Text),
        ("lane", Type::Text),
        ("part", Type::Text),
    ];
    let sku = d.inline_table("nb_sku", &columns, &rows);
    let day = if per_day {
        d.day_in("b.usage_start_time", &request.zone)
    } else {
        "CAST(NULL AS DATE)".to_string()
    };
    // By day, the days past the last settled one are left out, both sides.
    let settled = |column: &str| match (per_day, last_day) {
        (false, _) => "TRUE".to_string(),
        (true, Some(last)) => format!("{column} <= DATE '{last}'"),
        (true, None) => "FALSE".to_string(),
    };
    let export = cte(
        "nb_export",
        &format!(
            "  SELECT ROW_NUMBER() OVER () AS bill_row, day, sku_id, sku, quantity,
    {cost} AS cost, {credit} AS credits, cost_type
  FROM (SELECT {day} AS day, TRIM(b.sku.id) AS sku_id, TRIM(b.sku.description) AS sku,
    {quantity} AS quantity, b.currency IS NULL OR UPPER(b.currency) = 'USD' AS usd,
    {cost_in} AS cost_in, {credits_in} AS credits_in, NULLIF({rate}, 0) AS rate,
    LOWER(COALESCE(b.cost_type, 'regular')) AS cost_type
  FROM {table} AS b
  WHERE b.service.id IN ({gemini}, {vertex})) AS b",
            quantity = exact(d, "b.usage.amount"),
            cost_in = exact(d, "b.cost"),
            credits_in = exact(d, &format!("COALESCE({}, 0)", credits(d))),
            rate = exact(d, "b.currency_conversion_rate"),
            cost = in_card_currency(d, "cost_in"),
            credit = in_card_currency(d, "credits_in"),
            table = d.table(&request.bill_table),
            gemini = d.string(GEMINI_API),
            vertex = d.string(VERTEX_AI),
        ),
    );
    let bill = cte("nb_bill", &format!("  SELECT * FROM nb_export WHERE day IS NULL OR {}", settled("day")));
    let matched = cte(
        "nb_match",
        &format!(
            "  SELECT bill_row, model, lane, part FROM (
    SELECT b.bill_row, r.model, r.lane, r.part,
      ROW_NUMBER() OVER (PARTITION BY b.bill_row
        ORDER BY CASE WHEN r.sku_id = LOWER(b.sku_id) THEN 0 ELSE 1 END, r.rule_order) AS pick
    FROM nb_bill AS b CROSS JOIN nb_sku AS r
    WHERE b.cost_type = 'regular' AND (r.sku_id = LOWER(b.sku_id) OR {matches})
  ) AS ranked
  WHERE pick = 1",
            matches = regex_match(d, "LOWER(b.sku)", "r.pattern"),
        ),
    );
    let billed = cte(
        "nb_billed",
        &format!(
            "  SELECT b.day, COALESCE(CAST(b.day AS {text}), '') AS day_key, m.model, m.lane, m.part,
    CASE WHEN m.part IS NULL THEN b.sku END AS unmatched,
    CASE WHEN m.part IS NULL THEN b.sku_id END AS unmatched_id,
    {skus} AS sku_description, {ids} AS sku_id,
    SUM(b.quantity) AS billed_quantity, SUM(b.cost) AS billed_cost
  FROM nb_bill AS b LEFT JOIN nb_match AS m ON m.bill_row = b.bill_row
  WHERE b.cost_type = 'regular'
  GROUP BY b.day, m.model, m.lane, m.part, CASE WHEN m.part IS NULL THEN b.sku END,
    CASE WHEN m.part IS NULL THEN b.sku_id END",
            skus = d.sorted_list("b.sku"),
            ids = d.sorted_list("b.sku_id"),
        ),
    );
    // A narrow decimal: DuckDB keeps the scales of a product's factors,
    // and two of DECIMAL(38, 18) overflow.
    let tolerance = match d {
        Dialect::BigQuery => format!("CAST('{}' AS NUMERIC)", request.tolerance_percent.normalize()),
        Dialect::DuckDb => format!("CAST('{}' AS DECIMAL(18, 6))", request.tolerance_percent.normalize()),
    };
    let parts_filter = settled("p.day");
    let mapped = cte(
        "nb_mapped",
        &format!(
            "  SELECT s.*, s.billed_cost - s.computed_cost AS difference,
    CASE WHEN NOT ({quantity_ok}) THEN 'quantity'
      WHEN s.computed_cost IS NOT NULL AND NOT ({cost_ok}) THEN 'price' END AS gap
  FROM (
    SELECT b.day, b.sku_description, b.sku_id, b.model, b.lane, b.part, b.billed_quantity, b.billed_cost,
      COALESCE(SUM(p.quantity), 0) AS computed_quantity,
      CASE WHEN COUNT(p.part) = COUNT(p.cost) THEN COALESCE(SUM(p.cost), 0) END AS computed_cost
    FROM nb_billed AS b
    LEFT JOIN nb_parts AS p ON COALESCE(CAST(p.day AS {text}), '') = b.day_key AND p.lane = b.lane
      AND p.part = b.part AND (b.model IS NULL OR p.model = b.model) AND {parts_filter}
    WHERE b.part IS NOT NULL
    GROUP BY b.day, b.sku_description, b.sku_id, b.model, b.lane, b.part, b.billed_quantity, b.billed_cost
  ) AS s",
            quantity_ok = within("s.billed_quantity", "s.computed_quantity", &tolerance),
            cost_ok = within("s.billed_cost", "s.computed_cost", &tolerance),
        ),
    );
    let zero = format!("CAST(0 AS {dec})");
    let compared = cte(
        "nb_compared",
        &format!(
            "  SELECT day, 1 AS kind_order, sku_description, sku_id, model, lane, part, billed_quantity,
    computed_quantity, billed_cost, computed_cost, difference,
    CASE WHEN gap IS NULL THEN 'match' ELSE 'drift' END AS status, gap
  FROM nb_mapped
  UNION ALL
  SELECT day, 2, unmatched, unmatched_id, NULL, NULL, NULL, billed_quantity, NULL, billed_cost, NULL, NULL,
    'unmatched_sku', NULL
  FROM nb_billed WHERE part IS NULL
  UNION ALL
  SELECT p.day, 3, '', NULL, p.model, p.lane, p.part, {zero}, p.quantity, {zero}, p.cost, -p.cost,
    'not_billed', NULL
  FROM nb_parts AS p
  WHERE {parts_filter} AND (p.quantity > 0 OR p.cost <> 0) AND NOT EXISTS (
    SELECT 1 FROM nb_billed AS b
    WHERE b.day_key = COALESCE(CAST(p.day AS {text}), '') AND b.lane = p.lane AND b.part = p.part
      AND (b.model IS NULL OR b.model = p.model))",
        ),
    );
    // As `reconcile`: a bill table with no row of the two services (only
    // other services', or none) is no bill to compare (it refuses), nor is
    // nothing compared while days are still settling: neither is a match
    // of $0; else a mismatch wins (a SKU drifts, an unmatched SKU costs
    // more than the tolerance, each on its own absolute cost, never their
    // sum, in which a -$1 and a +$1 cancel: the largest decides; or the
    // totals differ), and then what is left out (bill rows unread,
    // responses unpriced or unread) makes the total incomplete. The
    // pricing chain's `nb_total` counts the responses left out, every
    // day's, as `tally`'s total does.
    let total = cte(
        "nb_verdict",
        &format!(
            "  SELECT t.*, t.billed_cost - t.computed_cost AS difference,
    t.billed_cost + t.credits + t.tax + t.adjustments + t.other AS net,
    {totals_ok} AS within_tolerance,
    CASE WHEN t.gemini_rows = 0 THEN 'no_bill'
      WHEN t.compared = 0 AND t.settling > 0 THEN 'nothing_settled'
      WHEN NOT (t.drifts = 0 AND t.unmatched_largest * 100 <= {tolerance} * GREATEST(ABS(t.billed_cost), ABS(t.computed_cost))
      AND {totals_ok}) THEN 'mismatch'
      WHEN t.unread + t.unpriced + t.unpriced_queries + t.malformed > 0 THEN 'incomplete'
      ELSE 'match' END AS status,
    CASE WHEN t.gemini_rows = 0
      THEN 'no Gemini API or Vertex AI rows in the bill table: query the billing export of the project that ran the requests'
      WHEN t.compared = 0 AND t.settling > 0
      THEN 'every day is within --settle-days {settle_days} of today: none is settled to compare; write the query with --settle-days 0 to compare them as they stand'
      WHEN t.unread + t.unpriced + t.unpriced_queries + t.malformed > 0
      THEN CONCAT('leaves out unpriced responses: ', {unpriced}, ', unpriced search queries: ', {unpriced_queries},
        ', malformed response lines: ', {malformed}, ', unreadable bill rows: ', {unread}) END AS note
  FROM (
    SELECT
      (SELECT COALESCE(SUM(billed_cost), 0) FROM nb_compared WHERE status <> 'not_billed') AS billed_cost,
      (SELECT COALESCE(SUM(p.cost), 0) FROM nb_parts AS p WHERE {parts_filter}) AS computed_cost,
      (SELECT COUNT(*) FROM nb_compared WHERE status = 'drift') AS drifts,
      (SELECT COUNT(*) FROM nb_bill WHERE quantity IS NULL OR cost IS NULL OR credits IS NULL) AS unread,
      (SELECT COALESCE(SUM(unpriced), 0) FROM nb_total) AS unpriced,
      (SELECT COALESCE(SUM(unpriced_queries), 0) FROM nb_total) AS unpriced_queries,
      (SELECT COALESCE(SUM(malformed), 0) FROM nb_total) AS malformed,
      (SELECT COUNT(*) FROM nb_compared) AS compared,
      (SELECT COUNT(*) FROM nb_export) AS gemini_rows,
      (SELECT COUNT(*) FROM nb_export) - (SELECT COUNT(*) FROM nb_bill)
        + (SELECT COUNT(*) FROM nb_parts AS p WHERE NOT ({parts_filter})) AS settling,
      (SELECT COALESCE(MAX(ABS(billed_cost)), 0) FROM nb_compared WHERE status = 'unmatched_sku') AS unmatched_largest,
      (SELECT COALESCE(SUM(credits), 0) FROM nb_bill) AS credits,
      (SELECT COALESCE(SUM(cost), 0) FROM nb_bill WHERE cost_type = 'tax') AS tax,
      (SELECT COALESCE(SUM(cost), 0) FROM nb_bill WHERE cost_type = 'adjustment') AS adjustments,
      (SELECT COALESCE(SUM(cost), 0) FROM nb_bill WHERE cost_type NOT IN ('regular', 'tax', 'adjustment')) AS other
  ) AS t",
            totals_ok = within("t.billed_cost", "t.computed_cost", &tolerance),
            settle_days = request.settle_days,
            unpriced = d.as_text("t.unpriced"),
            unpriced_queries = d.as_text("t.unpriced_queries"),
            malformed = d.as_text("t.malformed"),
            unread = d.as_text("t.unread"),
        ),
    );
    let select =
        "SELECT CAST(day AS DATE) AS day, kind, sku_description, sku_id, model, lane, part, billed_quantity,
  computed_quantity, billed_cost, computed_cost, difference, status, gap,
  credits, tax, adjustments, other, net, note
FROM (
  SELECT day, kind_order, 'sku' AS kind, sku_description, sku_id, model, lane, part, billed_quantity,
    computed_quantity, billed_cost, computed_cost, difference, status, gap,
    NULL AS credits, NULL AS tax, NULL AS adjustments, NULL AS other, NULL AS net, NULL AS note
  FROM nb_compared
  UNION ALL
  SELECT NULL, 4, 'total', NULL, NULL, NULL, NULL, NULL, NULL, NULL, billed_cost, computed_cost, difference,
    status, NULL, credits, tax, adjustments, other, net, note
  FROM nb_verdict
) AS result
ORDER BY kind_order = 4, day, kind_order, model, lane, part, sku_description;\n"
            .to_string();
    (vec![sku, export, bill, matched, billed, mapped, compared, total], select)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_day_compared_leaves_out_today_and_the_settle_days_before_it() {
        let day = |day: u8| Date::from_calendar_date(2026, time::Month::November, day).unwrap();
        let request = |settle_days: u64| ReconcileSql {
            bill_table: "bill".into(),
            tolerance_percent: Decimal::ONE,
            zone: Zone::utc(),
            settle_days,
            rules: Vec::new(),
        };
        // The default 2 on the 5th: the 3rd and 4th are the two days before
        // it, left out with the 5th; 1 on the 6th leaves out the 5th; 0
        // compares today too.
        assert_eq!(request(2).last_day(day(5)), Some(day(2)));
        assert_eq!(request(1).last_day(day(6)), Some(day(4)));
        assert_eq!(request(0).last_day(day(6)), Some(day(6)));
        assert_eq!(request(u64::MAX).last_day(day(6)), None);
    }

    #[test]
    fn writes_a_glob_as_an_anchored_expression_with_nothing_left_to_read_as_syntax() {
        assert_eq!(glob_regex("Gemini 3 Pro Image*"), "^gemini\\ 3\\ pro\\ image(?s:.*)$");
        assert_eq!(glob_regex("a.b (c)|[d]$'\\"), "^a\\.b\\ \\(c\\)\\|\\[d\\]\\$\\'\\\\$");
        assert_eq!(glob_regex("Ünïcode*"), "^ünïcode(?s:.*)$");
    }
}

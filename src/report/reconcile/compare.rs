//! The SKU by SKU comparison: bill rows summed per mapping (and day), the
//! tally's parts summed alike, and each set beside the other.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::{Gap, ReconcileError, ReconcileRequest, SkuRow, SkuStatus};
use crate::batch::BilledLane;
use crate::bill::{Bill, BillRow, CostType};
use crate::card::{Part, RateCard, SkuRule, find_rule, parse_day};
use crate::lane::Lane;
use crate::money::Money;
use crate::report::tally::{TallyGrounding, TallyReport, TallyRow};
use crate::visible::visible;

/// Where a bill row goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Mapped { model: Option<String>, lane: Lane, part: Part },
    Unmatched { id: Option<String>, description: String },
}

/// The most SKU descriptions (and IDs) a row names; past them it says
/// how many more it sums.
const NAMED_SKUS: usize = 8;

/// The bill rows of one key on one day (or over the whole period: `None`),
/// summed.
pub(super) struct Billed {
    day: Option<Date>,
    key: Key,
    /// The first [`NAMED_SKUS`] descriptions, in bill order.
    descriptions: Vec<String>,
    /// Every description seen, to count the rest once each.
    seen: HashSet<String>,
    ids: Vec<String>,
    quantity: Decimal,
    cost: Money,
}

/// One part computed from the tally, on one day (or over the whole
/// period).
pub(super) struct Computed {
    pub(super) day: Option<Date>,
    model: String,
    lane: Lane,
    part: Part,
    quantity: u64,
    pub(super) cost: Option<Money>,
    used: bool,
}

/// What a bill holds besides usage, summed: never netted into a SKU.
pub(super) struct NotUsage {
    pub(super) credits: Money,
    pub(super) tax: Money,
    pub(super) adjustments: Money,
    pub(super) other: Money,
}

/// The bill's usage rows summed per day and key, in bill order; what is no
/// usage; and what the days left out bill.
pub(super) struct BillSums {
    pub(super) billed: Vec<Billed>,
    pub(super) not_usage: NotUsage,
    /// The usage the days not compared bill, by day.
    pub(super) left_out: BTreeMap<Date, Money>,
}

/// The bills' usage rows summed per key (mapped by `rules`, or unmatched)
/// and per `bucket` (the row's day, or `None` for the whole period), in
/// the card's currency, in bill order. A row whose day `compared` refuses
/// goes to `left_out` instead, and its credits, tax and adjustments with
/// it.
pub(super) fn sum_bills(
    card: &RateCard,
    bills: &[Bill],
    rules: &[SkuRule],
    request: &ReconcileRequest,
    bucket: impl Fn(&Bill, &BillRow) -> Option<Date>,
    compared: impl Fn(Option<Date>) -> bool,
) -> Result<BillSums, ReconcileError> {
    let mut billed: Vec<Billed> = Vec::new();
    // Where each key's sums are in `billed`: a bill of many distinct SKUs
    // (or a hostile one) is summed in one pass, not a search per row.
    let mut index_of: HashMap<(Option<Date>, Key), usize> = HashMap::new();
    let mut not_usage =
        NotUsage { credits: Money::ZERO, tax: Money::ZERO, adjustments: Money::ZERO, other: Money::ZERO };
    let mut left_out: BTreeMap<Date, Money> = BTreeMap::new();
    for bill in bills {
        for row in &bill.rows {
            let money = |amount| {
                in_card_currency(card, bill, row.currency.as_deref(), row.conversion_rate, amount, request)
            };
            let cost = money(row.cost)?;
            let day = bucket(bill, row);
            if !compared(day) {
                if let (Some(day), CostType::Regular) = (day, &row.cost_type) {
                    let sum = left_out.entry(day).or_insert(Money::ZERO);
                    *sum = sum.plus(cost)?;
                }
                continue;
            }
            not_usage.credits = not_usage.credits.plus(money(row.credits)?)?;
            let bucket = match row.cost_type {
                CostType::Regular => None,
                CostType::Tax => Some(&mut not_usage.tax),
                CostType::Adjustment => Some(&mut not_usage.adjustments),
                CostType::RoundingError | CostType::Other(_) => Some(&mut not_usage.other),
            };
            if let Some(bucket) = bucket {
                *bucket = bucket.plus(cost)?;
                continue;
            }
            let key = match find_rule(rules, row.sku_id.as_deref(), &row.sku_description) {
                Some(rule) => Key::Mapped { model: rule.model.clone(), lane: rule.lane, part: rule.part },
                None => Key::Unmatched { id: row.sku_id.clone(), description: row.sku_description.clone() },
            };
            let index = *index_of.entry((day, key.clone())).or_insert_with(|| {
                billed.push(Billed {
                    day,
                    key,
                    descriptions: Vec::new(),
                    seen: Default::default(),
                    ids: Vec::new(),
                    quantity: Decimal::ZERO,
                    cost: Money::ZERO,
                });
                billed.len() - 1
            });
            let group = &mut billed[index];
            if group.seen.insert(row.sku_description.clone()) && group.descriptions.len() < NAMED_SKUS {
                group.descriptions.push(row.sku_description.clone());
            }
            if let Some(id) =
                row.sku_id.as_ref().filter(|id| group.ids.len() < NAMED_SKUS && !group.ids.contains(id))
            {
                group.ids.push(id.clone());
            }
            group.quantity = group.quantity.checked_add(row.usage_amount).ok_or(ReconcileError::Overflow)?;
            group.cost = group.cost.plus(cost)?;
        }
    }
    Ok(BillSums { billed, not_usage, left_out })
}

/// Each model × lane × part the tally priced, over the whole period, with
/// its quantity and cost (search from the tally's grounding).
pub(super) fn computed_parts(tally: &TallyReport) -> Vec<Computed> {
    let mut parts = Parts::default();
    for row in &tally.rows {
        parts.add_row(None, row);
    }
    for grounding in &tally.grounding.models {
        if let Some(model) = &grounding.model {
            parts.add(None, model, Lane::Standard, Part::Search, grounding.queries, grounding.cost);
        }
    }
    parts.parts
}

/// Each day × model × lane × part the tally priced, from its rows by day
/// (`--by day`). A day's search queries are priced on their own, the free
/// queries (`free_queries`) taken off the first days first, as the month's
/// allowance is used up.
pub(super) fn computed_parts_by_day(
    card: &RateCard,
    tally: &TallyReport,
    free_queries: u64,
) -> Result<Vec<Computed>, ReconcileError> {
    let mut parts = Parts::default();
    let mut by_day: BTreeMap<Date, Vec<TallyRow>> = BTreeMap::new();
    for row in &tally.rows {
        let Some(day) = row.attribution.as_deref().and_then(parse_day) else { continue };
        parts.add_row(Some(day), row);
        by_day.entry(day).or_default().push(row.clone());
    }
    let mut free_left = free_queries;
    for (day, rows) in by_day {
        let grounding = TallyGrounding::new(card, &rows, free_left)?;
        free_left -= grounding.free_queries_used;
        for grounding in grounding.models {
            if let Some(model) = &grounding.model {
                parts.add(Some(day), model, Lane::Standard, Part::Search, grounding.queries, grounding.cost);
            }
        }
    }
    Ok(parts.parts)
}

/// Responses the card cannot price (an unknown model, a lane the model
/// lacks, no token counts): they are in no part, so no row compares them
/// and no total holds them; listed so that a reader sees what is left out,
/// and on which day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UnpricedResponses {
    /// The day they were made (`YYYY-MM-DD`), day by day; `null` when the
    /// whole period is compared, or for responses that give no time.
    pub day: Option<String>,
    /// Every `modelVersion` as written in them; `null` stands for
    /// responses that named none.
    pub model_versions: Vec<Option<String>>,
    /// For the responses of the versions the card does not know past the
    /// first 50, which share one entry: how many versions (`model_versions`
    /// is then empty); else 0.
    pub other_versions: u64,
    /// The lane they were billed on.
    pub lane: BilledLane,
    /// How many.
    pub responses: u64,
    /// Why they are not priced.
    pub reason: String,
}

/// The tally's responses the card cannot price, by day when `per_day`.
/// Provisioned throughput is billed by its commitment, not left out.
pub(super) fn unpriced(tally: &TallyReport, per_day: bool) -> Vec<UnpricedResponses> {
    tally
        .rows
        .iter()
        .filter(|row| row.cost.is_none() && row.lane != BilledLane::Provisioned)
        .map(|row| UnpricedResponses {
            day: row.attribution.clone().filter(|_| per_day),
            model_versions: row.model_versions.clone(),
            other_versions: row.other_versions,
            lane: row.lane,
            responses: row.responses,
            reason: row.unpriced_reason.clone().unwrap_or_else(|| "not priced".into()),
        })
        .collect()
}

/// The days of `unpriced`, which a day's parts alone would understate.
pub(super) fn unpriced_days(unpriced: &[UnpricedResponses]) -> BTreeSet<Date> {
    unpriced.iter().filter_map(|responses| responses.day.as_deref().and_then(parse_day)).collect()
}

/// Parts summed as they come, found by their key: a tally of many days
/// and models is summed in one pass, not a search per row.
#[derive(Default)]
struct Parts {
    parts: Vec<Computed>,
    index: HashMap<(Option<Date>, String, Lane, Part), usize>,
}

impl Parts {
    fn add(
        &mut self,
        day: Option<Date>,
        model: &str,
        lane: Lane,
        part: Part,
        quantity: u64,
        cost: Option<Money>,
    ) {
        match self.index.get(&(day, model.to_string(), lane, part)) {
            Some(&at) => {
                let known = &mut self.parts[at];
                known.quantity = known.quantity.saturating_add(quantity);
                known.cost = known.cost.zip(cost).and_then(|(sum, more)| sum.plus(more).ok());
            }
            None => {
                self.index.insert((day, model.to_string(), lane, part), self.parts.len());
                self.parts.push(Computed {
                    day,
                    model: model.to_string(),
                    lane,
                    part,
                    quantity,
                    cost,
                    used: false,
                });
            }
        }
    }

    fn add_row(&mut self, day: Option<Date>, row: &TallyRow) {
        let (Some(model), BilledLane::Lane(lane)) = (&row.model, row.lane) else { return };
        self.add(day, model, lane, Part::Input, row.prompt_tokens, row.input_cost);
        self.add(day, model, lane, Part::ImageOutput, row.image_output_tokens, row.image_output_cost);
        let text = row.text_output_tokens.saturating_add(row.thoughts_tokens);
        self.add(day, model, lane, Part::TextOutput, text, row.text_output_cost);
    }
}

/// Each bill group beside the parts computed on its day, then the
/// unmatched SKUs, then the parts no bill row claims: day by day, in bill
/// order within a day.
///
/// `rows_unread`: whether some bill rows could not be read, which a part
/// with no bill row may be.
pub(super) fn compare(
    billed: Vec<Billed>,
    computed: &mut [Computed],
    tolerance: Decimal,
    rows_unread: bool,
) -> Result<Vec<SkuRow>, ReconcileError> {
    // (day, class, row): mapped 0, unmatched 1, not billed 2.
    let mut rows: Vec<(Option<Date>, u8, SkuRow)> = Vec::new();
    // The parts a bill group may claim, by day, lane and part: each group
    // looks at its own, not at every part.
    let mut by_key: HashMap<(Option<Date>, Lane, Part), Vec<usize>> = HashMap::new();
    for (at, part) in computed.iter().enumerate() {
        by_key.entry((part.day, part.lane, part.part)).or_default().push(at);
    }
    for group in billed {
        let mut description = group.descriptions.join("; ");
        if group.seen.len() > group.descriptions.len() {
            description.push_str(&format!(" (and {} more)", group.seen.len() - group.descriptions.len()));
        }
        let sku_id = (!group.ids.is_empty()).then(|| group.ids.join("; "));
        let day = group.day.map(|day| day.to_string());
        match group.key {
            Key::Mapped { model, lane, part } => {
                let mut quantity = 0u64;
                let mut cost = Some(Money::ZERO);
                let candidates = by_key.get(&(group.day, lane, part)).map_or(&[][..], Vec::as_slice);
                for &at in candidates {
                    let part_computed = &mut computed[at];
                    if model.as_ref().is_some_and(|model| *model != part_computed.model) {
                        continue;
                    }
                    part_computed.used = true;
                    quantity = quantity.saturating_add(part_computed.quantity);
                    cost = match (cost, part_computed.cost) {
                        (Some(sum), Some(more)) => Some(sum.plus(more)?),
                        _ => None,
                    };
                }
                let quantity_ok = within(group.quantity, Decimal::from(quantity), tolerance);
                let cost_ok = cost.map(|cost| within(group.cost.amount(), cost.amount(), tolerance));
                let (status, gap) = match (quantity_ok, cost_ok) {
                    (false, _) => (SkuStatus::Drift, Some(Gap::Quantity)),
                    (true, Some(false)) => (SkuStatus::Drift, Some(Gap::Price)),
                    (true, _) => (SkuStatus::Match, None),
                };
                let note = match (cost, gap) {
                    (None, _) => Some("the responses of this part are not all priced: see `nbcost tally`".into()),
                    (_, Some(Gap::Quantity)) => Some(quantity_note(part)),
                    (_, Some(Gap::Price)) => Some(
                        "the quantities agree and the money does not: check the card's rates against the bill's prices"
                            .into(),
                    ),
                    _ => None,
                };
                let row = SkuRow {
                    day,
                    sku_description: description,
                    sku_id,
                    model,
                    lane: Some(lane),
                    part: Some(part),
                    billed_quantity: group.quantity,
                    computed_quantity: Some(quantity),
                    billed_cost: group.cost,
                    computed_cost: cost,
                    difference: cost.map(|cost| group.cost.minus(cost)).transpose()?,
                    status,
                    gap,
                    note,
                };
                rows.push((group.day, 0, row));
            }
            Key::Unmatched { .. } => {
                let row = SkuRow {
                    day,
                    note: Some(format!(
                        "no [[sku]] rule of the card maps it: add one to a card with pattern = \"{}\", model, lane and part",
                        visible(&description)
                    )),
                    sku_description: description,
                    sku_id,
                    model: None,
                    lane: None,
                    part: None,
                    billed_quantity: group.quantity,
                    computed_quantity: None,
                    billed_cost: group.cost,
                    computed_cost: None,
                    difference: None,
                    status: SkuStatus::UnmatchedSku,
                    gap: None,
                };
                rows.push((group.day, 1, row));
            }
        }
    }
    for part in computed
        .iter()
        .filter(|part| !part.used && (part.quantity > 0 || part.cost.is_some_and(|c| !c.is_zero())))
    {
        let row = SkuRow {
            day: part.day.map(|day| day.to_string()),
            sku_description: String::new(),
            sku_id: None,
            model: Some(part.model.clone()),
            lane: Some(part.lane),
            part: Some(part.part),
            billed_quantity: Decimal::ZERO,
            computed_quantity: Some(part.quantity),
            billed_cost: Money::ZERO,
            computed_cost: part.cost,
            difference: part.cost.map(|cost| Money::ZERO.minus(cost)).transpose()?,
            status: SkuStatus::NotBilled,
            gap: None,
            note: Some(if rows_unread {
                "computed from the responses, with no bill row read: one that could not be read (listed), \
                 or a bill of another project or period?"
                    .into()
            } else {
                "computed from the responses, with no bill row: a bill of another project or period?".into()
            }),
        };
        rows.push((part.day, 2, row));
    }
    // Stable: bill order stays within a day and class.
    rows.sort_by_key(|(day, class, _)| (*day, *class));
    Ok(rows.into_iter().map(|(_, _, row)| row).collect())
}

/// `|a − b| ≤ tolerance% × max(|a|, |b|)`.
pub(super) fn within(a: Decimal, b: Decimal, tolerance_percent: Decimal) -> bool {
    (a - b).abs() * Decimal::ONE_HUNDRED <= tolerance_percent * a.abs().max(b.abs())
}

/// What a quantity gap in `part` usually means.
fn quantity_note(part: Part) -> String {
    match part {
        Part::Input => {
            "input tokens differ: reference images, or requests billed that the log lacks (blocked, failed)"
        }
        Part::ImageOutput => {
            "image tokens differ: a size other than asked (4K for 1K), or responses missing from the log"
        }
        Part::TextOutput => "text output differs: thinking tokens billed and not logged, or text answers",
        Part::Search => "search queries differ: the free allowance, or grounding the log does not show",
    }
    .to_string()
}

/// `amount` of a bill row in the card's currency: as it is where the bill's
/// currency is the card's (or unsaid), else divided by the row's
/// conversion rate (for a card in US dollars) or `--currency-rate`, and
/// kept to 12 decimals.
fn in_card_currency(
    card: &RateCard,
    bill: &Bill,
    currency: Option<&str>,
    row_rate: Option<Decimal>,
    amount: Decimal,
    request: &ReconcileRequest,
) -> Result<Money, ReconcileError> {
    let card_currency = card.meta.currency.as_str();
    let Some(currency) = currency.filter(|currency| !currency.eq_ignore_ascii_case(card_currency)) else {
        return Ok(Money::new(amount));
    };
    let rate = match (row_rate.filter(|_| card_currency == "USD"), request.currency_rate) {
        (Some(rate), _) | (None, Some(rate)) if !rate.is_zero() => rate,
        _ => {
            return Err(ReconcileError::Currency {
                file: format!("`{}`", visible(&bill.source)),
                bill: visible(currency).into_owned(),
                card: card_currency.to_string(),
            });
        }
    };
    let converted = amount.checked_div(rate).ok_or(ReconcileError::Overflow)?;
    // Half away from zero, as SQL's ROUND does it in the query `nbcost sql
    // --reconcile` writes (rust_decimal's own default rounds to even).
    Ok(Money::new(converted.round_dp_with_strategy(12, rust_decimal::RoundingStrategy::MidpointAwayFromZero)))
}

//! `nbcost reconcile`: Google's bill beside the cost `tally` computes from
//! the responses, SKU by SKU.
//!
//! Each bill row of the two Gemini services is mapped by the card's SKU
//! rules ([`find_rule`]) to a model, lane and part; the rows of one mapping
//! are summed and set beside the same part of the tally's rows (input:
//! prompt tokens; image output: image tokens; text output: text and
//! thinking tokens; search: queries). Quantities come first (a gap there
//! is metering: thinking, reference images, blocked requests), then money
//! (a gap there is prices). A bill row no rule maps is listed with its
//! cost, never dropped; a part computed with no bill row is `not_billed`.
//! Tax, adjustments and credits are summed on lines of their own, never
//! netted into the SKUs.
//!
//! The responses nbcost reads carry no times, so the bills' whole period is
//! compared (the report names its first and last day).

use std::collections::HashMap;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::tally::{TallyError, TallyReport, TallyRequest};
use super::{CardInfo, Notice, Outcome, Verdict};
use crate::batch::BilledLane;
use crate::bill::{Bill, BillFormat, CostType};
use crate::card::{Part, RateCard, SkuRule, find_rule};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, Overflow};
use crate::visible::visible;

/// `nbcost reconcile`.
#[derive(Debug, Clone)]
pub struct ReconcileRequest {
    /// `--bill`: the bills, in order.
    pub bills: Vec<PathBuf>,
    /// The responses and how to read them, as `tally` takes them.
    pub tally: TallyRequest,
    /// `--tolerance`: the difference, in percent of the larger side, still
    /// called a match.
    pub tolerance_percent: Decimal,
    /// `--currency-rate`: units of the bill's currency per unit of the
    /// card's, for a bill in another currency that gives no rate itself.
    pub currency_rate: Option<Decimal>,
}

/// Why no reconciliation can be given.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The responses could not be tallied.
    #[error(transparent)]
    Tally(#[from] TallyError),
    /// No bill holds a row of the two Gemini services.
    #[error(
        "no Gemini API or Vertex AI rows in {files}{others}: export the bill of the project that ran the requests"
    )]
    NoGeminiRows {
        /// The bills, named.
        files: String,
        /// `` (it holds Cloud Storage, …)``, where it holds other services.
        others: String,
    },
    /// A bill in another currency than the card's, with no rate.
    #[error(
        "{file} bills in {bill}, the card prices in {card}: give --currency-rate (units of {bill} per {card}), or a card in {bill}"
    )]
    Currency {
        /// The bill.
        file: String,
        /// The bill's currency.
        bill: String,
        /// The card's currency.
        card: String,
    },
    /// A sum outgrew exact arithmetic.
    #[error("the bill's sums are too large to compute exactly")]
    Overflow,
}

impl From<Overflow> for ReconcileError {
    fn from(Overflow: Overflow) -> Self {
        ReconcileError::Overflow
    }
}

impl Kind for ReconcileError {
    fn kind(&self) -> ErrorKind {
        match self {
            ReconcileError::Tally(error) => error.kind(),
            ReconcileError::NoGeminiRows { .. }
            | ReconcileError::Currency { .. }
            | ReconcileError::Overflow => ErrorKind::Input,
        }
    }
}

/// How one SKU (or mapping) compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkuStatus {
    /// Quantity and cost within the tolerance.
    Match,
    /// Quantity or cost beyond the tolerance (`gap` says which).
    Drift,
    /// A bill row the card's SKU rules cannot map: listed with its cost.
    UnmatchedSku,
    /// Computed from the responses, with no bill row.
    NotBilled,
}

/// Which side of a drift differs first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// The quantities differ: metering (thinking, reference images,
    /// blocked requests, queries).
    Quantity,
    /// The quantities agree, the money does not: prices.
    Price,
}

/// One SKU (or the SKUs of one mapping) beside what was computed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SkuRow {
    /// The SKU descriptions as billed (`; `-joined where several map
    /// alike); empty for `not_billed`.
    pub sku_description: String,
    /// Their SKU IDs, where the bill gives them.
    pub sku_id: Option<String>,
    /// The card model; `null` for an unmatched SKU, and for a SKU every
    /// model shares (search).
    pub model: Option<String>,
    /// The lane; `null` for an unmatched SKU.
    pub lane: Option<Lane>,
    /// The part; `null` for an unmatched SKU.
    pub part: Option<Part>,
    /// What the bill counts: tokens (`count`), or queries for search, as
    /// an exact decimal string.
    #[serde(serialize_with = "exact")]
    #[schemars(with = "ExactSchema")]
    pub billed_quantity: Decimal,
    /// What the responses count, alike; `null` for an unmatched SKU.
    pub computed_quantity: Option<u64>,
    /// The bill's cost, before credits, in the card's currency.
    pub billed_cost: Money,
    /// What the responses cost at the card's rates; `null` where it cannot
    /// be priced (see the tally), or for an unmatched SKU.
    pub computed_cost: Option<Money>,
    /// `billed_cost − computed_cost`; `null` where either is.
    pub difference: Option<Money>,
    /// How it compares.
    pub status: SkuStatus,
    /// For a drift: which side differs.
    pub gap: Option<Gap>,
    /// What to do, where there is something to do.
    pub note: Option<String>,
}

/// The bill's total beside the computed one, and what is no usage.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReconcileTotal {
    /// Every usage row of the two services, unmatched included, before
    /// credits.
    pub billed_cost: Money,
    /// The tally's total.
    pub computed_cost: Money,
    /// `billed_cost − computed_cost`.
    pub difference: Money,
    /// Whether the difference is within the tolerance.
    pub within_tolerance: bool,
    /// Credits and savings (0 or negative), never netted into the SKUs.
    pub credits: Money,
    /// Tax rows.
    pub tax: Money,
    /// Adjustment rows.
    pub adjustments: Money,
    /// Rounding-error and other rows that are no usage.
    pub other: Money,
    /// What the bill comes to: billed cost, credits, tax, adjustments and
    /// other rows.
    pub net: Money,
}

/// A bill read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BillInfo {
    /// The file.
    pub file: String,
    /// How it was written.
    pub format: BillFormat,
    /// Its rows of the two Gemini services.
    pub rows: u64,
    /// The first and last usage day of those rows, where they say.
    pub first_day: Option<String>,
    /// See `first_day`.
    pub last_day: Option<String>,
    /// Other services' rows, not read: `DESCRIPTION (ID): N rows`.
    pub other_services: Vec<String>,
}

/// A bill row that could not be read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BadBillRow {
    /// The bill.
    pub file: String,
    /// The line.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// The answer to `nbcost reconcile`. The command exits 8 when the bill and
/// the responses disagree beyond the tolerance (a SKU drifts, an unmatched
/// SKU costs more than the tolerance, or the totals differ), 6 when a bill
/// row could not be read or a response not priced, else 0.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReconcileReport {
    /// The rate card the computed side comes from.
    pub card: CardInfo,
    /// The bills.
    pub bills: Vec<BillInfo>,
    /// What was compared: the bills' whole period, as the responses carry
    /// no times.
    pub compared: String,
    /// `--tolerance`, in percent, as an exact decimal string.
    #[serde(serialize_with = "exact")]
    #[schemars(with = "ExactSchema")]
    pub tolerance_percent: Decimal,
    /// Mapped SKUs in bill order, then unmatched SKUs, then parts not
    /// billed.
    pub rows: Vec<SkuRow>,
    /// The totals.
    pub total: ReconcileTotal,
    /// Whether the tally of the responses is complete.
    pub responses_complete: bool,
    /// Bill rows that could not be read: any makes the reconciliation
    /// incomplete.
    pub malformed_bill_rows: Vec<BadBillRow>,
    /// The tally the computed side comes from.
    #[serde(skip)]
    pub tally: Box<TallyReport>,
    /// Warnings and notes.
    #[serde(skip)]
    pub notices: Vec<Notice>,
}

/// Where a bill row goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Mapped { model: Option<String>, lane: Lane, part: Part },
    Unmatched { id: Option<String>, description: String },
}

/// The most SKU descriptions (and IDs) a row names; past them it says
/// how many more it sums.
const NAMED_SKUS: usize = 8;

/// The bill rows of one key, summed.
struct Billed {
    key: Key,
    /// The first [`NAMED_SKUS`] descriptions, in bill order.
    descriptions: Vec<String>,
    /// Every description seen, to count the rest once each.
    seen: std::collections::HashSet<String>,
    ids: Vec<String>,
    quantity: Decimal,
    cost: Money,
}

/// One part computed from the tally.
struct Computed {
    model: String,
    lane: Lane,
    part: Part,
    quantity: u64,
    cost: Option<Money>,
    used: bool,
}

impl ReconcileReport {
    /// Sets `bills` beside `tally`, with the SKU `rules` (the card's, then
    /// older cards'), as of `today`.
    pub fn build(
        card: &RateCard,
        bills: &[Bill],
        tally: TallyReport,
        rules: &[SkuRule],
        request: &ReconcileRequest,
        today: Date,
    ) -> Result<ReconcileReport, ReconcileError> {
        if let Some(error) = no_gemini_rows(bills) {
            return Err(error);
        }
        let tolerance = request.tolerance_percent;
        let (billed, NotUsage { credits, tax, adjustments, other }) = sum_bills(card, bills, rules, request)?;
        let mut computed = computed_parts(&tally);
        let mut rows = Vec::new();
        let mut unmatched = Vec::new();
        for group in billed {
            let mut description = group.descriptions.join("; ");
            if group.seen.len() > group.descriptions.len() {
                description.push_str(&format!(" (and {} more)", group.seen.len() - group.descriptions.len()));
            }
            let sku_id = (!group.ids.is_empty()).then(|| group.ids.join("; "));
            match group.key {
                Key::Mapped { model, lane, part } => {
                    let mut quantity = 0u64;
                    let mut cost = Some(Money::ZERO);
                    for part_computed in computed.iter_mut().filter(|computed| {
                        computed.lane == lane
                            && computed.part == part
                            && model.as_ref().is_none_or(|model| *model == computed.model)
                    }) {
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
                    rows.push(SkuRow {
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
                    });
                }
                Key::Unmatched { .. } => unmatched.push(SkuRow {
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
                }),
            }
        }
        rows.extend(unmatched);
        for part in computed
            .iter()
            .filter(|part| !part.used && (part.quantity > 0 || part.cost.is_some_and(|c| !c.is_zero())))
        {
            rows.push(SkuRow {
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
                note: Some(
                    "computed from the responses, with no bill row: a bill of another project or period?"
                        .into(),
                ),
            });
        }
        let billed_cost = Money::sum(
            rows.iter().filter(|row| row.status != SkuStatus::NotBilled).map(|row| row.billed_cost),
        )?;
        let computed_cost = tally.total.cost;
        let net = billed_cost.plus(credits)?.plus(tax)?.plus(adjustments)?.plus(other)?;
        let total = ReconcileTotal {
            billed_cost,
            computed_cost,
            difference: billed_cost.minus(computed_cost)?,
            within_tolerance: within(billed_cost.amount(), computed_cost.amount(), tolerance),
            credits,
            tax,
            adjustments,
            other,
            net,
        };
        let malformed_bill_rows = bills
            .iter()
            .flat_map(|bill| {
                bill.malformed.iter().map(|bad| BadBillRow {
                    file: bill.source.clone(),
                    line: bad.line,
                    reason: bad.reason.clone(),
                })
            })
            .collect();
        let days: Vec<Date> = bills.iter().flat_map(|bill| &bill.rows).filter_map(|row| row.day).collect();
        let compared = match (days.iter().min(), days.iter().max()) {
            (Some(first), Some(last)) => {
                format!("the bills' whole period, {first} to {last}: the responses carry no times")
            }
            _ => {
                "the bills' whole period (their rows give no days): the responses carry no times".to_string()
            }
        };
        let mut notices = tally.notices.clone();
        notices.retain(|notice| matches!(notice, Notice::Warning(_)));
        Ok(ReconcileReport {
            card: CardInfo::new(card, today),
            bills: bills.iter().map(bill_info).collect(),
            compared,
            tolerance_percent: tolerance,
            rows,
            total,
            responses_complete: tally.total.complete,
            malformed_bill_rows,
            tally: Box::new(tally),
            notices,
        })
    }

    /// Why the bill and the responses disagree beyond the tolerance, if
    /// they do: the SKUs that drift, an unmatched SKU that costs more than
    /// the tolerance, or totals apart.
    pub fn mismatch(&self) -> Option<String> {
        let tolerance = self.tolerance_percent;
        let drift: Vec<&SkuRow> = self.rows.iter().filter(|row| row.status == SkuStatus::Drift).collect();
        let larger = self.total.billed_cost.amount().abs().max(self.total.computed_cost.amount().abs());
        let unmatched = self
            .rows
            .iter()
            .filter(|row| row.status == SkuStatus::UnmatchedSku)
            .map(|row| row.billed_cost.amount())
            .sum::<Decimal>();
        let unmatched_over = unmatched.abs() * Decimal::ONE_HUNDRED > tolerance * larger;
        let currency = &self.card.currency;
        let mut parts = Vec::new();
        if !drift.is_empty() {
            let first = drift[0];
            parts.push(format!(
                "{} beyond {tolerance}% (first: {} {})",
                crate::count::counted(drift.len() as u64, "SKU drifts", "SKUs drift"),
                first.model.as_deref().unwrap_or("every model"),
                first.part.map_or("", Part::name),
            ));
        }
        if unmatched_over {
            parts.push(format!("unmatched SKUs bill {}", currency.total(Money::new(unmatched))));
        }
        if parts.is_empty() && !self.total.within_tolerance {
            parts.push(format!(
                "the bill's {} and the computed {} differ beyond {tolerance}%",
                currency.total(self.total.billed_cost),
                currency.total(self.total.computed_cost)
            ));
        }
        (!parts.is_empty()).then(|| format!("the bill does not match: {} (see the report)", parts.join("; ")))
    }
}

impl Outcome for ReconcileReport {
    fn verdict(&self) -> Verdict {
        if let Some(reason) = self.mismatch() {
            return Verdict::Mismatch(reason);
        }
        let mut left_out = Vec::new();
        if !self.malformed_bill_rows.is_empty() {
            left_out.push(crate::count::counted(
                self.malformed_bill_rows.len() as u64,
                "malformed bill row",
                "malformed bill rows",
            ));
        }
        if !self.responses_complete {
            left_out.push("responses not all priced".to_string());
        }
        if left_out.is_empty() {
            Verdict::Pass
        } else {
            super::incomplete("the reconciliation is", &left_out.join(", "))
        }
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// Serializes a decimal exactly, without trailing zeros (`5600`, `0.5`).
fn exact<S: serde::Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.normalize().to_string())
}

/// The published schema of a decimal written by [`exact`].
struct ExactSchema;

impl schemars::JsonSchema for ExactSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ExactDecimal".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An exact decimal as a string, without trailing zeros",
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]+)?$"
        })
    }
}

/// The refusal of bills that hold no row of the two Gemini services (and
/// no unreadable row that might have been one), naming what they hold.
fn no_gemini_rows(bills: &[Bill]) -> Option<ReconcileError> {
    if bills.iter().any(|bill| !bill.rows.is_empty() || !bill.malformed.is_empty()) {
        return None;
    }
    let others: Vec<String> = bills
        .iter()
        .flat_map(|bill| &bill.other_services)
        .map(|other| visible(&other.description).into_owned())
        .collect();
    Some(ReconcileError::NoGeminiRows {
        files: bills.iter().map(|bill| format!("`{}`", visible(&bill.source))).collect::<Vec<_>>().join(", "),
        others: if others.is_empty() { String::new() } else { format!(" (it holds {})", others.join(", ")) },
    })
}

/// What a bill holds besides usage, summed: never netted into a SKU.
struct NotUsage {
    credits: Money,
    tax: Money,
    adjustments: Money,
    other: Money,
}

/// The bills' usage rows summed per key (mapped by `rules`, or unmatched),
/// in the card's currency, in bill order; and what is no usage.
fn sum_bills(
    card: &RateCard,
    bills: &[Bill],
    rules: &[SkuRule],
    request: &ReconcileRequest,
) -> Result<(Vec<Billed>, NotUsage), ReconcileError> {
    let mut billed: Vec<Billed> = Vec::new();
    // Where each key's sums are in `billed`: a bill of many distinct SKUs
    // (or a hostile one) is summed in one pass, not a search per row.
    let mut index_of: HashMap<Key, usize> = HashMap::new();
    let mut not_usage =
        NotUsage { credits: Money::ZERO, tax: Money::ZERO, adjustments: Money::ZERO, other: Money::ZERO };
    for bill in bills {
        for row in &bill.rows {
            let money = |amount| {
                in_card_currency(card, bill, row.currency.as_deref(), row.conversion_rate, amount, request)
            };
            let cost = money(row.cost)?;
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
            let index = *index_of.entry(key.clone()).or_insert_with(|| {
                billed.push(Billed {
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
    Ok((billed, not_usage))
}

/// `|a − b| ≤ tolerance% × max(|a|, |b|)`.
fn within(a: Decimal, b: Decimal, tolerance_percent: Decimal) -> bool {
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

/// Each model × lane × part the tally priced, with its quantity and cost.
fn computed_parts(tally: &TallyReport) -> Vec<Computed> {
    let mut parts: Vec<Computed> = Vec::new();
    let mut add = |model: &str, lane: Lane, part: Part, quantity: u64, cost: Option<Money>| match parts
        .iter_mut()
        .find(|known| known.model == model && known.lane == lane && known.part == part)
    {
        Some(known) => {
            known.quantity = known.quantity.saturating_add(quantity);
            known.cost = known.cost.zip(cost).and_then(|(sum, more)| sum.plus(more).ok());
        }
        None => parts.push(Computed { model: model.to_string(), lane, part, quantity, cost, used: false }),
    };
    for row in &tally.rows {
        let (Some(model), BilledLane::Lane(lane)) = (&row.model, row.lane) else { continue };
        add(model, lane, Part::Input, row.prompt_tokens, row.input_cost);
        add(model, lane, Part::ImageOutput, row.image_output_tokens, row.image_output_cost);
        let text = row.text_output_tokens.saturating_add(row.thoughts_tokens);
        add(model, lane, Part::TextOutput, text, row.text_output_cost);
    }
    for grounding in &tally.grounding.models {
        if let Some(model) = &grounding.model {
            add(model, Lane::Standard, Part::Search, grounding.queries, grounding.cost);
        }
    }
    parts
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
    Ok(Money::new(converted.round_dp(12)))
}

fn bill_info(bill: &Bill) -> BillInfo {
    let days: Vec<Date> = bill.rows.iter().filter_map(|row| row.day).collect();
    BillInfo {
        file: bill.source.clone(),
        format: bill.format,
        rows: bill.rows.len() as u64,
        first_day: days.iter().min().map(|day| day.to_string()),
        last_day: days.iter().max().map(|day| day.to_string()),
        other_services: bill
            .other_services
            .iter()
            .map(|other| {
                format!(
                    "{} ({}): {}",
                    other.description,
                    other.id,
                    crate::count::counted(other.rows, "row", "rows")
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;

//! `nbcost reconcile`: Google's bill beside the cost `tally` computes from
//! the responses, SKU by SKU.
//!
//! Each bill row of the two Gemini services is mapped by the card's SKU
//! rules ([`find_rule`](crate::card::find_rule)) to a model, lane and part; the rows of one mapping
//! are summed and set beside the same part of the tally's rows (input:
//! prompt tokens; image output: image tokens; text output: text and
//! thinking tokens; search: queries). Quantities come first (a gap there
//! is metering: thinking, reference images, blocked requests), then money
//! (a gap there is prices). A bill row no rule maps is listed with its
//! cost, never dropped; a part computed with no bill row is `not_billed`.
//! Tax, adjustments and credits are summed on lines of their own, never
//! netted into the SKUs.
//!
//! Where every priced response says when it was made (Vertex AI's
//! `processed_time` or `createTime`), the comparison is day by day, each
//! day in the bill's time zone (`--tz`: Pacific for the console's report),
//! and the days the bill may still revise (`--settle-days`) are left out
//! and listed. Otherwise the bills' whole period is compared, and the
//! report says why. `period` decides which.

use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::tally::{TallyError, TallyReport, TallyRequest};
use super::{CardInfo, Notice, Outcome, Verdict};
use crate::attribution::By;
use crate::batch::{MalformedLine, Sightings};
use crate::bill::{Bill, BillFormat, BillRow};
use crate::card::{Part, RateCard, SkuRule};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, Overflow};
use crate::visible::visible;
use crate::zone::Zone;
pub use compare::UnpricedResponses;
use compare::{BillSums, NotUsage, sum_bills};
use period::Period;
pub use period::{LeftOutDay, last_settled_day};

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
    /// `--tz`: the zone whose days the bill counts.
    pub zone: Zone,
    /// `--settle-days`: the days before today the bill may still revise,
    /// left out of a day-by-day comparison with today
    /// ([`last_settled_day`]).
    pub settle_days: u64,
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
    /// Day by day, every day of the bill and the responses is still within
    /// `--settle-days`: nothing to compare, which is no match of $0.
    #[error(
        "every day the bills and the responses hold ({first} to {last}) is within --settle-days {settle_days} of today: none is settled to compare; give --settle-days 0 to compare them as they stand"
    )]
    NothingSettled {
        /// The first day left out.
        first: String,
        /// The last.
        last: String,
        /// `--settle-days`.
        settle_days: u64,
    },
    /// The console's report, whose days are Pacific, with another `--tz`.
    #[error(
        "{file} is the console's report, whose days are Pacific time (America/Los_Angeles), not {zone}: leave out --tz, or export the bill's rows (billing export) to compare days in {zone}"
    )]
    ConsoleDays {
        /// The bill.
        file: String,
        /// The zone given.
        zone: String,
    },
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
            | ReconcileError::Overflow
            | ReconcileError::NothingSettled { .. } => ErrorKind::Input,
            ReconcileError::ConsoleDays { .. } => ErrorKind::Usage,
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
    /// The day compared (`YYYY-MM-DD` in the report's time zone); `null`
    /// when the bills' whole period is.
    pub day: Option<String>,
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
    /// What was compared, in words: each day (and which were left out), or
    /// the bills' whole period and why.
    pub compared: String,
    /// The time zone of the days (`--tz`), an IANA name.
    pub time_zone: String,
    /// Whether the comparison is day by day: every priced response says
    /// when it was made.
    pub per_day: bool,
    /// The days compared, in order (`YYYY-MM-DD`); empty when the whole
    /// period is.
    pub days: Vec<String>,
    /// Days left out, as the bill may still revise them (`--settle-days`),
    /// with what each bills and what its responses cost; not in the rows
    /// or the totals.
    pub left_out_days: Vec<LeftOutDay>,
    /// `--tolerance`, in percent, as an exact decimal string.
    #[serde(serialize_with = "exact")]
    #[schemars(with = "ExactSchema")]
    pub tolerance_percent: Decimal,
    /// Day by day (or once for the whole period): mapped SKUs in bill
    /// order, then unmatched SKUs, then parts not billed.
    pub rows: Vec<SkuRow>,
    /// The totals.
    pub total: ReconcileTotal,
    /// Whether the tally of the responses is complete.
    pub responses_complete: bool,
    /// The responses the card cannot price, by day and model version, and
    /// why: in no row and no total.
    pub unpriced_responses: Vec<UnpricedResponses>,
    /// Response lines that could not be read (the first 20 listed, all
    /// counted): in no row and no total; any makes the reconciliation
    /// incomplete.
    pub malformed_response_lines: Sightings<MalformedLine>,
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

impl ReconcileRequest {
    /// The tally of the responses the bill is set beside: by the day each
    /// was made, in the bill's zone.
    pub fn tally_request(&self) -> TallyRequest {
        TallyRequest { by: Some(By::Day(self.zone.clone())), ..self.tally.clone() }
    }
}

impl ReconcileReport {
    /// Sets `bills` beside `tally` (read with `--by day` in the request's
    /// zone), with the SKU `rules` (the card's, then older cards'), as of
    /// `today`.
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
        let zone = &request.zone;
        if let Some(bill) =
            bills.iter().find(|bill| bill.format == BillFormat::ConsoleCsv && !zone.is_pacific())
        {
            return Err(ReconcileError::ConsoleDays {
                file: format!("`{}`", visible(&bill.source)),
                zone: visible(zone.name()).into_owned(),
            });
        }
        let tolerance = request.tolerance_percent;
        let period = Period::of(&tally, today, request.settle_days);
        let per_day = period.per_day();
        let bucket = |_: &Bill, row: &BillRow| if per_day { bill_day(zone, row) } else { None };
        let BillSums { billed, not_usage, left_out } =
            sum_bills(card, bills, rules, request, bucket, |day| period.compares(day))?;
        let NotUsage { credits, tax, adjustments, other } = not_usage;
        let mut computed = if per_day {
            compare::computed_parts_by_day(card, &tally, request.tally.free_queries)?
        } else {
            compare::computed_parts(&tally)
        };
        let unpriced_responses = compare::unpriced(&tally, per_day);
        let unpriced_days = compare::unpriced_days(&unpriced_responses);
        let left_out_days = period.left_out_days(left_out, &mut computed, &unpriced_days)?;
        let rows_unread = bills.iter().any(|bill| !bill.malformed.is_empty());
        let rows = compare::compare(billed, &mut computed, tolerance, rows_unread)?;
        if let (true, Some(first), Some(last)) =
            (rows.is_empty(), left_out_days.first(), left_out_days.last())
        {
            return Err(ReconcileError::NothingSettled {
                first: first.day.clone(),
                last: last.day.clone(),
                settle_days: request.settle_days,
            });
        }
        let billed_cost = Money::sum(
            rows.iter().filter(|row| row.status != SkuStatus::NotBilled).map(|row| row.billed_cost),
        )?;
        let computed_cost = if per_day {
            Money::sum(computed.iter().filter(|part| period.compares(part.day)).filter_map(|part| part.cost))?
        } else {
            tally.total.cost
        };
        let net = billed_cost.plus(credits)?.plus(tax)?.plus(adjustments)?.plus(other)?;
        let total = ReconcileTotal {
            billed_cost,
            computed_cost,
            difference: billed_cost.minus(computed_cost)?,
            within_tolerance: compare::within(billed_cost.amount(), computed_cost.amount(), tolerance),
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
        let bill_days: Vec<Date> =
            bills.iter().flat_map(|bill| &bill.rows).filter_map(|row| bill_day(zone, row)).collect();
        let mut notices = tally.notices.clone();
        notices.retain(|notice| matches!(notice, Notice::Warning(_)));
        if let Some(warning) = period.unsettled_warning(&bill_days, request.settle_days) {
            notices.push(Notice::Warning(warning));
        }
        let days: Vec<String> = if per_day {
            let mut days: Vec<&String> = rows.iter().filter_map(|row| row.day.as_ref()).collect();
            days.dedup();
            days.into_iter().cloned().collect()
        } else {
            Vec::new()
        };
        Ok(ReconcileReport {
            card: CardInfo::new(card, today),
            bills: bills.iter().map(|bill| bill_info(zone, bill)).collect(),
            compared: period.describe(&bill_days, &days, &left_out_days, zone, request.settle_days),
            time_zone: zone.name().to_string(),
            per_day,
            days,
            left_out_days,
            tolerance_percent: tolerance,
            rows,
            total,
            responses_complete: tally.total.complete,
            unpriced_responses,
            malformed_response_lines: tally.malformed.clone(),
            malformed_bill_rows,
            tally: Box::new(tally),
            notices,
        })
    }

    /// What the tally of the responses leaves out, in brief (`1 response
    /// not priced, 2 malformed lines skipped`), when it is incomplete.
    pub fn responses_left_out(&self) -> Option<String> {
        if self.responses_complete {
            return None;
        }
        Some(self.tally.left_out_summary().unwrap_or_else(|| "not all priced".to_string()))
    }

    /// Why the bill and the responses disagree beyond the tolerance, if
    /// they do: the SKUs that drift, an unmatched SKU that costs more than
    /// the tolerance (each judged on its own absolute cost), or totals
    /// apart.
    pub fn mismatch(&self) -> Option<String> {
        let tolerance = self.tolerance_percent;
        let drift: Vec<&SkuRow> = self.rows.iter().filter(|row| row.status == SkuStatus::Drift).collect();
        let larger = self.total.billed_cost.amount().abs().max(self.total.computed_cost.amount().abs());
        // Each unmatched SKU on its own size: two that cancel (a -$1 and a
        // +$1) are two SKUs the card cannot map, not a match.
        let unmatched_over: Vec<&SkuRow> = self
            .rows
            .iter()
            .filter(|row| row.status == SkuStatus::UnmatchedSku)
            .filter(|row| row.billed_cost.amount().abs() * Decimal::ONE_HUNDRED > tolerance * larger)
            .collect();
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
        if let Some(first) = unmatched_over.first() {
            parts.push(format!(
                "{} beyond {tolerance}% (first: `{}`, {})",
                crate::count::counted(
                    unmatched_over.len() as u64,
                    "unmatched SKU bills",
                    "unmatched SKUs bill"
                ),
                visible(&first.sku_description),
                currency.total(first.billed_cost),
            ));
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
        let left_out = self.left_out();
        match (self.mismatch(), left_out.is_empty()) {
            (Some(reason), true) => Verdict::Mismatch(reason),
            // What was left out may be why they differ: said with the
            // mismatch, which still decides the exit code.
            (Some(reason), false) => {
                let reason = reason.strip_suffix(" (see the report)").unwrap_or(&reason);
                Verdict::Mismatch(format!(
                    "{reason}; and the reconciliation is INCOMPLETE: {} (see the report)",
                    left_out.join(", ")
                ))
            }
            (None, true) => Verdict::Pass,
            (None, false) => super::incomplete("the reconciliation is", &left_out.join(", ")),
        }
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

impl ReconcileReport {
    /// What the comparison leaves out, each part in words: bill rows that
    /// could not be read, responses not priced or not read.
    pub(crate) fn left_out(&self) -> Vec<String> {
        let mut left_out = Vec::new();
        if !self.malformed_bill_rows.is_empty() {
            left_out.push(crate::count::counted(
                self.malformed_bill_rows.len() as u64,
                "malformed bill row",
                "malformed bill rows",
            ));
        }
        if let Some(responses) = self.responses_left_out() {
            left_out.push(format!("in the responses, {responses}"));
        }
        left_out
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

/// The day of a bill row in `zone`: its usage start's, where it gives an
/// instant (the export), else its day as written (the console's CSV,
/// which counts Pacific days).
fn bill_day(zone: &Zone, row: &BillRow) -> Option<Date> {
    row.start.and_then(|start| zone.day(start)).or(row.day)
}

fn bill_info(zone: &Zone, bill: &Bill) -> BillInfo {
    let days: Vec<Date> = bill.rows.iter().filter_map(|row| bill_day(zone, row)).collect();
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

mod compare;
mod period;
#[cfg(test)]
mod tests;

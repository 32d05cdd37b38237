//! Which period `reconcile` compares: each day, where every priced
//! response says when it was made, with the days the bill may still revise
//! left out; else the bills' whole period.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::{Date, Duration};

use super::ReconcileError;
use super::compare::Computed;
use crate::count::counted;
use crate::money::Money;
use crate::report::tally::TallyReport;
use crate::zone::Zone;

/// A day left out of the comparison: the bill may still revise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LeftOutDay {
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// What the bill's usage rows of the day cost so far, before credits.
    pub billed_cost: Money,
    /// What the responses of the day cost; `null` where a part of them
    /// cannot be priced.
    pub computed_cost: Option<Money>,
}

/// Day by day, the last day compared as of `today`: `--settle-days N`
/// leaves out today and the N days before it (the export lags by up to a
/// day and revises late, and today is not over), so the last day compared
/// is N + 1 days before today; 0 leaves out none, today included, to
/// compare the days as they stand. `None` where that is before the
/// calendar: no day is compared. `sql --reconcile` leaves out the same.
pub fn last_settled_day(today: Date, settle_days: u64) -> Option<Date> {
    if settle_days == 0 {
        return Some(today);
    }
    let days = i64::try_from(settle_days).ok()?.checked_add(1)?;
    today.checked_sub(Duration::days(days))
}

/// What is compared.
pub(super) struct Period {
    /// Whether day by day.
    per_day: bool,
    /// Day by day, the last day compared ([`last_settled_day`]; `None`:
    /// no day is compared).
    last: Option<Date>,
    /// Responses priced, and of them those that say no time.
    responses: u64,
    untimed: u64,
}

impl Period {
    /// The period of `tally` (read `--by day`) as of `today`.
    pub(super) fn of(tally: &TallyReport, today: Date, settle_days: u64) -> Period {
        let responses: u64 = tally.rows.iter().map(|row| row.responses).sum();
        let untimed: u64 =
            tally.rows.iter().filter(|row| row.attribution.is_none()).map(|row| row.responses).sum();
        let last = last_settled_day(today, settle_days);
        Period { per_day: responses > 0 && untimed == 0, last, responses, untimed }
    }

    /// Whether day by day.
    pub(super) fn per_day(&self) -> bool {
        self.per_day
    }

    /// Whether rows of `day` are compared: every row of the whole period;
    /// day by day, the days up to the last settled one (and the rows that
    /// give no day, which no day can leave out).
    pub(super) fn compares(&self, day: Option<Date>) -> bool {
        match day {
            Some(day) if self.per_day => self.last.is_some_and(|last| day <= last),
            _ => true,
        }
    }

    /// The days left out, with what the bill (`billed`) and the responses
    /// (taken out of `computed`) give for each; a day of `unpriced` (with
    /// responses no part holds) has no computed cost.
    pub(super) fn left_out_days(
        &self,
        billed: BTreeMap<Date, Money>,
        computed: &mut Vec<Computed>,
        unpriced: &BTreeSet<Date>,
    ) -> Result<Vec<LeftOutDay>, ReconcileError> {
        let mut days: BTreeMap<Date, (Money, Option<Money>)> =
            billed.into_iter().map(|(day, cost)| (day, (cost, Some(Money::ZERO)))).collect();
        let mut kept = Vec::with_capacity(computed.len());
        for part in computed.drain(..) {
            match part.day {
                Some(day) if !self.compares(Some(day)) => {
                    let (_, sum) = days.entry(day).or_insert((Money::ZERO, Some(Money::ZERO)));
                    *sum = match (*sum, part.cost) {
                        (Some(sum), Some(cost)) => Some(sum.plus(cost)?),
                        _ => None,
                    };
                }
                _ => kept.push(part),
            }
        }
        *computed = kept;
        Ok(days
            .into_iter()
            .map(|(day, (billed_cost, computed_cost))| LeftOutDay {
                day: day.to_string(),
                billed_cost,
                computed_cost: computed_cost.filter(|_| !unpriced.contains(&day)),
            })
            .collect())
    }

    /// Over the whole period, a bill that runs into the days it may still
    /// revise, which responses without times cannot leave out.
    pub(super) fn unsettled_warning(&self, bill_days: &[Date], settle_days: u64) -> Option<String> {
        if self.per_day || settle_days == 0 {
            return None;
        }
        let last_billed = bill_days.iter().max()?;
        if self.last.is_some_and(|last| *last_billed <= last) {
            return None;
        }
        Some(format!(
            "the bill runs to {last_billed}, within --settle-days {settle_days} of today, whose usage Google may still revise, and responses without times cannot be left out of those days: reconcile again after them"
        ))
    }

    /// The period in words.
    pub(super) fn describe(
        &self,
        bill_days: &[Date],
        days: &[String],
        left_out: &[LeftOutDay],
        zone: &Zone,
        settle_days: u64,
    ) -> String {
        let left_out_text = || {
            let named: Vec<&str> = left_out.iter().map(|day| day.day.as_str()).collect();
            format!(
                "left out as the bill may still revise them (--settle-days {settle_days}): {}",
                named.join(", ")
            )
        };
        if self.per_day {
            let compared = match (days.first(), days.last()) {
                (Some(first), Some(last)) => format!(
                    "each day in {}, {first} to {last} ({})",
                    zone.name(),
                    counted(days.len() as u64, "day", "days")
                ),
                _ => format!("no day in {}", zone.name()),
            };
            return if left_out.is_empty() { compared } else { format!("{compared}; {}", left_out_text()) };
        }
        let why = if self.responses == 0 {
            "no response was priced".to_string()
        } else if self.untimed == self.responses {
            "the responses carry no times".to_string()
        } else {
            let verb = if self.untimed == 1 { "gives" } else { "give" };
            format!("{} of {} {verb} no time", counted(self.untimed, "response", "responses"), self.responses)
        };
        let (first, last) = (bill_days.iter().min(), bill_days.iter().max());
        match (first, last) {
            (Some(first), Some(last)) => format!("the bills' whole period, {first} to {last}: {why}"),
            _ => format!("the bills' whole period (their rows give no days): {why}"),
        }
    }
}

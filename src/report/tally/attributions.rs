//! `tally --by`: what each attribution spent, from its rows, and how that
//! stands against its budget where a plan's `[[group]]` gives one.
//!
//! The attributions' costs are those of their rows (tokens); the search
//! queries are priced for the whole tally (`grounding`, where the free
//! allowance is shared), so the attributions plus the grounding cost make
//! the total.

use std::collections::HashMap;

use serde::Serialize;

use super::{TallyError, TallyRow};
use crate::money::{Currency, Money};
use crate::plan::GroupBudget;

/// What one attribution's responses cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AttributionTotal {
    /// The attribution; `null` for the responses the rule found none for,
    /// and for the attributions past the first 1,000.
    pub attribution: Option<String>,
    /// For the attributions past the first 1,000, summed together: how
    /// many there are, counted up to 1,000 (1,000 means at least that
    /// many); else 0.
    pub other_attributions: u64,
    /// Responses.
    pub responses: u64,
    /// Images in them.
    pub images: u64,
    /// Money for its priced responses, exact (search queries are priced
    /// for the whole tally, in `grounding`).
    pub cost: Money,
    /// Whether every response of it is priced.
    pub complete: bool,
    /// Its month's budget, where the plan gives one (`[[group]]`).
    pub monthly_budget: Option<Money>,
    /// The budget less the cost (negative when over); `null` without a
    /// budget.
    pub left: Option<Money>,
    /// Whether the cost is above the budget.
    pub over_budget: bool,
}

impl AttributionTotal {
    /// An attribution that has spent nothing yet.
    fn new(attribution: Option<String>, other_attributions: u64) -> AttributionTotal {
        AttributionTotal {
            attribution,
            other_attributions,
            responses: 0,
            images: 0,
            cost: Money::ZERO,
            complete: true,
            monthly_budget: None,
            left: None,
            over_budget: false,
        }
    }
}

/// Each attribution's total, in the rows' order, then the budgets of
/// groups no response was attributed to (they spent nothing here). Found
/// by a map, so that many rows or many groups cost one pass each.
pub(super) fn totals(
    rows: &[TallyRow],
    budgets: &[GroupBudget],
) -> Result<Vec<AttributionTotal>, TallyError> {
    let mut totals: Vec<AttributionTotal> = Vec::new();
    let mut index_of: HashMap<(Option<String>, u64), usize> = HashMap::new();
    let mut index = |totals: &mut Vec<AttributionTotal>, attribution: &Option<String>, others: u64| {
        *index_of.entry((attribution.clone(), others)).or_insert_with(|| {
            totals.push(AttributionTotal::new(attribution.clone(), others));
            totals.len() - 1
        })
    };
    for row in rows {
        let at = index(&mut totals, &row.attribution, row.other_attributions);
        let total = &mut totals[at];
        total.responses += row.responses;
        total.images += row.images;
        match row.cost {
            Some(cost) => total.cost = total.cost.plus(cost)?,
            None => total.complete &= row.lane == crate::batch::BilledLane::Provisioned,
        }
    }
    for budget in budgets {
        let at = index(&mut totals, &Some(budget.name.clone()), 0);
        let total = &mut totals[at];
        total.monthly_budget = Some(budget.monthly_budget);
        let left = budget.monthly_budget.minus(total.cost)?;
        total.left = Some(left);
        total.over_budget = left.is_negative();
    }
    Ok(totals)
}

/// Why the tally fails its group budgets: the first group over, and how
/// many more are.
pub(super) fn over_budget(totals: &[AttributionTotal], currency: &Currency) -> Option<String> {
    let mut over = totals.iter().filter(|total| total.over_budget);
    let first = over.next()?;
    let (Some(budget), Some(name)) = (first.monthly_budget, &first.attribution) else { return None };
    let more = over.count();
    let also = match more {
        0 => String::new(),
        1 => " (and 1 more group)".to_string(),
        more => format!(" (and {more} more groups)"),
    };
    Some(format!(
        "group `{}` spent {}, above its budget of {}{also}",
        crate::visible::visible(name),
        currency.total(first.cost),
        currency.total(budget)
    ))
}

//! Exit codes, and the one place errors are printed.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (also when stdout is closed early, as by `head`) |
//! | 1 | anything else: an I/O failure, an internal error |
//! | 2 | usage: a bad flag, model, size, lane or count |
//! | 3 | the rate card cannot be read or breaks a rule |
//! | 4 | input data cannot be priced: a plan file that breaks a rule, a batch file that cannot be opened or read, a malformed line under `--strict`, a figure too large to compute exactly |
//! | 5 | over budget: a plan's monthly total is above `--fail-above` |
//! | 6 | the report was written but its total is incomplete: `tally` met responses it cannot price, `estimate` reference images it cannot price |

use std::io::{self, Write};
use std::process::ExitCode;

use nbcost::card::{CardError, UnknownModel};
use nbcost::plan::PlanError;
use nbcost::pricing::PricingError;
use nbcost::report::batch_file::BatchFileError;
use nbcost::report::budget::BudgetError;
use nbcost::report::compare::CompareError;
use nbcost::report::estimate::EstimateError;
use nbcost::report::plan::OverBudget;
use nbcost::report::quote::QuoteError;
use nbcost::report::tally::TallyError;
use time::{Date, Month};

pub const USAGE: u8 = 2;
pub const BAD_CARD: u8 = 3;
pub const BAD_INPUT: u8 = 4;
pub const OVER_BUDGET: u8 = 5;
pub const INCOMPLETE_TOTAL: u8 = 6;

/// A report whose total leaves something out; printed after the report.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IncompleteTotal(pub String);

/// A usage mistake found after parsing (such as a bad `NBCOST_TODAY`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Prints `err` on one line and returns its exit code; a closed stdout is
/// success and prints nothing.
pub fn fail(err: &anyhow::Error, color: bool) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let (start, end) = if color { ("\x1b[1;31m", "\x1b[0m") } else { ("", "") };
    let _ = writeln!(io::stderr(), "{start}error:{end} {err:#}");
    ExitCode::from(code(err))
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

fn code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<CardError>() {
            return BAD_CARD;
        }
        if cause.is::<UnknownModel>() || cause.is::<UsageError>() {
            return USAGE;
        }
        if cause.is::<PlanError>() {
            return BAD_INPUT;
        }
        if cause.is::<OverBudget>() {
            return OVER_BUDGET;
        }
        if cause.is::<IncompleteTotal>() {
            return INCOMPLETE_TOTAL;
        }
        if let Some(file) = cause.downcast_ref::<BatchFileError>() {
            return if file.is_bad_input() { BAD_INPUT } else { 1 };
        }
        match cause.downcast_ref::<TallyError>() {
            Some(TallyError::UnknownModel(_)) => return USAGE,
            Some(TallyError::File(file)) => return if file.is_bad_input() { BAD_INPUT } else { 1 },
            Some(TallyError::Overflow) => return BAD_INPUT,
            None => {}
        }
        match cause.downcast_ref::<EstimateError>() {
            Some(EstimateError::UnknownModel(_)) => return USAGE,
            Some(EstimateError::Pricing(pricing)) => return pricing_code(pricing),
            Some(EstimateError::File(file)) => return if file.is_bad_input() { BAD_INPUT } else { 1 },
            Some(EstimateError::Overflow) => return BAD_INPUT,
            None => {}
        }
        if let Some(pricing) = cause.downcast_ref::<PricingError>() {
            return pricing_code(pricing);
        }
        match cause.downcast_ref::<QuoteError>() {
            Some(QuoteError::UnknownModel(_)) => return USAGE,
            Some(QuoteError::Pricing(pricing)) => return pricing_code(pricing),
            None => {}
        }
        match cause.downcast_ref::<BudgetError>() {
            Some(BudgetError::UnknownModel(_) | BudgetError::NothingToPrice(_)) => return USAGE,
            Some(BudgetError::Pricing(pricing)) => return pricing_code(pricing),
            Some(_) => return BAD_INPUT,
            None => {}
        }
        match cause.downcast_ref::<CompareError>() {
            Some(CompareError::Pricing(pricing)) => return pricing_code(pricing),
            Some(_) => return USAGE,
            None => {}
        }
    }
    1
}

fn pricing_code(err: &PricingError) -> u8 {
    match err {
        PricingError::Overflow { .. } => BAD_INPUT,
        _ => USAGE,
    }
}

/// A `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

//! The `nbcost` binary: parse, run one command, print errors once at the edge.

mod cli;
mod exit;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches};
use time::Date;

use cli::{Args, Command, GlobalArgs, RatesAction, RatesArgs};
use nbcost::card::{CardOrigin, RateCard};
use nbcost::money::counted;
use nbcost::plan::Plan;
use nbcost::render::{self, Format, Report, Style};
use nbcost::report::budget::BudgetReport;
use nbcost::report::compare::CompareReport;
use nbcost::report::diff::DiffReport;
use nbcost::report::estimate::EstimateReport;
use nbcost::report::plan::PlanReport;
use nbcost::report::quote::QuoteReport;
use nbcost::report::rates::{CheckReport, ModelReport, RatesReport};
use nbcost::report::tally::TallyReport;
use nbcost::report::{lifecycle_warning, stale_card_note};

fn main() -> ExitCode {
    let args = parse_args();
    let mut notices = Notices { quiet: args.global.quiet, color: stderr_color(&args.global) };
    match run(&args, &mut notices) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => exit::fail(&err, notices.color),
    }
}

/// Parses the command line.
fn parse_args() -> Args {
    let matches = command().get_matches();
    Args::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
}

/// The clap command, with the embedded card's date in `--version`.
fn command() -> clap::Command {
    let card = RateCard::embedded();
    let version = format!(
        "{} (embedded rate card: {}, checked {})",
        env!("CARGO_PKG_VERSION"),
        card.meta.dated,
        card.meta.checked
    );
    Args::command().version(version)
}

/// Load the card, build the report, render it.
fn run(args: &Args, notices: &mut Notices) -> anyhow::Result<()> {
    match &args.command {
        Command::Completions { shell } => {
            // clap_complete panics on a write error, so it writes to memory first.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command(), "nbcost", &mut script);
            return write_stdout(|out| out.write_all(&script));
        }
        Command::Man => return write_stdout(|out| clap_mangen::Man::new(command()).render(out)),
        _ => {}
    }
    let today = today()?;
    let card = match &args.command {
        Command::Rates(RatesArgs { action: Some(RatesAction::Check { file: Some(path) }) }) => {
            RateCard::from_file(path)?
        }
        _ => load_card(&args.global)?,
    };
    let output = Output { format: args.global.format, style: Style { color: stdout_color(&args.global) } };
    // Set when a plan's total is above --fail-above: the report is printed
    // first, so that a CI log shows it, then the command exits 5.
    let mut over_budget = None;
    // Set when a report was written but its total leaves something out.
    let mut incomplete: Option<exit::IncompleteTotal> = None;
    // Warn about every model named by an ID that no longer answers.
    let named: Vec<&str> = match &args.command {
        Command::Quote(quote) => vec![quote.model.as_str()],
        Command::Compare(compare) => compare.models.iter().map(String::as_str).collect(),
        Command::Rates(RatesArgs { action: Some(RatesAction::Show { model }) }) => vec![model.as_str()],
        Command::Estimate(estimate) => vec![estimate.model.as_str()],
        Command::Tally(tally) => tally.model.iter().map(String::as_str).collect(),
        _ => vec![],
    };
    for name in named {
        if let Some(warning) = card.resolve(name).ok().and_then(|found| lifecycle_warning(found, today)) {
            notices.warn(&warning);
        }
    }
    match &args.command {
        Command::Quote(quote) => output.emit(&QuoteReport::build(&card, &quote.to_request(), today)?),
        Command::Compare(compare) => output.emit(&CompareReport::build(&card, &compare.to_request(), today)?),
        Command::Rates(rates) => match &rates.action {
            None => output.emit(&RatesReport::build(&card, today)),
            Some(RatesAction::Show { model }) => output.emit(&ModelReport::build(&card, model, today)?),
            Some(RatesAction::Check { .. }) => {
                output.emit(&CheckReport::build(&card, today).context("checking the card's prices")?)
            }
        },
        Command::Estimate(estimate) => {
            let report = EstimateReport::build(&card, &estimate.to_request(), today)?;
            if report.is_incomplete() {
                incomplete = Some(exit::IncompleteTotal(format!(
                    "the estimate leaves out {}: the rate card gives no input_image_tokens for {}; add it to the card",
                    counted(report.total.unpriced_reference_images, "reference image", "reference images"),
                    report.model
                )));
            }
            output.emit(&report)
        }
        Command::Tally(tally) => {
            let report = TallyReport::build(&card, &tally.to_request(), today)?;
            if report.is_incomplete() {
                incomplete = Some(exit::IncompleteTotal(format!(
                    "the total leaves out {} that could not be priced (see the report); pass a card that lists their model with --rates, or --model for responses without modelVersion",
                    counted(report.total.unpriced_responses, "response", "responses")
                )));
            }
            output.emit(&report)
        }
        Command::Completions { .. } | Command::Man => Ok(()),
        Command::Plan(plan) => {
            let report = PlanReport::build(&card, &Plan::from_file(&plan.file)?, &plan.to_request(), today)?;
            over_budget = report.over_budget();
            output.emit(&report)
        }
        Command::Budget(budget) => output.emit(&match &budget.plan {
            Some(path) => {
                BudgetReport::build_for_plan(&card, &Plan::from_file(path)?, &budget.to_request(), today)?
            }
            None => BudgetReport::build(&card, &budget.to_request(), today)?,
        }),
        Command::Diff(diff) => {
            let plan = diff.plan.as_deref().map(Plan::from_file).transpose()?;
            let (old, new) = (named_card(&diff.old)?, named_card(&diff.new)?);
            output.emit(&DiffReport::build(&old, &new, plan.as_ref(), diff.basis, today)?)
        }
    }?;
    // `diff` names its own cards; a note about --rates would mislead.
    if let Some(note) = stale_card_note(&card, today).filter(|_| !matches!(args.command, Command::Diff(_))) {
        notices.note(&note);
    }
    match (over_budget, incomplete) {
        (Some(over), _) => Err(over.into()),
        (None, Some(short)) => Err(short.into()),
        (None, None) => Ok(()),
    }
}

/// The card named by `--rates` / `NBCOST_RATES`, or the embedded one.
fn load_card(global: &GlobalArgs) -> anyhow::Result<RateCard> {
    match &global.rates {
        Some(path) => Ok(RateCard::from_file(path)?),
        None => Ok(RateCard::from_toml(nbcost::card::DEFAULT_CARD_TOML, CardOrigin::Embedded)?),
    }
}

/// A card named on the command line: `default` is the embedded card.
fn named_card(name: &str) -> anyhow::Result<RateCard> {
    match name {
        "default" => Ok(RateCard::embedded()),
        path => Ok(RateCard::from_file(std::path::Path::new(path))?),
    }
}

/// Today's date (UTC), or `NBCOST_TODAY` (`YYYY-MM-DD`) where set, so that
/// card ages and lifecycle warnings can be reproduced.
fn today() -> anyhow::Result<Date> {
    match std::env::var("NBCOST_TODAY") {
        Ok(text) => exit::parse_date(&text).ok_or_else(|| {
            exit::UsageError(format!("NBCOST_TODAY=`{text}` is not a date: write it as YYYY-MM-DD")).into()
        }),
        Err(_) => Ok(time::OffsetDateTime::now_utc().date()),
    }
}

struct Output {
    format: Format,
    style: Style,
}

impl Output {
    fn emit<R: Report>(&self, report: &R) -> anyhow::Result<()> {
        write_stdout(|out| render::render(report, self.format, self.style, out))
    }
}

/// Runs `write` against a buffered stdout and flushes it.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    write(&mut out)?;
    out.flush()?;
    Ok(())
}

/// Warnings and notes on stderr, unless `--quiet`.
struct Notices {
    quiet: bool,
    color: bool,
}

impl Notices {
    fn warn(&mut self, text: &str) {
        self.say("warning", "\x1b[1;33m", text);
    }

    fn note(&mut self, text: &str) {
        self.say("note", "\x1b[1;36m", text);
    }

    fn say(&mut self, label: &str, color: &str, text: &str) {
        if self.quiet {
            return;
        }
        let (start, end) = if self.color { (color, "\x1b[0m") } else { ("", "") };
        // A closed stderr leaves nothing to tell.
        let _ = writeln!(io::stderr(), "{start}{label}:{end} {text}");
    }
}

fn color_allowed(global: &GlobalArgs, is_terminal: bool) -> bool {
    match global.color.as_str() {
        "always" => true,
        "never" => false,
        _ => is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
    }
}

fn stdout_color(global: &GlobalArgs) -> bool {
    global.format == Format::Table && color_allowed(global, io::stdout().is_terminal())
}

fn stderr_color(global: &GlobalArgs) -> bool {
    color_allowed(global, io::stderr().is_terminal())
}

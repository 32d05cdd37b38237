//! What nbcost answers: a [`Request`] (one per command, already validated)
//! goes in with the rate card to use and the date; an [`Answer`] comes out:
//! the report, the warnings and notes to show beside it, and the verdict
//! (pass, over budget, incomplete) that decides the exit code. The report
//! decides its verdict and its notices (see [`Outcome`]); here each request
//! is matched once, to read its inputs and build its report. Nothing here
//! prints: the binary renders the answer and exits.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use time::Date;

use crate::bill::read_bill;
use crate::card::{CardError, History, RateCard, UserCards};
use crate::error::{Error, ErrorKind, UsageError};
use crate::plan::{Plan, PlanError};
use crate::pricing::Basis;
use crate::render::{self, Format, Report, Style};
use crate::report::Outcome;
use crate::report::budget::{BudgetReport, BudgetRequest};
use crate::report::compare::{CompareReport, CompareRequest};
use crate::report::diff::DiffReport;
use crate::report::estimate::{EstimateReport, EstimateRequest};
use crate::report::plan::{PlanReport, PlanRequest};
use crate::report::quote::{QuoteReport, QuoteRequest};
use crate::report::rates::{CheckReport, ModelReport, RatesReport};
use crate::report::reconcile::{ReconcileReport, ReconcileRequest};
use crate::report::stale_card_note;
use crate::report::tally::{TallyReport, TallyRequest, distinct_files};
pub use crate::report::{Notice, Verdict};
use crate::sql::{SqlQuery, SqlRequest};

/// One command's validated request.
#[derive(Debug, Clone)]
pub enum Request {
    /// `quote`.
    Quote(QuoteRequest),
    /// `reconcile --bill BILL RESPONSES…`.
    Reconcile(ReconcileRequest),
    /// `compare`.
    Compare(CompareRequest),
    /// `rates`: every model in the card.
    Rates,
    /// `rates show MODEL`.
    RatesShow {
        /// The model as typed.
        model: String,
    },
    /// `rates check [FILE]`: a card file to check instead of the one in use.
    RatesCheck {
        /// The card to check; `None` means the card in use.
        file: Option<PathBuf>,
    },
    /// `plan FILE`.
    Plan {
        /// The plan file.
        file: PathBuf,
        /// How to price it.
        request: PlanRequest,
    },
    /// `budget`, for whole images or (with a plan file) a plan's mix.
    Budget {
        /// What to fit into the amount.
        request: BudgetRequest,
        /// A plan whose mix to fit instead.
        plan: Option<PathBuf>,
    },
    /// `diff OLD NEW`.
    Diff {
        /// The old card: a file, or `default`.
        old: String,
        /// The new card: a file, or `default`.
        new: String,
        /// A plan to price under both.
        plan: Option<PathBuf>,
        /// List or token prices for the plan.
        basis: Basis,
        /// Whether a changed price or plan total fails the step (`--exit-code`).
        exit_code: bool,
    },
    /// `estimate FILE`.
    Estimate(EstimateRequest),
    /// `tally FILE...`.
    Tally(TallyRequest),
    /// `sql`.
    Sql(SqlRequest),
}

/// Where the rate card comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CardSource {
    /// The dated history of every card (the embedded ones and the user's,
    /// where they keep any), answered for the day (the default; see
    /// [`History::on`]).
    #[default]
    InForce,
    /// The history with the user's own cards from this folder.
    WithUserCards(UserCards),
    /// One card outright: an embedded card or a user's card by name
    /// (`--rates 2026-04`), or a card file (`--rates FILE`, `NBCOST_RATES`);
    /// a name wins over a file of the same name in the working directory.
    Named {
        /// The name or path as given.
        name: String,
        /// The user's own cards, which `name` may name.
        user: Option<UserCards>,
    },
}

impl CardSource {
    /// The card to price with as of `today` (the day priced): an embedded
    /// card in force is lent, not copied.
    pub fn load(&self, today: Date) -> Result<Cow<'static, RateCard>, Error> {
        match self {
            CardSource::InForce => Ok(History::card_on(None, today)?),
            CardSource::WithUserCards(user) => Ok(History::card_on(Some(user), today)?),
            // One card chosen outright still answers for the day: a model
            // it lists that came out later is refused, as the history's is.
            CardSource::Named { name, user } => {
                named_card(name, user.as_ref()).map(|card| Cow::Owned(card.released_by(today)))
            }
        }
    }

    /// The history this source reads: the embedded cards, and the user's.
    pub fn history(&self) -> Result<History, Error> {
        match self {
            CardSource::InForce => Ok(History::embedded()),
            CardSource::WithUserCards(user) | CardSource::Named { user: Some(user), .. } => {
                Ok(History::load(Some(user))?)
            }
            CardSource::Named { user: None, .. } => Ok(History::embedded()),
        }
    }

    /// The name or path `--rates` gave, if it gave one.
    fn named(&self) -> Option<&str> {
        match self {
            CardSource::Named { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// A report of any command, ready to render.
#[derive(Debug)]
pub struct Reply(Box<dyn Render>);

impl Reply {
    /// Writes the report to `out` in `format`.
    pub fn render(&self, format: Format, style: Style, out: &mut dyn Write) -> io::Result<()> {
        self.0.render(format, style, out)
    }
}

/// A report as [`Reply`] holds it: one that renders through its layout, or
/// a query written as it is whatever the format.
trait Render: fmt::Debug {
    fn render(&self, format: Format, style: Style, out: &mut dyn Write) -> io::Result<()>;
}

impl<R: Report + fmt::Debug> Render for R {
    fn render(&self, format: Format, style: Style, out: &mut dyn Write) -> io::Result<()> {
        render::render(self, format, style, out)
    }
}

impl Render for SqlQuery {
    fn render(&self, _: Format, _: Style, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.text.as_bytes())
    }
}

/// What a request gets back.
#[derive(Debug)]
pub struct Answer {
    /// The report.
    pub reply: Reply,
    /// Warnings and notes, in the order to show them.
    pub notices: Vec<Notice>,
    /// Whether the step passes.
    pub verdict: Verdict,
}

impl Answer {
    /// The answer of `report`: its verdict and its notices, then a note when
    /// `card`, the card in use that priced it, was checked long ago.
    fn new<R: Render + Outcome + 'static>(
        report: R,
        card: Option<(&RateCard, &CardSource)>,
        today: Date,
    ) -> Answer {
        let mut notices = report.notices().to_vec();
        let stale = card.and_then(|(card, cards)| stale_card_note(card, today, || cards.history().ok()));
        notices.extend(stale.map(Notice::Note));
        Answer { verdict: report.verdict(), notices, reply: Reply(Box::new(report)) }
    }
}

/// A file a request reads (`-` is stdin), as messages name it.
type Input<'a> = (&'static str, &'a Path);

/// Answers `request` with the card from `cards`, as of `today`.
pub fn run(request: &Request, cards: &CardSource, today: Date) -> Result<Answer, Error> {
    // The card in use, once no two of it and `files` read stdin: every
    // request names what it reads here, so none can read stdin twice.
    let card_with = |files: &[Input]| -> Result<Cow<'static, RateCard>, Error> {
        let card = cards.named().map(|name| ("--rates", Path::new(name)));
        one_stdin(card.into_iter().chain(files.iter().copied()))?;
        cards.load(today)
    };
    match request {
        Request::Quote(quote) => {
            let card = card_with(&[])?;
            Ok(Answer::new(QuoteReport::build(&card, quote, today)?, Some((&card, cards)), today))
        }
        Request::Compare(compare) => {
            let card = card_with(&[])?;
            Ok(Answer::new(CompareReport::build(&card, compare, today)?, Some((&card, cards)), today))
        }
        Request::Rates => {
            let card = card_with(&[])?;
            let report = RatesReport::build(&card, &cards.history()?, today);
            Ok(Answer::new(report, Some((&card, cards)), today))
        }
        Request::RatesShow { model } => {
            let card = card_with(&[])?;
            Ok(Answer::new(ModelReport::build(&card, model, today)?, Some((&card, cards)), today))
        }
        Request::RatesCheck { file } => {
            // The card checked is the one card read: `--rates` is not.
            // A file passes only if it would load as one of the user's cards.
            let card = match file {
                Some(path) => {
                    let card = RateCard::from_file(path)?;
                    cards.history()?.admits(&card)?;
                    Cow::Owned(card)
                }
                None => card_with(&[])?,
            };
            let report = CheckReport::build(&card, today)
                .map_err(|err| Error::from(err).context("checking the card's prices"))?;
            Ok(Answer::new(report, Some((&card, cards)), today))
        }
        Request::Plan { file, request } => {
            let card = card_with(&[("the plan", file)])?;
            let plan = Plan::from_file(file)?;
            Ok(Answer::new(PlanReport::build(&card, &plan, request, today)?, Some((&card, cards)), today))
        }
        Request::Budget { request, plan: None } => {
            let card = card_with(&[])?;
            Ok(Answer::new(BudgetReport::build(&card, request, today)?, Some((&card, cards)), today))
        }
        Request::Budget { request, plan: Some(file) } => {
            let card = card_with(&[("--plan", file)])?;
            let plan = Plan::from_file(file)?;
            let report = BudgetReport::build_for_plan(&card, &plan, request, today)?;
            Ok(Answer::new(report, Some((&card, cards)), today))
        }
        Request::Diff { old, new, plan, basis, exit_code } => {
            let cards_named =
                [("the old card", Path::new(old.as_str())), ("the new card", Path::new(new.as_str()))];
            let files: Vec<Input> =
                cards_named.into_iter().chain(plan.iter().map(|file| ("--plan", file.as_path()))).collect();
            // Loaded as for every command, so that a broken `--rates` fails
            // alike; the diff itself is between the two cards it names.
            card_with(&files)?;
            let plan = plan.as_deref().map(Plan::from_file).transpose()?;
            let history = cards.history()?;
            let (old, new) =
                (diff_card(&history, old, "old", today)?, diff_card(&history, new, "new", today)?);
            let report = DiffReport::build(&old, &new, plan.as_ref(), *basis, today)?;
            // No note about the card in use: it is not the one compared.
            Ok(Answer::new(report.failing_on_change(*exit_code), None, today))
        }
        Request::Estimate(estimate) => {
            let card = card_with(&[("the batch file", &estimate.file)])?;
            Ok(Answer::new(EstimateReport::build(&card, estimate, today)?, Some((&card, cards)), today))
        }
        Request::Tally(tally) => {
            let files: Vec<Input> = tally
                .files
                .iter()
                .map(|file| ("a batch file", file.as_path()))
                .chain(tally.plan.iter().map(|file| ("--plan", file.as_path())))
                .collect();
            let card = card_with(&files)?;
            let plan = tally.plan.as_deref().map(Plan::from_file).transpose()?;
            if let Some(plan) = plan.as_ref().filter(|plan| plan.groups.is_empty()) {
                return Err(PlanError::invalid(
                    &plan.source,
                    None,
                    "group",
                    "is missing: tally reads a plan's [[group]] budgets",
                    "add a [[group]] with `name` and `monthly_budget` for each attribution",
                )
                .into());
            }
            let mut report = TallyReport::build(&card, tally, today)?;
            if let Some(plan) = &plan {
                report = report.with_budgets(&plan.groups)?;
            }
            Ok(Answer::new(report, Some((&card, cards)), today))
        }
        Request::Reconcile(reconcile) => {
            let files: Vec<Input> = reconcile
                .tally
                .files
                .iter()
                .map(|file| ("a responses file", file.as_path()))
                .chain(reconcile.bills.iter().map(|file| ("--bill", file.as_path())))
                .collect();
            let card = card_with(&files)?;
            // A bill given twice would bill its rows twice: each is read once.
            let (distinct, repeated) = distinct_files(&reconcile.bills);
            let bills = distinct.into_iter().map(|path| read_bill(path)).collect::<Result<Vec<_>, _>>()?;
            let tally = TallyReport::build(&card, &reconcile.tally_request(), today)?;
            let rules = cards.history()?.sku_rules(&card);
            let mut report = ReconcileReport::build(&card, &bills, tally, &rules, reconcile, today)?;
            for file in repeated {
                let warning =
                    format!("the bill `{}` is given more than once: it is read once", file.display());
                report.notices.push(Notice::Warning(warning));
            }
            Ok(Answer::new(report, Some((&card, cards)), today))
        }
        Request::Sql(sql) => {
            let card = card_with(&[])?;
            // The card's SKU rules, where the query reconciles a bill.
            let mut sql = sql.clone();
            if let Some(reconcile) = &mut sql.reconcile {
                reconcile.rules = cards.history()?.sku_rules(&card);
            }
            Ok(Answer::new(SqlQuery::build(&card, &sql, today)?, Some((&card, cards)), today))
        }
    }
}

/// Refuses a request that would read standard input twice (`plan -
/// --rates -`): the second reader would find it empty.
fn one_stdin<'a>(inputs: impl IntoIterator<Item = Input<'a>>) -> Result<(), UsageError> {
    let from_stdin: Vec<&str> = inputs
        .into_iter()
        .filter(|(_, path)| crate::toml_file::is_stdin(path))
        .map(|(what, _)| what)
        .collect();
    match from_stdin.as_slice() {
        [] | [_] => Ok(()),
        [first, second, ..] if first == second => Err(UsageError(format!(
            "`-` is given twice, as {first}; stdin can be read once: give the others as files"
        ))),
        [first, second, ..] => Err(UsageError(format!(
            "{first} and {second} both read stdin (`-`); stdin can be read once: give one of them as a file"
        ))),
    }
}

/// A card `diff` names: `default` (the card in force today), a day
/// (`2026-05-01`: the prices of that day, from the history), else a card
/// by name or a card file, as [`named_card`].
fn diff_card(history: &History, name: &str, which: &str, today: Date) -> Result<RateCard, Error> {
    if name == "default" {
        return Ok(history.on(today)?);
    }
    if let Some(day) = crate::card::parse_day(name) {
        return history.on(day).map_err(|err| {
            Error::new(ErrorKind::Usage, format!("the {which} day `{name}` given to `diff`: {err}"))
        });
    }
    let fix = || {
        format!(
            "give a card file, `default` (the card in force), a day (YYYY-MM-DD) or a card's name ({})",
            card_names(history)
        )
    };
    if let Some(card) = history.named(name) {
        return Ok(card.clone());
    }
    if looks_like_a_name(name) {
        return Err(Error::new(
            ErrorKind::Card,
            format!("no {which} card `{name}` for `diff`: it is neither a card's name nor a file; {}", fix()),
        ));
    }
    let card = RateCard::from_file(Path::new(name)).map_err(|err| match err {
        // The generic message points at --rates, which `diff` does not read.
        CardError::Unreadable { path, cause } => Error::new(
            ErrorKind::Card,
            format!("cannot read the {which} card `{path}` given to `diff`: {cause}; {}", fix()),
        ),
        other => other.into(),
    })?;
    history.successors_known(&card)?;
    Ok(card)
}

/// Whether `--rates` or `diff` was given a name rather than a file: a word
/// with no extension that is no file here (`-` is standard input, never a
/// name).
fn looks_like_a_name(name: &str) -> bool {
    let path = Path::new(name);
    !crate::toml_file::is_stdin(path)
        && !path.exists()
        && path.components().count() == 1
        && path.extension().is_none()
}

/// The names `--rates` and `diff` take: the embedded cards' and the user's.
fn card_names(history: &History) -> String {
    let names: Vec<String> = history.cards().map(|card| card.meta.origin.name()).collect();
    names.join(", ")
}

/// A card by its name (an embedded card's, `2026-04`, or a user card's file
/// stem), else the card file at `name`. A file's successors must be models
/// some card knows.
fn named_card(name: &str, user: Option<&UserCards>) -> Result<RateCard, Error> {
    let history = match user {
        Some(user) => History::load(Some(user))?,
        None => History::embedded(),
    };
    if let Some(card) = history.named(name) {
        // A card of the history, chosen by name: its lives are the
        // history's, so a model retired since the card says so.
        return Ok(history.with_newest_lives(card.clone()));
    }
    if looks_like_a_name(name) {
        return Err(CardError::Unknown { name: name.to_string(), known: card_names(&history) }.into());
    }
    let card = RateCard::from_file(Path::new(name))?;
    history.successors_known(&card)?;
    Ok(card)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lane::Lane;
    use crate::report::testing::today;
    use crate::scan::ScanOptions;

    /// Every command that reads files names them where it loads the card,
    /// so none reads stdin twice; each is refused before anything is read.
    #[test]
    fn refuses_to_read_stdin_twice_in_any_command() {
        let stdin = || PathBuf::from("-");
        let rates = CardSource::Named { name: "-".into(), user: None };
        let estimate = EstimateRequest {
            file: stdin(),
            model: "flash".into(),
            lane: Lane::Standard,
            basis: Basis::List,
            thinking_tokens: None,
            strict: false,
            scan: ScanOptions::default(),
            fail_above: None,
        };
        let tally = TallyRequest {
            files: vec![PathBuf::from("a.jsonl"), stdin(), stdin()],
            ..TallyRequest::default()
        };
        let diff = |plan: Option<PathBuf>| Request::Diff {
            old: "default".into(),
            new: "-".into(),
            plan,
            basis: Basis::List,
            exit_code: false,
        };
        let cases = [
            (
                Request::Plan { file: stdin(), request: PlanRequest::default() },
                &rates,
                "--rates and the plan",
            ),
            (
                Request::Budget { request: BudgetRequest::default(), plan: Some(stdin()) },
                &rates,
                "--rates and --plan",
            ),
            (diff(Some(stdin())), &CardSource::InForce, "the new card and --plan"),
            (diff(None), &rates, "--rates and the new card"),
            (Request::Estimate(estimate), &rates, "--rates and the batch file"),
            (Request::Tally(tally), &CardSource::InForce, "`-` is given twice, as a batch file"),
        ];
        for (request, cards, want) in cases {
            let error = run(&request, cards, today()).unwrap_err().to_string();
            assert!(error.starts_with(want), "{request:?}: {error}");
        }
    }
}

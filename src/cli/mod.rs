//! The command line: raw flags (clap) and their conversion into the
//! library's validated [`Request`]. This is the only module that knows clap;
//! no pricing happens here.

mod commands;
mod manual;
mod spend;
mod values;

use clap::builder::PossibleValuesParser;
use clap::{Args as ClapArgs, CommandFactory, FromArgMatches, Parser, Subcommand};
use time::Date;

use commands::*;
use nbcost::app::{CardSource, Request};
use nbcost::card::{EMBEDDED, RateCard, UserCards};
use nbcost::error::{Error, ErrorKind, UsageError};
use nbcost::render::{Format, schema};
use spend::*;
use values::{ColorWhen, FormatArg};

/// What Gemini image generation ("Nano Banana") costs, exactly.
#[derive(Debug, Parser)]
#[command(name = "nbcost", version, about, long_about = None, after_help = MAIN_EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

const MAIN_EXAMPLES: &str = "\
Examples:
  nbcost quote --model flash --size 2K --count 1000
  nbcost compare --counts 1000,10000 --format markdown
  nbcost plan examples/plan.toml --what-if batch
  nbcost budget --amount 500 --model flash
  nbcost rates show pro";

/// Flags every command takes, before or after the subcommand.
///
/// They are not clap's global flags on the command line's parse: the
/// subcommand it names gets its own copy of them as it is built (see
/// [`with_globals`]), and [`GlobalArgs::merged`] reads them from either side
/// as clap reads global flags. Clap would copy global flags into every
/// subcommand (which cost a quote 0.1M of its 1.0M instructions and 20 of
/// its 167 page faults) and copy their values between the two sides
/// (another 0.04M). Completions and the manual make them global (see
/// [`command`]).
#[derive(Debug, ClapArgs)]
pub struct GlobalArgs {
    /// Output format of a report (not for sql, schema, completions, man)
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,

    /// When to use color in tables [NO_COLOR turns `auto` off]
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorWhen,

    /// Leave out warnings and notes on stderr
    #[arg(short, long)]
    pub quiet: bool,

    /// Show every column of every table, however narrow the terminal [the default when writing to a file or pipe without COLUMNS]
    #[arg(long)]
    pub wide: bool,

    /// A rate card: an embedded card's name (2026-04, 2026-10) or a card file (- reads stdin); default: the embedded card in force on the date
    #[arg(long, env = "NBCOST_RATES", value_name = "NAME|FILE")]
    pub rates: Option<String>,

    /// Price as of this day (YYYY-MM-DD): the card in force then, and model lifecycles then [default: today, or NBCOST_TODAY]
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<Date>,
}

impl GlobalArgs {
    /// The flags every command takes, from the top command's `matches` and
    /// its subcommands': each from the deepest command that gives it from
    /// as strong a source (the command line, then its environment variable,
    /// then its default) as any command above, as clap reads global flags.
    /// So a flag given after the subcommand wins over the same flag given
    /// before it, and either over its default.
    fn merged(matches: &clap::ArgMatches) -> GlobalArgs {
        let from = |id: &str| {
            let (mut from, mut below) = (matches, matches.subcommand());
            while let Some((_, sub)) = below {
                if sub.value_source(id) >= from.value_source(id) {
                    from = sub;
                }
                below = sub.subcommand();
            }
            from
        };
        let defaulted = "a flag with a default";
        GlobalArgs {
            format: *from("format").get_one("format").expect(defaulted),
            color: *from("color").get_one("color").expect(defaulted),
            quiet: from("quiet").get_flag("quiet"),
            wide: from("wide").get_flag("wide"),
            rates: from("rates").get_one::<String>("rates").cloned(),
            as_of: from("as_of").get_one::<Date>("as_of").copied(),
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// What N images of one model and size cost, per lane
    #[command(after_help = QUOTE_EXAMPLES)]
    Quote(Deferred<QuoteArgs>),
    /// Every model × size × lane side by side, with totals at a few volumes
    #[command(after_help = COMPARE_EXAMPLES)]
    Compare(Deferred<CompareArgs>),
    /// The rate card: models, sizes, lanes, dates and sources
    #[command(after_help = RATES_EXAMPLES)]
    Rates(Deferred<RatesArgs>),
    /// A month of mixed image work from a plan file, priced line by line
    #[command(after_help = PLAN_EXAMPLES)]
    Plan(Deferred<PlanArgs>),
    /// What an amount buys: whole images per model × size × lane, or a plan's mix
    #[command(after_help = BUDGET_EXAMPLES)]
    Budget(Deferred<BudgetArgs>),
    /// What changed between two rate cards, and what it does to a plan
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(Deferred<DiffArgs>),
    /// What a batch input file will cost, before it is submitted
    #[command(after_help = ESTIMATE_EXAMPLES)]
    Estimate(Deferred<EstimateArgs>),
    /// What a batch job cost, exactly, from its output files
    #[command(after_help = TALLY_EXAMPLES)]
    Tally(Deferred<TallyArgs>),
    /// Google's bill beside the cost computed from the responses, SKU by SKU
    #[command(after_help = RECONCILE_EXAMPLES)]
    Reconcile(Deferred<ReconcileArgs>),
    /// The SQL that prices responses stored in BigQuery or DuckDB, where they are
    #[command(after_help = SQL_EXAMPLES)]
    Sql(Deferred<SqlArgs>),
    /// Shell completions, written to stdout
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// The manual page in roff, written to stdout
    #[command(after_help = MAN_EXAMPLES)]
    Man,
    /// The JSON Schema of a report's `--format json` output, written to stdout
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema {
        /// The report; default: every report, in one object keyed by name
        #[arg(value_parser = PossibleValuesParser::new(schema::REPORTS))]
        report: Option<String>,
    },
}

/// A subcommand's flags, added to clap's command only when the command
/// line names that subcommand (clap's `Command::defer`): a quote builds
/// `quote`'s flags, never the other eight commands'. Building every
/// subcommand's flags was most of what clap cost at start-up. The whole
/// command is built for help, completions and the manual.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

/// Whether subcommands get their flags at once: set for completions and
/// the manual, whose generators read every subcommand as it is given.
static EVERY_FLAG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl<T: ClapArgs> ClapArgs for Deferred<T> {
    fn augment_args(command: clap::Command) -> clap::Command {
        if EVERY_FLAG.load(std::sync::atomic::Ordering::Relaxed) {
            return T::augment_args(command);
        }
        command.defer(|command| built(command, T::augment_args))
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        if EVERY_FLAG.load(std::sync::atomic::Ordering::Relaxed) {
            return T::augment_args_for_update(command);
        }
        command.defer(|command| built(command, T::augment_args_for_update))
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

/// A deferred subcommand as it is built: the flags every command takes,
/// then its own (`augment`); its own subcommands (`rates show`) get the
/// flags every command takes as they are built in turn.
fn built(command: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    keep_about(with_globals(command), augment).mut_subcommands(|command| command.defer(with_globals))
}

/// A subcommand given the flags every command takes ([`GlobalArgs`]) as
/// clap's copy of global flags would give them: after any it already has,
/// before any a deferred subcommand adds, in the same places in its help.
/// Where the top command's are global ([`command`]: completions, the
/// manual), clap has copied them into the subcommand already, and this
/// adds nothing.
fn with_globals(command: clap::Command) -> clap::Command {
    if command.get_arguments().any(clap::Arg::is_global_set) {
        return command;
    }
    // The subcommand's own flags then start again at the first place.
    keep_about(command, |command| GlobalArgs::augment_args(command).next_display_order(0))
}

/// `augment` run on `command`, keeping the subcommand's own about text:
/// the flags' struct has a doc comment of its own, which would replace it
/// once the flags are added after the subcommand is described.
fn keep_about(command: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    use clap::builder::Resettable;
    let kept =
        |text: Option<&clap::builder::StyledStr>| text.cloned().map_or(Resettable::Reset, Resettable::Value);
    let (about, long_about) = (kept(command.get_about()), kept(command.get_long_about()));
    augment(command).about(about).long_about(long_about)
}

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }

    // The subcommand's matches are taken, not copied: clap's default for
    // this method would clone them.
    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Deferred)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }

    fn update_from_arg_matches_mut(&mut self, matches: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

impl<T> std::ops::Deref for Deferred<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// What the command line asks for.
#[allow(clippy::large_enum_variant, reason = "made once per process, and moved once")]
pub enum Action {
    /// Answer a request and render the report.
    Answer(Request),
    /// Write these bytes to stdout (completions, the man page, the schema).
    Print(Vec<u8>),
}

/// How the answer is shown.
pub struct Output {
    /// The report's format.
    pub format: Format,
    /// When to use color.
    pub color: anstream::ColorChoice,
    /// Leave out warnings and notes.
    pub quiet: bool,
    /// The width tables must fit, or `None` to write them whole.
    pub width: Option<u16>,
}

/// The width tables must fit: the terminal's, when stdout is one; else
/// `COLUMNS`, when it is a positive number (so a script or test can ask for
/// one); else none, and a file or pipe gets every column.
fn fit_width() -> Option<u16> {
    if let Some((terminal_size::Width(width), _)) = terminal_size::terminal_size_of(std::io::stdout())
        && width > 0
    {
        return Some(width);
    }
    std::env::var("COLUMNS").ok()?.trim().parse().ok().filter(|&width| width > 0)
}

/// Whether an argument holds a control character (an escape sequence that
/// would retitle the terminal, a newline): clap quotes a value it refuses
/// as typed, and would write it raw.
fn hostile_arguments() -> bool {
    std::env::args_os().any(|arg| arg.to_string_lossy().chars().any(nbcost::visible::is_control))
}

/// Prints clap's message and exits with its code (2 for a usage error).
/// With `hostile` arguments clap styled nothing, so every escape in its
/// message is the user's: a value clap quotes (`'…'`) is written with its
/// control characters shown (`\u{…}`: it cannot act on the terminal or
/// start a line of its own), then any other control character but clap's
/// own line breaks; only the `error:` label is styled, here.
fn exit_on(err: clap::Error, hostile: bool) -> ! {
    if !hostile || !err.use_stderr() {
        err.exit()
    }
    let mut message = err.render().ansi().to_string();
    let mut quoted: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .filter(|arg| arg.chars().any(nbcost::visible::is_control))
        .flat_map(|arg| {
            // `--flag=VALUE`: clap quotes the value alone.
            let value = arg.starts_with('-').then(|| arg.split_once('=').map(|(_, value)| value.to_string()));
            std::iter::once(arg.clone()).chain(value.flatten())
        })
        .collect();
    quoted.sort_by_key(|text| std::cmp::Reverse(text.len()));
    for text in &quoted {
        message = message.replace(&format!("'{text}'"), &format!("'{}'", nbcost::visible::visible(text)));
    }
    let shown: Vec<String> =
        message.trim_end().split('\n').map(|line| nbcost::visible::visible(line).into_owned()).collect();
    let mut text = shown.join("\n");
    if let Some(rest) = text.strip_prefix("error:") {
        let red = anstyle::Style::new().bold().fg_color(Some(anstyle::AnsiColor::Red.into()));
        text = format!("{red}error:{red:#}{rest}");
    }
    use std::io::Write;
    let _ = writeln!(anstream::stderr(), "{text}");
    std::process::exit(err.exit_code())
}

impl Args {
    /// Parses the process's arguments; clap prints usage errors and exits 2.
    pub fn parse() -> Args {
        let hostile = hostile_arguments();
        let mut command = Args::parsing_command();
        if hostile {
            command = command.styles(clap::builder::Styles::plain());
        }
        let mut matches = command.try_get_matches_from_mut(std::env::args_os()).unwrap_or_else(|err| {
            // `--version` names the embedded cards' dates, which takes
            // reading them: only then is the full version built, and written
            // as clap writes it (`nbcost VERSION`), with no second parse.
            if err.kind() == clap::error::ErrorKind::DisplayVersion {
                use std::io::Write;
                let _ = writeln!(std::io::stdout(), "nbcost {}", version());
                std::process::exit(0)
            }
            exit_on(err, hostile)
        });
        let args = Args::from_matches(&mut matches).unwrap_or_else(|err| exit_on(err, hostile));
        // Clap's command and matches live until the process ends: freeing
        // their trees of small allocations took a tenth of a quote's start-up.
        std::mem::forget(command);
        std::mem::forget(matches);
        args
    }

    /// The command that parses the command line: the flags every command
    /// takes are the top command's and, as it is built, the named
    /// subcommand's own ([`with_globals`]).
    fn parsing_command() -> clap::Command {
        Args::command().mut_subcommands(|command| {
            match command.get_name() {
                // Their flags are few and not deferred; the flags every
                // command takes are added as they are built all the same.
                "completions" | "man" | "schema" => command.defer(with_globals),
                _ => command,
            }
        })
    }

    /// The arguments in `matches`, taken rather than copied (they are not
    /// read again).
    fn from_matches(matches: &mut clap::ArgMatches) -> Result<Args, clap::Error> {
        let global = GlobalArgs::merged(matches);
        Ok(Args { global, command: Command::from_arg_matches_mut(matches)? })
    }

    /// How to show the answer.
    pub fn output(&self) -> Output {
        Output {
            format: self.global.format.into(),
            color: self.global.color.into(),
            quiet: self.global.quiet,
            width: if self.global.wide { None } else { fit_width() },
        }
    }

    /// Where the rate card comes from: `--rates`, else `NBCOST_RATES`, else
    /// the card in force. An empty name is refused here, where it is still
    /// known which of the two gave it.
    pub fn cards(&self) -> Result<CardSource, UsageError> {
        match &self.global.rates {
            Some(name) if name.trim().is_empty() => {
                let known: Vec<&str> = EMBEDDED.iter().map(|card| card.name).collect();
                let from_env = std::env::var_os("NBCOST_RATES").is_some_and(|value| value == name.as_str());
                Err(UsageError(if from_env {
                    format!(
                        "NBCOST_RATES is empty: unset it for the card in force, or name a card ({}) or a card file",
                        known.join(", ")
                    )
                } else {
                    format!("--rates is empty: name an embedded card ({}) or a card file", known.join(", "))
                }))
            }
            Some(name) => Ok(CardSource::Named { name: name.clone(), user: user_cards() }),
            None => Ok(user_cards().map_or(CardSource::InForce, CardSource::WithUserCards)),
        }
    }

    /// The day to price as of: `--as-of`, else `NBCOST_TODAY`, else today.
    pub fn today(&self) -> Result<Date, UsageError> {
        match self.global.as_of {
            Some(day) => Ok(day),
            None => today(),
        }
    }

    /// The request, or what to print instead.
    pub fn action(&self) -> Result<Action, Error> {
        Ok(Action::Answer(match &self.command {
            Command::Quote(quote) => Request::Quote(quote.to_request()),
            Command::Compare(compare) => Request::Compare(compare.to_request()),
            Command::Rates(Deferred(RatesArgs { card: Some(name), .. })) => {
                self.no_format("rates --card", "writes the card's TOML: leave out --format")?;
                return card_text(name).map(|text| Action::Print(text.into_bytes()));
            }
            Command::Rates(rates) => rates.to_request(),
            Command::Plan(plan) => plan.to_request(),
            Command::Budget(budget) => budget.to_request(),
            Command::Diff(diff) => diff.to_request(),
            Command::Estimate(estimate) => Request::Estimate(estimate.to_request()),
            Command::Tally(tally) => Request::Tally(tally.to_request()?),
            Command::Reconcile(reconcile) => Request::Reconcile(reconcile.to_request()),
            Command::Sql(sql) => {
                self.no_format(
                    "sql",
                    "writes a SQL query, not a report: leave out --format (the engine formats the result)",
                )?;
                Request::Sql(sql.to_request()?)
            }
            Command::Completions { shell } => {
                self.no_format("completions", "writes a shell script: leave out --format")?;
                // clap_complete panics on a write error, so it writes to memory first.
                let mut script = Vec::new();
                clap_complete::generate(*shell, &mut command(), "nbcost", &mut script);
                return Ok(Action::Print(script));
            }
            Command::Schema { report } => {
                if self.global.format != FormatArg::Json {
                    self.no_format("schema", "writes a JSON Schema: leave out --format, or give json")?;
                }
                let schema = match report {
                    // The parser admits report names only.
                    Some(kind) => schema::of(kind).expect("a report's name").to_value(),
                    None => schema::all(),
                };
                let mut text = serde_json::to_vec_pretty(&schema).map_err(|err| {
                    Error::new(ErrorKind::Failure, format!("cannot write the schema: {err}"))
                })?;
                text.push(b'\n');
                return Ok(Action::Print(text));
            }
            Command::Man => {
                self.no_format("man", "writes a manual page in roff: leave out --format")?;
                let page = manual::render(command()).map_err(|err| {
                    Error::new(ErrorKind::Failure, format!("cannot write the manual: {err}"))
                })?;
                return Ok(Action::Print(page));
            }
        }))
    }
}

impl Args {
    /// Refuses `--format` for a command that writes no report (it is
    /// `table` unless given).
    fn no_format(&self, command: &str, why: &str) -> Result<(), UsageError> {
        if self.global.format == FormatArg::Table {
            return Ok(());
        }
        Err(UsageError(format!("`nbcost {command}` {why}")))
    }
}

/// The whole clap command, every subcommand's flags in it (for
/// completions and the manual), with the embedded cards' dates in
/// `--version`.
fn command() -> clap::Command {
    EVERY_FLAG.store(true, std::sync::atomic::Ordering::Relaxed);
    // Global, the flags every command takes are copied into every
    // subcommand, where the generators look for them.
    Args::command().mut_args(|arg| arg.global(true)).version(version())
}

/// The version with the embedded cards' dates.
fn version() -> String {
    let cards: Vec<String> = nbcost::card::embedded_metas()
        .map(|meta| format!("{} (checked {})", meta.dated, meta.checked))
        .collect();
    format!("{} (embedded rate cards: {})", env!("CARGO_PKG_VERSION"), cards.join(", "))
}

/// `rates --card NAME`: the TOML of an embedded card, or of a card of the
/// user's own, by name, as it is.
fn card_text(name: &str) -> Result<String, Error> {
    if let Some(embedded) = EMBEDDED.iter().find(|card| card.name == name) {
        return Ok(embedded.toml.to_string());
    }
    let own = user_cards().map(|user| user.dir.join(format!("{name}.toml")));
    if let Some(path) = own.filter(|path| path.is_file()) {
        return RateCard::text_of_file(&path)
            .map_err(|err| Error::new(ErrorKind::Card, format!("cannot read the card: {err}")));
    }
    let known: Vec<&str> = EMBEDDED.iter().map(|card| card.name).collect();
    Err(UsageError(format!(
        "no card `{name}` to write: name an embedded card ({}) or one of your own (`nbcost rates` lists them)",
        known.join(", ")
    ))
    .into())
}

/// The folder of the user's own cards: `NBCOST_RATES_DIR`, else
/// `$XDG_CONFIG_HOME/nbcost/rates`, else `~/.config/nbcost/rates`; none
/// when no home is known. (A folder that does not exist holds no cards.)
fn user_cards() -> Option<UserCards> {
    let set = |name| std::env::var_os(name).filter(|value| !value.is_empty()).map(std::path::PathBuf::from);
    if let Some(dir) = set("NBCOST_RATES_DIR") {
        return Some(UserCards { dir, from: "NBCOST_RATES_DIR" });
    }
    if let Some(config) = set("XDG_CONFIG_HOME") {
        return Some(UserCards { dir: config.join("nbcost/rates"), from: "XDG_CONFIG_HOME" });
    }
    let home = set("HOME")?;
    Some(UserCards { dir: home.join(".config/nbcost/rates"), from: "HOME (~/.config/nbcost/rates)" })
}

/// `--as-of YYYY-MM-DD`.
fn parse_as_of(text: &str) -> Result<Date, String> {
    parse_date(text).ok_or_else(|| {
        format!(
            "`{}` is not a date: write it as YYYY-MM-DD, such as 2026-04-20",
            nbcost::visible::visible(text)
        )
    })
}

/// Today's date (UTC), or `NBCOST_TODAY` (`YYYY-MM-DD`) where set, so that
/// card ages and lifecycle warnings can be reproduced.
fn today() -> Result<Date, UsageError> {
    match std::env::var("NBCOST_TODAY") {
        Ok(text) => parse_date(&text).ok_or_else(|| {
            UsageError(format!(
                "NBCOST_TODAY=`{}` is not a date: write it as YYYY-MM-DD",
                nbcost::visible::visible(&text)
            ))
        }),
        Err(_) => Ok(time::OffsetDateTime::now_utc().date()),
    }
}

/// A `YYYY-MM-DD` date: four digits of year, no sign.
fn parse_date(text: &str) -> Option<Date> {
    nbcost::card::parse_day(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Args::command().debug_assert();
    }

    /// Start-up reads no card: building the command line and parsing a
    /// quote leaves the embedded cards unparsed (the completion lists and
    /// the version's card dates are built only when asked for). No other
    /// test of this binary reads a card, so the count is this test's own.
    #[test]
    fn parsing_the_command_line_reads_no_card() {
        let mut matches = Args::parsing_command()
            .try_get_matches_from(["nbcost", "quote", "--model", "flash", "--size", "2K", "--count", "1000"])
            .unwrap();
        let args = Args::from_matches(&mut matches).unwrap();
        assert!(matches!(args.action(), Ok(Action::Answer(Request::Quote(_)))));
        assert_eq!(nbcost::card::embedded_cards_parsed(), 0);
    }

    /// Every command, and `rates`' own commands, take the flags every
    /// command takes, though the command line's parse gives them only to
    /// the command it names.
    #[test]
    fn every_command_takes_the_flags_every_command_takes() {
        fn check(command: &clap::Command, flags: &[clap::Id]) {
            for sub in command.get_subcommands().filter(|sub| sub.get_name() != "help") {
                for flag in flags {
                    let name = sub.get_name();
                    assert!(sub.get_arguments().any(|arg| arg.get_id() == flag), "`{name}` lacks `{flag}`");
                }
                check(sub, flags);
            }
        }
        let flags: Vec<clap::Id> = GlobalArgs::augment_args(clap::Command::new("flags"))
            .get_arguments()
            .map(|arg| arg.get_id().clone())
            .collect();
        let mut command = Args::parsing_command();
        command.build();
        check(&command, &flags);
    }

    /// Each of those flags is read on either side of the command, the later
    /// given winning, and either over its default, as clap's global flags.
    #[test]
    fn reads_the_flags_every_command_takes_on_either_side_of_the_command() {
        let global = |line: &str| {
            let mut matches = Args::parsing_command().try_get_matches_from(line.split(' ')).unwrap();
            Args::from_matches(&mut matches).unwrap().global
        };
        let quote = "quote --model flash --count 1";
        assert_eq!(global(&format!("nbcost {quote}")).format, FormatArg::Table);
        assert_eq!(global(&format!("nbcost --format json {quote}")).format, FormatArg::Json);
        assert_eq!(global(&format!("nbcost {quote} --format json")).format, FormatArg::Json);
        assert_eq!(global(&format!("nbcost --format json {quote} --format csv")).format, FormatArg::Csv);
        assert!(global(&format!("nbcost -q {quote}")).quiet);
        assert!(global(&format!("nbcost {quote} -q")).quiet);
        assert!(global(&format!("nbcost {quote} --wide")).wide);
        assert_eq!(global(&format!("nbcost {quote} --rates 2026-04")).rates.as_deref(), Some("2026-04"));
        let day = Some(time::macros::date!(2026 - 05 - 01));
        assert_eq!(global("nbcost rates show flash --as-of 2026-05-01").as_of, day);
        assert_eq!(global("nbcost --as-of 2026-05-01 rates show flash").as_of, day);
        assert_eq!(global("nbcost rates --format json").format, FormatArg::Json);
        assert_eq!(global("nbcost --format json rates show flash").format, FormatArg::Json);
        assert_eq!(global("nbcost --format csv rates show flash --format json").format, FormatArg::Json);
    }

    #[test]
    fn reads_nbcost_today_as_an_iso_date() {
        assert_eq!(parse_date("2026-11-21"), Some(time::macros::date!(2026 - 11 - 21)));
        assert_eq!(parse_date(" 2026-04-20\n"), Some(time::macros::date!(2026 - 04 - 20)));
        assert_eq!(parse_date("2026-13-40"), None);
        assert_eq!(parse_date("21/11/2026"), None);
        assert_eq!(parse_date("-2026-01-01"), None);
        assert_eq!(parse_date("+2026-01-01"), None);
        assert_eq!(parse_date("12026-01-01"), None);
    }
}

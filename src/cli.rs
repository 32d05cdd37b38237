//! The command line: raw flags (clap) and their conversion into the
//! library's validated requests. No pricing happens here.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args as ClapArgs, Parser, Subcommand};

use nbcost::lane::Lane;
use nbcost::money::Money;
use nbcost::pricing::{Basis, Extras};
use nbcost::render::Format;
use nbcost::report::budget::BudgetRequest;
use nbcost::report::compare::{Baseline, CompareRequest, DEFAULT_COUNTS};
use nbcost::report::estimate::EstimateRequest;
use nbcost::report::plan::PlanRequest;
use nbcost::report::quote::QuoteRequest;
use nbcost::report::tally::TallyRequest;
use nbcost::scan::ScanOptions;
use nbcost::size::ImageSize;
use rust_decimal::Decimal;

/// What Gemini image generation ("Nano Banana") costs, exactly.
#[derive(Debug, Parser)]
#[command(name = "nbcost", about, long_about = None, after_help = MAIN_EXAMPLES)]
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
#[derive(Debug, ClapArgs)]
pub struct GlobalArgs {
    /// Output format
    #[arg(long, global = true, default_value = "table", value_parser = PossibleValuesParser::new(Format::NAMES).map(|s| s.parse::<Format>().expect("listed")))]
    pub format: Format,

    /// When to use color in tables [NO_COLOR turns `auto` off]
    #[arg(long, global = true, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,

    /// Leave out warnings and notes on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// A rate card to use instead of the embedded April 2026 card
    #[arg(long, global = true, env = "NBCOST_RATES", value_name = "FILE")]
    pub rates: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// What N images of one model and size cost, per lane
    #[command(after_help = QUOTE_EXAMPLES)]
    Quote(QuoteArgs),
    /// Every model × size × lane side by side, with totals at a few volumes
    #[command(after_help = COMPARE_EXAMPLES)]
    Compare(CompareArgs),
    /// The rate card: models, sizes, lanes, dates and sources
    #[command(after_help = RATES_EXAMPLES)]
    Rates(RatesArgs),
    /// A month of mixed image work from a plan file, priced line by line
    #[command(after_help = PLAN_EXAMPLES)]
    Plan(PlanArgs),
    /// What an amount buys: whole images per model × size × lane, or a plan's mix
    #[command(after_help = BUDGET_EXAMPLES)]
    Budget(BudgetArgs),
    /// What changed between two rate cards, and what it does to a plan
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// What a batch input file will cost, before it is submitted
    #[command(after_help = ESTIMATE_EXAMPLES)]
    Estimate(EstimateArgs),
    /// What a batch job cost, exactly, from its output files
    #[command(after_help = TALLY_EXAMPLES)]
    Tally(TallyArgs),
    /// Shell completions, written to stdout
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// The manual page in roff, written to stdout
    #[command(after_help = MAN_EXAMPLES)]
    Man,
}

const DIFF_EXAMPLES: &str = "\
Examples:
  nbcost diff default new-card.toml
  nbcost diff default new-card.toml --plan examples/plan.toml";

/// `nbcost diff`.
#[derive(Debug, ClapArgs)]
pub struct DiffArgs {
    /// The old card: a file, or `default` for the embedded card
    pub old: String,

    /// The new card: a file, or `default` for the embedded card
    pub new: String,

    /// Also price this plan under both cards, line by line
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// Price the plan at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, default_value = "list", value_parser = PossibleValuesParser::new(["list", "tokens"]).map(|s| s.parse::<Basis>().expect("listed")))]
    pub basis: Basis,
}

const BUDGET_EXAMPLES: &str = "\
Examples:
  nbcost budget --amount 500
  nbcost budget --amount 500 --model flash --size 1K,2K --days 30
  nbcost budget --amount 500 --plan examples/plan.toml";

/// `nbcost budget`.
#[derive(Debug, ClapArgs)]
pub struct BudgetArgs {
    /// Dollars to spend
    #[arg(long, value_name = "AMOUNT", value_parser = parse_money, allow_hyphen_values = true)]
    pub amount: Money,

    /// Models, comma-separated; default: every model in the card
    #[arg(long, value_delimiter = ',', conflicts_with = "plan")]
    pub model: Vec<String>,

    /// Sizes, comma-separated; default: every size
    #[arg(long, value_delimiter = ',', value_parser = parse_size, conflicts_with = "plan")]
    pub size: Vec<ImageSize>,

    /// Lanes, comma-separated; default: every lane
    #[arg(long, value_delimiter = ',', value_parser = parse_lane, conflicts_with = "plan")]
    pub lane: Vec<Lane>,

    /// Also give images a day over this many days
    #[arg(long, value_parser = parse_count)]
    pub days: Option<u64>,

    /// Fit the largest multiple of this plan's mix instead
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// Price at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, default_value = "list", value_parser = PossibleValuesParser::new(["list", "tokens"]).map(|s| s.parse::<Basis>().expect("listed")))]
    pub basis: Basis,
}

impl BudgetArgs {
    /// The validated request.
    pub fn to_request(&self) -> BudgetRequest {
        BudgetRequest {
            amount: self.amount,
            models: self.model.clone(),
            sizes: self.size.clone(),
            lanes: self.lane.clone(),
            days: self.days,
            basis: self.basis,
        }
    }
}

const PLAN_EXAMPLES: &str = "\
Examples:
  nbcost plan examples/plan.toml
  nbcost plan examples/plan.toml --what-if batch
  nbcost plan examples/plan.toml --fail-above 2500 --format json";

/// `nbcost plan`.
#[derive(Debug, ClapArgs)]
pub struct PlanArgs {
    /// The plan file (TOML; see "Plan file format" in the README)
    pub file: PathBuf,

    /// Price at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, default_value = "list", value_parser = PossibleValuesParser::new(["list", "tokens"]).map(|s| s.parse::<Basis>().expect("listed")))]
    pub basis: Basis,

    /// Also price the plan with every `batch_ok` line moved to this lane, and show the saving
    #[arg(long, value_name = "LANE", value_parser = ["batch"])]
    pub what_if: Option<String>,

    /// Exit with code 5 when the monthly total is above AMOUNT dollars
    #[arg(long, value_name = "AMOUNT", value_parser = parse_money, allow_hyphen_values = true)]
    pub fail_above: Option<Money>,
}

impl PlanArgs {
    /// The validated request.
    pub fn to_request(&self) -> PlanRequest {
        PlanRequest { basis: self.basis, what_if_batch: self.what_if.is_some(), fail_above: self.fail_above }
    }
}

/// An amount of dollars: `500`, `499.99`, `$1_000`; zero or more, exact.
pub(crate) fn parse_money(text: &str) -> Result<Money, String> {
    let trimmed = text.trim();
    let digits: String = trimmed.trim_start_matches('$').chars().filter(|ch| *ch != '_').collect();
    let amount = Decimal::from_str_exact(&digits)
        .map_err(|_| format!("`{trimmed}` is not an amount of dollars: write it as 500 or 499.99"))?;
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(format!("`{trimmed}` is negative: give an amount of 0 or more"));
    }
    Ok(Money::new(amount))
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  nbcost completions bash > ~/.local/share/bash-completion/completions/nbcost
  nbcost completions zsh > ~/.zfunc/_nbcost
  nbcost completions fish > ~/.config/fish/completions/nbcost.fish";

const MAN_EXAMPLES: &str = "\
Examples:
  nbcost man > nbcost.1 && man ./nbcost.1";

const QUOTE_EXAMPLES: &str = "\
Examples:
  nbcost quote --model flash --size 2K --count 1000
  nbcost quote --model pro --size 4K --count 500 --lane batch --basis tokens
  nbcost quote --model flash --count 100 --prompt-tokens 300 --input-images 2 --format json";

const COMPARE_EXAMPLES: &str = "\
Examples:
  nbcost compare
  nbcost compare --models flash,pro --sizes 1K,4K --counts 1000,10000
  nbcost compare --baseline pro:4K:standard --format csv";

const ESTIMATE_EXAMPLES: &str = "\
Examples:
  nbcost estimate batch-input.jsonl --model flash
  nbcost estimate requests.jsonl --model pro --lane standard --basis tokens
  gunzip -c batch-input.jsonl.gz | nbcost estimate - --model flash --format json";

const TALLY_EXAMPLES: &str = "\
Examples:
  nbcost tally batch-output.jsonl
  nbcost tally part-1.jsonl.gz part-2.jsonl.gz --format csv
  nbcost tally responses.jsonl --lane standard --model flash --strict";

const RATES_EXAMPLES: &str = "\
Examples:
  nbcost rates
  nbcost rates show flash
  nbcost rates check my-card.toml";

/// `nbcost quote`.
#[derive(Debug, ClapArgs)]
pub struct QuoteArgs {
    /// Model ID, successor ID or alias (flash, pro, nano-banana, ...)
    #[arg(long, short)]
    pub model: String,

    /// Image size: 512 (or 0.5K), 1K, 2K, 4K; default: the model's default
    #[arg(long, short, value_parser = parse_size)]
    pub size: Option<ImageSize>,

    /// How many images
    #[arg(long, short = 'n', value_parser = parse_count, allow_hyphen_values = true)]
    pub count: u64,

    /// One lane only; default: every lane the model has
    #[arg(long, value_parser = parse_lane)]
    pub lane: Option<Lane>,

    /// Price at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, default_value = "list", value_parser = PossibleValuesParser::new(["list", "tokens"]).map(|s| s.parse::<Basis>().expect("listed")))]
    pub basis: Basis,

    /// Text input tokens per request
    #[arg(long, default_value_t = 0, value_parser = parse_amount, allow_hyphen_values = true)]
    pub prompt_tokens: u64,

    /// Reference images per request
    #[arg(long, default_value_t = 0, value_parser = parse_amount, allow_hyphen_values = true)]
    pub input_images: u64,
}

impl QuoteArgs {
    /// The validated request.
    pub fn to_request(&self) -> QuoteRequest {
        QuoteRequest {
            model: self.model.clone(),
            size: self.size,
            count: self.count,
            lane: self.lane,
            basis: self.basis,
            extras: Extras { prompt_tokens: self.prompt_tokens, input_images: self.input_images },
        }
    }
}

/// `nbcost compare`.
#[derive(Debug, ClapArgs)]
pub struct CompareArgs {
    /// Models to compare, comma-separated; default: every model in the card
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<String>,

    /// Sizes to compare, comma-separated; default: every size
    #[arg(long, value_delimiter = ',', value_parser = parse_size)]
    pub sizes: Vec<ImageSize>,

    /// Lanes to compare, comma-separated; default: every lane
    #[arg(long, value_delimiter = ',', value_parser = parse_lane)]
    pub lanes: Vec<Lane>,

    /// Volumes to total at, comma-separated
    #[arg(long, value_delimiter = ',', value_parser = parse_count, default_value = "100,1000,10000")]
    pub counts: Vec<u64>,

    /// Price at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, default_value = "list", value_parser = PossibleValuesParser::new(["list", "tokens"]).map(|s| s.parse::<Basis>().expect("listed")))]
    pub basis: Basis,

    /// What ratios are against: MODEL[:SIZE[:LANE]]; default: the card's first model, default size, standard
    #[arg(long, value_parser = parse_baseline)]
    pub baseline: Option<Baseline>,
}

impl CompareArgs {
    /// The validated request.
    pub fn to_request(&self) -> CompareRequest {
        let mut counts = if self.counts.is_empty() { DEFAULT_COUNTS.to_vec() } else { self.counts.clone() };
        counts.dedup();
        CompareRequest {
            models: self.models.clone(),
            sizes: self.sizes.clone(),
            lanes: self.lanes.clone(),
            counts,
            basis: self.basis,
            baseline: self.baseline.clone(),
        }
    }
}

/// `nbcost estimate`.
#[derive(Debug, ClapArgs)]
pub struct EstimateArgs {
    /// A batch input file (JSONL, gzip read directly), or - for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The model the batch job will run: ID, successor ID or alias
    #[arg(long, short)]
    pub model: String,

    /// The lane to price at
    #[arg(long, default_value = "batch", value_parser = parse_lane)]
    pub lane: Lane,

    /// Price images at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, default_value = "list", value_parser = PossibleValuesParser::new(["list", "tokens"]).map(|s| s.parse::<Basis>().expect("listed")))]
    pub basis: Basis,

    /// Stop at the first malformed line (exit 4) instead of counting it
    #[arg(long)]
    pub strict: bool,

    /// Threads reading lines; default: every core
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

impl EstimateArgs {
    /// The validated request.
    pub fn to_request(&self) -> EstimateRequest {
        EstimateRequest {
            file: self.file.clone(),
            model: self.model.clone(),
            lane: self.lane,
            basis: self.basis,
            strict: self.strict,
            scan: scan_options(self.threads),
        }
    }
}

/// `nbcost tally`.
#[derive(Debug, ClapArgs)]
pub struct TallyArgs {
    /// Batch output files or response logs (JSONL, gzip read directly); - for stdin
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// The lane the responses were billed on
    #[arg(long, default_value = "batch", value_parser = parse_lane)]
    pub lane: Lane,

    /// The model of responses that carry no modelVersion; without it they are not priced
    #[arg(long, short)]
    pub model: Option<String>,

    /// Stop at the first malformed line (exit 4) instead of counting it
    #[arg(long)]
    pub strict: bool,

    /// Threads reading lines; default: every core
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

impl TallyArgs {
    /// The validated request.
    pub fn to_request(&self) -> TallyRequest {
        TallyRequest {
            files: self.files.clone(),
            lane: self.lane,
            model: self.model.clone(),
            strict: self.strict,
            scan: scan_options(self.threads),
        }
    }
}

/// Scan options with `threads` readers, or one per core.
fn scan_options(threads: Option<usize>) -> ScanOptions {
    let defaults = ScanOptions::default();
    ScanOptions { threads: threads.unwrap_or(defaults.threads), ..defaults }
}

/// `nbcost rates`.
#[derive(Debug, ClapArgs)]
pub struct RatesArgs {
    #[command(subcommand)]
    pub action: Option<RatesAction>,
}

/// What `rates` does beyond listing the models.
#[derive(Debug, Subcommand)]
pub enum RatesAction {
    /// One model in full: sizes, tokens, prices per lane, dates
    Show {
        /// Model ID, successor ID or alias
        model: String,
    },
    /// Validate a card and list each published price beside tokens × rate
    Check {
        /// The card to check; default: --rates, or the embedded card
        file: Option<PathBuf>,
    },
}

fn parse_size(text: &str) -> Result<ImageSize, String> {
    text.parse::<ImageSize>().map_err(|err| err.to_string())
}

fn parse_lane(text: &str) -> Result<Lane, String> {
    text.parse::<Lane>().map_err(|err| err.to_string())
}

/// A count of images: a whole number of at least 1, `_` allowed between digits.
fn parse_count(text: &str) -> Result<u64, String> {
    match parse_amount(text)? {
        0 => Err("a count of 0 images costs nothing: give at least 1".into()),
        count => Ok(count),
    }
}

/// A whole number of zero or more, `_` allowed between digits.
fn parse_amount(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits: String = trimmed.chars().filter(|ch| *ch != '_').collect();
    if digits.starts_with('-') {
        return Err(format!("`{trimmed}` is negative: give a whole number of 0 or more"));
    }
    if digits.is_empty() || !digits.chars().all(|ch| ch.is_ascii_digit()) {
        return Err(format!(
            "`{trimmed}` is not a whole number: write the digits out, such as 1000 or 10_000"
        ));
    }
    digits
        .parse::<u64>()
        .map_err(|_| format!("`{trimmed}` is more than nbcost can count: the largest is {}", u64::MAX))
}

/// A number of threads: 1 or more.
fn parse_threads(text: &str) -> Result<usize, String> {
    match parse_amount(text)? {
        0 => Err("0 threads cannot read anything: give at least 1".into()),
        threads => usize::try_from(threads)
            .map_err(|_| format!("`{text}` threads is more than this machine can run")),
    }
}

/// `MODEL[:SIZE[:LANE]]`.
fn parse_baseline(text: &str) -> Result<Baseline, String> {
    let mut parts = text.split(':');
    let model = parts.next().unwrap_or_default().trim().to_string();
    if model.is_empty() {
        return Err("give a baseline as MODEL[:SIZE[:LANE]], such as flash:1K:standard".into());
    }
    let size = parts.next().map(parse_size).transpose()?;
    let lane = parts.next().map(parse_lane).transpose()?.unwrap_or(Lane::Standard);
    if parts.next().is_some() {
        return Err(format!("`{text}` has too many parts: give MODEL[:SIZE[:LANE]]"));
    }
    Ok(Baseline { model, size, lane })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn reads_counts_and_explains_what_it_refuses() {
        assert_eq!(parse_count("1000"), Ok(1000));
        assert_eq!(parse_count("10_000"), Ok(10_000));
        let cases = [
            ("-5", "is negative"),
            ("1e3", "is not a whole number"),
            ("", "is not a whole number"),
            ("0", "give at least 1"),
            ("18446744073709551616", "is more than nbcost can count"),
            ("3.5", "is not a whole number"),
        ];
        for (text, words) in cases {
            let err = parse_count(text).unwrap_err();
            assert!(err.contains(words), "{text}: {err}");
        }
    }

    #[test]
    fn reads_amounts_of_dollars() {
        assert_eq!(parse_money("500"), Ok(Money::new(Decimal::from(500))));
        assert_eq!(parse_money("$1_000.50"), Ok(Money::new("1000.50".parse().unwrap())));
        assert!(parse_money("-5").unwrap_err().contains("is negative"));
        assert!(parse_money("five").unwrap_err().contains("is not an amount of dollars"));
        assert!(parse_money("1e3").unwrap_err().contains("is not an amount of dollars"));
    }

    #[test]
    fn reads_a_baseline() {
        assert_eq!(
            parse_baseline("pro:4K:batch"),
            Ok(Baseline { model: "pro".into(), size: Some(ImageSize::K4), lane: Lane::Batch })
        );
        assert_eq!(
            parse_baseline("flash"),
            Ok(Baseline { model: "flash".into(), size: None, lane: Lane::Standard })
        );
        assert!(parse_baseline("flash:8K").unwrap_err().contains("unknown image size"));
        assert!(parse_baseline("a:1K:batch:x").unwrap_err().contains("too many parts"));
    }
}

//! One clap struct per command that prices work ahead (quote, compare,
//! plan, budget, diff, estimate, rates) and its conversion into the
//! library's validated request; how files are read, shared with `spend`.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};

use nbcost::app::Request;
use nbcost::lane::Lane;
use nbcost::money::Money;
use nbcost::pricing::Extras;
use nbcost::report::budget::BudgetRequest;
use nbcost::report::compare::{Baseline, CompareRequest, DEFAULT_COUNTS};
use nbcost::report::estimate::EstimateRequest;
use nbcost::report::plan::PlanRequest;
use nbcost::report::quote::QuoteRequest;
use nbcost::scan::ScanOptions;
use nbcost::size::ImageSize;

use super::values::{
    BasisArg, CountList, WhatIfLane, lane_values, model_names, parse_amount, parse_baseline, parse_count,
    parse_counts, parse_days, parse_money, parse_threads, size_values,
};

pub(super) const DIFF_EXAMPLES: &str = "\
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

    /// Also price this plan under both cards, line by line; - reads stdin
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// Price the plan at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, value_enum, default_value = "list")]
    pub basis: BasisArg,

    /// Exit with code 1 when the new card changes a price or, with --plan, the plan's monthly total (as `git diff --exit-code`)
    #[arg(long)]
    pub exit_code: bool,
}

impl DiffArgs {
    /// The validated request.
    pub fn to_request(&self) -> Request {
        Request::Diff {
            old: self.old.clone(),
            new: self.new.clone(),
            plan: self.plan.clone(),
            basis: self.basis.into(),
            exit_code: self.exit_code,
        }
    }
}

pub(super) const BUDGET_EXAMPLES: &str = "\
Examples:
  nbcost budget --amount 500
  nbcost budget --amount 500 --model flash --size 1K,2K --days 30
  nbcost budget --amount 500 --plan examples/plan.toml";

/// `nbcost budget`.
#[derive(Debug, ClapArgs)]
pub struct BudgetArgs {
    /// The amount to spend, in the card's currency
    #[arg(long, value_name = "AMOUNT", value_parser = parse_money, allow_hyphen_values = true)]
    pub amount: Money,

    /// Models, comma-separated; default: every model in the card
    #[arg(long, value_delimiter = ',', conflicts_with = "plan", value_parser = model_names(), hide_possible_values = true)]
    pub model: Vec<String>,

    /// Sizes, comma-separated; default: every size
    #[arg(long, value_delimiter = ',', value_parser = size_values(), conflicts_with = "plan", hide_possible_values = true)]
    pub size: Vec<ImageSize>,

    /// Lanes, comma-separated; default: every lane
    #[arg(long, value_delimiter = ',', value_parser = lane_values(), conflicts_with = "plan", hide_possible_values = true)]
    pub lane: Vec<Lane>,

    /// Also give images a day over this many days
    #[arg(long, value_parser = parse_days, allow_hyphen_values = true)]
    pub days: Option<u64>,

    /// Fit the largest multiple of this plan's mix instead; - reads stdin
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// Price at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, value_enum, default_value = "list")]
    pub basis: BasisArg,

    /// Thinking tokens per image (an estimate), added to each per-image price at the lane's text output rate
    #[arg(long, value_name = "N", value_parser = parse_amount, allow_hyphen_values = true, conflicts_with = "plan")]
    pub thinking_tokens: Option<u64>,
}

impl BudgetArgs {
    /// The validated request.
    pub fn to_request(&self) -> Request {
        let request = BudgetRequest {
            amount: self.amount,
            models: self.model.clone(),
            sizes: self.size.clone(),
            lanes: self.lane.clone(),
            days: self.days,
            basis: self.basis.into(),
            thinking_tokens: self.thinking_tokens,
        };
        Request::Budget { request, plan: self.plan.clone() }
    }
}

pub(super) const PLAN_EXAMPLES: &str = "\
Examples:
  nbcost plan examples/plan.toml
  nbcost plan examples/plan.toml --what-if batch
  nbcost plan examples/plan.toml --fail-above 2500 --format json";

/// `nbcost plan`.
#[derive(Debug, ClapArgs)]
pub struct PlanArgs {
    /// The plan file (TOML; see "Plan file format" in the README); - reads stdin
    pub file: PathBuf,

    /// Price at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, value_enum, default_value = "list")]
    pub basis: BasisArg,

    /// Also price the plan with every `batch_ok` line moved to this lane, and show the saving
    #[arg(long, value_name = "LANE", value_enum)]
    pub what_if: Option<WhatIfLane>,

    /// Exit with code 5 when the monthly total is above AMOUNT (in the card's currency)
    #[arg(long, value_name = "AMOUNT", value_parser = parse_money, allow_hyphen_values = true)]
    pub fail_above: Option<Money>,
}

impl PlanArgs {
    /// The validated request.
    pub fn to_request(&self) -> Request {
        let request = PlanRequest {
            basis: self.basis.into(),
            what_if_batch: self.what_if == Some(WhatIfLane::Batch),
            fail_above: self.fail_above,
        };
        Request::Plan { file: self.file.clone(), request }
    }
}

pub(super) const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  nbcost completions bash > ~/.local/share/bash-completion/completions/nbcost
  nbcost completions zsh > ~/.zfunc/_nbcost
  nbcost completions fish > ~/.config/fish/completions/nbcost.fish";

pub(super) const MAN_EXAMPLES: &str = "\
Examples:
  nbcost man > nbcost.1 && man ./nbcost.1";

pub(super) const SCHEMA_EXAMPLES: &str = "\
Examples:
  nbcost schema quote > quote.schema.json
  nbcost schema | jq 'keys'";

pub(super) const QUOTE_EXAMPLES: &str = "\
Examples:
  nbcost quote --model flash --size 2K --count 1000
  nbcost quote --model pro --size 4K --count 500 --lane batch --basis tokens
  nbcost quote --model flash --count 100 --prompt-tokens 300 --input-images 2 --format json";

pub(super) const COMPARE_EXAMPLES: &str = "\
Examples:
  nbcost compare
  nbcost compare --models flash,pro --sizes 1K,4K --counts 1000,10000
  nbcost compare --baseline pro:4K:standard --format csv";

pub(super) const ESTIMATE_EXAMPLES: &str = "\
Examples:
  nbcost estimate batch-input.jsonl --model flash
  nbcost estimate requests.jsonl --model pro --lane standard --basis tokens
  gunzip -c batch-input.jsonl.gz | nbcost estimate - --model flash --format json";

pub(super) const RATES_EXAMPLES: &str = "\
Examples:
  nbcost rates
  nbcost rates show flash
  nbcost rates check my-card.toml";

/// `nbcost quote`.
#[derive(Debug, ClapArgs)]
pub struct QuoteArgs {
    /// Model ID, successor ID or alias (flash, pro, nano-banana, ...)
    #[arg(long, short, value_parser = model_names(), hide_possible_values = true)]
    pub model: String,

    /// Image size: 512 (or 0.5K), 1K, 2K, 4K; default: the model's default
    #[arg(long, short, value_parser = size_values(), hide_possible_values = true)]
    pub size: Option<ImageSize>,

    /// How many images
    #[arg(long, short = 'n', value_parser = parse_count, allow_hyphen_values = true)]
    pub count: u64,

    /// One lane only; default: every lane the model has
    #[arg(long, value_parser = lane_values(), hide_possible_values = true)]
    pub lane: Option<Lane>,

    /// Price at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, value_enum, default_value = "list")]
    pub basis: BasisArg,

    /// Text input tokens per request
    #[arg(long, default_value_t = 0, value_parser = parse_amount, allow_hyphen_values = true)]
    pub prompt_tokens: u64,

    /// Reference images per request
    #[arg(long, default_value_t = 0, value_parser = parse_amount, allow_hyphen_values = true)]
    pub input_images: u64,

    /// Thinking tokens per image (an estimate), billed at the lane's text output rate
    #[arg(long, value_name = "N", value_parser = parse_amount, allow_hyphen_values = true)]
    pub thinking_tokens: Option<u64>,

    /// Exit with code 5 when the total is above AMOUNT (in the card's currency): the total on --lane, else on the dearest lane shown
    #[arg(long, value_name = "AMOUNT", value_parser = parse_money, allow_hyphen_values = true)]
    pub fail_above: Option<Money>,
}

impl QuoteArgs {
    /// The validated request.
    pub fn to_request(&self) -> QuoteRequest {
        QuoteRequest {
            model: self.model.clone(),
            size: self.size,
            count: self.count,
            lane: self.lane,
            basis: self.basis.into(),
            extras: Extras {
                prompt_tokens: self.prompt_tokens,
                input_images: self.input_images,
                thinking_tokens: self.thinking_tokens.unwrap_or(0),
            },
            thinking_given: self.thinking_tokens.is_some(),
            fail_above: self.fail_above,
        }
    }
}

/// `nbcost compare`.
#[derive(Debug, ClapArgs)]
pub struct CompareArgs {
    /// Models to compare, comma-separated; default: every model in the card
    #[arg(long, value_delimiter = ',', value_parser = model_names(), hide_possible_values = true)]
    pub models: Vec<String>,

    /// Sizes to compare, comma-separated; default: every size
    #[arg(long, value_delimiter = ',', value_parser = size_values(), hide_possible_values = true)]
    pub sizes: Vec<ImageSize>,

    /// Lanes to compare, comma-separated; default: every lane
    #[arg(long, value_delimiter = ',', value_parser = lane_values(), hide_possible_values = true)]
    pub lanes: Vec<Lane>,

    /// Volumes to total at, comma-separated
    #[arg(long, value_parser = parse_counts, default_value = "100,1000,10000")]
    pub counts: Vec<CountList>,

    /// Price at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, value_enum, default_value = "list")]
    pub basis: BasisArg,

    /// What ratios are against: MODEL[:SIZE[:LANE]]; default: the first model compared, at its default size and first lane
    #[arg(long, value_parser = parse_baseline)]
    pub baseline: Option<Baseline>,

    /// Thinking tokens per image (an estimate), added to every per-image price at the lane's text output rate
    #[arg(long, value_name = "N", value_parser = parse_amount, allow_hyphen_values = true)]
    pub thinking_tokens: Option<u64>,
}

impl CompareArgs {
    /// The validated request.
    pub fn to_request(&self) -> CompareRequest {
        let counts: Vec<u64> = self.counts.iter().flat_map(|list| list.0.iter().copied()).collect();
        let mut counts = if counts.is_empty() { DEFAULT_COUNTS.to_vec() } else { counts };
        counts.dedup();
        CompareRequest {
            models: self.models.clone(),
            sizes: self.sizes.clone(),
            lanes: self.lanes.clone(),
            counts,
            basis: self.basis.into(),
            baseline: self.baseline.clone(),
            thinking_tokens: self.thinking_tokens,
        }
    }
}

/// `nbcost estimate`.
#[derive(Debug, ClapArgs)]
pub struct EstimateArgs {
    /// A batch input file (JSONL; gzip and zstd read directly), or - for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The model the batch job will run: ID, successor ID or alias
    #[arg(long, short, value_parser = model_names(), hide_possible_values = true)]
    pub model: String,

    /// The lane to price at
    #[arg(long, default_value = "batch", value_parser = lane_values(), hide_possible_values = true)]
    pub lane: Lane,

    /// Price images at the published per-image price (list) or tokens × rate (tokens)
    #[arg(long, value_enum, default_value = "list")]
    pub basis: BasisArg,

    /// Thinking tokens per image (an estimate), billed at the lane's text output rate
    #[arg(long, value_name = "N", value_parser = parse_amount, allow_hyphen_values = true)]
    pub thinking_tokens: Option<u64>,

    #[command(flatten)]
    pub reading: ReadArgs,

    /// Exit with code 5 when the total is above AMOUNT (in the card's currency)
    #[arg(long, value_name = "AMOUNT", value_parser = parse_money, allow_hyphen_values = true)]
    pub fail_above: Option<Money>,
}

impl EstimateArgs {
    /// The validated request.
    pub fn to_request(&self) -> EstimateRequest {
        EstimateRequest {
            file: self.file.clone(),
            model: self.model.clone(),
            lane: self.lane,
            basis: self.basis.into(),
            thinking_tokens: self.thinking_tokens,
            strict: self.reading.strict,
            scan: self.reading.scan_options(),
            fail_above: self.fail_above,
        }
    }
}

/// How `estimate` and `tally` read their files.
#[derive(Debug, ClapArgs)]
pub struct ReadArgs {
    /// Stop at the first malformed line (exit 4) instead of counting it
    #[arg(long)]
    pub strict: bool,

    /// Threads reading lines; default: every core
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

impl ReadArgs {
    /// Scan options with `threads` readers, or one per core.
    pub(super) fn scan_options(&self) -> ScanOptions {
        let defaults = ScanOptions::default();
        ScanOptions { threads: self.threads.unwrap_or(defaults.threads), ..defaults }
    }
}

/// `nbcost rates`.
#[derive(Debug, ClapArgs)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RatesArgs {
    #[command(subcommand)]
    pub action: Option<RatesAction>,

    /// Write a card's TOML as it is (an embedded card, or one of your own, by name), to copy into a card of your own
    #[arg(long, value_name = "NAME")]
    pub card: Option<String>,
}

impl RatesArgs {
    /// The validated request.
    pub fn to_request(&self) -> Request {
        match &self.action {
            None => Request::Rates,
            Some(RatesAction::Show { model }) => Request::RatesShow { model: model.clone() },
            Some(RatesAction::Check { file }) => Request::RatesCheck { file: file.clone() },
        }
    }
}

/// What `rates` does beyond listing the models.
#[derive(Debug, Subcommand)]
pub enum RatesAction {
    /// One model in full: sizes, tokens, prices per lane, dates
    Show {
        /// Model ID, successor ID or alias
        #[arg(value_parser = model_names(), hide_possible_values = true)]
        model: String,
    },
    /// Validate a card and list each published price beside tokens × rate
    Check {
        /// The card to check; default: --rates, or the embedded card
        file: Option<PathBuf>,
    },
}

//! The clap structs of the commands that read what was spent (tally,
//! reconcile and sql), and their conversion into the library's validated
//! requests.

use std::path::PathBuf;

use rust_decimal::Decimal;

use clap::Args as ClapArgs;

use nbcost::attribution::By;
use nbcost::error::UsageError;
use nbcost::lane::Lane;
use nbcost::money::Money;
use nbcost::report::reconcile::ReconcileRequest;
use nbcost::report::tally::TallyRequest;
use nbcost::sql::{ReconcileSql, SqlRequest};
use nbcost::zone::{PACIFIC, Zone};

use super::commands::ReadArgs;
use super::values::{
    ColumnTypeArg, DialectArg, PeriodArg, lane_values, model_names, parse_amount, parse_by, parse_money,
    parse_percent, parse_rate, parse_separator, parse_zone,
};

pub(super) const TALLY_EXAMPLES: &str = "\
Examples:
  nbcost tally batch-output.jsonl
  nbcost tally part-1.jsonl.gz part-2.jsonl.gz --format csv
  nbcost tally responses.jsonl --lane standard --model flash --strict";

/// `nbcost tally`.
#[derive(Debug, ClapArgs)]
pub struct TallyArgs {
    /// Batch output files or response logs (JSONL; gzip and zstd read directly); - for stdin
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Bill every response on this lane; default: per line (batch output lines on batch, else
    /// serviceTier or trafficType, else standard)
    #[arg(long, value_parser = lane_values(), hide_possible_values = true)]
    pub lane: Option<Lane>,

    /// The model of responses that carry no modelVersion; without it they are not priced
    #[arg(long, short, value_parser = model_names(), hide_possible_values = true)]
    pub model: Option<String>,

    /// Google Search queries still free this month: taken off the queries priced (default 0:
    /// the free allowance is taken as used, since a file cannot show it)
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = parse_amount, allow_hyphen_values = true)]
    pub free_queries: u64,

    /// Cost by who spent it: key-prefix (the batch key up to the first `/`), label:NAME (the
    /// request's label NAME, where the line echoes the request), file, or day (the day a
    /// response was made, from Vertex AI's processed_time or createTime)
    #[arg(long, value_name = "RULE", value_parser = parse_by)]
    pub by: Option<By>,

    /// With --by day: the time zone whose days count, an IANA name [default: UTC]
    #[arg(long, value_name = "ZONE", value_parser = parse_zone, requires = "by")]
    pub tz: Option<Zone>,

    /// With --by key-prefix: the character that ends a key's prefix [default: /]
    #[arg(long, value_name = "C", value_parser = parse_separator, requires = "by")]
    pub key_separator: Option<char>,

    /// With --by: a plan file whose [[group]] budgets each attribution is held to (exit 5 when
    /// one is over)
    #[arg(long, value_name = "FILE", requires = "by")]
    pub plan: Option<PathBuf>,

    #[command(flatten)]
    pub reading: ReadArgs,

    /// Exit with code 5 when the total is above AMOUNT (in the card's currency)
    #[arg(long, value_name = "AMOUNT", value_parser = parse_money, allow_hyphen_values = true)]
    pub fail_above: Option<Money>,
}

impl TallyArgs {
    /// The validated request.
    pub fn to_request(&self) -> Result<TallyRequest, UsageError> {
        let by = in_zone(with_separator(&self.by, self.key_separator)?, self.tz.clone())?;
        Ok(TallyRequest {
            files: self.files.clone(),
            lane: self.lane,
            model: self.model.clone(),
            free_queries: self.free_queries,
            strict: self.reading.strict,
            scan: self.reading.scan_options(),
            fail_above: self.fail_above,
            by,
            plan: self.plan.clone(),
        })
    }
}

/// `--by` with `--key-separator`, which goes with `--by key-prefix` only.
fn with_separator(by: &Option<By>, separator: Option<char>) -> Result<Option<By>, UsageError> {
    match (by, separator) {
        (Some(By::KeyPrefix { .. }), Some(separator)) => Ok(Some(By::KeyPrefix { separator })),
        (by, Some(_)) => {
            let given = by.as_ref().map_or("no --by".to_string(), |by| format!("--by {by}"));
            Err(UsageError(format!("--key-separator goes with --by key-prefix, not {given}: leave it out")))
        }
        (by, None) => Ok(by.clone()),
    }
}

/// `--by` with `--tz`, which goes with `--by day` only.
fn in_zone(by: Option<By>, zone: Option<Zone>) -> Result<Option<By>, UsageError> {
    match (by, zone) {
        (Some(By::Day(_)), Some(zone)) => Ok(Some(By::Day(zone))),
        (by, Some(_)) => {
            let given = by.as_ref().map_or("no --by".to_string(), |by| format!("--by {by}"));
            Err(UsageError(format!("--tz goes with --by day, not {given}: leave it out")))
        }
        (by, None) => Ok(by),
    }
}

pub(super) const RECONCILE_EXAMPLES: &str = "\
Examples:
  nbcost reconcile --bill billing-report.csv batch-output.jsonl
  nbcost reconcile --bill export.jsonl.gz logs/*.jsonl --tolerance 2 --format json
  nbcost reconcile --bill eur-report.csv responses.jsonl --currency-rate 0.92";

/// `nbcost reconcile`.
#[derive(Debug, ClapArgs)]
pub struct ReconcileArgs {
    /// The responses: any file tally reads (JSONL; gzip and zstd read directly); - for stdin
    #[arg(value_name = "RESPONSES", required = true)]
    pub files: Vec<PathBuf>,

    /// A bill: the console's report CSV or billing-export JSON lines (gzip and zstd read
    /// directly); give it again for more bills
    #[arg(long, value_name = "BILL", required = true)]
    pub bill: Vec<PathBuf>,

    /// The difference still called a match, in percent of the larger side
    #[arg(long, value_name = "PCT", default_value = "1", value_parser = parse_percent)]
    pub tolerance: Decimal,

    /// For a bill in another currency than the card's: its units per unit of the card's
    /// currency (the export's own currency_conversion_rate is used where it gives one)
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub currency_rate: Option<Decimal>,

    /// Bill every response on this lane; default: per line, as tally does
    #[arg(long, value_parser = lane_values(), hide_possible_values = true)]
    pub lane: Option<Lane>,

    /// The model of responses that carry no modelVersion; without it they are not priced
    #[arg(long, short, value_parser = model_names(), hide_possible_values = true)]
    pub model: Option<String>,

    /// The time zone of the bill's days, an IANA name (the console's report counts Pacific days)
    #[arg(long, value_name = "ZONE", value_parser = parse_zone, default_value = PACIFIC)]
    pub tz: Zone,

    /// Leave out today and the N days before it, which the bill may still revise (the export
    /// lags by up to a day); 0 leaves out none
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = parse_amount, allow_hyphen_values = true)]
    pub settle_days: u64,

    #[command(flatten)]
    pub reading: ReadArgs,
}

impl ReconcileArgs {
    /// The validated request.
    pub fn to_request(&self) -> ReconcileRequest {
        ReconcileRequest {
            bills: self.bill.clone(),
            tally: TallyRequest {
                files: self.files.clone(),
                lane: self.lane,
                model: self.model.clone(),
                strict: self.reading.strict,
                scan: self.reading.scan_options(),
                ..TallyRequest::default()
            },
            tolerance_percent: self.tolerance,
            currency_rate: self.currency_rate,
            zone: self.tz.clone(),
            settle_days: self.settle_days,
        }
    }
}

pub(super) const SQL_EXAMPLES: &str = "\
Examples:
  nbcost sql --dialect duckdb --table responses --column line | duckdb responses.duckdb
  nbcost sql --dialect bigquery --table my-project.logs.t --column full_response > cost.sql
  bq query --use_legacy_sql=false < cost.sql
  nbcost sql --dialect duckdb --table logs --column line --time-column logged_at --per month
  nbcost sql --dialect bigquery --table p.logs.t --column full_response --time-column logging_time \\
    --reconcile --bill-table p.billing.gcp_billing_export_v1_XXXXXX";

/// `nbcost sql`.
#[derive(Debug, ClapArgs)]
pub struct SqlArgs {
    /// The SQL engine the query is for
    #[arg(long, value_enum)]
    pub dialect: DialectArg,

    /// The table the responses are in (project.dataset.table, schema.table or table)
    #[arg(long, value_name = "TABLE")]
    pub table: String,

    /// The column holding, per row, a batch output line or a response (JSON or text)
    #[arg(long, value_name = "COLUMN")]
    pub column: String,

    /// BigQuery: whether the column is JSON or a STRING of JSON text; DuckDB reads either
    #[arg(long, value_enum, default_value = "json")]
    pub column_type: ColumnTypeArg,

    /// Bill every row on this lane, as tally does; default: per row (batch output lines on
    /// batch, else serviceTier or trafficType, else standard)
    #[arg(long, value_parser = lane_values(), hide_possible_values = true)]
    pub lane: Option<Lane>,

    /// The model of rows that carry no modelVersion; without it they are not priced
    #[arg(long, short, value_parser = model_names(), hide_possible_values = true)]
    pub model: Option<String>,

    /// A DATE or TIMESTAMP column: one group of rows per --per period of it
    #[arg(long, value_name = "COLUMN")]
    pub time_column: Option<String>,

    /// The period of --time-column
    #[arg(long, value_enum, default_value = "day", requires = "time_column")]
    pub per: PeriodArg,

    /// Only the rows this condition (in the engine's SQL) holds for, such as
    /// "logging_time >= '2026-10-01'"
    #[arg(long = "where", value_name = "CONDITION")]
    pub filter: Option<String>,

    /// Usage rows per attribution too: key-prefix (the row's batch key up to the first `/`) or
    /// label:NAME (the request's label NAME, from request.labels or full_request.labels)
    #[arg(long, value_name = "RULE", value_parser = parse_by)]
    pub by: Option<By>,

    /// With --by key-prefix: the character that ends a key's prefix [default: /]
    #[arg(long, value_name = "C", value_parser = parse_separator, requires = "by")]
    pub key_separator: Option<char>,

    /// Set a billing export table beside the priced rows, SKU by SKU, as nbcost reconcile
    /// does (with --bill-table); by day with --time-column
    #[arg(long, requires = "bill_table")]
    pub reconcile: bool,

    /// With --reconcile: the billing export table (project.dataset.table)
    #[arg(long, value_name = "TABLE", requires = "reconcile")]
    pub bill_table: Option<String>,

    /// With --reconcile: the difference still called a match, in percent of the larger side
    #[arg(long, value_name = "PCT", default_value = "1", value_parser = parse_percent, requires = "reconcile")]
    pub tolerance: Decimal,

    /// With --reconcile: the time zone of the bill's days, an IANA name
    #[arg(long, value_name = "ZONE", value_parser = parse_zone, default_value = PACIFIC, requires = "reconcile")]
    pub tz: Zone,

    /// With --reconcile and --time-column: leave out today and the N days before it, which the
    /// bill may still revise; 0 leaves out none
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = parse_amount, allow_hyphen_values = true, requires = "reconcile")]
    pub settle_days: u64,
}

impl SqlArgs {
    /// The validated request.
    pub fn to_request(&self) -> Result<SqlRequest, UsageError> {
        Ok(SqlRequest {
            dialect: self.dialect.into(),
            table: self.table.clone(),
            column: self.column.clone(),
            column_type: self.column_type.into(),
            lane: self.lane,
            model: self.model.clone(),
            time_column: self.time_column.clone(),
            per: self.per.into(),
            filter: self.filter.clone(),
            by: with_separator(&self.by, self.key_separator)?,
            reconcile: self.bill_table.as_ref().filter(|_| self.reconcile).map(|table| ReconcileSql {
                bill_table: table.clone(),
                tolerance_percent: self.tolerance,
                zone: self.tz.clone(),
                settle_days: self.settle_days,
                // The card's, given where the card in force is known.
                rules: Vec::new(),
            }),
        })
    }
}

//! Google's bill for Gemini image generation, as `nbcost reconcile` reads
//! it: the Cloud Billing console's report CSV, or billing-export rows as
//! JSON lines (`bq query --format=json`, an export to newline-delimited
//! JSON), plain, gzip or zstd, told apart by content.
//!
//! Only the rows of the Gemini API (`AEFD-7695-64FA`) and Vertex AI
//! (`C7E2-9256-1C43`) services are kept; the others are counted and named.
//! Money stays exact (`Decimal`), as the bill writes it.

mod console_csv;
mod error;
mod export_json;
mod gather;
mod read;
#[cfg(test)]
mod tests;

use rust_decimal::Decimal;
use time::Date;

pub use error::BillError;
pub use read::{BILL_LIMIT, read_bill, read_bill_bytes};

/// The Gemini API's service ID.
pub const GEMINI_API: &str = "AEFD-7695-64FA";
/// Vertex AI's service ID.
pub const VERTEX_AI: &str = "C7E2-9256-1C43";

/// How the bill was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillFormat {
    /// The console's Reports CSV (one row per day × SKU, Pacific days).
    ConsoleCsv,
    /// Billing-export rows as JSON lines.
    ExportJsonl,
}

/// What a bill row is: usage, or money that is no usage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CostType {
    /// Usage at a SKU's price.
    Regular,
    /// Tax.
    Tax,
    /// An adjustment (a refund, a correction).
    Adjustment,
    /// The export's rounding error line.
    RoundingError,
    /// Any other `cost_type`, as written.
    Other(String),
}

/// One row of a bill, of the two Gemini services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillRow {
    /// Where it is in the file: the line number (1 for the first line; the
    /// CSV header is line 1).
    pub line: u64,
    /// The usage day: the console CSV's `Date` (Pacific time), or the
    /// calendar date of the export's `usage_start_time` as written.
    pub day: Option<Date>,
    /// The export's `usage_start_time` as an instant (seconds since the
    /// Unix epoch), where it says one (a time with no zone is UTC, as the
    /// export's are; a date alone says none): its day in `--tz` is the
    /// row's day. The console CSV gives days only.
    pub start: Option<i64>,
    /// `Service ID` / `service.id`.
    pub service_id: String,
    /// `Service description` / `service.description`.
    pub service_description: String,
    /// `SKU ID` / `sku.id`, where given.
    pub sku_id: Option<String>,
    /// `SKU description` / `sku.description`.
    pub sku_description: String,
    /// `Usage amount` / `usage.amount`: tokens for token SKUs (`count`),
    /// queries for search SKUs.
    pub usage_amount: Decimal,
    /// `Usage unit` / `usage.unit`.
    pub usage_unit: String,
    /// The cost before credits and savings: the CSV's `List cost`, the
    /// export's `cost`, in the bill's currency.
    pub cost: Decimal,
    /// Credits and savings (0 or negative): the sum of the export's
    /// `credits[].amount`, or of the CSV's savings columns.
    pub credits: Decimal,
    /// The bill's currency: the export's `currency`; the CSV's from its
    /// header (`($)`: USD). `None` where the bill does not say.
    pub currency: Option<String>,
    /// The export's `currency_conversion_rate` (units of `currency` per
    /// US dollar), where given.
    pub conversion_rate: Option<Decimal>,
    /// `cost_type` (the CSV has none: regular).
    pub cost_type: CostType,
    /// `project.id`, where given.
    pub project: Option<String>,
}

/// Rows of a service that is not Gemini's: counted and named, not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherService {
    /// Its service ID.
    pub id: String,
    /// Its description.
    pub description: String,
    /// Its rows.
    pub rows: u64,
}

/// A row that could not be read: listed, and the reconciliation is
/// incomplete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedBillRow {
    /// Its line.
    pub line: u64,
    /// Why, in a short lowercase phrase.
    pub reason: String,
}

/// A bill, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    /// The file, as messages name it.
    pub source: String,
    /// How it was written.
    pub format: BillFormat,
    /// The rows of the two Gemini services, in file order.
    pub rows: Vec<BillRow>,
    /// Other services' rows, counted, in order of first appearance.
    pub other_services: Vec<OtherService>,
    /// Rows that could not be read.
    pub malformed: Vec<MalformedBillRow>,
}

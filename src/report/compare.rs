//! `compare`: every model × size × lane side by side, against a baseline, with
//! totals at a few volumes.

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::rows_notices;
use super::{CardInfo, Notice, Outcome, RatioSchema, Verdict, incomplete, nothing_offered, ratio};
use crate::card::PricedBy;
use crate::card::{Grade, Model, RateCard, Status, UnknownModel};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::Money;
use crate::pricing::{self, Basis, Component, Gap, PricingError, Unpriced};
use crate::size::ImageSize;

/// The volumes compared when none are given.
pub const DEFAULT_COUNTS: [u64; 3] = [100, 1_000, 10_000];

/// A point to compare against: model, size and lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The model as typed.
    pub model: String,
    /// The size; `None` means the model's default.
    pub size: Option<ImageSize>,
    /// The lane.
    pub lane: Lane,
}

/// What to compare, validated. Empty lists mean "everything the card has".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareRequest {
    /// Models as typed.
    pub models: Vec<String>,
    /// Sizes.
    pub sizes: Vec<ImageSize>,
    /// Lanes.
    pub lanes: Vec<Lane>,
    /// Volumes to total at.
    pub counts: Vec<u64>,
    /// List or token prices.
    pub basis: Basis,
    /// What ratios are against; `None` means the first model compared at its
    /// default size on its first lane.
    pub baseline: Option<Baseline>,
    /// Thinking tokens per image (an estimate), added to every row's
    /// per-image price at the lane's text output rate; `None` when not given.
    pub thinking_tokens: Option<u64>,
}

/// Why a comparison cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// No such model.
    #[error(transparent)]
    UnknownModel(#[from] UnknownModel),
    /// The engine refused.
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// The filters leave nothing to compare.
    #[error("{0}; `nbcost rates` lists the sizes and lanes")]
    NothingToCompare(String),
}

impl Kind for CompareError {
    fn kind(&self) -> ErrorKind {
        match self {
            CompareError::Pricing(error) => error.kind(),
            CompareError::UnknownModel(_) | CompareError::NothingToCompare(_) => ErrorKind::Usage,
        }
    }
}

/// The answer to `nbcost compare`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CompareReport {
    /// The rate card the prices come from.
    pub card: CardInfo,
    /// `list` or `tokens`.
    pub basis: Basis,
    /// The volumes each row is totalled at.
    pub counts: Vec<u64>,
    /// Thinking tokens per image (an estimate) in every per-image price;
    /// left out of the JSON when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_tokens: Option<u64>,
    /// Whether a model compared always thinks (and is billed for it) but no
    /// `--thinking-tokens` was given: its prices leave thinking out.
    pub thinking_not_included: bool,
    /// The product names of the models compared that always think, when
    /// thinking is not included (for the note).
    #[serde(skip)]
    pub always_thinking: Vec<String>,
    /// Rows whose thinking the card cannot price (no text output rate on
    /// the lane): their prices are the image alone, so every total is short
    /// (exit code 6). Left out of the JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unpriced: Vec<Unpriced>,
    /// Whether every row's price is whole (`unpriced` is empty), as every
    /// report with a total says.
    pub complete: bool,
    /// What `ratio_to_baseline` is measured against.
    pub baseline: BaselineInfo,
    /// One row per model × size × lane, in card order, smallest size first.
    pub rows: Vec<CompareRow>,
    /// Combinations asked for that the card does not have.
    pub skipped: Vec<Skipped>,
    /// The cheapest row per image among models that can still be used
    /// (never one that is shut down or whose shutdown is disputed); `null`
    /// when every row's model is retired.
    pub cheapest: Option<Cheapest>,
    /// Provider routes for the rows' models, sizes and lanes, each beside
    /// Google's price; left out of the JSON when the card has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteRow>,
    /// A warning for each model compared that is retired or retiring.
    #[serde(skip)]
    pub notices: Vec<Notice>,
}

/// A provider's own per-image price beside Google's for the same model,
/// size and lane.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RouteRow {
    /// Who sets the price: the provider, not Google.
    pub owner: String,
    /// The provider's own name for the offer, where given.
    pub name: Option<String>,
    /// The model's full ID.
    pub model: String,
    /// The size.
    pub size: ImageSize,
    /// The Google lane it stands beside.
    pub lane: Lane,
    /// The provider's price per image, exact.
    pub provider_price: Money,
    /// Google's price per image for the same model, size and lane, exact.
    pub google_price: Money,
    /// `provider_price − google_price`, exact.
    pub difference: Money,
    /// Where the provider publishes the price.
    pub source: String,
}

/// The baseline, priced.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BaselineInfo {
    /// The model's full ID.
    pub model: String,
    /// The size.
    pub size: ImageSize,
    /// The lane.
    pub lane: Lane,
    /// Money per image, exact.
    pub unit_price: Money,
}

/// One model × size × lane.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CompareRow {
    /// The model's full ID.
    pub model: String,
    /// The model's product name.
    pub model_name: String,
    /// The size as the API writes it.
    pub size: ImageSize,
    /// The lane.
    pub lane: Lane,
    /// Where the card in force does not list the model (it came out after
    /// the card): the later card whose prices it carries, its price at
    /// release (`October 2026 (embedded 2026-10)`); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "PricedBy::serialize_name")]
    #[schemars(with = "Option<String>")]
    pub priced_by: Option<PricedBy>,
    /// The model's status today: `active`, `deprecated`, `shut-down` or
    /// `disputed`.
    pub status: Status,
    /// Money per image, exact (thinking included where asked for).
    pub unit_price: Money,
    /// Of which thinking, with `--thinking-tokens`, `null` where the lane
    /// has no text output rate in the card (never $0); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_unit_price: Option<Option<Money>>,
    /// Whether thinking was asked for but the lane has no text output rate
    /// in the card: `unit_price` is the image alone. Left out when `false`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub thinking_unpriced: bool,
    /// Why thinking is not priced, where it is not; left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpriced_reason: Option<String>,
    /// Money per image for the image alone, without thinking: what a
    /// provider's per-image price stands beside.
    #[serde(skip)]
    pub image_unit_price: Money,
    /// How well `unit_price` is sourced: `published`, `transcribed` or
    /// `derived` (tokens × rate where no per-image price is published).
    pub grade: Grade,
    /// Image output tokens per image.
    pub output_tokens: u64,
    /// `unit_price` ÷ the baseline's, to 4 places.
    #[serde(serialize_with = "ratio")]
    #[schemars(with = "RatioSchema")]
    pub ratio_to_baseline: Decimal,
    /// The total at each of `counts`, in the same order.
    pub totals: Vec<CountTotal>,
}

/// The recommendation: the cheapest usable row, and the cheaper rows passed
/// over because their model is retired.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Cheapest {
    /// The model's full ID.
    pub model: String,
    /// The model's product name.
    pub model_name: String,
    /// The size.
    pub size: ImageSize,
    /// The lane.
    pub lane: Lane,
    /// Money per image, exact.
    pub unit_price: Money,
    /// Models with a cheaper row that were passed over, and why.
    pub passed_over: Vec<PassedOver>,
}

/// A cheaper row's model that a recommendation does not name.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PassedOver {
    /// The model's full ID.
    pub model: String,
    /// Its status today (`shut-down` or `disputed`).
    pub status: Status,
}

/// A total at one volume.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CountTotal {
    /// Images.
    pub count: u64,
    /// Money, exact.
    pub total: Money,
}

/// A combination the card does not have.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Skipped {
    /// The model's full ID.
    pub model: String,
    /// `size` or `lane`.
    pub missing: &'static str,
    /// The size or lane it lacks.
    pub value: String,
}

impl CompareReport {
    /// Compares with `card` as of `today`.
    pub fn build(
        card: &RateCard,
        request: &CompareRequest,
        today: Date,
    ) -> Result<CompareReport, CompareError> {
        let models = card.models_named(&request.models)?;
        let first =
            models.first().ok_or_else(|| CompareError::NothingToCompare("the card holds no model".into()))?;
        let baseline = baseline(card, request, first)?;
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        let explicit_models = !request.models.is_empty();
        for model in models.iter().copied() {
            for size in sizes(model, &request.sizes) {
                if model.size(size).is_none() {
                    if explicit_models {
                        skipped.push(Skipped {
                            model: model.id.clone(),
                            missing: "size",
                            value: size.to_string(),
                        });
                    }
                    continue;
                }
                for lane in lanes(model, &request.lanes) {
                    if !model.tokens.contains_key(&lane) {
                        if explicit_models || size == model.sizes[0].size {
                            skipped.push(Skipped {
                                model: model.id.clone(),
                                missing: "lane",
                                value: lane.to_string(),
                            });
                        }
                        continue;
                    }
                    rows.push(row(model, size, lane, request, &baseline, today)?);
                }
            }
        }
        if rows.is_empty() {
            let why = nothing_offered(&models, explicit_models, &request.sizes, &request.lanes);
            return Err(CompareError::NothingToCompare(why));
        }
        let routes = routes(card, &rows)?;
        let mut always_thinking: Vec<String> = Vec::new();
        if request.thinking_tokens.is_none() {
            for row in &rows {
                let thinks = card.resolve(&row.model).is_ok_and(|found| found.model.always_thinks);
                if thinks && !always_thinking.contains(&row.model_name) {
                    always_thinking.push(row.model_name.clone());
                }
            }
        }
        let unpriced: Vec<Unpriced> = rows
            .iter()
            .filter(|row| row.thinking_unpriced)
            .map(|row| Unpriced {
                part: format!("thinking (estimate) of {} {} on {}", row.model, row.size, row.lane),
                reason: format!("the rate card gives no {} text output rate for {}", row.lane, row.model),
                component: Component::Thinking,
            })
            .collect();
        let shown: Vec<(&str, Lane)> = rows.iter().map(|row| (row.model.as_str(), row.lane)).collect();
        let notices = rows_notices(card, &request.models, &shown, request.thinking_tokens.is_some(), today);
        Ok(CompareReport {
            card: CardInfo::new(card, today),
            basis: request.basis,
            counts: request.counts.clone(),
            thinking_tokens: request.thinking_tokens,
            thinking_not_included: !always_thinking.is_empty(),
            always_thinking,
            complete: unpriced.is_empty(),
            unpriced,
            baseline,
            cheapest: cheapest(&rows),
            rows,
            skipped,
            routes,
            notices,
        })
    }
}

impl CompareReport {
    /// Whether every total holds every part asked for.
    pub fn is_complete(&self) -> bool {
        self.unpriced.is_empty()
    }
}

impl Outcome for CompareReport {
    fn verdict(&self) -> Verdict {
        if self.unpriced.is_empty() {
            Verdict::Pass
        } else {
            let rows = crate::count::counted(self.unpriced.len() as u64, "row", "rows");
            incomplete(&format!("the price of {rows} is"), "thinking not priced")
        }
    }

    fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

/// The card's routes that cover a compared row, in card order.
fn routes(card: &RateCard, rows: &[CompareRow]) -> Result<Vec<RouteRow>, CompareError> {
    let mut out = Vec::new();
    for route in &card.routes {
        for row in rows.iter().filter(|row| route.covers(&row.model, row.size, row.lane)) {
            out.push(RouteRow {
                owner: route.owner.clone(),
                name: route.name.clone(),
                model: row.model.clone(),
                size: row.size,
                lane: row.lane,
                provider_price: Money::new(route.price),
                google_price: row.image_unit_price,
                difference: Money::new(route.price)
                    .minus(row.image_unit_price)
                    .map_err(|_| PricingError::Overflow { count: 1 })?,
                source: route.source.clone(),
            });
        }
    }
    Ok(out)
}

/// The cheapest row whose model is not retired and whose price is whole,
/// and the retired models with a cheaper row.
fn cheapest(rows: &[CompareRow]) -> Option<Cheapest> {
    let pick = rows
        .iter()
        .filter(|row| !row.status.is_retired() && !row.thinking_unpriced)
        .min_by_key(|row| row.unit_price)?;
    let mut passed_over: Vec<PassedOver> = Vec::new();
    for row in rows.iter().filter(|row| row.status.is_retired() && row.unit_price < pick.unit_price) {
        if !passed_over.iter().any(|seen| seen.model == row.model) {
            passed_over.push(PassedOver { model: row.model.clone(), status: row.status });
        }
    }
    Some(Cheapest {
        model: pick.model.clone(),
        model_name: pick.model_name.clone(),
        size: pick.size,
        lane: pick.lane,
        unit_price: pick.unit_price,
        passed_over,
    })
}

fn sizes(model: &Model, wanted: &[ImageSize]) -> Vec<ImageSize> {
    if wanted.is_empty() { model.sizes.iter().map(|row| row.size).collect() } else { wanted.to_vec() }
}

fn lanes(model: &Model, wanted: &[Lane]) -> Vec<Lane> {
    if wanted.is_empty() { model.lanes().collect() } else { wanted.to_vec() }
}

/// The baseline asked for, else the first model compared at its default
/// size on its first lane.
fn baseline(card: &RateCard, request: &CompareRequest, first: &Model) -> Result<BaselineInfo, CompareError> {
    let (model, size, lane) = match &request.baseline {
        Some(wanted) => {
            let model = card.resolve(&wanted.model)?.model;
            (model, wanted.size.unwrap_or(model.default_size), wanted.lane)
        }
        None => {
            let lane = first.lanes().next().unwrap_or(Lane::Standard);
            (first, first.default_size, lane)
        }
    };
    let image = pricing::one_image(model, size, lane, request.basis)?;
    let unit_price = match request.thinking_tokens {
        Some(tokens) => {
            pricing::with_thinking(image, pricing::rates(model, lane)?, tokens)
                .map_err(|_| PricingError::Overflow { count: 1 })?
                .unit_price
        }
        None => image,
    };
    Ok(BaselineInfo { model: model.id.clone(), size, lane, unit_price })
}

fn row(
    model: &Model,
    size: ImageSize,
    lane: Lane,
    request: &CompareRequest,
    baseline: &BaselineInfo,
    today: Date,
) -> Result<CompareRow, CompareError> {
    let (image, grade) = pricing::image_price(model, size, lane, request.basis)?;
    let (unit_price, thinking_unit_price, thinking_unpriced) = match request.thinking_tokens {
        Some(tokens) => {
            let priced = pricing::with_thinking(image, pricing::rates(model, lane)?, tokens)
                .map_err(|_| PricingError::Overflow { count: 1 })?;
            (priced.unit_price, Some(priced.thinking), priced.thinking.is_none())
        }
        None => (image, None, false),
    };
    let totals = request
        .counts
        .iter()
        .map(|&count| {
            unit_price
                .times(count)
                .map(|total| CountTotal { count, total })
                .map_err(|_| PricingError::Overflow { count })
        })
        .collect::<Result<_, _>>()?;
    Ok(CompareRow {
        model: model.id.clone(),
        model_name: model.name.clone(),
        size,
        lane,
        priced_by: model.priced_by.clone(),
        status: model.status(today),
        unit_price,
        thinking_unit_price,
        thinking_unpriced,
        unpriced_reason: thinking_unpriced
            .then(|| format!("thinking (estimate): {}", Gap::NoRate("text output").reason(model, lane))),
        image_unit_price: image,
        grade,
        output_tokens: model.size(size).map_or(0, |r| r.output_tokens),
        ratio_to_baseline: unit_price.amount().checked_div(baseline.unit_price.amount()).unwrap_or_default(),
        totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::today;

    fn everything() -> CompareRequest {
        CompareRequest {
            models: vec![],
            sizes: vec![],
            lanes: vec![],
            counts: DEFAULT_COUNTS.to_vec(),
            basis: Basis::List,
            baseline: None,
            thinking_tokens: None,
        }
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn lists_every_model_size_and_lane_of_the_card() {
        let report = CompareReport::build(&RateCard::embedded(), &everything(), today()).unwrap();
        let keys: Vec<String> =
            report.rows.iter().map(|r| format!("{} {} {}", r.model_name, r.size, r.lane)).collect();
        assert_eq!(keys.len(), 16);
        assert_eq!(keys[0], "Nano Banana 2 512 standard");
        assert_eq!(keys[15], "Nano Banana 1K batch");
        assert!(report.skipped.is_empty());
        assert_eq!(report.baseline.model, "gemini-3.1-flash-image-preview");
        assert_eq!((report.baseline.size, report.baseline.lane), (ImageSize::K1, Lane::Standard));
    }

    /// The size ladder and monthly table people quote for Nano Banana 2:
    /// 10,000 images at 1K are $670 standard and $340 batch; at 4K $1,510 and
    /// $760; 1,000 at 2K are $101 and $50.
    #[test]
    fn reproduces_the_monthly_table_people_quote() {
        let report = CompareReport::build(&RateCard::embedded(), &everything(), today()).unwrap();
        let total = |size: ImageSize, lane: Lane, count: u64| {
            let row = report
                .rows
                .iter()
                .find(|r| r.model == "gemini-3.1-flash-image-preview" && r.size == size && r.lane == lane)
                .unwrap();
            row.totals.iter().find(|t| t.count == count).unwrap().total
        };
        assert_eq!(total(ImageSize::K1, Lane::Standard, 10_000), d("670"));
        assert_eq!(total(ImageSize::K1, Lane::Batch, 10_000), d("340"));
        assert_eq!(total(ImageSize::K4, Lane::Standard, 10_000), d("1510"));
        assert_eq!(total(ImageSize::K4, Lane::Batch, 10_000), d("760"));
        assert_eq!(total(ImageSize::K2, Lane::Standard, 1_000), d("101"));
        assert_eq!(total(ImageSize::K2, Lane::Batch, 1_000), d("50"));
        assert_eq!(total(ImageSize::S512, Lane::Standard, 100), d("4.5"));
    }

    #[test]
    fn measures_ratios_against_the_baseline() {
        let mut request = everything();
        request.baseline =
            Some(Baseline { model: "pro".into(), size: Some(ImageSize::K4), lane: Lane::Standard });
        let report = CompareReport::build(&RateCard::embedded(), &request, today()).unwrap();
        let pro_4k = report
            .rows
            .iter()
            .find(|r| r.model_name == "Nano Banana Pro" && r.size == ImageSize::K4)
            .unwrap();
        assert_eq!(pro_4k.ratio_to_baseline, Decimal::ONE);
        let flash_1k = &report.rows[2];
        assert_eq!((flash_1k.size, flash_1k.lane), (ImageSize::K1, Lane::Standard));
        // 0.067 / 0.24 = 0.279166...
        assert_eq!(flash_1k.ratio_to_baseline.round_dp(4), d("0.2792"));
    }

    #[test]
    fn notes_the_sizes_a_named_model_lacks() {
        let mut request = everything();
        request.models = vec!["flash".into(), "pro".into()];
        request.sizes = vec![ImageSize::S512];
        let report = CompareReport::build(&RateCard::embedded(), &request, today()).unwrap();
        assert_eq!(report.rows.len(), 2);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].model, "gemini-3-pro-image-preview");
    }

    /// 1,000 thinking tokens an image on the October card: Pro 1K standard
    /// $0.134 + 1,000 × $12 per 1M = $0.146; batch $0.067 + $0.006 =
    /// $0.073. Lite on batch: $0.0168 + 1,000 × $0.75 per 1M (batch = 50%
    /// of standard) = $0.01755. On a card without that rate its price stays
    /// the image's ($0.0168), the row is unpriced and never the cheapest.
    #[test]
    fn adds_thinking_to_every_rows_price() {
        let mut request = everything();
        request.models = vec!["pro".into(), "lite".into()];
        request.sizes = vec![ImageSize::K1];
        request.thinking_tokens = Some(1000);
        let october = RateCard::embedded_named("2026-10").unwrap();
        let report = CompareReport::build(&october, &request, today()).unwrap();
        let lite_batch = report
            .rows
            .iter()
            .find(|r| r.model_name == "Nano Banana 2 Lite" && r.lane == Lane::Batch)
            .unwrap();
        assert_eq!((lite_batch.unit_price.amount(), lite_batch.thinking_unpriced), (d("0.01755"), false));
        assert!(report.unpriced.is_empty());
        let card = crate::report::testing::lite_batch_without_text_rates();
        let report = CompareReport::build(&card, &request, today()).unwrap();
        let prices: Vec<(String, Lane, Decimal, bool)> = report
            .rows
            .iter()
            .map(|r| (r.model_name.clone(), r.lane, r.unit_price.amount(), r.thinking_unpriced))
            .collect();
        assert_eq!(prices[0], ("Nano Banana Pro".into(), Lane::Standard, d("0.146"), false));
        assert_eq!(prices[1], ("Nano Banana Pro".into(), Lane::Batch, d("0.073"), false));
        let lite_batch = prices.iter().find(|p| p.0 == "Nano Banana 2 Lite" && p.1 == Lane::Batch).unwrap();
        assert_eq!((lite_batch.2, lite_batch.3), (d("0.0168"), true));
        assert_eq!(report.unpriced.len(), 1);
        assert_eq!(report.baseline.unit_price, d("0.146"));
        let cheapest = report.cheapest.unwrap();
        assert_eq!((cheapest.model_name.as_str(), cheapest.lane), ("Nano Banana 2 Lite", Lane::Standard));
        // 0.0336 + 1,000 × $1.50 per 1M.
        assert_eq!(cheapest.unit_price, d("0.0351"));
        assert!(!report.thinking_not_included);
    }

    #[test]
    fn says_when_a_model_that_always_thinks_is_priced_without_thinking() {
        let mut request = everything();
        request.models = vec!["pro".into(), "flash".into()];
        let report = CompareReport::build(&RateCard::embedded(), &request, today()).unwrap();
        assert!(report.thinking_not_included);
        assert_eq!(report.always_thinking, ["Nano Banana Pro"]);
    }

    #[test]
    fn refuses_filters_that_leave_nothing() {
        let mut request = everything();
        request.lanes = vec![Lane::Flex];
        let err = CompareReport::build(&RateCard::embedded(), &request, today()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no model in the card offers flex; `nbcost rates` lists the sizes and lanes"
        );
    }
}

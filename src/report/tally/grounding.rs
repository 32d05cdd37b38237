//! Google Search grounding in `tally`: the queries each response ran
//! (`groundingMetadata.webSearchQueries`), summed per model and priced at
//! the card's grounding price.
//!
//! The free allowance (grounded prompts a month, shared by the account's
//! models) cannot be seen in a file: how much of it other work used is not
//! written anywhere. So every query is priced as if the allowance were used
//! up, which is what the invoice says once it is, and `--free-queries N`
//! takes `N` queries off the queries priced, given to models in card order.
//! A model the card gives no grounding has its queries counted and left
//! unpriced, which makes the total incomplete: a bill is never guessed.

use serde::Serialize;

use super::{TallyError, TallyRow};
use crate::card::RateCard;
use crate::money::Money;
use crate::pricing;

/// The search queries of a tally and what they cost.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TallyGrounding {
    /// Money per 1,000 queries in the card; `null` when the card has no
    /// `[grounding]` table.
    pub price_per_1000_queries: Option<Money>,
    /// Grounded prompts a month the card says are free (shared by every
    /// model of the account); `null` as for the price.
    pub free_prompts_per_month: Option<u64>,
    /// Every query counted, priced or not.
    pub queries: u64,
    /// `--free-queries` as given.
    pub free_queries: u64,
    /// Of those, the queries taken off (no more than the queries priceable).
    pub free_queries_used: u64,
    /// Queries priced.
    pub paid_queries: u64,
    /// Queries of models the card gives no grounding price for (or does
    /// not know): counted, not priced, and the total is incomplete.
    pub unpriced_queries: u64,
    /// Money for the queries priced; in the total. `null` when there are
    /// queries and none of them could be priced.
    pub cost: Option<Money>,
    /// One row per model whose responses ran queries, in the order of the
    /// tally's rows.
    pub models: Vec<GroundingRow>,
}

/// The queries of one model.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroundingRow {
    /// The card's model ID; `null` when the card does not know the model.
    pub model: Option<String>,
    /// The card's product name; `null` as for `model`.
    pub model_name: Option<String>,
    /// Every `modelVersion` as written; for an unknown model, what tells it
    /// apart.
    pub model_versions: Vec<Option<String>>,
    /// Queries run.
    pub queries: u64,
    /// Of those, taken off by `--free-queries`.
    pub free_queries: u64,
    /// Queries priced: `queries` − `free_queries`; 0 when not priced.
    pub paid_queries: u64,
    /// Money for them; `null` when not priced.
    pub cost: Option<Money>,
    /// Why the queries are not priced, when they are not.
    pub unpriced_reason: Option<String>,
}

impl TallyGrounding {
    /// Sums the rows' queries per model and prices them, `free_queries`
    /// taken off in row order.
    pub(crate) fn new(card: &RateCard, rows: &[TallyRow], free_queries: u64) -> Result<Self, TallyError> {
        let mut models: Vec<GroundingRow> = Vec::new();
        for row in rows.iter().filter(|row| row.search_queries > 0) {
            let same = |other: &&mut GroundingRow| match &row.model {
                Some(id) => other.model.as_ref() == Some(id),
                None => other.model.is_none() && other.model_versions == row.model_versions,
            };
            match models.iter_mut().find(same) {
                Some(found) => {
                    found.queries =
                        found.queries.checked_add(row.search_queries).ok_or(TallyError::Overflow)?;
                    for version in &row.model_versions {
                        if !found.model_versions.contains(version) {
                            found.model_versions.push(version.clone());
                        }
                    }
                }
                None => models.push(GroundingRow {
                    model: row.model.clone(),
                    model_name: row.model_name.clone(),
                    model_versions: row.model_versions.clone(),
                    queries: row.search_queries,
                    free_queries: 0,
                    paid_queries: 0,
                    cost: None,
                    unpriced_reason: None,
                }),
            }
        }
        let mut free_left = free_queries;
        for row in &mut models {
            row.model_versions.sort();
            let model = row.model.as_ref().and_then(|id| card.models.iter().find(|model| &model.id == id));
            let prices = match (model, card.grounding) {
                (None, _) => Err("the model is not in the rate card".to_string()),
                (Some(model), _) if !model.grounding => {
                    Err(format!("the rate card gives {} no Google Search grounding price", model.id))
                }
                (Some(_), None) => Err("the rate card has no [grounding] prices".to_string()),
                (Some(_), Some(prices)) => Ok(prices),
            };
            match prices {
                Ok(prices) => {
                    row.free_queries = free_left.min(row.queries);
                    free_left -= row.free_queries;
                    row.paid_queries = row.queries - row.free_queries;
                    row.cost = Some(pricing::grounding_cost(&prices, row.paid_queries)?);
                }
                Err(reason) => row.unpriced_reason = Some(reason),
            }
        }
        let sum = |part: fn(&GroundingRow) -> u64| models.iter().map(part).sum::<u64>();
        let nothing_priced = !models.is_empty() && models.iter().all(|row| row.cost.is_none());
        let cost = Money::sum(models.iter().filter_map(|row| row.cost))?;
        Ok(TallyGrounding {
            price_per_1000_queries: card.grounding.map(|g| Money::new(g.price_per_1000_queries)),
            free_prompts_per_month: card.grounding.map(|g| g.free_prompts_per_month),
            queries: sum(|row| row.queries),
            free_queries,
            free_queries_used: sum(|row| row.free_queries),
            paid_queries: sum(|row| row.paid_queries),
            unpriced_queries: models.iter().filter(|row| row.cost.is_none()).map(|row| row.queries).sum(),
            cost: (!nothing_priced).then_some(cost),
            models,
        })
    }
}

//! The rate card compiled into the query as inline tables, so the query
//! needs nothing but the table it reads:
//!
//! - `nb_names`: every name a `modelVersion` may resolve by (IDs, former
//!   IDs, aliases, lowercased), with the order `tally` tries them in;
//! - `nb_models`: each model's place in the card, its lanes and whether the
//!   card prices its grounding;
//! - `nb_sizes`: the size label each image-token count per image means;
//! - `nb_rates`: each model's per-token rates on each lane.

use rust_decimal::Decimal;

use super::SqlError;
use super::dialect::{Dialect, SCALE, Type};
use crate::card::RateCard;
use crate::lane::Lane;

/// The lanes in the order `tally` lists them; provisioned throughput last.
const LANE_ORDER: [&str; 5] = ["standard", "batch", "flex", "priority", "provisioned"];

/// The `WITH` entries of the card's tables, each `name AS (...)`.
pub(super) fn card_tables(dialect: Dialect, card: &RateCard) -> Result<Vec<String>, SqlError> {
    let text = |value: &str| dialect.string(value);
    let int = |value: u64| value.to_string();
    let mut names = Vec::new();
    let mut exact_rank = 0u64;
    let mut prefix_rank = 0u64;
    for model in &card.models {
        let mut add = |name: &str, prefix: bool| {
            let prefix_cell = if prefix {
                prefix_rank += 1;
                int(prefix_rank)
            } else {
                "NULL".to_string()
            };
            exact_rank += 1;
            names.push(vec![text(&name.to_lowercase()), text(&model.id), int(exact_rank), prefix_cell]);
        };
        add(&model.id, true);
        for former in &model.former {
            add(&former.id, true);
        }
        for alias in &model.aliases {
            add(alias, false);
        }
    }

    let models: Vec<Vec<String>> = card
        .models
        .iter()
        .enumerate()
        .map(|(index, model)| {
            vec![
                text(&model.id),
                int(index as u64),
                text(&model.lane_list()),
                model.grounding.to_string().to_uppercase(),
            ]
        })
        .collect();

    let mut sizes = Vec::new();
    for model in &card.models {
        let mut seen: Vec<u64> = Vec::new();
        for row in &model.sizes {
            if seen.contains(&row.output_tokens) {
                continue;
            }
            seen.push(row.output_tokens);
            let label: Vec<&str> = model
                .sizes
                .iter()
                .filter(|other| other.output_tokens == row.output_tokens)
                .map(|other| other.size.api_value())
                .collect();
            sizes.push(vec![text(&model.id), int(row.output_tokens), text(&label.join("/"))]);
        }
    }

    let mut rates = Vec::new();
    for model in &card.models {
        for lane in Lane::ALL {
            let Some(lane_rates) = model.tokens.get(&lane) else { continue };
            let per_token = |rate: Option<Decimal>, what: &str| match rate {
                None => Ok("NULL".to_string()),
                Some(rate) => exact(rate, 1_000_000)
                    .map(|rate| text(&rate.normalize().to_string()))
                    .ok_or_else(|| too_fine(&model.id, lane.name(), what, rate)),
            };
            rates.push(vec![
                text(&model.id),
                text(lane.name()),
                per_token(lane_rates.input, "input")?,
                per_token(Some(lane_rates.image_output), "image output")?,
                per_token(lane_rates.text_output, "text output")?,
            ]);
        }
    }

    let mut tables = vec![
        entry(
            dialect,
            "nb_names",
            &[
                ("name", Type::Text),
                ("model_id", Type::Text),
                ("exact_rank", Type::Int),
                ("prefix_rank", Type::Int),
            ],
            &names,
        ),
        entry(
            dialect,
            "nb_models",
            &[
                ("model_id", Type::Text),
                ("card_order", Type::Int),
                ("lanes", Type::Text),
                ("grounding", Type::Bool),
            ],
            &models,
        ),
        entry(
            dialect,
            "nb_sizes",
            &[("model_id", Type::Text), ("output_tokens", Type::Int), ("size", Type::Text)],
            &sizes,
        ),
    ];
    let lanes: Vec<Vec<String>> =
        LANE_ORDER.iter().enumerate().map(|(index, lane)| vec![text(lane), int(index as u64)]).collect();
    // The rates are written as text and made exact decimals once.
    let rate_columns = ["input_rate", "image_rate", "text_rate"];
    let mut columns = vec![("model_id", Type::Text), ("lane", Type::Text)];
    columns.extend(rate_columns.map(|name| (name, Type::Text)));
    let casts: Vec<String> = rate_columns
        .iter()
        .map(|name| format!("CAST({name} AS {}) AS {name}", dialect.decimal_type()))
        .collect();
    tables.push(format!(
        "nb_rates AS (\n  SELECT model_id, lane, {}\n  FROM ({}) AS t\n)",
        casts.join(", "),
        dialect.inline_table(&columns, &rates)
    ));
    tables.push(entry(dialect, "nb_lanes", &[("lane", Type::Text), ("lane_order", Type::Int)], &lanes));
    Ok(tables)
}

/// The card's grounding price per query, exactly, when it has one.
pub(super) fn price_per_query(card: &RateCard) -> Result<Option<Decimal>, SqlError> {
    card.grounding
        .map(|grounding| {
            let price = grounding.price_per_1000_queries;
            exact(price, 1_000).ok_or_else(|| too_fine("grounding", "any", "per-query", price))
        })
        .transpose()
}

/// `rate / per` when it fits the query's decimals exactly.
fn exact(rate: Decimal, per: i64) -> Option<Decimal> {
    let value = rate.checked_div(Decimal::from(per))?;
    (value.normalize().scale() <= SCALE && value * Decimal::from(per) == rate).then_some(value)
}

fn too_fine(model: &str, lane: &str, what: &str, rate: Decimal) -> SqlError {
    SqlError::RateTooFine { what: format!("the {lane} {what} rate {rate} of {model}") }
}

fn entry(dialect: Dialect, name: &str, columns: &[(&str, Type)], rows: &[Vec<String>]) -> String {
    format!("{name} AS (\n  {}\n)", dialect.inline_table(columns, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divides_rates_exactly_or_not_at_all() {
        assert_eq!(exact(Decimal::new(30, 0), 1_000_000), Some(Decimal::new(3, 5)));
        assert_eq!(exact(Decimal::new(375, 4), 1_000_000), Some(Decimal::new(375, 10)));
        // 13 decimals per 1M would need 19 per token.
        assert_eq!(exact(Decimal::new(1, 13), 1_000_000), None);
    }

    #[test]
    fn lists_every_name_in_the_order_tally_tries_them() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let tables = card_tables(Dialect::DuckDb, &card).unwrap();
        let names = &tables[0];
        for model in &card.models {
            for name in model.names() {
                assert!(names.contains(&format!("'{}'", name.to_lowercase())), "{name}");
            }
        }
        assert!(
            tables[3].contains("'gemini-3-pro-image', 'standard', '0.000002', '0.00012', '0.000012'"),
            "{}",
            tables[3]
        );
        assert!(tables[3].contains("CAST(image_rate AS DECIMAL(38, 18)) AS image_rate"), "{}", tables[3]);
    }
}

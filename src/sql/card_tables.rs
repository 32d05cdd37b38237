//! The rate card compiled into the query as inline tables, so the query
//! needs nothing but the table it reads. Each holds only what the query
//! reads, and a model is its place in the card (`m`) everywhere but in
//! `nb_models`:
//!
//! - `nb_models`: each model's ID, its lanes (for a note), whether the
//!   card prices its grounding, and the other names a `modelVersion` may
//!   resolve by, lowercased: its former IDs (which a version may add a
//!   suffix to, as to the ID) and its aliases (which it may not);
//! - `nb_sizes`: the size label each image-token count per image means;
//! - `nb_rates`: each model's rates per million tokens on each lane it has.

use rust_decimal::Decimal;

use super::SqlError;
use super::dialect::{Dialect, SCALE, Type};
use crate::card::RateCard;
use crate::lane::Lane;

/// What the query needs to know of the card beyond its tables.
pub(super) struct CardFacts {
    /// A lane of some model gives no input rate: the query must say so.
    pub(super) input_missing: bool,
    /// A lane of some model gives no text output rate.
    pub(super) text_missing: bool,
    /// The grounding price per query, when the card has one.
    pub(super) price_per_query: Option<Decimal>,
}

/// The `WITH` entries of the card's tables, and what the query needs to
/// know of the card beyond them.
pub(super) fn card_tables(d: Dialect, card: &RateCard) -> Result<(Vec<String>, CardFacts), SqlError> {
    let text = |value: &str| d.string(value);
    // A model's names beside its ID: former IDs (which, like the ID, a
    // version may add a suffix to) and aliases, lowercased.
    let list = |names: &mut dyn Iterator<Item = &String>| {
        format!("[{}]", names.map(|name| text(&name.to_lowercase())).collect::<Vec<_>>().join(","))
    };
    let models: Vec<Vec<String>> = card
        .models
        .iter()
        .enumerate()
        .map(|(m, model)| {
            vec![tuple(&[
                m.to_string(),
                text(&model.id),
                text(&model.lane_list()),
                model.grounding.to_string().to_uppercase(),
                list(&mut model.former.iter().map(|former| &former.id)),
                list(&mut model.aliases.iter()),
            ])]
        })
        .collect();

    let sizes: Vec<Vec<String>> = card
        .models
        .iter()
        .enumerate()
        .map(|(m, model)| {
            let mut seen: Vec<u64> = Vec::new();
            let mut line = Vec::new();
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
                line.push(tuple(&[m.to_string(), row.output_tokens.to_string(), text(&label.join("/"))]));
            }
            line
        })
        .collect();

    let mut facts = CardFacts { input_missing: false, text_missing: false, price_per_query: None };
    let mut rates = Vec::new();
    for (m, model) in card.models.iter().enumerate() {
        let mut line = Vec::new();
        for lane in Lane::ALL {
            let Some(lane_rates) = model.tokens.get(&lane) else { continue };
            facts.input_missing |= lane_rates.input.is_none();
            facts.text_missing |= lane_rates.text_output.is_none();
            // Rates stay per million tokens, as the card gives them, when
            // the cost they make fits the query's decimals.
            let per_token = |rate: Option<Decimal>, what: &str| match rate {
                None => Ok("NULL".to_string()),
                Some(rate) => exact(rate, 1_000_000)
                    .map(|_| d.decimal_cell(rate))
                    .ok_or_else(|| too_fine(&model.id, lane.name(), what, rate)),
            };
            line.push(tuple(&[
                m.to_string(),
                text(lane.name()),
                per_token(lane_rates.input, "input")?,
                per_token(Some(lane_rates.image_output), "image output")?,
                per_token(lane_rates.text_output, "text output")?,
            ]));
        }
        rates.push(line);
    }
    facts.price_per_query = card
        .grounding
        .map(|grounding| {
            let price = grounding.price_per_1000_queries;
            exact(price, 1_000).ok_or_else(|| too_fine("grounding", "any", "per-query", price))
        })
        .transpose()?;

    let tables = vec![
        d.inline_table(
            "nb_models",
            &[
                ("m", Type::Int),
                ("model", Type::Text),
                ("lanes", Type::Text),
                ("grounding", Type::Bool),
                ("former", Type::TextList),
                ("aliases", Type::TextList),
            ],
            &models,
        ),
        d.inline_table(
            "nb_sizes",
            &[("m", Type::Int), ("per_image", Type::Int), ("label", Type::Text)],
            &sizes,
        ),
        d.inline_table(
            "nb_rates",
            &[
                ("m", Type::Int),
                ("lane", Type::Text),
                ("input_rate", Type::Decimal),
                ("image_rate", Type::Decimal),
                ("text_rate", Type::Decimal),
            ],
            &rates,
        ),
    ];
    Ok((tables, facts))
}

/// One row of an inline table: its cells, already SQL.
fn tuple(cells: &[String]) -> String {
    format!("({})", cells.join(","))
}

/// `rate / per` when it fits the query's decimals exactly.
fn exact(rate: Decimal, per: i64) -> Option<Decimal> {
    let value = rate.checked_div(Decimal::from(per))?;
    (value.normalize().scale() <= SCALE && value * Decimal::from(per) == rate).then_some(value)
}

fn too_fine(model: &str, lane: &str, what: &str, rate: Decimal) -> SqlError {
    SqlError::RateTooFine { what: format!("the {lane} {what} rate {rate} of {model}") }
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
    fn lists_every_name_once_under_its_models_place() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let (tables, facts) = card_tables(Dialect::DuckDb, &card).unwrap();
        let models = &tables[0];
        for (m, model) in card.models.iter().enumerate() {
            // A model's row holds its ID, then its former IDs and aliases,
            // each once in the whole table.
            assert!(models.contains(&format!("({m},'{}',", model.id)), "{models}");
            for name in model.names() {
                assert_eq!(
                    models.matches(&format!("'{}'", name.to_lowercase())).count(),
                    1,
                    "{name}: {models}"
                );
            }
        }
        assert!(
            models.contains("(3,'gemini-3-pro-image','standard, batch, flex, priority',TRUE,['gemini-3-pro-image-preview'],['pro',"),
            "{models}"
        );
        // Rates per million tokens, as the card gives them.
        assert!(tables[2].contains("(3,'standard',2,120,12)"), "{}", tables[2]);
        assert!(!facts.input_missing && !facts.text_missing);
        assert_eq!(facts.price_per_query, Some(Decimal::new(14, 3)));
        let (bigquery, _) = card_tables(Dialect::BigQuery, &card).unwrap();
        assert!(bigquery[2].contains("(3,'standard','2','120','12')"), "{}", bigquery[2]);
        assert!(
            bigquery[2].contains("CAST(image_rate AS BIGNUMERIC(38, 18)) AS image_rate"),
            "{}",
            bigquery[2]
        );
        assert!(bigquery[0].contains("former ARRAY<STRING>, aliases ARRAY<STRING>"), "{}", bigquery[0]);
    }

    /// A size that two labels share (1K and 2K of Pro both bill 1,120
    /// tokens) is one row, both labels joined, as `tally` labels it.
    #[test]
    fn joins_the_labels_of_sizes_that_bill_the_same_tokens() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let (tables, _) = card_tables(Dialect::DuckDb, &card).unwrap();
        assert!(tables[1].contains("(3,1120,'1K/2K')"), "{}", tables[1]);
        assert_eq!(tables[1].matches("(3,1120,").count(), 1, "{}", tables[1]);
    }
}

//! Building the tally from what was read: the line counts, the rows priced
//! per model, size and lane (with the duplicates apart), the grounding and
//! the total.

use super::*;
use crate::attribution::Group;

/// The report's line counts from the reader's and the error lines among
/// its records.
fn line_counts(counts: ReadCounts, error_lines: u64, chunk_lines: u64) -> LineCounts {
    LineCounts {
        read: counts.read,
        responses: counts.records - error_lines - chunk_lines,
        chunk_lines,
        error_lines,
        malformed_lines: counts.malformed,
        blank_lines: counts.blank,
    }
}

/// Prices what was read and lays it out as the report.
pub(super) fn assemble(
    card: &RateCard,
    today: Date,
    fallback: Option<&Model>,
    reader: BatchReader,
    responses: Responses,
    free_queries: u64,
) -> Result<TallyReport, TallyError> {
    let rows = match &responses.by {
        None => price_rows(card, &responses.sums, fallback, today)?,
        Some(_) => {
            let mut rows = Vec::new();
            for (group, sums) in responses.attributed.iter() {
                let (attribution, others) = match group {
                    Group::One(attribution) => (attribution, 0),
                    Group::Others(count) => (None, count),
                };
                for mut row in price_rows(card, sums, fallback, today)? {
                    row.attribution = attribution.clone();
                    row.other_attributions = others;
                    rows.push(row);
                }
            }
            rows
        }
    };
    let grounding = TallyGrounding::new(card, &rows, free_queries)?;
    let duplicate_rows = price_rows(card, &responses.duplicate_sums, fallback, today)?;
    let priced = |rows: &[TallyRow], part: fn(&TallyRow) -> Option<Money>| {
        Money::sum(rows.iter().filter_map(part)).map_err(TallyError::from)
    };
    let count =
        |want: fn(&TallyRow) -> bool| rows.iter().filter(|row| want(row)).map(|row| row.responses).sum();
    let provisioned = |row: &TallyRow| row.lane == BilledLane::Provisioned;
    let unpriced_responses = count(|row| row.cost.is_none() && row.lane != BilledLane::Provisioned);
    let priced_responses = count(|row| row.cost.is_some());
    // A part of which nothing could be priced is left out, never $0.
    let part = |sum: Money| (priced_responses > 0 || unpriced_responses == 0).then_some(sum);
    let mut total = TallyTotal {
        responses: count(|_| true),
        priced_responses,
        unpriced_responses,
        provisioned_responses: count(provisioned),
        images: rows.iter().map(|row| row.images).sum(),
        input_cost: part(priced(&rows, |row| row.input_cost)?),
        image_output_cost: part(priced(&rows, |row| row.image_output_cost)?),
        text_output_cost: part(priced(&rows, |row| row.text_output_cost)?),
        grounding_cost: grounding.cost,
        cost: priced(&rows, |row| row.cost)?.plus(grounding.cost.unwrap_or(Money::ZERO))?,
        malformed_lines: reader.total().malformed,
        streams_without_usage: responses.streams.without_usage.count,
        // Settled below, from what the total leaves out.
        complete: false,
        responses_without_output_split: rows.iter().map(|row| row.responses_without_output_split).sum(),
        responses_output_upper_bound: rows.iter().map(|row| row.responses_output_upper_bound).sum(),
        responses_text_only: rows.iter().map(|row| row.responses_text_only).sum(),
        search_queries: grounding.queries,
    };
    total.complete = shortfalls(&total, &grounding).is_empty();
    let files = reader
        .files()
        .iter()
        .enumerate()
        .map(|(index, file)| FileLines {
            file: file.name.clone(),
            lines: line_counts(file.counts, responses.error_lines_in(index), responses.chunk_lines_in(index)),
        })
        .collect();
    Ok(TallyReport {
        card: CardInfo::new(card, today),
        lanes: LaneSummary::new(&rows, &responses),
        basis: "tokens",
        fallback_model: fallback.map(|model| model.id.clone()),
        by: responses.by.as_ref().map(|by| by.to_string()),
        lines: line_counts(reader.total(), responses.errors.count, responses.chunk_lines()),
        files,
        attributions: match responses.by {
            Some(_) => attributions::totals(&rows, &[])?,
            None => Vec::new(),
        },
        rows,
        total,
        grounding: Box::new(grounding),
        duplicates: Duplicates {
            cost: priced(&duplicate_rows, |row| row.cost)?,
            responses: responses.duplicates,
        },
        errors: ErrorLines {
            by_code: responses
                .error_codes
                .into_iter()
                .map(|(code, count)| ErrorCount { code, count })
                .collect(),
            lines: responses.errors,
        },
        empty_files: reader.empty_files().map(str::to_owned).collect(),
        streams: responses.streams,
        malformed: reader.into_malformed(),
        budget: None,
        notices: Vec::new(),
    })
}

/// One priced row per group of responses priced alike.
fn price_rows(
    card: &RateCard,
    sums: &SumsByVersion,
    fallback: Option<&Model>,
    today: Date,
) -> Result<Vec<TallyRow>, TallyError> {
    group_by_model(card, sums, fallback).into_iter().map(|group| build_row(card, group, today)).collect()
}

/// Prices one group's sums at its lane, once: narrowed (checked) to `u64`,
/// then tokens × per-1M rates. A group with no card model or whose model
/// lacks the lane is left unpriced, with the reason; so is provisioned
/// throughput, which the commitment bills.
fn build_row(card: &RateCard, group: ModelGroup<'_>, today: Date) -> Result<TallyRow, TallyError> {
    let ModelGroup {
        model,
        model_versions,
        named,
        tokens_per_image: per_image,
        other_sizes,
        lane,
        sums,
        other_versions,
        other_versions_at_least,
    } = group;
    let prompt_tokens = narrow(sums.prompt)?;
    let image_output_tokens = narrow(sums.image_output)?;
    let text_output_tokens = narrow(sums.text_output)?;
    let thoughts_tokens = narrow(sums.thoughts)?;
    let text_tokens = text_output_tokens.checked_add(thoughts_tokens).ok_or(TallyError::Overflow)?;
    let priced = match lane {
        BilledLane::Provisioned => Err(
            "served on provisioned throughput: billed by the commitment, not per token (not in the total)"
                .to_string(),
        ),
        BilledLane::Lane(_) if per_image == PerImage::NoCounts => Err(if sums.responses == 1 {
            "the response gives no output token count".to_string()
        } else {
            "the responses give no output token count".to_string()
        }),
        BilledLane::Lane(lane) => match (model, model.and_then(|model| model.tokens.get(&lane))) {
            (Some(model), Some(rates)) => {
                match pricing::token_cost(rates, prompt_tokens, image_output_tokens, text_tokens) {
                    Ok(cost) => Ok(cost),
                    Err(CostError::Overflow) => return Err(TallyError::Overflow),
                    Err(CostError::NoRate(what)) => {
                        Err(format!("the rate card gives no {lane} {what} rate for {}", model.id))
                    }
                }
            }
            (Some(model), None) => Err(format!(
                "{} has no {lane} lane in the rate card (it has {})",
                model.id,
                model.lane_list()
            )),
            (None, _) if other_versions > 0 => Err(format!(
                "{}{} more model versions the rate card does not list, beyond the first {} in rows of their own: pass a card that lists them with --rates",
                if other_versions_at_least { "at least " } else { "" },
                grouped(other_versions),
                MAX_UNKNOWN_VERSIONS
            )),
            (None, _) if model_versions == [None] => {
                Err("the responses name no modelVersion: give --model to price them".to_string())
            }
            (None, _) => Err(
                match model_versions
                    .iter()
                    .flatten()
                    .find_map(|version| crate::batch::released_after(card, version))
                {
                    // The card lists it, from a later day than the one priced.
                    Some(later) => format!(
                        "`{}` was released on {}, after the day priced: give a day on or after it (--as-of)",
                        later.id, later.released
                    ),
                    None => {
                        "the model is not in the rate card: pass a card that lists it with --rates".into()
                    }
                },
            ),
        },
    };
    let (input_cost, image_output_cost, text_output_cost, cost) = match &priced {
        Ok(cost) => (Some(cost.input), Some(cost.image_output), Some(cost.text_output), Some(cost.total)),
        Err(_) => (None, None, None, None),
    };
    let unpriced_reason = priced.err();
    Ok(TallyRow {
        attribution: None,
        other_attributions: 0,
        model: model.map(|model| model.id.clone()),
        model_name: model.map(|model| model.name.clone()),
        priced_by: model.and_then(|model| model.priced_by.clone()),
        status: model.map(|model| model.status(today)),
        model_versions,
        size: match per_image {
            PerImage::NoCounts => "unknown (no token counts)".to_string(),
            PerImage::Tokens(per_image) => size_label(model, per_image),
            PerImage::Others => other_sizes_label(&other_sizes),
        },
        image_tokens_per_image: match per_image {
            PerImage::Tokens(per_image) => per_image,
            PerImage::NoCounts | PerImage::Others => 0,
        },
        lane,
        responses: narrow(sums.responses)?,
        images: narrow(sums.images)?,
        prompt_tokens,
        prompt_text_tokens: narrow(sums.prompt_text)?,
        prompt_image_tokens: narrow(sums.prompt_image)?,
        image_output_tokens,
        text_output_tokens,
        thoughts_tokens,
        total_tokens: narrow(sums.total)?,
        responses_without_output_split: narrow(sums.without_output_split)?,
        responses_output_upper_bound: narrow(sums.output_upper_bound)?,
        responses_text_only: narrow(sums.text_only)?,
        search_queries: narrow(sums.search_queries)?,
        input_cost,
        image_output_cost,
        text_output_cost,
        cost,
        unpriced_reason,
        warnings: named.into_iter().filter_map(|found| lifecycle_warning(found, today)).collect(),
        without_token_counts: per_image == PerImage::NoCounts,
        other_versions,
        other_sizes: other_sizes.count(),
    })
}

/// The size of the row of a model and lane's sizes past the first
/// [`crate::batch::MAX_SIZES`]: `(75 other sizes)`, or `(at least 1,000 other sizes)`
/// when there were too many to count.
fn other_sizes_label(sizes: &Distinct) -> String {
    let at_least = if sizes.at_least() { "at least " } else { "" };
    format!(
        "({at_least}{} other {})",
        grouped(sizes.count()),
        if sizes.count() == 1 { "size" } else { "sizes" }
    )
}

//! Building the estimate from what was read: the rows per size priced at
//! the lane, the parts the card cannot price kept apart (never added as
//! $0), the findings and the total.

use super::*;

/// Prices what was read and lays it out as the report.
pub(super) fn assemble(
    card: &RateCard,
    requests: Requests<'_>,
    reader: BatchReader,
    priced: Priced,
    today: Date,
) -> Result<EstimateReport, EstimateError> {
    let Priced { lane, basis, requested_as, thinking } = priced;
    let thinking_per_image = thinking.unwrap_or(0);
    let model = requests.model();
    let rates = pricing::rates(model, lane)?;
    let mut rows = Vec::new();
    let mut unpriced_reference_images = 0u64;
    let mut unpriced_input_tokens = 0u64;
    let mut unpriced_thinking_tokens = 0u64;
    // Input tokens at the lane's input rate, or `None` (counted) where the card gives none.
    let mut input_cost = |tokens: u64| -> Result<Option<Money>, EstimateError> {
        match pricing::input_cost(rates, tokens) {
            Ok(cost) => Ok(Some(cost)),
            Err(CostError::Overflow) => Err(EstimateError::Overflow),
            Err(CostError::NoRate(_)) => {
                unpriced_input_tokens =
                    unpriced_input_tokens.checked_add(tokens).ok_or(EstimateError::Overflow)?;
                Ok(None)
            }
        }
    };
    for (size, sums) in &requests.sums {
        let images = narrow(sums.images)?;
        let image_unit_price = pricing::one_image(model, *size, lane, basis)?;
        let image_cost = image_unit_price.times(images)?;
        let prompt_tokens_estimated = narrow(sums.prompt_tokens)?;
        let prompt_cost = input_cost(prompt_tokens_estimated)?;
        let inline_images = narrow(sums.inline_images)?;
        let file_parts = narrow(sums.file_parts)?;
        let reference_images = inline_images.checked_add(file_parts).ok_or(EstimateError::Overflow)?;
        let reference_image_tokens = pricing::reference_tokens(model, reference_images)?;
        if reference_image_tokens.is_none() {
            unpriced_reference_images += reference_images;
        }
        let reference_cost = match reference_image_tokens {
            Some(tokens) => input_cost(tokens)?,
            None => None,
        };
        let other_media = narrow_media(&sums.other_media)?;
        let thinking_tokens_estimated =
            thinking_per_image.checked_mul(images).ok_or(EstimateError::Overflow)?;
        let thinking_cost =
            match pricing::with_thinking(image_unit_price, rates, thinking_per_image)?.thinking {
                Some(per_image) => Some(per_image.times(images)?),
                None => {
                    unpriced_thinking_tokens = unpriced_thinking_tokens
                        .checked_add(thinking_tokens_estimated)
                        .ok_or(EstimateError::Overflow)?;
                    None
                }
            };
        let other_parts = other_media.total();
        let gaps = [
            (prompt_cost.is_none(), "prompts", Gap::NoRate("input")),
            (
                reference_cost.is_none(),
                "reference images",
                if reference_image_tokens.is_none() { Gap::NoImageTokens } else { Gap::NoRate("input") },
            ),
            (thinking_cost.is_none(), "thinking", Gap::NoRate("text output")),
        ];
        let mut reasons: Vec<String> = gaps
            .into_iter()
            .filter(|(left_out, _, _)| *left_out)
            .map(|(_, part, gap)| format!("{part}: {}", gap.reason(model, lane)))
            .collect();
        if other_parts > 0 {
            reasons.push(format!(
                "{}: billed by length, which a request does not show",
                counted(other_parts, "media part that is not an image", "media parts that are not images")
            ));
        }
        let cost = Money::sum([
            image_cost,
            prompt_cost.unwrap_or(Money::ZERO),
            reference_cost.unwrap_or(Money::ZERO),
            thinking_cost.unwrap_or(Money::ZERO),
        ])?;
        rows.push(EstimateRow {
            size: *size,
            requests: narrow(sums.requests)?,
            requests_without_size: narrow(sums.without_size)?,
            images,
            image_unit_price,
            image_cost,
            prompt_chars: narrow(sums.prompt_chars)?,
            prompt_tokens_estimated,
            prompt_cost,
            reference_images,
            inline_images,
            file_parts,
            reference_image_tokens,
            reference_cost,
            other_media,
            search_requests: narrow(sums.search_requests)?,
            thinking_tokens_estimated,
            thinking_cost,
            cost,
            unpriced_reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        });
    }
    let read = reader.total();
    let lines = EstimateLines {
        read: read.read,
        priced_requests: requests.priced,
        rejected_requests: requests.rejected,
        malformed_lines: read.malformed,
        blank_lines: read.blank,
    };
    let mut all_media = MediaSums::default();
    for sums in requests.sums.values() {
        all_media.merge(&sums.other_media);
    }
    let other_media = narrow_media(&all_media)?;
    let unpriced_media = other_media.total();
    let search_requests = rows.iter().map(|row| row.search_requests).sum();
    let total = EstimateTotal {
        requests: rows.iter().map(|row| row.requests).sum(),
        images: rows.iter().map(|row| row.images).sum(),
        image_cost: Money::sum(rows.iter().map(|row| row.image_cost))?,
        prompt_cost: all_priced(rows.iter().map(|row| row.prompt_cost))?,
        reference_cost: all_priced(rows.iter().map(|row| row.reference_cost))?,
        thinking_cost: all_priced(rows.iter().map(|row| row.thinking_cost))?,
        cost: Money::sum(rows.iter().map(|row| row.cost))?,
        unpriced_reference_images,
        unpriced_input_tokens,
        unpriced_thinking_tokens,
        other_media,
        unpriced_media,
        search_requests,
        search_cost_included: search_requests == 0,
        // Settled once the report is whole, from what it leaves out.
        complete: false,
    };
    let findings = requests
        .findings
        .into_iter()
        .map(|(kind, requests)| Finding {
            kind,
            effect: if kind.rejects() { "rejected" } else { "priced" },
            advice: advice(kind, model),
            requests,
        })
        .collect();
    let mut report = EstimateReport {
        card: CardInfo::new(card, today),
        file: reader.files().first().map(|file| file.name.clone()).unwrap_or_default(),
        model: model.id.clone(),
        model_name: model.name.clone(),
        status: model.status(today),
        requested_as,
        lane,
        basis,
        prompt_tokens_estimated: true,
        chars_per_token: CHARS_PER_TOKEN,
        grounding: model.grounding,
        thinking_tokens: thinking_per_image,
        thinking_not_included: model.always_thinks && thinking.is_none(),
        lines,
        rows,
        total,
        refused: refused(&lines),
        findings,
        malformed: reader.into_malformed(),
        budget: None,
        notices: Vec::new(),
    };
    report.total.complete = report.left_out().is_empty();
    Ok(report)
}

/// The sum of a part over the rows, or `None` when a row could not price
/// it: a part left out is never added up as $0.
fn all_priced(parts: impl Iterator<Item = Option<Money>>) -> Result<Option<Money>, Overflow> {
    let parts: Option<Vec<Money>> = parts.collect();
    parts.map(Money::sum).transpose()
}

/// Media sums narrowed to counts, checked.
fn narrow_media(sums: &MediaSums) -> Result<MediaCounts, EstimateError> {
    let counts = MediaCounts {
        video: narrow(sums.video)?,
        audio: narrow(sums.audio)?,
        pdf: narrow(sums.pdf)?,
        other: narrow(sums.other)?,
    };
    // The sum of the kinds must fit too.
    counts
        .video
        .checked_add(counts.audio)
        .and_then(|sum| sum.checked_add(counts.pdf))
        .and_then(|sum| sum.checked_add(counts.other))
        .ok_or(EstimateError::Overflow)?;
    Ok(counts)
}

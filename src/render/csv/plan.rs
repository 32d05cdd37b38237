//! `plan` as CSV: one row per line and cost component.

use serde::Serialize;

use super::{CsvRows, Percent};
use crate::card::PricedBy;
use crate::money::Money;
use crate::plan::GOOGLE;
use crate::pricing::Component;
use crate::report::plan::PlanReport;

/// One cost component of one line, naming the plan, the line's model, size
/// and lane, the basis and the card. A component the card cannot price has
/// its row too, its price, total and share empty and the reason given.
#[derive(Debug, Default, Serialize)]
pub struct ComponentRow<'a> {
    /// The plan file.
    plan: &'a str,
    line: &'a str,
    model: &'a str,
    size: &'static str,
    lane: &'static str,
    basis: &'static str,
    card: &'a str,
    status: &'static str,
    priced_by: &'a str,
    component: &'static str,
    estimate: bool,
    tokens_per_request: Option<u64>,
    quantity: u64,
    unit: &'static str,
    unit_price: Option<Money>,
    /// Google's price beside a provider's, else empty.
    google_unit_price: Option<Money>,
    total: Option<Money>,
    /// The component's share of the plan's monthly total.
    share_percent: Option<Percent>,
    /// Why the component is not priced, when it is not.
    unpriced_reason: Option<&'a str>,
    /// Whether the plan's total holds every part of the plan.
    complete: bool,
}

impl CsvRows for PlanReport {
    type Row<'a> = ComponentRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = ComponentRow<'_>> {
        self.lines.iter().flat_map(move |entry| {
            let line = &entry.line;
            let common = ComponentRow {
                plan: &self.plan.source,
                line: &line.name,
                model: &line.model,
                size: line.size.api_value(),
                lane: line.lane.name(),
                basis: self.basis.name(),
                // The card whose figures these are.
                card: PricedBy::key_or(line.priced_by_card.as_ref(), self.card.key()),
                status: entry.status.name(),
                complete: self.complete,
                ..ComponentRow::default()
            };
            let priced = line.components.iter().map(move |c| ComponentRow {
                priced_by: &c.priced_by,
                component: c.component.name(),
                estimate: c.estimate,
                tokens_per_request: c.tokens_per_request,
                quantity: c.quantity,
                unit: c.unit,
                unit_price: Some(c.unit_price),
                google_unit_price: c.google_unit_price,
                total: Some(c.total),
                share_percent: Some(Percent(self.share_percent(c.total))),
                ..common
            });
            let unpriced = line.unpriced.iter().map(move |part| ComponentRow {
                priced_by: GOOGLE,
                component: part.component.name(),
                estimate: part.component == Component::Thinking,
                quantity: line.generated,
                unit: "requests",
                unpriced_reason: Some(&part.reason),
                ..common
            });
            priced.chain(unpriced)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::pricing::Component;

    #[test]
    fn a_component_is_named_in_csv_as_in_json() {
        for component in [
            Component::ImageOutput,
            Component::TextInput,
            Component::ReferenceImages,
            Component::Thinking,
            Component::Grounding,
        ] {
            assert_eq!(serde_json::to_value(component).unwrap(), component.name());
        }
    }
}

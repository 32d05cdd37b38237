//! `diff`: what changed between two rate cards, price by price, and what the
//! change does to a plan's monthly bill.

use serde::Serialize;
use time::Date;

use super::{CardInfo, Notice, Outcome, Verdict};
use crate::card::{Life, RateCard};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{Money, round};
use crate::plan::{self, Plan, PlanError};
use crate::pricing::Basis;
use crate::size::ImageSize;

/// The answer to `nbcost diff OLD NEW`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DiffReport {
    /// The card compared from.
    pub old: CardInfo,
    /// The card compared to.
    pub new: CardInfo,
    /// `list` or `tokens` (for the plan).
    pub basis: Basis,
    /// What happened to the models: renamed (an old ID is now a former ID of
    /// a model at the new ID), added, removed, lanes added or removed, and
    /// lifecycle dates set or changed.
    pub models: Vec<ModelChange>,
    /// Every price that changed, was added or was removed, in card order; a
    /// renamed model's prices are compared under its new ID.
    pub changes: Vec<PriceChange>,
    /// The plan priced under both cards, with `--plan`; else `null`.
    pub plan: Option<PlanDiff>,
    /// Whether the update changes the bill: a price changed, was added or
    /// was removed, or (with `--plan`) the plan's monthly total moved.
    /// With `--exit-code`, `true` makes the command exit 1.
    pub changes_bill: bool,
    /// Whether a change to the bill fails the step (`--exit-code`).
    #[serde(skip)]
    pub fail_on_change: bool,
}

/// Why two cards cannot be diffed.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The cards price in different currencies: their figures cannot be
    /// compared, and no exchange rate is guessed.
    #[error(
        "the old card ({old_card}) prices in {old}, the new card ({new_card}) in {new}: `diff` compares cards of one currency"
    )]
    Currencies {
        /// The old card, for people.
        old_card: String,
        /// Its currency.
        old: String,
        /// The new card, for people.
        new_card: String,
        /// Its currency.
        new: String,
    },
    /// The plan cannot be priced.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl Kind for DiffError {
    fn kind(&self) -> ErrorKind {
        match self {
            DiffError::Currencies { .. } => ErrorKind::Card,
            DiffError::Plan(error) => error.kind(),
        }
    }
}

/// Whether a price changed, appeared or went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// In both cards, with different values.
    Changed,
    /// Only in the new card.
    Added,
    /// Only in the old card.
    Removed,
}

impl ChangeKind {
    /// The kind as JSON and CSV write it.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Changed => "changed",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
        }
    }
}

/// What kind of change a model went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ModelChangeKind {
    /// The old ID is a former ID of a model at a new ID.
    Renamed,
    /// Only in the new card.
    Added,
    /// Only in the old card, and no new model took its ID.
    Removed,
    /// The model gained a lane.
    LaneAdded,
    /// The model lost a lane.
    LaneRemoved,
    /// A lifecycle date or the successor was set or changed.
    Lifecycle,
}

/// One change to a model.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ModelChange {
    /// The model ID in the new card (the old ID where removed).
    pub model: String,
    /// `renamed`, `added`, `removed`, `lane-added`, `lane-removed` or `lifecycle`.
    pub kind: ModelChangeKind,
    /// What changed, in words: `gemini-3.1-flash-image-preview → gemini-3.1-flash-image`,
    /// `flex`, `deprecated: none → 2026-10-06`.
    pub detail: String,
}

/// One price that differs.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PriceChange {
    /// What it belongs to: a model ID, `grounding`, or `route OWNER` (a
    /// provider's price, not Google's).
    pub subject: String,
    /// Which price, such as `2K standard per image` or `batch input per 1M tokens`.
    pub item: String,
    /// `changed`, `added` or `removed`.
    pub kind: ChangeKind,
    /// The old price (`null` when added).
    pub old: Option<Money>,
    /// The new price (`null` when removed).
    pub new: Option<Money>,
    /// `new − old` (`null` unless changed).
    pub change: Option<Money>,
    /// The change in percent of the old price, to 4 places (`null` unless changed).
    pub change_percent: Option<String>,
    /// What the price is for, as keys for CSV: the model ID, size and lane
    /// where the price has them.
    #[serde(skip)]
    pub keys: PriceKeys,
}

/// The model ID, size and lane a price is for, where it has them (a
/// grounding price has none, a per-1M-token rate no size).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceKeys {
    /// The model ID.
    pub model: Option<String>,
    /// The image size.
    pub size: Option<ImageSize>,
    /// The lane.
    pub lane: Option<Lane>,
}

/// A price in a card: what it belongs to, which price, its keys and amount.
type CardPrice = (String, String, PriceKeys, Money);

/// A plan priced under both cards.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanDiff {
    /// The plan's name, where given.
    pub name: Option<String>,
    /// The plan file.
    pub source: String,
    /// Each line under both cards.
    pub lines: Vec<LineDiff>,
    /// Money a month under the old card.
    pub old_total: Money,
    /// Money a month under the new card.
    pub new_total: Money,
    /// `new_total − old_total`.
    pub change: Money,
}

/// One plan line under both cards.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LineDiff {
    /// The line's name.
    pub name: String,
    /// Money a month under the old card.
    pub old_total: Money,
    /// Money a month under the new card.
    pub new_total: Money,
    /// `new_total − old_total`.
    pub change: Money,
}

impl DiffReport {
    /// Compares `old` with `new`, and prices `plan` under both where given.
    pub fn build(
        old: &RateCard,
        new: &RateCard,
        plan: Option<&Plan>,
        basis: Basis,
        today: Date,
    ) -> Result<DiffReport, DiffError> {
        let (old_info, new_info) = (CardInfo::new(old, today), CardInfo::new(new, today));
        if old_info.currency != new_info.currency {
            return Err(DiffError::Currencies {
                old_card: format!("{}, {}", old_info.dated, old_info.source),
                old: old_info.currency.to_string(),
                new_card: format!("{}, {}", new_info.dated, new_info.source),
                new: new_info.currency.to_string(),
            });
        }
        let renames = renames(old, new);
        let renamed =
            |id: String| renames.iter().find(|(from, _)| *from == id).map_or(id, |(_, to)| to.clone());
        let old_prices: Vec<_> = prices(old)
            .into_iter()
            .map(|(subject, item, keys, price)| {
                let keys = PriceKeys { model: keys.model.map(&renamed), ..keys };
                (renamed(subject), item, keys, price)
            })
            .collect();
        let changes = changes(&old_prices, &prices(new));
        let mut models = model_changes(old, new, &renames);
        for renamed in models.iter_mut().filter(|change| change.kind == ModelChangeKind::Renamed) {
            let repriced =
                changes.iter().any(|price| price.subject == renamed.model && price.kind != ChangeKind::Added);
            if !repriced {
                renamed.detail.push_str(" (same prices)");
            }
        }
        let plan = plan.map(|plan| plan_diff(old, new, plan, basis)).transpose()?;
        let changes_bill = !changes.is_empty() || plan.as_ref().is_some_and(|plan| !plan.change.is_zero());
        Ok(DiffReport {
            old: old_info,
            new: new_info,
            basis,
            models,
            changes,
            plan,
            changes_bill,
            fail_on_change: false,
        })
    }

    /// The same report, failing the step when the update changes the bill
    /// (`--exit-code`).
    pub fn failing_on_change(self, fail_on_change: bool) -> DiffReport {
        DiffReport { fail_on_change, ..self }
    }

    /// The sentence `--exit-code` fails the step with, when the update changes the bill.
    pub fn change_summary(&self) -> Option<String> {
        if !self.changes_bill {
            return None;
        }
        let prices = crate::count::counted(self.changes.len() as u64, "price", "prices");
        Some(match &self.plan {
            Some(plan) if !plan.change.is_zero() => format!(
                "the new card changes {prices} and the plan's monthly total by {} (--exit-code)",
                self.old.currency.unit(plan.change)
            ),
            _ => format!("the new card changes {prices} (--exit-code)"),
        })
    }
}

impl Outcome for DiffReport {
    fn verdict(&self) -> Verdict {
        match self.change_summary() {
            Some(summary) if self.fail_on_change => Verdict::Changed(summary),
            _ => Verdict::Pass,
        }
    }

    /// None: `diff` names its own cards, and warns about neither.
    fn notices(&self) -> &[Notice] {
        &[]
    }
}

/// Old model IDs that the new card lists as a former ID of another model:
/// (old ID, new ID).
fn renames(old: &RateCard, new: &RateCard) -> Vec<(String, String)> {
    old.models
        .iter()
        .filter(|model| new.model(&model.id).is_none())
        .filter_map(|model| {
            new.models
                .iter()
                .find(|candidate| candidate.former.iter().any(|former| former.id == model.id))
                .map(|candidate| (model.id.clone(), candidate.id.clone()))
        })
        .collect()
}

/// How the models changed, old card order first, then models new to the card.
fn model_changes(old: &RateCard, new: &RateCard, renames: &[(String, String)]) -> Vec<ModelChange> {
    let change = |model: &str, kind, detail: String| ModelChange { model: model.to_string(), kind, detail };
    let mut out = Vec::new();
    for before in &old.models {
        let renamed_to = renames.iter().find(|(from, _)| *from == before.id).map(|(_, to)| to);
        let Some(after) = new.model(renamed_to.unwrap_or(&before.id)) else {
            out.push(change(
                &before.id,
                ModelChangeKind::Removed,
                format!("{} is not in the new card", before.name),
            ));
            continue;
        };
        // The old ID's life now: its own entry, or the former-ID entry it became.
        let life_now = match renamed_to {
            Some(_) => {
                after.former.iter().find(|former| former.id == before.id).map_or(&after.life, |f| &f.life)
            }
            None => &after.life,
        };
        if let Some(to) = renamed_to {
            out.push(change(to, ModelChangeKind::Renamed, format!("{} → {to}", before.id)));
        }
        for lane in after.lanes().filter(|lane| !before.tokens.contains_key(lane)) {
            out.push(change(&after.id, ModelChangeKind::LaneAdded, lane.to_string()));
        }
        for lane in before.lanes().filter(|lane| !after.tokens.contains_key(lane)) {
            out.push(change(&after.id, ModelChangeKind::LaneRemoved, lane.to_string()));
        }
        for detail in life_changes(&before.life, life_now) {
            out.push(change(&before.id, ModelChangeKind::Lifecycle, detail));
        }
        if renamed_to.is_some() {
            for detail in life_changes(&Life::default(), &after.life) {
                out.push(change(&after.id, ModelChangeKind::Lifecycle, detail));
            }
        }
    }
    let known = |id: &str| old.model(id).is_some() || renames.iter().any(|(_, to)| to == id);
    for after in new.models.iter().filter(|model| !known(&model.id)) {
        out.push(change(
            &after.id,
            ModelChangeKind::Added,
            format!("{} (lanes: {})", after.name, after.lane_list()),
        ));
    }
    out
}

/// Each lifecycle fact that differs: `deprecated: none → 2026-10-06`.
fn life_changes(before: &Life, after: &Life) -> Vec<String> {
    let date = |day: Option<Date>| day.map_or("none".to_string(), |day| day.to_string());
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "none".into());
    let mut out = Vec::new();
    for (what, old, new) in [
        ("released", date(before.released), date(after.released)),
        ("deprecated", date(before.deprecated), date(after.deprecated)),
        ("shutdown", date(before.shutdown), date(after.shutdown)),
        ("shutdown disputed", text(&before.shutdown_disputed), text(&after.shutdown_disputed)),
        ("successor", text(&before.successor), text(&after.successor)),
    ] {
        if old != new {
            out.push(format!("{what}: {old} → {new}"));
        }
    }
    out
}

/// Every price in a card as (subject, item, keys, price), in card order.
fn prices(card: &RateCard) -> Vec<CardPrice> {
    let mut out = Vec::new();
    for model in &card.models {
        for row in &model.sizes {
            for (lane, price) in &row.price {
                let keys =
                    PriceKeys { model: Some(model.id.clone()), size: Some(row.size), lane: Some(*lane) };
                out.push((
                    model.id.clone(),
                    format!("{} {lane} per image", row.size),
                    keys,
                    Money::new(*price),
                ));
            }
        }
        for (lane, rates) in &model.tokens {
            for (what, rate) in [
                ("input", rates.input),
                ("text output", rates.text_output),
                ("image output", Some(rates.image_output)),
            ] {
                if let Some(rate) = rate {
                    let keys = PriceKeys { model: Some(model.id.clone()), size: None, lane: Some(*lane) };
                    out.push((
                        model.id.clone(),
                        format!("{lane} {what} per 1M tokens"),
                        keys,
                        Money::new(rate),
                    ));
                }
            }
        }
    }
    if let Some(grounding) = card.grounding {
        out.push((
            "grounding".into(),
            "per 1,000 search queries".into(),
            PriceKeys::default(),
            Money::new(grounding.price_per_1000_queries),
        ));
    }
    for route in &card.routes {
        let size = route.size.map_or("every size".to_string(), |size| size.to_string());
        out.push((
            format!("route {}", route.label()),
            format!("{} {size} {} per image", route.model, route.lane),
            PriceKeys { model: Some(route.model.clone()), size: route.size, lane: Some(route.lane) },
            Money::new(route.price),
        ));
    }
    out
}

fn changes(old: &[CardPrice], new: &[CardPrice]) -> Vec<PriceChange> {
    let find = |list: &[CardPrice], subject: &str, item: &str| {
        list.iter().find(|(s, i, _, _)| s == subject && i == item).map(|(_, _, _, price)| *price)
    };
    let mut out = Vec::new();
    for (subject, item, keys, before) in old {
        let after = find(new, subject, item);
        if after == Some(*before) {
            continue;
        }
        let change = after.and_then(|after| after.minus(*before).ok());
        out.push(PriceChange {
            subject: subject.clone(),
            item: item.clone(),
            kind: if after.is_some() { ChangeKind::Changed } else { ChangeKind::Removed },
            old: Some(*before),
            new: after,
            change,
            change_percent: change
                .and_then(|change| change.percent_of(*before))
                .map(|p| round(p, 4).to_string()),
            keys: keys.clone(),
        });
    }
    for (subject, item, keys, after) in new {
        if find(old, subject, item).is_none() {
            out.push(PriceChange {
                subject: subject.clone(),
                item: item.clone(),
                kind: ChangeKind::Added,
                old: None,
                new: Some(*after),
                change: None,
                change_percent: None,
                keys: keys.clone(),
            });
        }
    }
    out
}

fn plan_diff(old: &RateCard, new: &RateCard, plan: &Plan, basis: Basis) -> Result<PlanDiff, PlanError> {
    let before = plan::price(plan, old, basis)?;
    let after = plan::price(plan, new, basis)?;
    let too_large = |line: &str| PlanError::TooLarge { plan: plan.source.clone(), line: line.to_string() };
    let lines = before
        .lines
        .iter()
        .zip(&after.lines)
        .map(|(b, a)| {
            Ok(LineDiff {
                name: b.name.clone(),
                old_total: b.total,
                new_total: a.total,
                change: a.total.minus(b.total).map_err(|_| too_large(&b.name))?,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    Ok(PlanDiff {
        name: plan.name.clone(),
        source: plan.source.clone(),
        lines,
        old_total: before.total,
        new_total: after.total,
        change: after.total.minus(before.total).map_err(|_| too_large("(all lines)"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{APRIL_2026_TOML, CardOrigin};
    use crate::report::testing::today;
    use rust_decimal::Decimal;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// The default card with Nano Banana 2 at 2K standard up from $0.101 to
    /// $0.11, Pro's batch 4K row gone, and a gateway route added.
    fn changed_card() -> RateCard {
        let text = APRIL_2026_TOML
            .replacen("price = { standard = \"0.101\", batch = \"0.050\" }", "price = { standard = \"0.11\", batch = \"0.050\" }", 1)
            .replacen("[grounding]", "[[route]]\nmodel = \"flash\"\nowner = \"ExampleGateway\"\nsize = \"1K\"\nprice = \"0.06\"\nsource = \"https://gateway.example/pricing\"\n\n[grounding]", 1);
        RateCard::from_toml(&text, CardOrigin::File("new.toml".into())).unwrap()
    }

    #[test]
    fn lists_every_price_that_changed_or_was_added() {
        let report =
            DiffReport::build(&RateCard::embedded(), &changed_card(), None, Basis::List, today()).unwrap();
        let changes: Vec<_> =
            report.changes.iter().map(|c| (c.subject.as_str(), c.item.as_str(), c.kind)).collect();
        assert_eq!(
            changes,
            [
                ("gemini-3.1-flash-image-preview", "2K standard per image", ChangeKind::Changed),
                (
                    "route ExampleGateway",
                    "gemini-3.1-flash-image-preview 1K standard per image",
                    ChangeKind::Added
                ),
            ]
        );
        assert_eq!(report.changes[0].change, Some(Money::new(d("0.009"))));
        assert_eq!(report.changes[0].change_percent.as_deref(), Some("8.9109"));
        let back =
            DiffReport::build(&changed_card(), &RateCard::embedded(), None, Basis::List, today()).unwrap();
        assert_eq!(back.changes[1].kind, ChangeKind::Removed);
        let same =
            DiffReport::build(&RateCard::embedded(), &RateCard::embedded(), None, Basis::List, today())
                .unwrap();
        assert!(same.changes.is_empty());
    }

    /// Only `catalog` runs Nano Banana 2 at 2K on batch: a rise there from
    /// $0.050 to $0.055 adds 22,223 images × $0.005 = $111.115 a month.
    #[test]
    fn prices_a_plan_under_both_cards() {
        let plan = Plan::from_toml(include_str!("../../examples/plan.toml"), "examples/plan.toml").unwrap();
        let text = APRIL_2026_TOML.replacen("batch = \"0.050\"", "batch = \"0.055\"", 1);
        let new = RateCard::from_toml(&text, CardOrigin::File("new.toml".into())).unwrap();
        let report =
            DiffReport::build(&RateCard::embedded(), &new, Some(&plan), Basis::List, today()).unwrap();
        let diff = report.plan.unwrap();
        assert_eq!(diff.change, d("111.115"));
        assert_eq!(diff.lines[0].change, d("111.115"));
        assert_eq!(diff.new_total, d("2690.87113"));
        assert!(diff.lines[1..].iter().all(|line| line.change.is_zero()));
    }
}

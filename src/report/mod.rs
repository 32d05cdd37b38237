//! Reports: what each command answers, as documented data ready for any
//! renderer. Building a report prices things; rendering only writes them.

pub mod budget;
pub mod compare;
pub mod diff;
pub mod estimate;
pub mod plan;
pub mod quote;
pub mod rates;
pub mod reconcile;
pub mod tally;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use time::Date;

use crate::card::{Life, Model, RateCard, Resolved, Status};
use crate::lane::Lane;
use crate::money::{Currency, Money, Overflow, round};
use crate::pricing::Unpriced;
use crate::size::ImageSize;

/// A card older than this many days gets a note: prices are date-bound.
pub const STALE_AFTER_DAYS: u64 = 90;

/// Something to tell the user beside the report (on stderr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Something that may make the answer wrong for the user's purpose, such
    /// as a model that no longer answers.
    Warning(String),
    /// Something worth knowing, such as a card checked long ago.
    Note(String),
}

/// Whether the command's step passes, once the report is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to object to (exit 0).
    Pass,
    /// A total above the `--fail-above` limit (exit 5); the sentence says by how much.
    OverBudget(String),
    /// A total that leaves something out (exit 6); the sentence says what.
    Incomplete(String),
    /// Requests the API would refuse (`estimate`, exit 7); the sentence says how many.
    Refused(String),
    /// `diff --exit-code`: the new card changes the bill (exit 1, as
    /// `git diff --exit-code`); the sentence says what changed.
    Changed(String),
    /// `reconcile`: the bill and the responses disagree beyond the
    /// tolerance (exit 8); the sentence says where.
    Mismatch(String),
}

impl Verdict {
    /// The documented exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::OverBudget(_) => 5,
            Verdict::Incomplete(_) => 6,
            Verdict::Refused(_) => 7,
            Verdict::Changed(_) => 1,
            Verdict::Mismatch(_) => 8,
        }
    }

    /// The sentence to print as the step's error, unless it passes.
    pub fn message(&self) -> Option<&str> {
        match self {
            Verdict::Pass => None,
            Verdict::OverBudget(reason)
            | Verdict::Incomplete(reason)
            | Verdict::Refused(reason)
            | Verdict::Changed(reason)
            | Verdict::Mismatch(reason) => Some(reason),
        }
    }
}

/// What a command's report says beside itself: whether the step passes,
/// and the warnings and notes about what it priced.
pub trait Outcome {
    /// Whether the step passes, once the report is written.
    fn verdict(&self) -> Verdict;

    /// Warnings and notes about what the report priced (the models it
    /// names, the files it read), in the order to show them.
    fn notices(&self) -> &[Notice];
}

/// The verdict of a total that leaves parts out: one short line pointing
/// at the report, which names each part and how to price it.
/// `what` says whose total and ends with its verb (`the plan's total is`).
pub(crate) fn incomplete(what: &str, parts: &str) -> Verdict {
    Verdict::Incomplete(format!("{what} INCOMPLETE: {parts} (see the report)"))
}

/// `A, B not priced`: what the parts a total leaves out are.
pub(crate) fn not_priced<'a>(parts: impl IntoIterator<Item = &'a Unpriced>) -> String {
    let parts: Vec<&str> = parts.into_iter().map(|part| part.part.as_str()).collect();
    format!("{} not priced", parts.join(", "))
}

/// What a row leaves out and why, for CSV's `unpriced_reason`: `part:
/// reason`, joined by `; `; `None` when it leaves nothing out.
pub(crate) fn unpriced_reason(parts: &[Unpriced]) -> Option<String> {
    let reasons: Vec<String> = parts.iter().map(|part| format!("{}: {}", part.part, part.reason)).collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// The lifecycle warnings of the models `names` name, as typed, once
/// each, in order, with a note for every lane whose rates a rule gives; a
/// name the card does not know gives none.
pub(crate) fn lifecycle_warnings<'a>(
    card: &RateCard,
    names: impl IntoIterator<Item = &'a str>,
    today: Date,
) -> Vec<Notice> {
    shown_model_notices(card, names, today, |model| model.lanes().collect())
}

/// What to say of the models `names` name, as typed, once each, in order
/// (see [`model_notices`]): a report passes only the names of models it
/// shows, and `rated` gives the lanes of a model whose input and text
/// output rates it used.
pub(crate) fn shown_model_notices<'a>(
    card: &RateCard,
    names: impl IntoIterator<Item = &'a str>,
    today: Date,
    rated: impl Fn(&Model) -> Vec<Lane>,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    // Each ID is looked at once, however many lines or rows name it: a plan
    // of thousands of lines on one model says its few things in one pass.
    let mut seen = std::collections::HashSet::new();
    let found = names.into_iter().filter_map(|name| card.resolve(name).ok());
    for found in found.filter(|found| seen.insert(found.id)) {
        for notice in model_notices(card, found, today, &rated(found.model)) {
            if !notices.contains(&notice) {
                notices.push(notice);
            }
        }
    }
    notices
}

/// What to say of the models a report's rows show (`shown`: each row's
/// model ID and lane), as `names` named them (every model of the card
/// where none is named); with `thinking`, the rows' lanes get their
/// derived-rate notes, for thinking is billed at the text output rate.
pub(crate) fn rows_notices(
    card: &RateCard,
    names: &[String],
    shown: &[(&str, Lane)],
    thinking: bool,
    today: Date,
) -> Vec<Notice> {
    let names = named_or_all(card, names).into_iter().filter(|name| {
        card.resolve(name).is_ok_and(|found| shown.iter().any(|(id, _)| *id == found.model.id))
    });
    let rated = |model: &Model| {
        shown.iter().filter(|(id, _)| thinking && *id == model.id).map(|(_, lane)| *lane).collect()
    };
    shown_model_notices(card, names, today, rated)
}

/// What to say of the models a plan's lines name: the lanes whose input
/// and text output rates a line uses (prompts, reference images, thinking)
/// get their derived-rate notes.
pub(crate) fn plan_notices(card: &RateCard, plan: &crate::plan::Plan, today: Date) -> Vec<Notice> {
    let rated = |model: &Model| {
        let lines = plan
            .lines
            .iter()
            .filter(|line| card.resolve(&line.model).is_ok_and(|found| found.model.id == model.id));
        lines
            .filter(|line| {
                line.prompt_tokens > 0 || line.reference_images > 0 || line.thinking_tokens.unwrap_or(0) > 0
            })
            .map(|line| line.lane)
            .collect()
    };
    shown_model_notices(card, plan.lines.iter().map(|line| line.model.as_str()), today, rated)
}

/// What to say of a model a report prices: its lifecycle warning, a note
/// where its prices come from another card than the one in force on the
/// day (see [`crate::card::History::on`]), and one for each of the `rated`
/// lanes (those whose input and text output rates the report used) whose
/// rates a rule gives.
pub(crate) fn model_notices(
    card: &RateCard,
    found: Resolved<'_>,
    today: Date,
    rated: &[Lane],
) -> Vec<Notice> {
    let warning = lifecycle_warning(found, today).map(Notice::Warning);
    warning
        .into_iter()
        .chain(priced_by_note(card, found.model))
        .chain(derived_rate_notes(found.model).filter(|(lane, _)| rated.contains(lane)).map(|(_, note)| note))
        .collect()
}

/// A note for each lane of `model` whose rates the card leaves out and
/// Google's published rule gives: which rates, and the rule.
pub(crate) fn derived_rate_notes(model: &Model) -> impl Iterator<Item = (Lane, Notice)> + '_ {
    model.tokens.iter().filter_map(|(lane, rates)| {
        let derived = rates.derived?;
        let parts = match (derived.input, derived.text_output) {
            (true, true) => "input, text output rates",
            (true, false) => "input rate",
            _ => "text output rate",
        };
        Some((*lane, Notice::Note(format!("`{}` {lane} {parts} by rule: {}", model.id, derived.rule.text()))))
    })
}

/// The note for a model the card in force does not list: the card whose
/// prices it carries (its price at release), so the figure's source is said.
pub(crate) fn priced_by_note(card: &RateCard, model: &Model) -> Option<Notice> {
    let by = model.priced_by.as_ref()?;
    Some(Notice::Note(format!(
        "`{}` is priced at release by {}: {} lacks it",
        model.id, by.card, card.meta.dated
    )))
}

/// `names`, or every model ID in the card where `names` is empty (what
/// `compare` and `budget` mean by no `--model`).
pub(crate) fn named_or_all<'a>(card: &'a RateCard, names: &'a [String]) -> Vec<&'a str> {
    if names.is_empty() {
        card.models.iter().map(|model| model.id.as_str()).collect()
    } else {
        names.iter().map(String::as_str).collect()
    }
}

/// Adds `warning`, unless `notices` has it already.
pub(crate) fn warn_once(notices: &mut Vec<Notice>, warning: Option<String>) {
    if let Some(warning) = warning.map(Notice::Warning)
        && !notices.contains(&warning)
    {
        notices.push(warning);
    }
}

/// The rate card a report was priced with.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CardInfo {
    /// The card's name.
    pub name: String,
    /// The date people call it by (`April 2026`).
    pub dated: String,
    /// The first day its prices apply (`YYYY-MM-DD`).
    #[schemars(with = "DaySchema")]
    pub effective: Date,
    /// The day its figures were last checked (`YYYY-MM-DD`).
    #[schemars(with = "DaySchema")]
    pub checked: Date,
    /// Whole days from `checked` to today.
    pub age_days: u64,
    /// The currency of every amount.
    #[schemars(with = "String")]
    pub currency: Currency,
    /// `embedded`, or the path of the card file.
    pub source: String,
    /// Whole days from today to `checked` when the check date is after
    /// today (`--as-of` before it, or a card dated ahead); else 0. Only the
    /// summary says it: `age_days` stays 0 in JSON.
    #[serde(skip)]
    pub days_ahead: u64,
    /// The short key CSV rows carry: the embedded card's name (`2026-10`),
    /// or the card file's path.
    #[serde(skip)]
    key: String,
}

impl CardInfo {
    /// The facts about `card` as of `today`.
    pub fn new(card: &RateCard, today: Date) -> CardInfo {
        CardInfo {
            name: card.meta.name.clone(),
            dated: card.meta.dated.clone(),
            effective: card.meta.effective,
            checked: card.meta.checked,
            age_days: card.meta.age_days(today),
            currency: Currency::of(&card.meta.currency),
            source: card.meta.origin.source(),
            days_ahead: u64::try_from((card.meta.checked - today).whole_days()).unwrap_or(0),
            key: card.meta.origin.name(),
        }
    }

    /// The short key CSV rows carry: the embedded card's name (`2026-10`,
    /// what `--rates` takes), or the card file's path.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// One line for tables: `April 2026 (checked 2026-04-20, 215 days ago; embedded)`.
    pub fn summary(&self) -> String {
        let age = match (self.age_days, self.days_ahead) {
            (0, 0) => "today".to_string(),
            (0, 1) => "1 day after today".to_string(),
            (0, ahead) => format!("{ahead} days after today"),
            (1, _) => "1 day ago".to_string(),
            (days, _) => format!("{days} days ago"),
        };
        format!("{} (checked {}, {age}; {})", self.dated, self.checked, self.source)
    }
}

/// Where a model ID stands in its life as of today.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Lifecycle {
    /// `active`, `deprecated`, `shut-down` or `disputed` (Google's own
    /// statements about the shutdown conflict), as of today.
    pub status: Status,
    /// The release date, where known.
    #[schemars(with = "Option<DaySchema>")]
    pub released: Option<Date>,
    /// The deprecation date, where known.
    #[schemars(with = "Option<DaySchema>")]
    pub deprecated: Option<Date>,
    /// The shutdown date, where known.
    #[schemars(with = "Option<DaySchema>")]
    pub shutdown: Option<Date>,
    /// Where the shutdown is disputed: what Google's other statement says.
    pub shutdown_disputed: Option<String>,
    /// The ID that replaces this one, where known.
    pub successor: Option<String>,
    /// The status in words, for tables.
    #[serde(skip)]
    summary: String,
}

impl Lifecycle {
    /// The lifecycle of an ID with `life`, as of `today`.
    pub fn new(life: &Life, today: Date) -> Lifecycle {
        Lifecycle {
            status: life.status(today),
            released: life.released,
            deprecated: life.deprecated,
            shutdown: life.shutdown,
            shutdown_disputed: life.shutdown_disputed.clone(),
            successor: life.successor.clone(),
            summary: life.summary(today),
        }
    }

    /// One line for tables, such as `shut down 2026-06-25; successor gemini-3.1-flash-image`.
    pub fn summary(&self) -> String {
        self.summary.clone()
    }
}

/// The note for a card checked more than [`STALE_AFTER_DAYS`] before
/// `today`, unless the dated history (`history`, asked for only then) knows
/// the card that replaced it and that card is not yet in force on `today`:
/// then the card was the truth of the day, and its prices held until the
/// next. Where a newer card is in force, the note names it.
pub fn stale_card_note(
    card: &RateCard,
    today: Date,
    history: impl FnOnce() -> Option<crate::card::History>,
) -> Option<String> {
    let age = card.meta.age_days(today);
    if age <= STALE_AFTER_DAYS {
        return None;
    }
    let history = history();
    let next = history.as_ref().and_then(|history| {
        history.cards().find(|next| {
            next.meta.effective > card.meta.effective && next.meta.currency == card.meta.currency
        })
    });
    match next {
        Some(next) if next.meta.effective > today => None,
        Some(next) => Some(format!(
            "the rate card ({}) was checked {age} days ago; {name} is in force on {today} (--rates {name})",
            card.meta.dated,
            name = next.meta.origin.name(),
        )),
        None => Some(format!(
            "the rate card ({}) was checked {age} days ago: see `nbcost rates`, or pass --rates",
            card.meta.dated
        )),
    }
}

/// A warning for a model named, by ID or alias, that is deprecated, shut
/// down or disputed as of `today`, naming its successor.
pub fn lifecycle_warning(resolved: Resolved<'_>, today: Date) -> Option<String> {
    resolved.life.warning(resolved.id, today)
}

/// The `--fail-above` check of a report's total (`plan`, `quote`,
/// `estimate`, `tally`): the report is written either way, and a total
/// above the limit makes the command exit 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BudgetCheck {
    /// The limit given with `--fail-above`.
    pub fail_above: Money,
    /// The total checked against it, exact.
    pub total: Money,
    /// Whether the total is above the limit (the command then exits 5).
    pub over: bool,
    /// How far above, or `null` when within.
    pub excess: Option<Money>,
    /// One sentence saying which total was checked and why the check
    /// passed or failed.
    pub reason: String,
    /// The currency of the amounts, for the summary.
    #[serde(skip)]
    currency: Currency,
}

impl BudgetCheck {
    /// Checks `total` (described by `what`, such as `the plan's monthly
    /// total`) against `limit`, both in `currency`.
    pub fn new(what: &str, total: Money, limit: Money, currency: &Currency) -> Result<BudgetCheck, Overflow> {
        let over = total > limit;
        let excess = total.minus(limit)?;
        let reason = if over {
            format!(
                "{what} {} is over --fail-above {} by {}",
                currency.unit(total),
                currency.unit(limit),
                currency.unit(excess)
            )
        } else {
            format!("{what} {} is within --fail-above {}", currency.unit(total), currency.unit(limit))
        };
        Ok(BudgetCheck {
            fail_above: limit,
            total,
            over,
            excess: over.then_some(excess),
            reason,
            currency: currency.clone(),
        })
    }

    /// The fact tables show: `$2,500.00: OVER by $79.76`, `$2,500.00: within`.
    /// Where the total to the cent would not read true beside the limit
    /// and the excess, all three are shown exactly: `$0.3355: $0.336 is
    /// OVER by $0.0005` (not a total of $0.34 over by $0.0005).
    pub fn summary(&self) -> String {
        let cents = Money::difference_in_cents(
            self.total,
            self.fail_above,
            self.total.minus(self.fail_above).unwrap_or(self.total),
        );
        let shown = |amount: Money| self.currency.total_if(amount, cents);
        let total = if cents { String::new() } else { format!("{} is ", shown(self.total)) };
        match self.excess {
            Some(excess) => format!("{}: {total}OVER by {}", shown(self.fail_above), shown(excess)),
            None => format!("{}: {total}within", shown(self.fail_above)),
        }
    }
}

/// Serializes a ratio as a decimal string rounded to 4 places.
pub(crate) fn ratio<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&round(*value, 4).to_string())
}

/// The published schema of a ratio written by [`ratio`]: a decimal string.
pub(crate) struct RatioSchema;

impl schemars::JsonSchema for RatioSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Ratio".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A ratio as a decimal string, rounded to 4 places",
            "type": "string",
            "pattern": crate::money::DECIMAL_PATTERN,
        })
    }
}

/// The published schema of a date in a report: `YYYY-MM-DD` (the `time`
/// crate's human-readable form).
pub(crate) struct DaySchema;

impl schemars::JsonSchema for DaySchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

/// Why `model` gives no row for any of `sizes` on any of `lanes` (an empty
/// list takes them all): `Nano Banana 2 Lite makes 1K only`, `Nano Banana
/// 2.1 publishes the standard lane only`; `None` when it gives one.
pub(crate) fn why_no_rows(model: &Model, sizes: &[ImageSize], lanes: &[Lane]) -> Option<String> {
    let sizes_left = sizes.is_empty() || sizes.iter().any(|size| model.size(*size).is_some());
    let lanes_left = lanes.is_empty() || lanes.iter().any(|lane| model.tokens.contains_key(lane));
    let makes = match model.sizes.as_slice() {
        [one] => format!("makes {} only", one.size),
        _ => format!("makes only {}", model.size_list()),
    };
    let publishes = match model.lanes().count() {
        1 => format!("publishes the {} lane only", model.lane_list()),
        _ => format!("publishes only the {} lanes", model.lane_list()),
    };
    match (sizes_left, lanes_left) {
        (true, true) => None,
        (false, true) => Some(format!("{} {makes}", model.name)),
        (true, false) => Some(format!("{} {publishes}", model.name)),
        (false, false) => Some(format!("{} {makes} and {publishes}", model.name)),
    }
}

/// Why `models` leave no row for `sizes` on `lanes`: what each model the
/// user `named` makes and publishes, or, with none named, that no model in
/// the card offers them.
pub(crate) fn nothing_offered(models: &[&Model], named: bool, sizes: &[ImageSize], lanes: &[Lane]) -> String {
    let mut reasons: Vec<String> = Vec::new();
    for reason in models.iter().filter_map(|model| why_no_rows(model, sizes, lanes)) {
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    if named && !reasons.is_empty() {
        reasons.join("; ")
    } else {
        format!("no model in the card offers {}", describe_filters(sizes, lanes))
    }
}

/// The size and lane filters that left nothing, for an error: `512 on flex`.
pub(crate) fn describe_filters(sizes: &[ImageSize], lanes: &[Lane]) -> String {
    let sizes: Vec<_> = sizes.iter().map(ImageSize::to_string).collect();
    let lanes: Vec<_> = lanes.iter().map(Lane::to_string).collect();
    let wanted: Vec<_> = [sizes.join(", "), lanes.join(", ")].into_iter().filter(|s| !s.is_empty()).collect();
    wanted.join(" on ")
}

#[cfg(test)]
pub(crate) mod testing {
    use time::{Date, Month};

    /// The day the tests pretend it is.
    pub fn today() -> Date {
        Date::from_calendar_date(2026, Month::November, 21).unwrap()
    }

    /// The October card as if it left out Lite's batch input and text
    /// output rates and no rule gave them: a lane with a rate missing, to
    /// hold the reports to leaving what it would price out, never guessed.
    pub fn lite_batch_without_text_rates() -> crate::card::RateCard {
        let mut card = crate::card::RateCard::embedded_named("2026-10").unwrap();
        let lite = card.models.iter_mut().find(|model| model.id == "gemini-3.1-flash-lite-image").unwrap();
        let batch = lite.tokens.get_mut(&crate::lane::Lane::Batch).unwrap();
        (batch.input, batch.text_output, batch.derived) = (None, None, None);
        card
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::today;

    #[test]
    fn notes_a_stale_card() {
        let card = RateCard::embedded();
        let note = stale_card_note(&card, today(), || None).unwrap();
        assert!(note.contains("(April 2026) was checked 215 days ago: see `nbcost rates`"), "{note}");
        let fresh = Date::from_calendar_date(2026, time::Month::May, 1).unwrap();
        assert_eq!(stale_card_note(&card, fresh, || panic!("no history needed for a fresh card")), None);
    }

    /// On a past day the card then in force is the truth of the day when
    /// the history knows the card that followed it; a card named past its
    /// successor's start gets the successor named.
    #[test]
    fn a_stale_card_followed_by_a_later_one_is_the_truth_of_its_days() {
        let april = RateCard::embedded_named("2026-04").unwrap();
        let october = RateCard::embedded_named("2026-10").unwrap();
        let day = |month, d| Date::from_calendar_date(2026, month, d).unwrap();
        let history = || Some(crate::card::History::embedded());
        // 2026-09-01: 134 days after April's check, before October's card.
        assert!(day(time::Month::September, 1) < october.meta.effective);
        assert_eq!(stale_card_note(&april, day(time::Month::September, 1), history), None);
        let note = stale_card_note(&april, today(), history).unwrap();
        assert!(
            note.contains("(April 2026) was checked 215 days ago; 2026-10 is in force on 2026-11-21"),
            "{note}"
        );
        assert!(note.ends_with("(--rates 2026-10)"), "{note}");
        let march = Date::from_calendar_date(2027, time::Month::March, 1).unwrap();
        let newest = stale_card_note(&october, march, history).unwrap();
        assert!(newest.contains("see `nbcost rates`"), "{newest}");
    }

    #[test]
    fn a_card_checked_after_today_says_so() {
        let card = RateCard::embedded_named("2026-04").unwrap();
        let day = |d| Date::from_calendar_date(2026, time::Month::April, d).unwrap();
        let summary = |d| CardInfo::new(&card, day(d)).summary();
        assert_eq!(summary(5), "April 2026 (checked 2026-04-20, 15 days after today; embedded 2026-04)");
        assert!(summary(19).contains("1 day after today"));
        assert!(summary(20).contains("2026-04-20, today;"));
        assert!(summary(21).contains("1 day ago"));
        assert_eq!(CardInfo::new(&card, day(5)).age_days, 0);
    }

    /// Under the October card every retired or retiring ID warns, however
    /// it was named; an active one does not.
    #[test]
    fn warns_about_every_retired_model_and_names_its_successor() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let warning = |name| lifecycle_warning(card.resolve(name).unwrap(), today());
        assert_eq!(
            warning("gemini-3.1-flash-image-preview").unwrap(),
            "`gemini-3.1-flash-image-preview` shut down 2026-06-25; use `gemini-3.1-flash-image` (same prices)"
        );
        let deprecated = "`gemini-3.1-flash-image` deprecated 2026-10-06; successor `gemini-nano-banana-2.1`";
        assert_eq!(warning("flash").unwrap(), deprecated);
        assert_eq!(warning("gemini-3.1-flash-image").unwrap(), deprecated);
        assert_eq!(
            warning("nano-banana").unwrap(),
            "`gemini-2.5-flash-image` shut down 2026-10-02, disputed (see `nbcost rates show`)"
        );
        assert_eq!(warning("pro"), None);
        assert_eq!(warning("nano-banana-2.1"), None);
        assert_eq!(warning("lite"), None);
    }

    #[test]
    fn summarises_a_lifecycle() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let summary = |name, day| Lifecycle::new(card.resolve(name).unwrap().life, day).summary();
        assert_eq!(
            summary("gemini-3.1-flash-image-preview", today()),
            "shut down 2026-06-25; successor gemini-3.1-flash-image"
        );
        assert_eq!(
            summary("flash", today()),
            "deprecated 2026-10-06, no shutdown date announced; successor gemini-nano-banana-2.1"
        );
        assert_eq!(summary("nano-banana", today()), "shut down 2026-10-02 (disputed)");
        let april = time::macros::date!(2026 - 04 - 20);
        assert_eq!(summary("nano-banana", april), "active; shutdown announced for 2026-10-02");
        assert_eq!(summary("pro", today()), "active");
    }
}

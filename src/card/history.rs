//! One dated history of prices. The cards (embedded, and any the user adds)
//! are each what was known on their `checked` day; the answer for a day D is
//! built from all of them:
//!
//! - a model exists on D if its release date is on or before D; one released
//!   later is remembered, so that asking for it says when it came out;
//! - each ID's life (release, deprecation, shutdown, successor) is the
//!   newest card's that knows the ID, so a later card's dates apply to
//!   earlier days; but a successor is named only from its release and the
//!   deprecation that names it on;
//! - a model's names (its aliases, its former IDs) are the newest card's
//!   that lists it, and an alias the newest card gives a model released by D
//!   means that model;
//! - its prices are those of the newest card in force on D (effective on or
//!   before D) that lists its ID, else of the first card that lists it (its
//!   price at release, said in [`Model::priced_by`]). So a price never moves
//!   backwards past a card's `effective` date for a model that card priced.
//!
//! Before the first card takes effect no price is known, and D is refused.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use time::Date;

use super::{CardError, CardOrigin, FormerId, Life, Model, PricedBy, RateCard, SkuRule, Unreleased};
use crate::error::{ErrorKind, Kind};

/// Every card nbcost knows, oldest `effective` date first.
#[derive(Debug, Clone)]
pub struct History {
    /// The embedded cards borrowed from the process's parsed copies, the
    /// user's owned.
    cards: Vec<Cow<'static, RateCard>>,
}

/// Why the history, or a day of it, cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// A day before the first card takes effect.
    #[error(
        "no price is known before {first} (the first rate card, {card}, takes effect then): give a day on or after {first}"
    )]
    BeforeFirstPrice {
        /// The first day any price is known.
        first: Date,
        /// That card, for people.
        card: String,
    },
    /// Two cards that take effect on the same day.
    #[error(
        "rate cards {first} and {second} both take effect on {day}: give one of them another `effective` date, or remove one"
    )]
    SameEffectiveDate {
        /// The day.
        day: Date,
        /// One card.
        first: CardOrigin,
        /// The other.
        second: CardOrigin,
    },
    /// A user's card that lists a model released after the card takes effect.
    #[error(
        "rate card {card} lists `{model}`, released on {released}, after the card takes effect ({effective}): set `effective` on or after {released}, or leave the model out"
    )]
    ModelAfterCard {
        /// The card.
        card: CardOrigin,
        /// The model's ID.
        model: String,
        /// Its release date.
        released: Date,
        /// The card's effective date.
        effective: Date,
    },
    /// A card that names as a successor a model no card knows.
    #[error(
        "rate card {card}: `model[{model}].successor` is `{successor}`, which no rate card knows: give the ID of a model in a card, or leave successor out"
    )]
    UnknownSuccessor {
        /// The card.
        card: CardOrigin,
        /// The model whose successor it is.
        model: String,
        /// The successor as written.
        successor: String,
    },
    /// A card the user added cannot be read.
    #[error(transparent)]
    Card(#[from] CardError),
    /// The folder of the user's cards cannot be listed.
    #[error("cannot list the rate card folder `{path}`: {cause}; check {from}")]
    Unlisted {
        /// The folder.
        path: String,
        /// What failed.
        cause: std::io::Error,
        /// Where the folder's path came from.
        from: &'static str,
    },
}

impl Kind for HistoryError {
    fn kind(&self) -> ErrorKind {
        match self {
            HistoryError::BeforeFirstPrice { .. } => ErrorKind::Usage,
            HistoryError::Card(err) => err.kind(),
            _ => ErrorKind::Card,
        }
    }
}

/// Where the user keeps their own cards, and what named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCards {
    /// The folder: `$NBCOST_RATES_DIR`, else `$XDG_CONFIG_HOME/nbcost/rates`,
    /// else `~/.config/nbcost/rates`.
    pub dir: PathBuf,
    /// Which of those named it, for messages.
    pub from: &'static str,
}

impl History {
    /// The embedded cards alone.
    pub fn embedded() -> History {
        History::ordered(super::embedded_cards().map(Cow::Borrowed).collect())
            .expect("the embedded cards take effect on different days")
    }

    /// The embedded cards and the user's cards in `user` (a folder that does
    /// not exist holds none). Every `*.toml` file there must be a valid card.
    pub fn load(user: Option<&UserCards>) -> Result<History, HistoryError> {
        History::with_card_files(user.map(card_files).transpose()?.unwrap_or_default())
    }

    /// [`History::on`] of the history [`History::load`] reads, reading no
    /// more of it than `day` needs. With no card of the user's, a day on or
    /// after the newest embedded card takes effect is that card's alone (it
    /// names every model the older cards list, as the tests hold), so only
    /// that card is decoded, and it is lent, not copied: a quote's usual case.
    pub fn card_on(user: Option<&UserCards>, day: Date) -> Result<Cow<'static, RateCard>, HistoryError> {
        let files = user.map(card_files).transpose()?.unwrap_or_default();
        if files.is_empty() {
            let newest = super::newest_embedded_card();
            if newest.meta.effective <= day {
                return Ok(Cow::Borrowed(newest));
            }
        }
        Ok(Cow::Owned(History::with_card_files(files)?.on(day)?))
    }

    /// The embedded cards and the user's card `files`.
    fn with_card_files(files: Vec<PathBuf>) -> Result<History, HistoryError> {
        let mut cards: Vec<Cow<'static, RateCard>> = super::embedded_cards().map(Cow::Borrowed).collect();
        for path in files {
            let mut card = RateCard::from_file(&path)?;
            card.meta.origin = CardOrigin::User(path);
            released_by_effective(&card)?;
            cards.push(Cow::Owned(card));
        }
        let history = History::ordered(cards)?;
        history.cards().try_for_each(|card| history.successors_known(card))?;
        Ok(history)
    }

    /// Whether `card`, read on its own, meets the rules a card of the
    /// user's folder must meet to join the history: no model released
    /// after the card takes effect, and every successor a model some card
    /// knows. `rates check` holds a file to them, so that a card it passes
    /// loads.
    pub fn admits(&self, card: &RateCard) -> Result<(), HistoryError> {
        released_by_effective(card)?;
        self.successors_known(card)
    }

    /// Every successor `card` names is a model ID some card of the history
    /// (or `card` itself) knows.
    pub fn successors_known(&self, card: &RateCard) -> Result<(), HistoryError> {
        let known = |id: &str| {
            std::iter::once(card)
                .chain(self.cards())
                .any(|each| each.models.iter().any(|model| model.id == id))
        };
        for model in &card.models {
            if let Some(successor) = model.life.successor.as_deref().filter(|successor| !known(successor)) {
                return Err(HistoryError::UnknownSuccessor {
                    card: card.meta.origin.clone(),
                    model: model.id.clone(),
                    successor: successor.to_string(),
                });
            }
        }
        Ok(())
    }

    /// A history of `cards`, in any order.
    pub fn from_cards(cards: Vec<RateCard>) -> Result<History, HistoryError> {
        History::ordered(cards.into_iter().map(Cow::Owned).collect())
    }

    /// A history of `cards`, put in order of their effective dates.
    fn ordered(mut cards: Vec<Cow<'static, RateCard>>) -> Result<History, HistoryError> {
        cards.sort_by_key(|card| card.meta.effective);
        if let Some(pair) = cards.windows(2).find(|pair| pair[0].meta.effective == pair[1].meta.effective) {
            return Err(HistoryError::SameEffectiveDate {
                day: pair[0].meta.effective,
                first: pair[0].meta.origin.clone(),
                second: pair[1].meta.origin.clone(),
            });
        }
        Ok(History { cards })
    }

    /// The cards, oldest `effective` date first.
    pub fn cards(&self) -> impl DoubleEndedIterator<Item = &RateCard> + ExactSizeIterator + Clone {
        self.cards.iter().map(|card| card.as_ref())
    }

    /// The SKU rules `card` reconciles with: its own first (a user's card
    /// adds or overrides), then every card's of the history, newest first,
    /// each rule once. SKU names do not change with a day's prices.
    pub fn sku_rules(&self, card: &RateCard) -> Vec<SkuRule> {
        let own = |card: &RateCard| match card.meta.origin {
            CardOrigin::Embedded(name) => super::embedded_sku_rules(name),
            _ => card.skus.clone(),
        };
        let mut rules: Vec<SkuRule> = Vec::new();
        for rule in own(card).into_iter().chain(self.cards().rev().flat_map(own)) {
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
        rules
    }

    /// The card in force on `day`: the newest whose effective date is on or
    /// before it.
    pub fn in_force(&self, day: Date) -> Option<&RateCard> {
        self.cards().rev().find(|card| card.meta.effective <= day)
    }

    /// The card called `name`: an embedded card's name or a user card's
    /// file stem.
    pub fn named(&self, name: &str) -> Option<&RateCard> {
        self.cards().find(|card| card.meta.origin.name() == name)
    }

    /// The prices and lives of `day`, as one card: the card in force's meta,
    /// routes and grounding, with every model that exists on the day.
    pub fn on(&self, day: Date) -> Result<RateCard, HistoryError> {
        let base = self.in_force(day).ok_or_else(|| {
            let first = &self.cards[0];
            HistoryError::BeforeFirstPrice {
                first: first.meta.effective,
                card: format!("{} ({})", first.meta.origin.name(), first.meta.dated),
            }
        })?;
        // The newest card from its own day names only successors out by
        // then (the tests hold the embedded cards to that).
        if self.newest_knows_all(base) {
            return Ok(base.clone());
        }
        let mut card = self.built(day, base)?;
        card.successors_as_of(day);
        Ok(card)
    }

    /// Whether `base` is the newest card and names every model ID the older
    /// cards list: then the day's card is `base` itself (the common case:
    /// today, with no card of the user's newer than the embedded ones).
    fn newest_knows_all(&self, base: &RateCard) -> bool {
        let newest = self.cards().next_back().is_some_and(|newest| std::ptr::eq(newest, base));
        let named = |id: &str| {
            base.models.iter().any(|model| model.names().any(|name| name.eq_ignore_ascii_case(id)))
        };
        newest && self.cards().all(|card| card.models.iter().all(|model| named(&model.id)))
    }

    /// [`History::on`] in full, from the card in force `base`.
    fn built(&self, day: Date, base: &RateCard) -> Result<RateCard, HistoryError> {
        let lives = self.newest_lives();
        let life_of =
            |id: &str, own: &Life| lives.get(&id.to_lowercase()).cloned().unwrap_or_else(|| own.clone());
        let mut claimed: HashSet<String> = HashSet::new();
        let mut models: Vec<Model> = Vec::new();
        let mut unreleased: Vec<Unreleased> = Vec::new();
        // The newest card's view of each model first: its names and lives.
        // Prices come only from cards in the currency of the card in force:
        // figures in two currencies are never put side by side.
        for card in self.cards().rev().filter(|card| card.meta.currency == base.meta.currency) {
            for model in &card.models {
                let id = model.id.to_lowercase();
                if claimed.contains(&id) || unreleased.iter().any(|later| later.id.eq_ignore_ascii_case(&id))
                {
                    continue;
                }
                let life = life_of(&model.id, &model.life);
                if let Some(released) = life.released.filter(|released| *released > day) {
                    unreleased.push(Unreleased {
                        id: model.id.clone(),
                        names: model.names().cloned().collect(),
                        released,
                    });
                    continue;
                }
                let (priced, priced_by) = self.prices(&model.id, day, base);
                let mut shown = priced.clone();
                shown.name = model.name.clone();
                shown.life = life;
                shown.aliases = model
                    .aliases
                    .iter()
                    .filter(|alias| !claimed.contains(&alias.to_lowercase()))
                    .cloned()
                    .collect();
                shown.former = model
                    .former
                    .iter()
                    .filter(|former| !claimed.contains(&former.id.to_lowercase()))
                    .map(|former| {
                        let mut former = former.clone();
                        former.life = life_of(&former.id, &former.life);
                        former
                    })
                    .collect();
                shown.priced_by = priced_by;
                shown.former_priced =
                    shown.former.iter().filter_map(|former| self.former_priced(former, day, base)).collect();
                claimed.extend(shown.names().map(|name| name.to_lowercase()));
                models.push(shown);
            }
        }
        // In the card in force's order (a GA model takes its preview's
        // place), then the others as met.
        let position = |model: &Model| {
            let listed = |own: &Model| model.names().any(|name| name.eq_ignore_ascii_case(&own.id));
            base.models.iter().position(listed).unwrap_or(base.models.len())
        };
        models.sort_by_key(position);
        // A name a released model has taken means that model, not the later one.
        for later in &mut unreleased {
            later.names.retain(|name| !claimed.contains(&name.to_lowercase()));
        }
        unreleased.retain(|later| !later.names.is_empty());
        let grounding = base.grounding.or_else(|| {
            let needs = models.iter().any(|model| model.grounding);
            let same = |card: &&RateCard| card.meta.currency == base.meta.currency;
            needs.then(|| self.cards().rev().filter(same).find_map(|card| card.grounding)).flatten()
        });
        Ok(RateCard {
            meta: base.meta.clone(),
            models,
            grounding,
            routes: base.routes.clone(),
            skus: base.skus.clone(),
            unreleased,
        })
    }

    /// The model `id` as the newest card in force on `day` that lists it
    /// prices it, else as the first card that lists it; with the card that
    /// priced it where that is not `base`.
    fn prices(&self, id: &str, day: Date, base: &RateCard) -> (&Model, Option<PricedBy>) {
        let listing = |card: &&RateCard| card.meta.currency == base.meta.currency && card.model(id).is_some();
        let in_force = self.cards().rev().filter(|card| card.meta.effective <= day).find(listing);
        let card = in_force.or_else(|| self.cards().find(listing)).expect("a card lists the model");
        let model = card.model(id).expect("the card lists the model");
        (model, priced_by(card, base))
    }

    /// The former ID `former` as the newest card in force on `day` that
    /// lists it prices it, where that card lists it as a model of its own
    /// (the April card on a summer day, for the previews it priced), under
    /// the ID's own life. `None` where that card lists it as a former ID, or
    /// no card in force lists it: it is priced with its model then.
    fn former_priced(&self, former: &FormerId, day: Date, base: &RateCard) -> Option<Model> {
        let lists = |card: &&RateCard| {
            card.meta.currency == base.meta.currency
                && card
                    .models
                    .iter()
                    .any(|model| model.id == former.id || model.former.iter().any(|own| own.id == former.id))
        };
        let card = self.cards().rev().filter(|card| card.meta.effective <= day).find(lists)?;
        let mut priced = card.model(&former.id)?.clone();
        priced.life = former.life.clone();
        // Its aliases and former IDs are its successor's on the day.
        priced.aliases.clear();
        priced.former.clear();
        priced.priced_by = priced_by(card, base);
        Some(priced)
    }

    /// `card`, one of the history's chosen outright by name (`--rates
    /// 2026-04`), with each ID's life as the newest card that knows the ID
    /// records it, as [`History::on`] gives lives: the April card cannot
    /// know that its previews shut down in June, and the history does.
    /// Prices stay the card's own.
    pub fn with_newest_lives(&self, mut card: RateCard) -> RateCard {
        let lives = self.newest_lives();
        let newest = |id: &str, life: &mut Life| {
            if let Some(known) = lives.get(&id.to_lowercase()) {
                life.clone_from(known);
            }
        };
        for model in &mut card.models {
            newest(&model.id, &mut model.life);
            for former in &mut model.former {
                newest(&former.id, &mut former.life);
            }
        }
        card
    }

    /// Each ID's life as the newest card that knows it records it, by the
    /// ID in lower case.
    fn newest_lives(&self) -> BTreeMap<String, Life> {
        let mut lives = BTreeMap::new();
        for card in self.cards() {
            for model in &card.models {
                lives.insert(model.id.to_lowercase(), model.life.clone());
                for former in &model.former {
                    lives.insert(former.id.to_lowercase(), former.life.clone());
                }
            }
        }
        lives
    }
}

impl RateCard {
    /// The card as of `day`, when it is chosen outright (`--rates`), as
    /// [`History::on`] answers for a day: a model released after `day` is
    /// set aside (asking for it says when it came out), unless an ID it
    /// answered to before was out by then, which it is that day (its
    /// preview, at the card's prices, under the preview's own life).
    pub fn released_by(mut self, day: Date) -> RateCard {
        let later = |life: &Life| life.released.is_some_and(|released| released > day);
        let mut models = Vec::with_capacity(self.models.len());
        for mut model in std::mem::take(&mut self.models) {
            let Some(released) = model.life.released.filter(|_| later(&model.life)) else {
                models.push(model);
                continue;
            };
            // The newest former ID out by the day, if any (one with no
            // release date is taken to be out).
            let out = model
                .former
                .iter()
                .enumerate()
                .filter(|(_, former)| !later(&former.life))
                .max_by_key(|(_, former)| former.life.released)
                .map(|(at, _)| at);
            match out {
                Some(at) => {
                    self.unreleased.push(Unreleased {
                        id: model.id.clone(),
                        names: vec![model.id.clone()],
                        released,
                    });
                    let former = model.former.remove(at);
                    model.id = former.id;
                    model.life = former.life;
                    model.former.retain(|earlier| !later(&earlier.life));
                    models.push(model);
                }
                None => self.unreleased.push(Unreleased {
                    id: model.id.clone(),
                    names: model.names().cloned().collect(),
                    released,
                }),
            }
        }
        self.models = models;
        // A name a released model has means that model, not the later one.
        let taken: HashSet<String> =
            self.models.iter().flat_map(Model::names).map(|name| name.to_lowercase()).collect();
        for later in &mut self.unreleased {
            later.names.retain(|name| !taken.contains(&name.to_lowercase()));
        }
        self.unreleased.retain(|later| !later.names.is_empty());
        self.successors_as_of(day);
        self
    }

    /// Leaves out each successor not yet named on `day`: one set aside as
    /// not yet released, or one named by a deprecation after the day. A
    /// successor is shown from its release and the deprecation that names
    /// it; the later card's dates themselves still apply.
    fn successors_as_of(&mut self, day: Date) {
        let later: HashSet<String> = self.unreleased.iter().map(|later| later.id.to_lowercase()).collect();
        let named_later = |life: &Life| {
            let unreleased = life.successor.as_ref().is_some_and(|id| later.contains(&id.to_lowercase()));
            unreleased || life.deprecated.is_some_and(|deprecated| deprecated > day)
        };
        let hide = |life: &mut Life| {
            if named_later(life) {
                life.successor = None;
            }
        };
        for model in &mut self.models {
            hide(&mut model.life);
            model.former.iter_mut().for_each(|former| hide(&mut former.life));
            model.former_priced.iter_mut().for_each(|former| hide(&mut former.life));
        }
    }
}

/// The card that prices a model, where it is not `base`, the card in force.
fn priced_by(card: &RateCard, base: &RateCard) -> Option<PricedBy> {
    (card.meta.origin != base.meta.origin).then(|| PricedBy {
        card: format!("{} ({})", card.meta.dated, card.meta.origin.source()),
        key: card.meta.origin.name(),
        effective: card.meta.effective,
    })
}

/// The `*.toml` files in the user's folder, by name; none if it does not exist.
fn card_files(user: &UserCards) -> Result<Vec<PathBuf>, HistoryError> {
    let unlisted =
        |cause| HistoryError::Unlisted { path: user.dir.display().to_string(), cause, from: user.from };
    let entries = match std::fs::read_dir(&user.dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(unlisted(err)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(unlisted)?.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// A user's card may not list a model released after it takes effect.
fn released_by_effective(card: &RateCard) -> Result<(), HistoryError> {
    for model in &card.models {
        if let Some(released) = model.life.released.filter(|released| *released > card.meta.effective) {
            return Err(HistoryError::ModelAfterCard {
                card: card.meta.origin.clone(),
                model: model.id.clone(),
                released,
                effective: card.meta.effective,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

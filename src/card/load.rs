//! Reading a rate card from TOML, strictly.
//!
//! Parsing (serde, `deny_unknown_fields`) and validation are separate steps;
//! every error names the card, the key path and the fix.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rust_decimal::Decimal;
use time::{Date, Month};
use toml::value::Datetime;

use super::lane_rule;
use super::raw::{RawCard, RawGrounding, RawMeta, RawModel, RawRoute, RawSize, RawSku, RawTokens};
use super::{
    CardMeta, CardOrigin, FormerId, Grade, Grounding, Life, Model, Part, RateCard, Route, SizeRow, SkuRule,
    TokenRates,
};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::size::ImageSize;
use crate::toml_file::{self, Invalid, Malformed, ReadFailure};

/// Why a rate card could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// The file could not be read.
    #[error(
        "cannot read rate card `{path}`: {cause}; check the path given to --rates, NBCOST_RATES or `rates check`"
    )]
    Unreadable {
        /// The path as given.
        path: String,
        /// The underlying error (kept out of the error chain: the message says it).
        cause: std::io::Error,
    },
    /// A name that is neither an embedded card nor a file.
    #[error(
        "no rate card `{name}`: it is neither an embedded card ({known}) nor a file; name one of them, or give the path of a card file"
    )]
    Unknown {
        /// The name as given.
        name: String,
        /// The embedded cards' names.
        known: String,
    },
    /// The text is not a card: bad TOML, a wrong type, an unknown or missing key.
    #[error("rate card {origin}{malformed}; see \"Rate card format\" in the README")]
    Malformed {
        /// Where the card came from.
        origin: CardOrigin,
        /// Where the text goes wrong, and what the parser said.
        malformed: Malformed,
    },
    /// The card parsed but a value breaks a rule.
    #[error("rate card {origin}: {broken}")]
    Invalid {
        /// Where the card came from.
        origin: CardOrigin,
        /// The key path (such as `model[gemini-3-pro-image-preview].size[4K].price.batch`),
        /// what is wrong and how to mend it.
        broken: Invalid,
    },
}

impl Kind for CardError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Card
    }
}

impl RateCard {
    /// Reads and validates the card at `path`.
    pub fn from_file(path: &Path) -> Result<RateCard, CardError> {
        let text = RateCard::text_of_file(path)?;
        RateCard::from_toml(&text, CardOrigin::File(path.to_path_buf()))
    }

    /// The text of the card file at `path`, not yet read as a card: UTF-8,
    /// and no larger than any card ([`toml_file::LIMIT`]).
    pub fn text_of_file(path: &Path) -> Result<String, CardError> {
        toml_file::read(path, "a rate card").map_err(|failure| match failure {
            ReadFailure::Unreadable(cause) => {
                CardError::Unreadable { path: path.display().to_string(), cause }
            }
            ReadFailure::NotText(malformed) => {
                CardError::Malformed { origin: CardOrigin::File(path.to_path_buf()), malformed }
            }
        })
    }

    /// Reads and validates a card from TOML text.
    pub fn from_toml(text: &str, origin: CardOrigin) -> Result<RateCard, CardError> {
        if text.trim().is_empty() {
            return Err(CardError::Malformed { origin, malformed: Malformed::whole("the card is empty") });
        }
        let raw: RawCard = toml_file::parse(text)
            .map_err(|malformed| CardError::Malformed { origin: origin.clone(), malformed })?;
        if let Some(broken) = toml_file::broken_value(text) {
            return Err(CardError::Invalid { origin, broken });
        }
        Validator { origin }.card(raw)
    }
}

struct Validator {
    origin: CardOrigin,
}

impl Validator {
    fn invalid(
        &self,
        key: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> CardError {
        CardError::Invalid { origin: self.origin.clone(), broken: Invalid::new(key, problem, fix) }
    }

    fn card(self, raw: RawCard) -> Result<RateCard, CardError> {
        let meta = self.meta(raw.card)?;
        let grounding = raw.grounding.map(|g| self.grounding(g)).transpose()?;
        if raw.models.is_empty() {
            return Err(self.invalid(
                "model",
                "is missing: the card has no models",
                "add at least one [[model]] table",
            ));
        }
        let models = raw
            .models
            .into_iter()
            .enumerate()
            .map(|(index, model)| self.model(index, model, grounding.is_some(), meta.grade))
            .collect::<Result<Vec<_>, _>>()?;
        self.names_are_unique(&models)?;
        self.successors_go_nowhere_round(&models)?;
        let mut card = RateCard {
            meta,
            models,
            grounding,
            routes: Vec::new(),
            skus: Vec::new(),
            unreleased: Vec::new(),
        };
        card.routes =
            raw.routes.into_iter().map(|route| self.route(&card, route)).collect::<Result<_, _>>()?;
        card.skus = raw
            .skus
            .into_iter()
            .enumerate()
            .map(|(index, sku)| self.sku(&card, index, sku))
            .collect::<Result<_, _>>()?;
        Ok(card)
    }

    /// A SKU rule: a pattern, a model of the card (or `*` for every model,
    /// for a SKU a family shares), a lane the model has, and a part.
    fn sku(&self, card: &RateCard, index: usize, raw: RawSku) -> Result<SkuRule, CardError> {
        let key = format!("sku[{index}]");
        let pattern = raw.pattern.trim().to_string();
        if pattern.is_empty() {
            return Err(self.invalid(
                format!("{key}.pattern"),
                "is empty",
                "give the SKU description as the bill writes it (`*` stands for any text)",
            ));
        }
        let lane = match raw.lane {
            None => Lane::Standard,
            Some(text) => text
                .parse::<Lane>()
                .map_err(|err| self.invalid(format!("{key}.lane"), "names no lane", err.to_string()))?,
        };
        let part = raw.part.parse::<Part>().map_err(|fix| {
            self.invalid(format!("{key}.part"), format!("`{}` is not a part", raw.part), fix)
        })?;
        let model = match raw.model.trim() {
            "*" => None,
            name => {
                let found = card.resolve(name).map_err(|err| {
                    self.invalid(format!("{key}.model"), "names no model in the card", err.to_string())
                })?;
                if part != Part::Search && !found.model.tokens.contains_key(&lane) {
                    return Err(self.invalid(
                        format!("{key}.lane"),
                        format!("is {lane}, a lane {} does not have in this card", found.model.id),
                        format!("give one of {}", found.model.lane_list()),
                    ));
                }
                Some(found.model.id.clone())
            }
        };
        let id = raw.id.map(|id| id.trim().to_string()).filter(|id| !id.is_empty());
        Ok(SkuRule { pattern, id, model, lane, part })
    }

    /// A provider route: its model must be in the card, with the size and
    /// lane it names; its owner and source are required.
    fn route(&self, card: &RateCard, raw: RawRoute) -> Result<Route, CardError> {
        let owner = raw.owner.trim().to_string();
        let key = format!("route[{owner}:{}]", raw.model.trim());
        if owner.is_empty() {
            return Err(self.invalid(
                format!("route[{}].owner", raw.model.trim()),
                "is empty: every provider price needs its owner",
                "name the provider that sets the price, such as owner = \"ExampleGateway\"",
            ));
        }
        if raw.source.trim().is_empty() {
            return Err(self.invalid(
                format!("{key}.source"),
                "is empty: every price needs a source",
                "give the page where the provider publishes the price",
            ));
        }
        let model = card.resolve(&raw.model).map_err(|err| {
            self.invalid(format!("{key}.model"), "names no model in the card", err.to_string())
        })?;
        let model = model.model;
        let size = raw
            .size
            .map(|text| {
                let size = text.parse::<ImageSize>().map_err(|err| {
                    self.invalid(format!("{key}.size"), format!("`{text}` is not a size"), err.to_string())
                })?;
                match model.size(size) {
                    Some(_) => Ok(size),
                    None => Err(self.invalid(
                        format!("{key}.size"),
                        format!("`{size}` is not one of {}'s sizes ({})", model.id, model.size_list()),
                        "give one of them, or leave size out for every size",
                    )),
                }
            })
            .transpose()?;
        let lane = match raw.lane {
            None => Lane::Standard,
            Some(text) => text
                .parse::<Lane>()
                .map_err(|err| self.invalid(format!("{key}.lane"), "names no lane", err.to_string()))?,
        };
        if !model.tokens.contains_key(&lane) {
            return Err(self.invalid(
                format!("{key}.lane"),
                format!("is {lane}, a lane {} does not have in this card", model.id),
                format!("give one of {}", model.lane_list()),
            ));
        }
        self.positive(&format!("{key}.price"), raw.price.0)?;
        Ok(Route {
            owner,
            name: raw.name.map(|name| name.trim().to_string()).filter(|name| !name.is_empty()),
            model: model.id.clone(),
            size,
            lane,
            price: raw.price.0,
            source: raw.source.trim().to_string(),
        })
    }

    fn meta(&self, raw: RawMeta) -> Result<CardMeta, CardError> {
        if raw.name.trim().is_empty() {
            return Err(self.invalid(
                "card.name",
                "is empty",
                "name the card, such as \"Gemini image generation\"",
            ));
        }
        if raw.sources.iter().all(|source| source.trim().is_empty()) {
            return Err(self.invalid(
                "card.sources",
                "is empty: every price needs a source",
                "list the pages the prices come from, such as sources = [\"https://...\"]",
            ));
        }
        let effective = self.date("card.effective", raw.effective)?;
        let checked = self.date("card.checked", raw.checked)?;
        if checked < effective {
            return Err(self.invalid(
                "card.checked",
                format!("({checked}) is before card.effective ({effective})"),
                "give the day the prices were last checked, on or after the effective date",
            ));
        }
        let currency = raw.currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|byte| byte.is_ascii_uppercase()) {
            return Err(self.invalid(
                "card.currency",
                format!("is `{}`, not a currency code", raw.currency),
                "give its ISO 4217 code, such as \"USD\" or \"EUR\"",
            ));
        }
        let dated = raw.dated.unwrap_or_else(|| format!("{} {}", effective.month(), effective.year()));
        let grade = self.grade("card.grade", raw.grade.as_deref(), Grade::Published)?;
        Ok(CardMeta {
            name: raw.name,
            dated,
            effective,
            checked,
            currency,
            grade,
            sources: raw.sources,
            origin: self.origin.clone(),
        })
    }

    fn grounding(&self, raw: RawGrounding) -> Result<Grounding, CardError> {
        let price = raw.price_per_1000_queries.0;
        if price.is_sign_negative() {
            return Err(self.invalid(
                "grounding.price_per_1000_queries",
                format!("is negative ({price})"),
                "give the published price per 1,000 search queries",
            ));
        }
        Ok(Grounding { free_prompts_per_month: raw.free_prompts_per_month, price_per_1000_queries: price })
    }

    fn date(&self, key: &str, raw: Datetime) -> Result<Date, CardError> {
        let fix = "write a plain date such as 2026-04-20";
        match (raw.date, raw.time) {
            (Some(day), None) => Month::try_from(day.month)
                .ok()
                .and_then(|month| Date::from_calendar_date(i32::from(day.year), month, day.day).ok())
                .ok_or_else(|| self.invalid(key, format!("({raw}) is not a calendar date"), fix)),
            _ => Err(self.invalid(key, format!("({raw}) is not a plain date"), fix)),
        }
    }

    /// An ID's dates, checked: a shutdown is not before the deprecation.
    fn life(
        &self,
        at: &str,
        released: Option<Datetime>,
        deprecated: Option<Datetime>,
        shutdown: Option<Datetime>,
    ) -> Result<Life, CardError> {
        let released = released.map(|d| self.date(&format!("{at}.released"), d)).transpose()?;
        let deprecated = deprecated.map(|d| self.date(&format!("{at}.deprecated"), d)).transpose()?;
        let shutdown = shutdown.map(|d| self.date(&format!("{at}.shutdown"), d)).transpose()?;
        if let (Some(deprecated), Some(shutdown)) = (deprecated, shutdown)
            && shutdown < deprecated
        {
            return Err(self.invalid(
                format!("{at}.shutdown"),
                format!("({shutdown}) is before the deprecation ({deprecated})"),
                "check the dates on the deprecations page",
            ));
        }
        Ok(Life { released, deprecated, shutdown, ..Life::default() })
    }

    /// A figure's grade as written, or `inherited` where it says none.
    fn grade(&self, key: &str, written: Option<&str>, inherited: Grade) -> Result<Grade, CardError> {
        match written.map(str::trim) {
            None => Ok(inherited),
            Some("published") => Ok(Grade::Published),
            Some("transcribed") => Ok(Grade::Transcribed),
            Some(other) => Err(self.invalid(
                key,
                format!("is `{other}`, not a grade"),
                "write \"published\" (on Google's own page) or \"transcribed\" (from dated copies of it); leave a derived price out and nbcost works it out from tokens",
            )),
        }
    }

    fn model(
        &self,
        index: usize,
        raw: RawModel,
        card_has_grounding: bool,
        card_grade: Grade,
    ) -> Result<Model, CardError> {
        let id = raw.id.trim().to_string();
        if id.is_empty() {
            return Err(self.invalid(
                format!("model[{index}].id"),
                "is empty",
                "give the model ID the API uses",
            ));
        }
        let at = format!("model[{id}]");
        let grade = self.grade(&format!("{at}.grade"), raw.grade.as_deref(), card_grade)?;
        let lanes = self.lanes(&at, raw.tokens, grade)?;
        let sizes = self.sizes(&at, raw.sizes, &lanes, grade)?;
        let default_size = match raw.default_size {
            None => ImageSize::K1,
            Some(text) => text.parse::<ImageSize>().map_err(|err| {
                self.invalid(format!("{at}.default_size"), format!("`{text}` is not a size"), err.to_string())
            })?,
        };
        if !sizes.iter().any(|row| row.size == default_size) {
            let offered: Vec<_> = sizes.iter().map(|row| row.size.api_value()).collect();
            return Err(self.invalid(
                format!("{at}.default_size"),
                format!("`{default_size}` is not one of the model's sizes ({})", offered.join(", ")),
                "set default_size to one of them, or add that size",
            ));
        }
        if raw.grounding && !card_has_grounding {
            return Err(self.invalid(
                format!("{at}.grounding"),
                "is true but the card has no [grounding] table",
                "add [grounding] with free_prompts_per_month and price_per_1000_queries",
            ));
        }
        let mut life = self.life(&at, raw.released, raw.deprecated, raw.shutdown)?;
        life.successor = raw.successor.map(|successor| successor.trim().to_string());
        life.shutdown_disputed = raw.shutdown_disputed.map(|text| text.trim().to_string());
        if life.shutdown_disputed.is_some() && life.shutdown.is_none() {
            return Err(self.invalid(
                format!("{at}.shutdown_disputed"),
                "is set but the model has no shutdown date to dispute",
                "give the shutdown date one of Google's statements announces",
            ));
        }
        let former = raw
            .former
            .into_iter()
            .map(|raw| {
                let former_id = raw.id.trim().to_string();
                let mut life = self.life(
                    &format!("{at}.former[{former_id}]"),
                    raw.released,
                    raw.deprecated,
                    raw.shutdown,
                )?;
                life.successor = Some(id.clone());
                life.successor_same_prices = true;
                Ok(FormerId { id: former_id, life })
            })
            .collect::<Result<Vec<_>, CardError>>()?;
        if raw.input_image_tokens == Some(0) {
            return Err(self.invalid(
                format!("{at}.input_image_tokens"),
                "is 0: reference images would be priced at $0",
                "give the tokens one input image counts, or leave the key out if unknown",
            ));
        }
        Ok(Model {
            id,
            name: raw.name,
            aliases: raw.aliases,
            life,
            former,
            free_tier: raw.free_tier,
            default_size,
            takes_image_size: raw.takes_image_size,
            input_image_tokens: raw.input_image_tokens,
            grounding: raw.grounding,
            always_thinks: raw.always_thinks,
            tokens: lanes,
            sizes,
            priced_by: None,
            former_priced: Vec::new(),
        })
    }

    fn lanes(
        &self,
        at: &str,
        raw: BTreeMap<String, RawTokens>,
        model_grade: Grade,
    ) -> Result<BTreeMap<Lane, TokenRates>, CardError> {
        if raw.is_empty() {
            return Err(self.invalid(
                format!("{at}.tokens"),
                "is missing: the model has no lanes",
                "add [model.tokens.standard] with input, text_output and image_output per 1M tokens",
            ));
        }
        let mut lanes = BTreeMap::new();
        for (name, rates) in raw {
            let key = format!("{at}.tokens.{name}");
            let lane =
                name.parse::<Lane>().map_err(|err| self.invalid(&key, "names no lane", err.to_string()))?;
            if let Some(input) = rates.input {
                self.not_negative(&format!("{key}.input"), input.0)?;
            }
            if let Some(text_output) = rates.text_output {
                self.not_negative(&format!("{key}.text_output"), text_output.0)?;
            }
            self.positive(&format!("{key}.image_output"), rates.image_output.0)?;
            lanes.insert(
                lane,
                TokenRates {
                    input: rates.input.map(|rate| rate.0),
                    text_output: rates.text_output.map(|rate| rate.0),
                    image_output: rates.image_output.0,
                    grade: self.grade(&format!("{key}.grade"), rates.grade.as_deref(), model_grade)?,
                    derived: None,
                },
            );
        }
        lane_rule::derive_by_rule(&mut lanes);
        Ok(lanes)
    }

    fn sizes(
        &self,
        at: &str,
        raw: Vec<RawSize>,
        lanes: &BTreeMap<Lane, TokenRates>,
        model_grade: Grade,
    ) -> Result<Vec<SizeRow>, CardError> {
        if raw.is_empty() {
            return Err(self.invalid(
                format!("{at}.size"),
                "is missing: the model has no sizes",
                "add a [[model.size]] table with size, output_tokens and price",
            ));
        }
        let mut rows: Vec<SizeRow> = Vec::new();
        for raw_size in raw {
            let size = raw_size.size.parse::<ImageSize>().map_err(|err| {
                self.invalid(format!("{at}.size[{}]", raw_size.size), "is not a size", err.to_string())
            })?;
            let key = format!("{at}.size[{size}]");
            if rows.iter().any(|row| row.size == size) {
                return Err(self.invalid(&key, "appears twice", "keep one [[model.size]] table per size"));
            }
            if raw_size.output_tokens == 0 {
                return Err(self.invalid(
                    format!("{key}.output_tokens"),
                    "is 0",
                    "give the image output tokens one image of this size counts",
                ));
            }
            let mut price = BTreeMap::new();
            for (name, value) in raw_size.price {
                let lane = name.parse::<Lane>().map_err(|err| {
                    self.invalid(format!("{key}.price.{name}"), "names no lane", err.to_string())
                })?;
                if !lanes.contains_key(&lane) {
                    return Err(self.invalid(
                        format!("{key}.price.{lane}"),
                        format!("is priced but the model has no [model.tokens.{lane}] rates"),
                        format!("add [model.tokens.{lane}] or remove the {lane} price"),
                    ));
                }
                self.positive(&format!("{key}.price.{lane}"), value.0)?;
                price.insert(lane, value.0);
            }
            let grade = self.grade(&format!("{key}.grade"), raw_size.grade.as_deref(), model_grade)?;
            rows.push(SizeRow { size, output_tokens: raw_size.output_tokens, price, grade });
        }
        rows.sort_by_key(|row| row.size);
        Ok(rows)
    }

    fn positive(&self, key: &str, value: Decimal) -> Result<(), CardError> {
        if value.is_sign_negative() || value.is_zero() {
            let problem = if value.is_zero() { "is 0".to_string() } else { format!("is negative ({value})") };
            return Err(self.invalid(key, problem, "give the published price, greater than zero"));
        }
        Ok(())
    }

    fn not_negative(&self, key: &str, value: Decimal) -> Result<(), CardError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(self.invalid(
                key,
                format!("is negative ({value})"),
                "give the published rate, zero or more",
            ));
        }
        Ok(())
    }

    /// Following successors within the card never comes back to where it
    /// started. (A successor may be a model of another card: the history
    /// checks that some card knows it, see [`super::History`].)
    fn successors_go_nowhere_round(&self, models: &[Model]) -> Result<(), CardError> {
        let successor_of = |id: &str| {
            models.iter().find(|model| model.id == id).and_then(|model| model.life.successor.as_deref())
        };
        for model in models {
            let Some(successor) = model.life.successor.as_deref() else { continue };
            let key = format!("model[{}].successor", model.id);
            let mut chain = vec![model.id.as_str()];
            let mut next = Some(successor);
            while let Some(id) = next {
                if chain.contains(&id) {
                    chain.push(id);
                    return Err(self.invalid(
                        key,
                        format!("goes round in a circle ({})", chain.join(" → ")),
                        "a successor replaces a model: give the newer model, and none to the newest",
                    ));
                }
                chain.push(id);
                next = successor_of(id);
            }
        }
        Ok(())
    }

    /// IDs, successors and aliases must each name exactly one model,
    /// compared without case.
    fn names_are_unique(&self, models: &[Model]) -> Result<(), CardError> {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for model in models {
            for name in model.names() {
                let folded = name.trim().to_lowercase();
                if folded.is_empty() {
                    return Err(self.invalid(
                        format!("model[{}].aliases", model.id),
                        "has an empty alias",
                        "remove it",
                    ));
                }
                if let Some(owner) = seen.insert(folded, &model.id) {
                    let problem = if owner == model.id {
                        format!("names `{name}` twice")
                    } else {
                        format!("names `{name}`, which already names model `{owner}`")
                    };
                    return Err(self.invalid(
                        format!("model[{}].aliases", model.id),
                        problem,
                        "give every ID, former ID and alias to one model only",
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;

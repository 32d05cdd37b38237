//! Finding a model by what a person types: its ID, an ID it answered to
//! before (a preview), or an alias, without regard to case.

use time::Date;

use super::{CardOrigin, FormerId, Life, Model, RateCard};
use crate::error::{ErrorKind, Kind};

/// How a name matched a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedAs {
    /// The model's current full ID.
    Id,
    /// An ID the model answered to before, such as its preview; it keeps the
    /// model's prices but has its own lifecycle.
    Former,
    /// A short alias, which means the model's current ID.
    Alias,
}

/// A model found by name.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'card> {
    /// The card's model.
    pub model: &'card Model,
    /// How the name matched.
    pub named_as: NamedAs,
    /// The ID the name stands for: the former ID it named, else the model's ID.
    pub id: &'card str,
    /// That ID's life.
    pub life: &'card Life,
}

impl<'card> Resolved<'card> {
    /// `former`, an ID `model` answered to before: priced as the model,
    /// unless the card in force on the day lists the ID as a model of its
    /// own ([`Model::former_priced`]), which then prices it.
    pub fn former(model: &'card Model, former: &'card FormerId) -> Resolved<'card> {
        let priced = model.former_priced.iter().find(|own| own.id == former.id).unwrap_or(model);
        Resolved { model: priced, named_as: NamedAs::Former, id: &former.id, life: &former.life }
    }
}

/// A name that matches no model on the day: one not yet released then, or
/// one no card knows (with the nearest names to suggest).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", message(self))]
pub struct UnknownModel {
    /// The name as typed.
    pub name: String,
    /// The card searched, for people: a model may be in one card and not
    /// another (`--rates`, `NBCOST_RATES`, `--as-of`).
    pub card: String,
    /// The closest names the card knows, best first.
    pub suggestions: Vec<String>,
    /// Every model ID in the card.
    pub known: Vec<String>,
    /// The model the name means, where it was released after the card's
    /// day: its ID and release date.
    pub released_later: Option<Box<(String, Date)>>,
}

fn message(unknown: &UnknownModel) -> String {
    let UnknownModel { name, card, suggestions, known, released_later } = unknown;
    match released_later.as_deref() {
        Some((id, released)) if id.eq_ignore_ascii_case(name.trim()) => format!(
            "`{id}` was released on {released}, after the day priced: give a day on or after it (--as-of), or another model"
        ),
        Some((id, released)) => format!(
            "`{name}` ({id}) was released on {released}, after the day priced: give a day on or after it (--as-of), or another model"
        ),
        None => format!("unknown model `{name}` in {card}: {}", hint(suggestions, known)),
    }
}

impl Kind for UnknownModel {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Usage
    }
}

fn hint(suggestions: &[String], known: &[String]) -> String {
    match suggestions {
        [] => format!("use a model ID or alias from `nbcost rates` ({})", known.join(", ")),
        [one] => format!("did you mean `{one}`? (`nbcost rates` lists every model)"),
        many => format!(
            "did you mean one of {}? (`nbcost rates` lists every model)",
            many.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

impl RateCard {
    /// The model `name` refers to.
    pub fn resolve(&self, name: &str) -> Result<Resolved<'_>, UnknownModel> {
        let wanted = name.trim().to_lowercase();
        for model in &self.models {
            let current = |named_as| Resolved { model, named_as, id: &model.id, life: &model.life };
            if model.id.to_lowercase() == wanted {
                return Ok(current(NamedAs::Id));
            }
            if let Some(former) = model.former.iter().find(|former| former.id.to_lowercase() == wanted) {
                return Ok(Resolved::former(model, former));
            }
            if model.aliases.iter().any(|alias| alias.to_lowercase() == wanted) {
                return Ok(current(NamedAs::Alias));
            }
        }
        let card = match &self.meta.origin {
            CardOrigin::Embedded(name) => format!("the embedded card {name} ({})", self.meta.dated),
            CardOrigin::File(path) | CardOrigin::User(path) => {
                format!("the card `{}` ({})", crate::toml_file::display_name(path), self.meta.dated)
            }
        };
        let released_later = self
            .unreleased
            .iter()
            .find(|later| later.names.iter().any(|known| known.to_lowercase() == wanted))
            .map(|later| Box::new((later.id.clone(), later.released)));
        Err(UnknownModel {
            name: name.to_string(),
            card,
            suggestions: self.nearest_names(&wanted),
            known: self.models.iter().map(|model| model.id.clone()).collect(),
            released_later,
        })
    }

    /// The models `names` refer to, in the order given; every model in the
    /// card when `names` is empty.
    pub fn models_named(&self, names: &[String]) -> Result<Vec<&Model>, UnknownModel> {
        if names.is_empty() {
            return Ok(self.models.iter().collect());
        }
        names.iter().map(|name| self.resolve(name).map(|found| found.model)).collect()
    }

    /// Up to three names close to `wanted`: by edit distance, or names that
    /// contain it.
    fn nearest_names(&self, wanted: &str) -> Vec<String> {
        let mut scored: Vec<(usize, &str)> = self
            .models
            .iter()
            .flat_map(|model| model.names())
            .filter_map(|name| {
                let folded = name.to_lowercase();
                let distance = strsim::levenshtein(wanted, &folded);
                let close = distance <= (wanted.len() / 3).max(2);
                let contains = wanted.len() >= 3 && folded.contains(wanted);
                (close || contains).then_some((distance, name.as_str()))
            })
            .collect();
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        scored.into_iter().take(3).map(|(_, name)| name.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In the October card aliases name the live IDs; a preview ID resolves
    /// to its GA model's prices under its own ID and lifecycle.
    #[test]
    fn resolves_ids_former_ids_and_aliases_in_any_case() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let cases = [
            ("flash", "gemini-3.1-flash-image", "gemini-3.1-flash-image", NamedAs::Alias),
            ("Nano-Banana-2", "gemini-3.1-flash-image", "gemini-3.1-flash-image", NamedAs::Alias),
            ("gemini-3.1-flash-image", "gemini-3.1-flash-image", "gemini-3.1-flash-image", NamedAs::Id),
            (
                "GEMINI-3.1-FLASH-IMAGE-PREVIEW",
                "gemini-3.1-flash-image",
                "gemini-3.1-flash-image-preview",
                NamedAs::Former,
            ),
            ("pro", "gemini-3-pro-image", "gemini-3-pro-image", NamedAs::Alias),
            (
                "gemini-3-pro-image-preview",
                "gemini-3-pro-image",
                "gemini-3-pro-image-preview",
                NamedAs::Former,
            ),
            ("lite", "gemini-3.1-flash-lite-image", "gemini-3.1-flash-lite-image", NamedAs::Alias),
            (
                "nano-banana-2-lite",
                "gemini-3.1-flash-lite-image",
                "gemini-3.1-flash-lite-image",
                NamedAs::Alias,
            ),
            ("nano-banana-2.1", "gemini-nano-banana-2.1", "gemini-nano-banana-2.1", NamedAs::Alias),
            ("nano-banana", "gemini-2.5-flash-image", "gemini-2.5-flash-image", NamedAs::Alias),
            ("flash-2.5", "gemini-2.5-flash-image", "gemini-2.5-flash-image", NamedAs::Alias),
            ("gemini-2.5-flash-image", "gemini-2.5-flash-image", "gemini-2.5-flash-image", NamedAs::Id),
        ];
        for (name, model, id, named_as) in cases {
            let found = card.resolve(name).unwrap();
            assert_eq!((found.model.id.as_str(), found.id, found.named_as), (model, id, named_as), "{name}");
        }
        let today = time::macros::date!(2026 - 11 - 21);
        let status = |name| card.resolve(name).unwrap().life.status(today).name();
        assert_eq!(status("gemini-3.1-flash-image"), "deprecated");
        assert_eq!(status("gemini-3.1-flash-image-preview"), "shut-down");
        assert_eq!(status("gemini-3-pro-image"), "active");
        assert_eq!(status("nano-banana"), "disputed");
    }

    /// The April card knew only the preview IDs: the GA IDs came later.
    #[test]
    fn the_april_card_names_only_what_existed_then() {
        let card = RateCard::embedded();
        assert_eq!(card.resolve("flash").unwrap().id, "gemini-3.1-flash-image-preview");
        assert!(card.resolve("gemini-3.1-flash-image").is_err());
    }

    #[test]
    fn suggests_the_nearest_names() {
        let card = RateCard::embedded_named("2026-10").unwrap();
        let err = card.resolve("flsh").unwrap_err();
        assert_eq!(err.suggestions, ["flash"]);
        assert_eq!(
            err.to_string(),
            "unknown model `flsh` in the embedded card 2026-10 (October 2026): did you mean `flash`? (`nbcost rates` lists every model)"
        );
        let err = card.resolve("gemini-3-pro").unwrap_err();
        assert!(err.suggestions.contains(&"gemini-3-pro-image".to_string()), "{:?}", err.suggestions);
    }

    #[test]
    fn lists_the_models_when_nothing_is_close() {
        let err = RateCard::embedded().resolve("dall-e-3").unwrap_err();
        assert!(err.suggestions.is_empty());
        assert!(
            err.to_string().contains("gemini-3.1-flash-image-preview, gemini-3-pro-image-preview"),
            "{err}"
        );
    }
}

//! The card's SKU map: how the SKUs on Google's bill name the card's
//! models, lanes and billed parts, for `nbcost reconcile`.
//!
//! A rule matches a bill row by its SKU ID where the rule gives one, else
//! by its description: `*` in a pattern stands for any text, and case does
//! not count. Rules are tried in order and the first that matches wins, so
//! a narrower pattern (Lite's) must come before a wider one (Flash's).

use std::fmt;

use crate::lane::Lane;

/// What a SKU bills.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Input tokens: text and reference images.
    Input,
    /// Image output tokens.
    ImageOutput,
    /// Text output tokens, thinking included.
    TextOutput,
    /// Google Search queries (grounding).
    Search,
}

impl Part {
    /// Every part, in the order reports list them.
    pub const ALL: [Part; 4] = [Part::Input, Part::ImageOutput, Part::TextOutput, Part::Search];

    /// The name a card and the reports write.
    pub fn name(self) -> &'static str {
        match self {
            Part::Input => "input",
            Part::ImageOutput => "image_output",
            Part::TextOutput => "text_output",
            Part::Search => "search",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Part {
    type Err = String;

    fn from_str(text: &str) -> Result<Part, String> {
        Part::ALL
            .into_iter()
            .find(|part| part.name() == text.trim())
            .ok_or_else(|| "give one of input, image_output, text_output, search".to_string())
    }
}

/// One `[[sku]]` rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct SkuRule {
    /// The SKU description, `*` standing for any text; case does not count.
    pub pattern: String,
    /// The SKU ID, where known: a row with this ID matches whatever its
    /// description says.
    pub id: Option<String>,
    /// The card model (its ID); `None` for a SKU every model shares (a
    /// search SKU billed per family).
    pub model: Option<String>,
    /// The lane it bills.
    pub lane: Lane,
    /// The part it bills.
    pub part: Part,
}

impl SkuRule {
    /// Whether the rule matches a row with `id` and `description`.
    pub fn matches(&self, id: Option<&str>, description: &str) -> bool {
        match (&self.id, id) {
            (Some(own), Some(id)) if own.eq_ignore_ascii_case(id.trim()) => true,
            _ => glob(self.pattern.as_bytes(), description.trim().as_bytes()),
        }
    }
}

/// The first rule of `rules` that matches a row, ID matches first.
pub fn find_rule<'a>(rules: &'a [SkuRule], id: Option<&str>, description: &str) -> Option<&'a SkuRule> {
    let by_id = id.and_then(|id| {
        rules.iter().find(|rule| rule.id.as_deref().is_some_and(|own| own.eq_ignore_ascii_case(id.trim())))
    });
    by_id.or_else(|| rules.iter().find(|rule| rule.matches(None, description)))
}

/// Whether `text` matches `pattern`, where `*` stands for any run of bytes
/// and ASCII letters match in either case. Byte by byte, with no
/// allocation (a bill of many rows tries every rule on each): a literal
/// character's first byte is never a UTF-8 continuation byte, so a match
/// always falls on character boundaries. Greedy with one backtrack point:
/// linear in the text for each `*`.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p].eq_ignore_ascii_case(&text[t]) {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str, id: Option<&str>, model: &str, part: Part) -> SkuRule {
        SkuRule {
            pattern: pattern.into(),
            id: id.map(String::from),
            model: Some(model.into()),
            lane: Lane::Standard,
            part,
        }
    }

    #[test]
    fn matches_by_id_then_by_pattern_in_order() {
        let rules = [
            rule("Gemini 3.1 Flash Lite Image*", None, "lite", Part::ImageOutput),
            rule("Gemini 3.1 Flash Image*", None, "flash", Part::ImageOutput),
            rule("Something else", Some("7D83-2D44-B50E"), "by-id", Part::ImageOutput),
        ];
        let found = |id, description| find_rule(&rules, id, description).and_then(|rule| rule.model.clone());
        assert_eq!(found(None, "gemini 3.1 flash lite image output"), Some("lite".into()));
        assert_eq!(found(None, "Gemini 3.1 Flash Image Output"), Some("flash".into()));
        assert_eq!(found(Some("7d83-2d44-b50e"), "Gemini 3.1 Flash Image Output"), Some("by-id".into()));
        assert_eq!(found(None, "Gemini 3 Pro Image Output"), None);
    }

    #[test]
    fn globs_without_backtracking_blowup() {
        let glob = |pattern: &str, text: &str| glob(pattern.as_bytes(), text.as_bytes());
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(glob("*", ""));
        assert!(!glob("a*b", "axxc"));
        assert!(glob(
            "Generate_content image output token count for Gemini 3 Pro Image",
            "generate_content IMAGE output token count for gemini 3 pro image"
        ));
        assert!(!glob("gemini 3 pro image", "gemini 3 pro image batch"));
        assert!(glob("Gemini*Bild – Ausgabe", "Gemini 3 Bild – Ausgabe"));
        assert!(!glob("Gemini*é", "Gemini 3 e"));
        let long = "a".repeat(100_000);
        assert!(!glob("*a*a*a*a*b", &long));
    }
}

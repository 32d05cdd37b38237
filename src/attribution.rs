//! Cost by who spent it: the rule (`--by`) that gives each response an
//! attribution, such as the team in its batch key (`team-a/0001` →
//! `team-a`), a request label, the file it came from, or the day it was
//! made.
//!
//! A response the rule finds nothing for has no attribution (`null`): it
//! is never dropped, and the groups always add up to the total.

use std::collections::BTreeMap;
use std::fmt;

use crate::zone::Zone;

/// The most attributions given rows of their own: a file whose every key
/// is its own group (a key without the separator is) would otherwise keep
/// one set of sums per line. Past this many, the rest share one group,
/// which says how many it holds.
pub const MAX_ATTRIBUTIONS: usize = 1_000;

/// The most bytes of an attribution kept, as for a model version.
const MAX_ATTRIBUTION_BYTES: usize = 256;

/// How responses are attributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum By {
    /// The batch key up to the first `separator` (a key without one is its
    /// own group; a line without a key has none).
    KeyPrefix {
        /// `/` unless `--key-separator` says otherwise.
        separator: char,
    },
    /// The value of the request's label `name` (`request.labels`), where
    /// the line carries the request.
    Label(String),
    /// The file the response was read from.
    File,
    /// The day the response was made (`processed_time` or `createTime`),
    /// in `zone` (`--tz`; UTC when not given), as `YYYY-MM-DD`; a
    /// response that gives no time has none.
    Day(Zone),
}

/// The rules `--by` knows, for messages.
pub const RULES: &str = "key-prefix, label:NAME, file, day";

/// Why a `--by` rule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ByError {
    /// Not one of the rules.
    #[error("`{}` is not a rule: give one of {RULES}", crate::visible::visible(.0))]
    Unknown(String),
    /// `label:` without a name.
    #[error("`label:` needs a label's name, such as label:team")]
    NoLabelName,
}

impl By {
    /// Reads `--by`, with `separator` from `--key-separator` (`/` when not
    /// given).
    pub fn parse(text: &str, separator: Option<char>) -> Result<By, ByError> {
        let text = text.trim();
        match text {
            "key-prefix" => Ok(By::KeyPrefix { separator: separator.unwrap_or('/') }),
            "file" => Ok(By::File),
            "day" => Ok(By::Day(Zone::utc())),
            _ => match text.strip_prefix("label:") {
                Some(name) if name.trim().is_empty() => Err(ByError::NoLabelName),
                Some(name) => Ok(By::Label(name.trim().to_string())),
                None => Err(ByError::Unknown(text.to_string())),
            },
        }
    }

    /// The attribution of a response with batch key `key` and request
    /// labels `labels`, made at `time` (seconds since the Unix epoch),
    /// read from the file `file`.
    pub fn of(
        &self,
        key: Option<&str>,
        labels: &[(String, String)],
        time: Option<i64>,
        file: &str,
    ) -> Option<String> {
        let value = match self {
            By::Day(zone) => return time.and_then(|time| zone.day(time)).map(|day| day.to_string()),
            By::KeyPrefix { separator } => key.map(|key| key.split(*separator).next().unwrap_or(key)),
            By::Label(name) => {
                labels.iter().find(|(label, _)| label == name).map(|(_, value)| value.as_str())
            }
            By::File => Some(file),
        }?;
        Some(kept(value))
    }
}

impl fmt::Display for By {
    /// The rule as `--by` takes it (`key-prefix`, `label:team`, `file`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            By::KeyPrefix { separator: '/' } => f.write_str("key-prefix"),
            By::KeyPrefix { separator } => write!(f, "key-prefix (split at '{separator}')"),
            By::Label(name) => write!(f, "label:{name}"),
            By::File => f.write_str("file"),
            By::Day(zone) => write!(f, "day ({})", zone.name()),
        }
    }
}

/// `value`, cut to [`MAX_ATTRIBUTION_BYTES`] on a character boundary with
/// `…` after it.
fn kept(value: &str) -> String {
    if value.len() <= MAX_ATTRIBUTION_BYTES {
        return value.to_string();
    }
    let mut end = MAX_ATTRIBUTION_BYTES;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
}

/// Sums of type `T` per attribution, at most [`MAX_ATTRIBUTIONS`] of them
/// apart; the rest are summed together and counted.
#[derive(Debug)]
pub struct Attributed<T> {
    groups: BTreeMap<Option<String>, T>,
    /// The sums of attributions past the first [`MAX_ATTRIBUTIONS`].
    others: Option<T>,
    /// How many distinct attributions `others` holds.
    other_names: std::collections::HashSet<String>,
}

impl<T> Default for Attributed<T> {
    fn default() -> Self {
        Attributed { groups: BTreeMap::new(), others: None, other_names: Default::default() }
    }
}

/// One attribution's group, or the group of the attributions past the cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    /// One attribution (`None`: the responses had none).
    One(Option<String>),
    /// Attributions past the first [`MAX_ATTRIBUTIONS`], summed together:
    /// how many there are, counted up to [`MAX_ATTRIBUTIONS`] (that many
    /// means at least that many).
    Others(u64),
}

impl<T: Default> Attributed<T> {
    /// The sums of `attribution`, made when first asked for.
    pub fn entry(&mut self, attribution: Option<String>) -> &mut T {
        // Responses without an attribution are one group, whatever the cap.
        if attribution.is_none()
            || self.groups.contains_key(&attribution)
            || self.groups.len() < MAX_ATTRIBUTIONS
        {
            return self.groups.entry(attribution).or_default();
        }
        if let Some(name) = attribution {
            // The count of distinct names past the cap is kept up to the
            // cap again; past that it only says "at least".
            if self.other_names.len() < MAX_ATTRIBUTIONS {
                self.other_names.insert(name);
            }
        }
        self.others.get_or_insert_with(T::default)
    }

    /// Every group with its sums: attributions in order, the responses
    /// without one after them, the attributions past the cap last.
    pub fn iter(&self) -> impl Iterator<Item = (Group, &T)> {
        let named = self.groups.iter().filter(|(name, _)| name.is_some());
        let unnamed = self.groups.iter().filter(|(name, _)| name.is_none());
        named
            .chain(unnamed)
            .map(|(name, sums)| (Group::One(name.clone()), sums))
            .chain(self.others.iter().map(|sums| (Group::Others(self.other_names.len() as u64), sums)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rules_and_refuses_the_rest() {
        assert_eq!(By::parse("key-prefix", None), Ok(By::KeyPrefix { separator: '/' }));
        assert_eq!(By::parse("key-prefix", Some(':')), Ok(By::KeyPrefix { separator: ':' }));
        assert_eq!(By::parse("label:team", None), Ok(By::Label("team".into())));
        assert_eq!(By::parse("file", None), Ok(By::File));
        assert_eq!(By::parse("day", None), Ok(By::Day(Zone::utc())));
        assert_eq!(By::parse("label:", None), Err(ByError::NoLabelName));
        let unknown = By::parse("team\u{1b}[2J", None).unwrap_err().to_string();
        assert_eq!(unknown, "`team\\u{1b}[2J` is not a rule: give one of key-prefix, label:NAME, file, day");
    }

    #[test]
    fn attributes_by_key_prefix_label_and_file() {
        let labels =
            vec![("team".to_string(), "growth".to_string()), ("env".to_string(), "prod".to_string())];
        let prefix = By::KeyPrefix { separator: '/' };
        assert_eq!(prefix.of(Some("team-a/0001"), &[], None, "f"), Some("team-a".into()));
        assert_eq!(prefix.of(Some("loose-key"), &[], None, "f"), Some("loose-key".into()));
        assert_eq!(prefix.of(Some("/0001"), &[], None, "f"), Some(String::new()));
        assert_eq!(prefix.of(None, &labels, None, "f"), None);
        assert_eq!(By::KeyPrefix { separator: ':' }.of(Some("a:b/c"), &[], None, "f"), Some("a".into()));
        assert_eq!(By::Label("team".into()).of(Some("k"), &labels, None, "f"), Some("growth".into()));
        assert_eq!(By::Label("owner".into()).of(Some("k"), &labels, None, "f"), None);
        assert_eq!(By::File.of(None, &[], None, "out.jsonl"), Some("out.jsonl".into()));
        // 2026-11-02T07:30:00Z: 1 November in Los Angeles, 2 November in UTC.
        let time = Some(1_793_604_600);
        let pacific = By::Day(Zone::named("America/Los_Angeles").unwrap());
        assert_eq!(pacific.of(Some("k"), &labels, time, "f"), Some("2026-11-01".into()));
        assert_eq!(By::Day(Zone::utc()).of(None, &[], time, "f"), Some("2026-11-02".into()));
        assert_eq!(pacific.of(Some("k"), &labels, None, "f"), None);
        let long = "é".repeat(200);
        let cut = prefix.of(Some(&long), &[], None, "f").unwrap();
        assert!(cut.ends_with('…') && cut.len() <= MAX_ATTRIBUTION_BYTES + '…'.len_utf8(), "{}", cut.len());
    }

    #[test]
    fn keeps_the_first_attributions_apart_and_sums_the_rest() {
        let mut groups: Attributed<u64> = Attributed::default();
        for index in 0..MAX_ATTRIBUTIONS + 10 {
            *groups.entry(Some(format!("g{index:05}"))) += 1;
        }
        *groups.entry(Some("g00000".into())) += 1;
        *groups.entry(None) += 5;
        *groups.entry(Some("late".into())) += 1;
        let all: Vec<(Group, u64)> = groups.iter().map(|(group, sums)| (group, *sums)).collect();
        assert_eq!(all.len(), MAX_ATTRIBUTIONS + 2);
        assert_eq!(all[0], (Group::One(Some("g00000".into())), 2));
        assert_eq!(all[MAX_ATTRIBUTIONS - 1].0, Group::One(Some(format!("g{:05}", MAX_ATTRIBUTIONS - 1))));
        assert_eq!(all[MAX_ATTRIBUTIONS], (Group::One(None), 5));
        assert_eq!(all[MAX_ATTRIBUTIONS + 1], (Group::Others(11), 11));
        assert_eq!(all.iter().map(|(_, sums)| sums).sum::<u64>(), MAX_ATTRIBUTIONS as u64 + 10 + 1 + 5 + 1);
    }
}

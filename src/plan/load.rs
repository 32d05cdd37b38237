//! Reading a plan from TOML, strictly: unknown keys are errors, and every
//! message names the file, the line and the key, and says how to fix it.
//!
//! Checks that need the rate card (the model, its sizes, lanes, grounding and
//! routes) happen when the plan is priced, with the same kind of message.

use std::collections::HashMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Escalation, Grounding, GroupBudget, Plan, PlanLine, Volume};
use crate::card::CardDecimal;
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::Money;
use crate::size::ImageSize;
use crate::toml_file::{self, Invalid, Malformed, ReadFailure};

/// Why a plan cannot be priced.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read.
    #[error("cannot read plan `{path}`: {cause}; check the path")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The underlying error (the message says it).
        cause: std::io::Error,
    },
    /// The text is not a plan: bad TOML, a wrong type, an unknown or missing key.
    #[error("plan `{plan}`{malformed}; see \"Plan file format\" in the README")]
    Malformed {
        /// Where the plan came from.
        plan: String,
        /// Where the text goes wrong, and what the parser said.
        malformed: Malformed,
    },
    /// A value breaks a rule.
    #[error("plan `{plan}`: {}{broken}", line_prefix(.line))]
    Invalid {
        /// Where the plan came from.
        plan: String,
        /// The plan line's name, where the problem is in one.
        line: Option<String>,
        /// The key (such as `rejection_rate` or `escalation.to`), what is
        /// wrong and how to mend it.
        broken: Invalid,
    },
    /// A figure outgrew exact arithmetic.
    #[error(
        "plan `{plan}`: line `{line}`: the month is too large to price exactly; lower the volume or check the card's prices"
    )]
    TooLarge {
        /// Where the plan came from.
        plan: String,
        /// The plan line's name.
        line: String,
    },
}

impl Kind for PlanError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Input
    }
}

fn line_prefix(line: &Option<String>) -> String {
    line.as_ref().map(|name| format!("line `{name}`: ")).unwrap_or_default()
}

impl PlanError {
    /// An [`PlanError::Invalid`] in line `line` of the plan from `source`.
    pub(crate) fn invalid(
        source: &str,
        line: Option<&str>,
        key: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> PlanError {
        PlanError::Invalid {
            plan: source.to_string(),
            line: line.map(str::to_string),
            broken: Invalid::new(key, problem, fix),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    plan: Option<RawMeta>,
    #[serde(default, rename = "line")]
    lines: Vec<RawLine>,
    #[serde(default, rename = "group")]
    groups: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: String,
    monthly_budget: CardDecimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    name: String,
    model: String,
    size: Option<String>,
    lane: Option<String>,
    images_per_month: Option<u64>,
    images_per_day: Option<u64>,
    days: Option<u64>,
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    reference_images: u64,
    thinking_tokens: Option<u64>,
    rejection_rate: Option<CardDecimal>,
    escalation: Option<RawEscalation>,
    grounding: Option<RawGrounding>,
    #[serde(default)]
    batch_ok: bool,
    provider: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalation {
    to: String,
    share: CardDecimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrounding {
    share: Option<CardDecimal>,
    queries_per_prompt: u64,
}

impl Plan {
    /// Reads and checks the plan at `path`.
    pub fn from_file(path: &Path) -> Result<Plan, PlanError> {
        let source = toml_file::display_name(path);
        let text = toml_file::read(path, "a plan").map_err(|failure| match failure {
            ReadFailure::Unreadable(cause) => PlanError::Unreadable { path: source.clone(), cause },
            ReadFailure::NotText(malformed) => PlanError::Malformed { plan: source.clone(), malformed },
        })?;
        Plan::from_toml(&text, &source)
    }

    /// Reads and checks a plan from TOML text; `source` names it in messages.
    pub fn from_toml(text: &str, source: &str) -> Result<Plan, PlanError> {
        let raw: RawPlan = toml_file::parse(text)
            .map_err(|malformed| PlanError::Malformed { plan: source.to_string(), malformed })?;
        if let Some(broken) = toml_file::broken_value(text) {
            return Err(PlanError::Invalid { plan: source.to_string(), line: None, broken });
        }
        let checker = Checker { source };
        if raw.lines.is_empty() && raw.groups.is_empty() {
            return Err(checker.invalid(
                None,
                "line",
                "is missing: the plan has no lines",
                "add a [[line]] table",
            ));
        }
        let groups = checker.groups(raw.groups)?;
        let lines = raw.lines.into_iter().map(|line| checker.line(line)).collect::<Result<Vec<_>, _>>()?;
        checker.names_are_unique(&lines)?;
        checker.escalations_lead_somewhere(&lines)?;
        checker.zero_lines_are_reached(&lines)?;
        let name = raw.plan.and_then(|meta| meta.name).map(|name| name.trim().to_string());
        Ok(Plan { name: name.filter(|name| !name.is_empty()), source: source.to_string(), lines, groups })
    }
}

struct Checker<'a> {
    source: &'a str,
}

impl Checker<'_> {
    fn invalid(
        &self,
        line: Option<&str>,
        key: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> PlanError {
        PlanError::invalid(self.source, line, key, problem, fix)
    }

    fn line(&self, raw: RawLine) -> Result<PlanLine, PlanError> {
        let name = raw.name.trim().to_string();
        if name.is_empty() {
            return Err(self.invalid(
                None,
                "line.name",
                "is empty",
                "give every line a name, such as \"catalog\"",
            ));
        }
        let at = Some(name.as_str());
        if raw.model.trim().is_empty() {
            return Err(self.invalid(
                at,
                "model",
                "is empty",
                "give a model ID or alias from `nbcost rates`",
            ));
        }
        let size = raw
            .size
            .map(|text| {
                text.parse::<ImageSize>().map_err(|err| {
                    self.invalid(at, "size", format!("`{text}` is not a size"), err.to_string())
                })
            })
            .transpose()?;
        let lane = match raw.lane {
            None => Lane::Standard,
            Some(text) => text
                .parse::<Lane>()
                .map_err(|err| self.invalid(at, "lane", "names no lane", err.to_string()))?,
        };
        let (volume, images_per_month) =
            self.volume(at, raw.images_per_month, raw.images_per_day, raw.days)?;
        let rejection_rate = match raw.rejection_rate {
            None => Decimal::ZERO,
            Some(rate) => self.share(at, "rejection_rate", rate.0, false)?,
        };
        let escalation = raw
            .escalation
            .map(|raw| {
                let to = raw.to.trim().to_string();
                if to == name {
                    return Err(self.invalid(
                        at,
                        "escalation.to",
                        "names the line itself",
                        "escalate to another line, such as one on a stronger model",
                    ));
                }
                Ok(Escalation { to, share: self.share(at, "escalation.share", raw.share.0, true)? })
            })
            .transpose()?;
        let grounding = raw
            .grounding
            .map(|raw| {
                let share = match raw.share {
                    None => Decimal::ONE,
                    Some(share) => self.share(at, "grounding.share", share.0, true)?,
                };
                if share.is_zero() {
                    return Err(self.invalid(
                        at,
                        "grounding.share",
                        "is 0",
                        "give the share of requests that are grounded, or remove [line.grounding]",
                    ));
                }
                if raw.queries_per_prompt == 0 {
                    return Err(self.invalid(
                        at,
                        "grounding.queries_per_prompt",
                        "is 0",
                        "give the search queries one grounded prompt makes, 1 or more",
                    ));
                }
                Ok(Grounding { share, queries_per_prompt: raw.queries_per_prompt })
            })
            .transpose()?;
        let provider = raw.provider.map(|owner| owner.trim().to_string());
        if let Some(owner) = &provider {
            if owner.is_empty() {
                return Err(self.invalid(
                    at,
                    "provider",
                    "is empty",
                    "name a route's owner, or remove the key",
                ));
            }
            let extras = [
                ("prompt_tokens", raw.prompt_tokens > 0),
                ("reference_images", raw.reference_images > 0),
                ("thinking_tokens", raw.thinking_tokens.is_some()),
                ("grounding", grounding.is_some()),
            ];
            if let Some((key, _)) = extras.into_iter().find(|(_, set)| *set) {
                return Err(self.invalid(
                    at,
                    key,
                    format!("is set, but the line is priced by provider `{owner}`, whose route has a per-image price only"),
                    "remove it, or remove `provider` to price the line at Google's rates",
                ));
            }
        }
        Ok(PlanLine {
            model: raw.model.trim().to_string(),
            size,
            lane,
            volume,
            images_per_month,
            prompt_tokens: raw.prompt_tokens,
            reference_images: raw.reference_images,
            thinking_tokens: raw.thinking_tokens,
            rejection_rate,
            escalation,
            grounding,
            batch_ok: raw.batch_ok,
            provider,
            name,
        })
    }

    fn volume(
        &self,
        at: Option<&str>,
        per_month: Option<u64>,
        per_day: Option<u64>,
        days: Option<u64>,
    ) -> Result<(Volume, u64), PlanError> {
        // A volume of 0 is a line only escalations reach: checked once every
        // line is read ([`Checker::zero_lines_are_reached`]).
        match (per_month, per_day, days) {
            (Some(images), None, None) => Ok((Volume::PerMonth(images), images)),
            (None, Some(images), Some(days)) => {
                if !(1..=31).contains(&days) {
                    return Err(self.invalid(
                        at,
                        "days",
                        format!("is {days}"),
                        "give the days a month the line runs, 1 to 31",
                    ));
                }
                let month = images.checked_mul(days).ok_or_else(|| {
                    self.invalid(at, "images_per_day", "is too large", "give a smaller daily volume")
                })?;
                Ok((Volume::PerDay { images, days }, month))
            }
            (None, Some(_), None) => Err(self.invalid(
                at,
                "days",
                "is missing: images_per_day needs the days a month it runs",
                "add days = 22 (or however many)",
            )),
            (Some(_), None, Some(_)) => Err(self.invalid(
                at,
                "days",
                "goes with images_per_day, not images_per_month",
                "remove days, or give images_per_day instead",
            )),
            (Some(_), Some(_), _) => Err(self.invalid(
                at,
                "images_per_day",
                "is set beside images_per_month",
                "give one volume: images_per_month, or images_per_day with days",
            )),
            (None, None, _) => Err(self.invalid(
                at,
                "images_per_month",
                "is missing: the line has no volume",
                "add images_per_month = N, or images_per_day = N with days = D",
            )),
        }
    }

    /// A share between 0 and 1 (1 itself only where `one_allowed`), with at
    /// most 9 decimal places so that the counts derived from it stay exact.
    fn share(
        &self,
        at: Option<&str>,
        key: &str,
        value: Decimal,
        one_allowed: bool,
    ) -> Result<Decimal, PlanError> {
        let value = value.normalize();
        let fix = if one_allowed {
            "give a share from 0 to 1, such as 0.1 for 10%"
        } else {
            "give a share from 0 to below 1, such as 0.1 for 10%"
        };
        let too_big = if one_allowed { value > Decimal::ONE } else { value >= Decimal::ONE };
        if value.is_sign_negative() && !value.is_zero() || too_big {
            return Err(self.invalid(at, key, format!("is {value}, outside its range"), fix));
        }
        if value.scale() > 9 {
            return Err(self.invalid(at, key, format!("({value}) has more than 9 decimal places"), fix));
        }
        Ok(value)
    }

    /// The group budgets: each named once (as written: an attribution is
    /// compared exactly), each budget 0 or more.
    fn groups(&self, raw: Vec<RawGroup>) -> Result<Vec<GroupBudget>, PlanError> {
        let mut seen = std::collections::HashSet::new();
        let mut groups = Vec::with_capacity(raw.len());
        for group in raw {
            let at = format!("group {}", group.name);
            if group.name.is_empty() {
                return Err(self.invalid(
                    None,
                    "group.name",
                    "is empty",
                    "name the attribution the budget is for",
                ));
            }
            if !seen.insert(group.name.clone()) {
                return Err(self.invalid(
                    Some(&at),
                    "name",
                    "is used by an earlier group too",
                    "give every group its own name",
                ));
            }
            let budget = group.monthly_budget.0;
            if budget.is_sign_negative() && !budget.is_zero() {
                return Err(self.invalid(
                    Some(&at),
                    "monthly_budget",
                    format!("is negative ({budget})"),
                    "give an amount, 0 or more",
                ));
            }
            groups.push(GroupBudget { name: group.name, monthly_budget: Money::new(budget) });
        }
        Ok(groups)
    }

    fn names_are_unique(&self, lines: &[PlanLine]) -> Result<(), PlanError> {
        let mut seen = HashMap::new();
        for line in lines {
            if seen.insert(line.name.to_lowercase(), ()).is_some() {
                return Err(self.invalid(
                    Some(&line.name),
                    "name",
                    "is used by an earlier line too (names are compared without case)",
                    "give every line its own name",
                ));
            }
        }
        Ok(())
    }

    /// A line of no images of its own is priced for the requests other
    /// lines escalate to it; with none, it would cost nothing, and is
    /// refused.
    fn zero_lines_are_reached(&self, lines: &[PlanLine]) -> Result<(), PlanError> {
        let reached = |name: &str| {
            lines.iter().any(|line| line.escalation.as_ref().is_some_and(|escalation| escalation.to == name))
        };
        match lines.iter().find(|line| line.images_per_month == 0 && !reached(&line.name)) {
            Some(line) => Err(self.invalid(
                Some(&line.name),
                match line.volume {
                    Volume::PerDay { .. } => "images_per_day",
                    Volume::PerMonth(_) => "images_per_month",
                },
                "is 0 and no line escalates to it: a line of no images costs nothing",
                "give at least 1 image, escalate another line's requests to it, or remove the line",
            )),
            None => Ok(()),
        }
    }

    /// Every escalation names a line, and no chain of escalations comes back
    /// to where it started (`a → b → a` would redo requests for ever).
    ///
    /// Each line is walked once: a chain that reaches a line already known to
    /// end is not followed again, so a plan of thousands of chained lines is
    /// checked in time proportional to its lines.
    fn escalations_lead_somewhere(&self, lines: &[PlanLine]) -> Result<(), PlanError> {
        let index: HashMap<&str, usize> =
            lines.iter().enumerate().map(|(at, line)| (line.name.as_str(), at)).collect();
        let mut targets = Vec::with_capacity(lines.len());
        for line in lines {
            let Some(to) = line.escalation.as_ref().map(|e| e.to.as_str()) else {
                targets.push(None);
                continue;
            };
            let Some(&at) = index.get(to) else {
                let names: Vec<_> = lines.iter().map(|l| format!("`{}`", l.name)).collect();
                return Err(self.invalid(
                    Some(&line.name),
                    "escalation.to",
                    format!("names `{to}`, which is not a line of the plan"),
                    format!("name one of {}", names.join(", ")),
                ));
            };
            targets.push(Some(at));
        }
        #[derive(Clone, Copy, PartialEq)]
        enum Walk {
            NotYet,
            OnThisPath,
            Ends,
        }
        let mut walk = vec![Walk::NotYet; lines.len()];
        for start in 0..lines.len() {
            let mut path = Vec::new();
            let mut next = Some(start);
            while let Some(at) = next {
                match walk[at] {
                    Walk::Ends => break,
                    Walk::OnThisPath => {
                        path.push(at);
                        let names: Vec<_> = path.iter().map(|&at| lines[at].name.as_str()).collect();
                        return Err(self.invalid(
                            Some(&lines[start].name),
                            "escalation.to",
                            format!("makes a loop: {}", names.join(" → ")),
                            "end every chain of escalations on a line without one",
                        ));
                    }
                    Walk::NotYet => {
                        walk[at] = Walk::OnThisPath;
                        path.push(at);
                        next = targets[at];
                    }
                }
            }
            for at in path {
                walk[at] = Walk::Ends;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const SMALL: &str = r#"
[plan]
name = "Small"

[[line]]
name = "drafts"
model = "flash"
size = "1K"
images_per_month = 1000
rejection_rate = "0.2"
escalation = { to = "finals", share = "0.1" }

[[line]]
name = "finals"
model = "pro"
size = "4K"
images_per_day = 10
days = 20
"#;

    fn error(text: &str) -> String {
        Plan::from_toml(text, "plan.toml").unwrap_err().to_string()
    }

    #[test]
    fn refuses_a_control_character_in_a_plan_string() {
        let message = error(&SMALL.replacen("name = \"drafts\"", "name = \"drafts\\u001b[2J\"", 1));
        assert!(
            message.contains("`line[0].name` holds a control character (`drafts\\u{1b}[2J`)"),
            "{message}"
        );
    }

    #[test]
    fn reads_a_small_plan() {
        let plan = Plan::from_toml(SMALL, "plan.toml").unwrap();
        assert_eq!(plan.title(), "Small");
        assert_eq!(plan.lines.len(), 2);
        assert_eq!(plan.lines[0].rejection_rate, "0.2".parse().unwrap());
        assert_eq!(plan.lines[0].escalation.as_ref().unwrap().to, "finals");
        assert_eq!(plan.lines[1].volume, Volume::PerDay { images: 10, days: 20 });
        assert_eq!(plan.lines[1].images_per_month, 200);
        assert_eq!(plan.lines[1].lane, Lane::Standard);
    }

    #[test]
    fn rejects_what_breaks_the_rules() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("name = \"Small\"", "name = \"Small\"\ncolour = 1", &["line 4", "unknown field `colour`"]),
            (
                "rejection_rate = \"0.2\"",
                "rejection_rate = \"1\"",
                &["line `drafts`", "`rejection_rate` is 1"],
            ),
            ("rejection_rate = \"0.2\"", "rejection_rate = -0.1", &["`rejection_rate` is -0.1"]),
            (
                "rejection_rate = \"0.2\"",
                "rejection_rate = \"0.0000000001\"",
                &["more than 9 decimal places"],
            ),
            ("share = \"0.1\"", "share = \"1.5\"", &["`escalation.share` is 1.5"]),
            ("to = \"finals\"", "to = \"final\"", &["`escalation.to` names `final`", "`drafts`, `finals`"]),
            ("to = \"finals\"", "to = \"drafts\"", &["names the line itself"]),
            ("days = 20", "", &["line `finals`", "`days` is missing"]),
            ("days = 20", "days = 40", &["`days` is 40"]),
            ("images_per_month = 1000", "", &["line `drafts`", "`images_per_month` is missing"]),
            (
                "images_per_month = 1000",
                "images_per_month = 1000\nimages_per_day = 5",
                &["beside images_per_month"],
            ),
            ("size = \"1K\"", "size = \"8K\"", &["`size` `8K` is not a size"]),
            ("size = \"1K\"", "size = \"1K\"\nlane = \"bulk\"", &["`lane` names no lane"]),
            (
                "name = \"finals\"",
                "name = \"Drafts\"",
                &["line `Drafts`", "`name` is used by an earlier line"],
            ),
            (
                "size = \"1K\"",
                "size = \"1K\"\ngrounding = { queries_per_prompt = 0 }",
                &["`grounding.queries_per_prompt` is 0"],
            ),
            (
                "size = \"1K\"",
                "size = \"1K\"\nprovider = \"Gateway\"\nprompt_tokens = 5",
                &["`prompt_tokens` is set, but the line is priced by provider `Gateway`"],
            ),
        ];
        for (from, to, words) in cases {
            let message = error(&SMALL.replacen(from, to, 1));
            assert!(message.starts_with("plan `plan.toml`"), "{message}");
            for word in *words {
                assert!(message.contains(word), "`{message}` lacks `{word}`");
            }
            assert!(!message.contains('\n'), "one line: {message}");
        }
    }

    /// A line of no images of its own stands when a line escalates to it,
    /// and is refused, by name, when none does.
    #[test]
    fn a_line_of_no_images_must_be_reached_by_an_escalation() {
        let reached = SMALL.replacen("images_per_day = 10\ndays = 20", "images_per_month = 0", 1);
        let plan = Plan::from_toml(&reached, "plan.toml").unwrap();
        assert_eq!(plan.lines[1].volume, Volume::PerMonth(0));
        let alone = reached.replacen("escalation = { to = \"finals\", share = \"0.1\" }\n", "", 1);
        assert_eq!(
            error(&alone),
            "plan `plan.toml`: line `finals`: `images_per_month` is 0 and no line escalates to it: a line of no \
             images costs nothing; give at least 1 image, escalate another line's requests to it, or remove the line"
        );
    }

    #[test]
    fn names_the_lines_of_an_escalation_loop() {
        let looped =
            SMALL.replacen("days = 20", "days = 20\nescalation = { to = \"drafts\", share = \"0.5\" }", 1);
        assert_eq!(
            error(&looped),
            "plan `plan.toml`: line `drafts`: `escalation.to` makes a loop: drafts → finals → drafts; end every chain of escalations on a line without one"
        );
    }

    /// A plan of `lines` lines, each escalating a tenth of its requests to
    /// the next; the last line escalates to `last_to`, where given.
    pub(crate) fn chain(lines: usize, last_to: Option<&str>) -> String {
        let mut text = String::from("[plan]\nname = \"Chain\"\n");
        for at in 0..lines {
            text += &format!("[[line]]\nname = \"l{at}\"\nmodel = \"flash\"\nimages_per_month = 10\n");
            let to = if at + 1 < lines { Some(format!("l{}", at + 1)) } else { last_to.map(String::from) };
            if let Some(to) = to {
                text += &format!("escalation = {{ to = \"{to}\", share = \"0.1\" }}\n");
            }
        }
        text
    }

    /// Each line of a chain is walked once (a walk per line along the rest
    /// of the chain took minutes at 5,000 lines), and a loop closed by the
    /// last line is still found and named from where it is first reached.
    #[test]
    fn checks_a_long_chain_of_escalations_and_finds_a_loop_at_its_end() {
        let plan = Plan::from_toml(&chain(3_000, None), "plan.toml").unwrap();
        assert_eq!(plan.lines[2_999].escalation, None);
        let message = error(&chain(3_000, Some("l2997")));
        assert!(
            message.starts_with("plan `plan.toml`: line `l0`: `escalation.to` makes a loop: l0 → l1 → "),
            "{message}"
        );
        assert!(message.contains(" → l2997 → l2998 → l2999 → l2997; end every chain"), "{message}");
    }

    /// `[[group]]` budgets: read as written, and refused when a name is
    /// empty or used twice, or a budget is negative; a plan of groups alone
    /// reads (for `tally --plan`).
    #[test]
    fn reads_group_budgets_and_refuses_bad_ones() {
        let groups = "[[group]]\nname = \"team-a\"\nmonthly_budget = \"250\"\n\n[[group]]\nname = \"team-b\"\nmonthly_budget = 0\n";
        let plan = Plan::from_toml(groups, "plan.toml").unwrap();
        assert!(plan.lines.is_empty());
        let budgets: Vec<(&str, String)> =
            plan.groups.iter().map(|g| (g.name.as_str(), g.monthly_budget.plain())).collect();
        assert_eq!(budgets, [("team-a", "250.00".to_string()), ("team-b", "0.00".to_string())]);
        let with_lines = format!("{SMALL}\n{groups}");
        assert_eq!(Plan::from_toml(&with_lines, "plan.toml").unwrap().groups.len(), 2);
        for (bad, words) in [
            (groups.replace("team-b", ""), "`group.name` is empty"),
            (
                groups.replace("team-b", "team-a"),
                "line `group team-a`: `name` is used by an earlier group too",
            ),
            (groups.replace("= 0", "= \"-5\""), "`monthly_budget` is negative (-5)"),
        ] {
            let message = error(&bad);
            assert!(message.contains(words), "`{message}` lacks `{words}`");
        }
    }

    #[test]
    fn refuses_a_plan_without_lines() {
        assert!(error("[plan]\nname = \"x\"").contains("`line` is missing"));
    }

    #[test]
    fn scales_a_plan_down_to_whole_images() {
        let plan = Plan::from_toml(SMALL, "plan.toml").unwrap().scaled(250);
        assert_eq!(plan.lines[0].images_per_month, 2500);
        assert_eq!(plan.lines[1].images_per_month, 500);
        let plan = Plan::from_toml(SMALL, "plan.toml").unwrap().scaled(33);
        assert_eq!(plan.lines[1].images_per_month, 66);
    }
}

//! Sums by model version grouped as the tally prices them: by the card
//! model each version names (or the unknown version), the image tokens per
//! image and the lane, with the unknown versions past the first few and the
//! sizes past the first few of a model and lane gathered into counted rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::lanes::BilledLane;
use super::output::{MAX_UNKNOWN_VERSIONS, SumsByVersion, resolve_version};
use super::shapes::{Distinct, PerImage, gather_sizes};
use super::usage::UsageSums;
use crate::card::{Model, RateCard, Resolved};
#[cfg(doc)]
use {super::output::MAX_KEPT_VERSIONS, crate::lane::Lane};

/// Responses priced alike: one card model (or one unpriced model version),
/// one image token count per image and one lane.
#[derive(Debug, Clone)]
pub struct ModelGroup<'card> {
    /// The card model; `None` when no card model answers to the version.
    pub model: Option<&'card Model>,
    /// Every `modelVersion` as written in the group, sorted; `None` stands
    /// for responses that named none.
    pub model_versions: Vec<Option<String>>,
    /// The IDs those versions stand for, in the same order (a version no
    /// card model answers to, or none, is left out): what their lifecycle
    /// warnings name.
    pub named: Vec<Resolved<'card>>,
    /// Image output tokens per image; [`PerImage::NoCounts`] when the
    /// responses give no token counts (they cannot be priced), and
    /// [`PerImage::Others`] for the sizes past the first [`MAX_SIZES`](super::shapes::MAX_SIZES) of
    /// the model and lane.
    pub tokens_per_image: PerImage,
    /// For [`PerImage::Others`], the sizes the group holds, counted; else
    /// none.
    pub other_sizes: Distinct,
    /// For the one group of the model versions past the first
    /// [`MAX_UNKNOWN_VERSIONS`] the card does not know: how many there are
    /// (`model_versions` is then empty); for a card model's group holding
    /// versions past the first [`MAX_KEPT_VERSIONS`], how many of those
    /// name the model; 0 for any other group.
    pub other_versions: u64,
    /// Whether there are more of `other_versions` than it says (too many
    /// to count).
    pub other_versions_at_least: bool,
    /// What the responses are billed on.
    pub lane: BilledLane,
    /// The sums.
    pub sums: UsageSums,
}

/// Where a group's responses go: a card model (by its place in the card),
/// an unpriced model version, or the unpriced versions past the first
/// [`MAX_UNKNOWN_VERSIONS`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum GroupModel<'sums> {
    Card(usize),
    Unknown(Option<&'sums str>),
    OtherUnknown,
}

/// What a group gathers.
#[derive(Debug, Default)]
pub(super) struct GroupSums<'sums> {
    /// The model versions seen, as written.
    pub(super) versions: BTreeSet<Option<&'sums str>>,
    /// The card IDs that versions past the first [`MAX_KEPT_VERSIONS`]
    /// stand for, and how many such versions there are.
    pub(super) later: BTreeMap<&'sums str, Distinct>,
    /// The sums.
    pub(super) sums: UsageSums,
    /// For the sizes past the cap, which they are.
    pub(super) sizes: Distinct,
}

impl<'sums> GroupSums<'sums> {
    /// Gathers `other` in.
    pub(super) fn merge(&mut self, other: GroupSums<'sums>) {
        self.versions.extend(other.versions);
        for (id, versions) in other.later {
            self.later.entry(id).or_default().merge(&versions);
        }
        self.sums.merge(&other.sums);
        self.sizes.merge(&other.sizes);
    }
}

/// `sums` grouped by the card model each version names (`fallback` for
/// responses that name none): card models first in card order, then
/// unknown versions (the first [`MAX_UNKNOWN_VERSIONS`] in order, then the
/// rest together), smallest images first within each (the first
/// [`MAX_SIZES`](super::shapes::MAX_SIZES) of each model and lane, then the rest together), then
/// lanes in [`Lane::ALL`] order, provisioned last.
pub fn group_by_model<'card>(
    card: &'card RateCard,
    sums: &SumsByVersion,
    fallback: Option<&Model>,
) -> Vec<ModelGroup<'card>> {
    // Each distinct version resolved once: its group, and the ID it names.
    let mut resolved: HashMap<Option<&str>, (GroupModel<'_>, Option<Resolved<'card>>)> = HashMap::new();
    for (version, ..) in sums.iter() {
        resolved.entry(version).or_insert_with(|| {
            let named = version.and_then(|version| resolve_version(card, version));
            let model = match version {
                Some(_) => named.map(|found| found.model),
                None => fallback,
            };
            let place = model.and_then(|model| card.models.iter().position(|m| m.id == model.id));
            let group_model = match place {
                Some(index) => GroupModel::Card(index),
                None => GroupModel::Unknown(version),
            };
            (group_model, named)
        });
    }
    // Past the first unknown versions, the rest share a row.
    let mut unknown: Vec<Option<&str>> = resolved
        .iter()
        .filter(|(version, (group_model, _))| {
            version.is_some() && matches!(group_model, GroupModel::Unknown(_))
        })
        .map(|(version, _)| *version)
        .collect();
    unknown.sort_unstable();
    let others = unknown.len().saturating_sub(MAX_UNKNOWN_VERSIONS) as u64;
    for version in unknown.into_iter().skip(MAX_UNKNOWN_VERSIONS) {
        if let Some((group_model, _)) = resolved.get_mut(&version) {
            *group_model = GroupModel::OtherUnknown;
        }
    }
    let mut grouped: BTreeMap<(GroupModel<'_>, PerImage, BilledLane), GroupSums<'_>> = BTreeMap::new();
    for (version, lane, per_image, shape_sums, sizes) in sums.iter() {
        let group_model = resolved[&version].0.clone();
        let listed = group_model != GroupModel::OtherUnknown;
        let group = grouped.entry((group_model, per_image, lane)).or_default();
        if listed {
            group.versions.insert(version);
        }
        group.sums.merge(shape_sums);
        if let Some(sizes) = sizes {
            group.sizes.merge(sizes);
        }
    }
    // The versions past those kept apart: by the card model they name.
    let mut later_unknown = Distinct::default();
    for (id, versions, lane, per_image, shape_sums, sizes) in sums.later() {
        let place = id
            .and_then(|id| resolve_version(card, id))
            .and_then(|found| card.models.iter().position(|m| m.id == found.model.id));
        let group_model = match place {
            Some(index) => GroupModel::Card(index),
            None => GroupModel::OtherUnknown,
        };
        let group = grouped.entry((group_model, per_image, lane)).or_default();
        match id.filter(|_| place.is_some()) {
            Some(id) => group.later.entry(id).or_default().merge(versions),
            None => later_unknown.merge(versions),
        }
        group.sums.merge(shape_sums);
        if let Some(sizes) = sizes {
            group.sizes.merge(sizes);
        }
    }
    gather_sizes(&mut grouped);
    grouped
        .into_iter()
        .map(|((group_model, tokens_per_image, lane), group)| {
            let GroupSums { versions, later, sums, sizes: other_sizes } = group;
            let mut later_versions = Distinct::default();
            for counted in later.values() {
                later_versions.merge(counted);
            }
            let (model, other_versions, other_versions_at_least) = match group_model {
                GroupModel::Card(index) => {
                    (Some(&card.models[index]), later_versions.count(), later_versions.at_least())
                }
                GroupModel::Unknown(_) => (None, 0, false),
                GroupModel::OtherUnknown => (None, others + later_unknown.count(), later_unknown.at_least()),
            };
            let named = versions
                .iter()
                .filter_map(|version| resolved[version].1)
                .chain(later.keys().filter_map(|id| resolve_version(card, id)))
                .collect();
            let model_versions = versions.into_iter().map(|version| version.map(str::to_owned)).collect();
            ModelGroup {
                model,
                model_versions,
                named,
                tokens_per_image,
                other_sizes,
                lane,
                sums,
                other_versions,
                other_versions_at_least,
            }
        })
        .collect()
}

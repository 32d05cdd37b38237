//! Sums by lane and image size, kept small on any input: a model has a
//! handful of sizes, so past the first [`MAX_SIZES`] of a version on a lane
//! (and again of a card model on a lane) the rest are summed together, with
//! a count of how many sizes they hold. Sums move, none is dropped: cost is
//! linear in tokens, so the gathered row is priced exactly as its sizes
//! would have been apart.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::groups::{GroupModel, GroupSums};
use super::lanes::BilledLane;
use super::usage::{Content, UsageSums};
use crate::scan::Usage;

/// The image tokens per image a sum is kept under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PerImage {
    /// Responses that give no token counts, which cannot be priced.
    NoCounts,
    /// This many image tokens per image.
    Tokens(u64),
    /// The sizes of a lane past its first [`MAX_SIZES`], summed together.
    Others,
}

/// Sums by (lane billed, image tokens per image), the first [`MAX_SIZES`]
/// sizes of each lane apart and the rest summed together per lane. A
/// version's responses nearly always share one or two shapes, so a list,
/// searched, costs less than a map; the cap keeps the search short (a file
/// whose every response has its own token count would otherwise make it
/// quadratic).
#[derive(Debug, Default)]
pub(super) struct Shapes {
    listed: Vec<((BilledLane, Option<u64>), UsageSums)>,
    others: Vec<(BilledLane, UsageSums, Distinct)>,
}

/// The most image sizes (image tokens per image) of one model on one lane
/// given rows of their own; the rest share one row, which says how many
/// sizes it holds. A model has a handful of sizes: more than this is a
/// hostile or broken file, whose every token count would otherwise be a row.
pub const MAX_SIZES: usize = 50;

/// The most distinct values a [`Distinct`] counts exactly.
const MAX_COUNTED: usize = 1_000;

/// How many distinct values were seen, counted exactly up to
/// 1,000 (`MAX_COUNTED`) and past that as "at least", so the count stays
/// small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distinct {
    seen: HashSet<u64>,
    more: bool,
}

impl Distinct {
    /// Counts `value`.
    pub fn see(&mut self, value: u64) {
        if self.seen.len() < MAX_COUNTED || self.seen.contains(&value) {
            self.seen.insert(value);
        } else {
            self.more = true;
        }
    }

    /// Counts every value `other` counted.
    pub fn merge(&mut self, other: &Distinct) {
        for value in &other.seen {
            self.see(*value);
        }
        self.more |= other.more;
    }

    /// Leaves `value` out of the count.
    pub fn forget(&mut self, value: u64) {
        self.seen.remove(&value);
    }

    /// How many values were seen (at least, when [`Distinct::at_least`]).
    pub fn count(&self) -> u64 {
        self.seen.len() as u64
    }

    /// Whether there were more values than [`Distinct::count`] says.
    pub fn at_least(&self) -> bool {
        self.more
    }
}

impl Shapes {
    pub(super) fn add(&mut self, lane: BilledLane, per_image: Option<u64>, usage: &Usage, content: Content) {
        let shape = (lane, per_image);
        if let Some((_, sums)) = self.listed.iter_mut().find(|(key, _)| *key == shape) {
            sums.add(usage, content);
            return;
        }
        let on_lane = self.listed.iter().filter(|((on, size), _)| *on == lane && size.is_some()).count();
        match per_image {
            Some(size) if on_lane >= MAX_SIZES => {
                let at = match self.others.iter().position(|(on, ..)| *on == lane) {
                    Some(at) => at,
                    None => {
                        self.others.push((lane, UsageSums::default(), Distinct::default()));
                        self.others.len() - 1
                    }
                };
                let (_, sums, sizes) = &mut self.others[at];
                sums.add(usage, content);
                sizes.see(size);
            }
            _ => {
                let mut sums = UsageSums::default();
                sums.add(usage, content);
                // One shape at a time: a first push would make room for four.
                self.listed.reserve_exact(1);
                self.listed.push((shape, sums));
            }
        }
    }

    /// Every (lane, image tokens per image, sums, and for the sizes past
    /// the cap, which they are).
    pub(super) fn iter(&self) -> impl Iterator<Item = (BilledLane, PerImage, &UsageSums, Option<&Distinct>)> {
        let listed = self.listed.iter().map(|((lane, per_image), sums)| {
            (*lane, per_image.map_or(PerImage::NoCounts, PerImage::Tokens), sums, None)
        });
        let others =
            self.others.iter().map(|(lane, sums, sizes)| (*lane, PerImage::Others, sums, Some(sizes)));
        listed.chain(others)
    }
}

/// Past the first [`MAX_SIZES`] sizes of each model and lane (smallest
/// first), the rest are summed into the group of that model and lane's
/// other sizes, which counts them: sums move, none is dropped.
pub(super) fn gather_sizes(grouped: &mut BTreeMap<(GroupModel<'_>, PerImage, BilledLane), GroupSums<'_>>) {
    let mut listed: HashMap<(GroupModel<'_>, BilledLane), Vec<u64>> = HashMap::new();
    let mut past: Vec<(GroupModel<'_>, PerImage, BilledLane)> = Vec::new();
    for (group_model, per_image, lane) in grouped.keys() {
        let PerImage::Tokens(size) = per_image else { continue };
        let sizes = listed.entry((group_model.clone(), *lane)).or_default();
        if sizes.len() < MAX_SIZES {
            sizes.push(*size);
        } else {
            past.push((group_model.clone(), *per_image, *lane));
        }
    }
    for key in past {
        let Some(group) = grouped.remove(&key) else { continue };
        let (group_model, per_image, lane) = key;
        let others = grouped.entry((group_model, PerImage::Others, lane)).or_default();
        others.merge(group);
        if let PerImage::Tokens(size) = per_image {
            others.sizes.see(size);
        }
    }
    // A size gathered for one version may have a row of its own from another.
    for ((group_model, per_image, lane), GroupSums { sizes, .. }) in grouped.iter_mut() {
        if *per_image == PerImage::Others {
            for size in listed.get(&(group_model.clone(), *lane)).into_iter().flatten() {
                sizes.forget(*size);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_values_up_to_a_cap() {
        let mut distinct = Distinct::default();
        for value in [3, 1, 3] {
            distinct.see(value);
        }
        assert_eq!((distinct.count(), distinct.at_least()), (2, false));
        for value in 0..2 * MAX_COUNTED as u64 {
            distinct.see(value);
        }
        assert_eq!((distinct.count(), distinct.at_least()), (MAX_COUNTED as u64, true));
    }
}

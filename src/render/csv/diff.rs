//! `diff` as CSV: one row per price that changed, was added or was removed.

use serde::Serialize;

use super::CsvRows;
use crate::money::Money;
use crate::report::diff::DiffReport;

/// One price change, with the model, size and lane it is for (where it has
/// them) and both cards' keys, so that diffs of several pairs of cards can be
/// put together.
#[derive(Debug, Default, Serialize)]
pub struct PriceChangeRow<'a> {
    model: Option<&'a str>,
    size: Option<&'static str>,
    lane: Option<&'static str>,
    old_card: &'a str,
    new_card: &'a str,
    subject: &'a str,
    item: &'a str,
    /// `changed`, `added` or `removed`.
    kind: &'static str,
    old: Option<Money>,
    new: Option<Money>,
    change: Option<Money>,
    /// As in JSON: rounded to 4 places.
    change_percent: Option<&'a str>,
}

impl CsvRows for DiffReport {
    type Row<'a> = PriceChangeRow<'a>;

    fn csv_rows(&self) -> impl Iterator<Item = PriceChangeRow<'_>> {
        self.changes.iter().map(|change| PriceChangeRow {
            model: change.keys.model.as_deref(),
            size: change.keys.size.map(|size| size.api_value()),
            lane: change.keys.lane.map(|lane| lane.name()),
            old_card: self.old.key(),
            new_card: self.new.key(),
            subject: &change.subject,
            item: &change.item,
            kind: change.kind.name(),
            old: change.old,
            new: change.new,
            change: change.change,
            change_percent: change.change_percent.as_deref(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::report::diff::ChangeKind;

    #[test]
    fn a_change_is_named_in_csv_as_in_json() {
        for kind in [ChangeKind::Changed, ChangeKind::Added, ChangeKind::Removed] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
    }
}

use time::macros::date;

use super::*;
use crate::card::Status;
use crate::lane::Lane;
use crate::size::ImageSize;

fn ids(card: &RateCard) -> Vec<&str> {
    card.models.iter().map(|model| model.id.as_str()).collect()
}

/// Before the April card takes effect nothing is known; from it, each day
/// has the models released by then.
#[test]
fn each_day_has_the_models_released_by_then() {
    let history = History::embedded();
    let err = history.on(date!(2025 - 01 - 01)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage);
    assert_eq!(
        err.to_string(),
        "no price is known before 2026-04-01 (the first rate card, 2026-04 (April 2026), takes effect then): give a day on or after 2026-04-01"
    );
    let cases: [(Date, &[&str]); 5] = [
        (
            date!(2026 - 04 - 01),
            &["gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview", "gemini-2.5-flash-image"],
        ),
        (date!(2026 - 05 - 28), &["gemini-3.1-flash-image", "gemini-3-pro-image", "gemini-2.5-flash-image"]),
        (
            date!(2026 - 08 - 01),
            &[
                "gemini-3.1-flash-image",
                "gemini-3-pro-image",
                "gemini-2.5-flash-image",
                "gemini-3.1-flash-lite-image",
            ],
        ),
        (
            date!(2026 - 10 - 06),
            &[
                "gemini-nano-banana-2.1",
                "gemini-3.1-flash-image",
                "gemini-3.1-flash-lite-image",
                "gemini-3-pro-image",
                "gemini-2.5-flash-image",
            ],
        ),
        (
            date!(2026 - 12 - 04),
            &[
                "gemini-nano-banana-2.1",
                "gemini-3.1-flash-image",
                "gemini-3.1-flash-lite-image",
                "gemini-3-pro-image",
                "gemini-2.5-flash-image",
            ],
        ),
    ];
    for (day, expected) in cases {
        assert_eq!(ids(&history.on(day).unwrap()), expected, "{day}");
    }
}

/// On 2026-08-01 the April card is in force: the GA models it does not
/// list are priced as the October card gives them (their price at release),
/// and the previews it lists still resolve, at its own prices, shut down
/// since 2026-06-25 as the October card records.
#[test]
fn a_summer_day_prices_the_ga_models_and_knows_the_previews_shut_down() {
    let day = date!(2026 - 08 - 01);
    let card = History::embedded().on(day).unwrap();
    assert_eq!(card.meta.origin, CardOrigin::Embedded("2026-04"));
    let flash = card.resolve("flash").unwrap();
    assert_eq!(flash.model.id, "gemini-3.1-flash-image");
    let priced_by = flash.model.priced_by.as_ref().unwrap();
    assert_eq!(priced_by.card, "October 2026 (embedded 2026-10)");
    assert_eq!(priced_by.effective, date!(2026 - 10 - 06));
    assert_eq!(flash.model.list_price(ImageSize::K2, Lane::Standard).unwrap().0.to_string(), "0.101");
    let preview = card.resolve("gemini-3.1-flash-image-preview").unwrap();
    assert_eq!(preview.model.id, "gemini-3.1-flash-image-preview");
    assert!(preview.model.priced_by.is_none());
    assert_eq!(preview.life.status(day), Status::ShutDown);
    assert_eq!(card.resolve("gemini-3-pro-image").unwrap().life.status(day), Status::Active);
    assert_eq!(card.resolve("lite").unwrap().model.id, "gemini-3.1-flash-lite-image");
    // 2.5 is in the April card: its April prices, with no note.
    let banana = card.resolve("nano-banana").unwrap().model;
    assert!(banana.priced_by.is_none());
    assert_eq!(banana.tokens.keys().copied().collect::<Vec<_>>(), [Lane::Standard, Lane::Batch]);
}

/// A model asked for before its release says when it came out, by whatever
/// name it is asked for.
#[test]
fn a_model_asked_for_before_its_release_says_when_it_came_out() {
    let history = History::embedded();
    let june = history.on(date!(2026 - 06 - 01)).unwrap();
    assert_eq!(
        june.resolve("lite").unwrap_err().to_string(),
        "`lite` (gemini-3.1-flash-lite-image) was released on 2026-06-30, after the day priced: give a day on or after it (--as-of), or another model"
    );
    let september = history.on(date!(2026 - 09 - 01)).unwrap();
    assert_eq!(
        september.resolve("nano-banana-2.1").unwrap_err().released_later.as_deref(),
        Some(&("gemini-nano-banana-2.1".into(), date!(2026 - 10 - 06)))
    );
    assert_eq!(
        september.resolve("GEMINI-NANO-BANANA-2.1").unwrap_err().to_string(),
        "`gemini-nano-banana-2.1` was released on 2026-10-06, after the day priced: give a day on or after it (--as-of), or another model"
    );
    // Before the GA, its ID is a later model; its alias means the preview.
    let april = history.on(date!(2026 - 04 - 20)).unwrap();
    assert_eq!(april.resolve("flash").unwrap().model.id, "gemini-3.1-flash-image-preview");
    assert_eq!(
        april.resolve("gemini-3.1-flash-image").unwrap_err().released_later.as_deref(),
        Some(&("gemini-3.1-flash-image".into(), date!(2026 - 05 - 28)))
    );
    // A name no card knows is still unknown.
    assert!(april.resolve("imagen").unwrap_err().released_later.is_none());
}

/// The October card's day answers as the October card does.
#[test]
fn the_newest_card_alone_answers_for_its_own_days() {
    let october = RateCard::embedded_named("2026-10").unwrap();
    let card = History::embedded().on(date!(2026 - 11 - 21)).unwrap();
    assert_eq!(ids(&card), ids(&october));
    for (ours, theirs) in card.models.iter().zip(&october.models) {
        assert_eq!(ours.aliases, theirs.aliases);
        assert_eq!(ours.life, theirs.life);
        assert_eq!(ours.former, theirs.former);
        assert_eq!(ours.tokens, theirs.tokens);
        assert!(ours.priced_by.is_none());
    }
    assert!(card.unreleased.is_empty());
    // The short way (the newest card knows every model) gives what the
    // whole build gives.
    let history = History::embedded();
    let day = date!(2026 - 11 - 21);
    let built = history.built(day, history.in_force(day).unwrap()).unwrap();
    assert_eq!(format!("{built:?}"), format!("{card:?}"));
}

/// The card of a day read in part (the newest embedded card alone, lent,
/// from the day it takes effect, when the user has no cards) is the card of
/// the day read in full, on every day from before the first card to well
/// after the newest, refusals included.
#[test]
fn the_card_of_a_day_read_in_part_is_the_card_read_in_full() {
    let history = History::load(None).unwrap();
    let newest = history.cards().next_back().unwrap().meta.effective;
    let mut day = history.cards().next().unwrap().meta.effective - time::Duration::days(3);
    while day <= newest + time::Duration::days(800) {
        let (part, full) = (History::card_on(None, day), history.on(day));
        assert_eq!(format!("{part:?}"), format!("{full:?}"), "{day}");
        if day >= newest {
            assert!(matches!(part, Ok(Cow::Borrowed(_))), "{day}: the newest card is lent");
        }
        day = day.next_day().unwrap();
    }
}

/// The embedded cards' metas, as `--version` reads them, are the history's,
/// in its order.
#[test]
fn the_embedded_metas_are_the_historys_in_order() {
    let metas: Vec<String> = crate::card::embedded_metas().map(|meta| format!("{meta:?}")).collect();
    let history: Vec<String> = History::embedded().cards().map(|card| format!("{:?}", card.meta)).collect();
    assert_eq!(metas, history);
}

/// Prices follow the card in force: a user card that changes a price from
/// its effective date leaves the days before it alone.
#[test]
fn a_price_changes_from_its_cards_effective_day_and_not_before() {
    let text = crate::card::EMBEDDED[1]
        .toml
        .replace("effective = 2026-10-06", "effective = 2026-12-01")
        .replace("checked = 2026-10-09", "checked = 2026-12-01")
        .replace("price = { standard = \"0.0336\" }", "price = { standard = \"0.03\" }");
    let user = RateCard::from_toml(&text, CardOrigin::User("2026-12.toml".into())).unwrap();
    let mut cards: Vec<RateCard> = History::embedded().cards().cloned().collect();
    cards.push(user);
    let history = History::from_cards(cards).unwrap();
    let price = |day| {
        let card = history.on(day).unwrap();
        card.resolve("2.1").unwrap().model.list_price(ImageSize::K1, Lane::Standard).unwrap().0.to_string()
    };
    assert_eq!(price(date!(2026 - 11 - 30)), "0.0336");
    assert_eq!(price(date!(2026 - 12 - 01)), "0.03");
    assert_eq!(history.named("2026-12").unwrap().meta.effective, date!(2026 - 12 - 01));
}

#[test]
fn two_cards_on_one_day_are_refused_naming_both() {
    let mut cards: Vec<RateCard> = History::embedded().cards().cloned().collect();
    let mut copy = cards[1].clone();
    copy.meta.origin = CardOrigin::User("/home/me/.config/nbcost/rates/mine.toml".into());
    cards.push(copy);
    let err = History::from_cards(cards).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rate cards the embedded card 2026-10 and `/home/me/.config/nbcost/rates/mine.toml` both take effect on 2026-10-06: give one of them another `effective` date, or remove one"
    );
    assert_eq!(err.kind(), ErrorKind::Card);
}

/// The user's folder: a missing folder holds no cards; a broken card or a
/// card that lists a model released after it takes effect is refused,
/// naming the file.
#[test]
fn reads_the_users_folder_and_refuses_a_bad_card_naming_it() {
    let dir = std::env::temp_dir().join(format!("nbcost-history-{}", std::process::id()));
    let user = UserCards { dir: dir.clone(), from: "NBCOST_RATES_DIR" };
    assert_eq!(History::load(Some(&user)).unwrap().cards().len(), 2, "no folder, no user cards");
    std::fs::create_dir_all(&dir).unwrap();
    let good = crate::card::EMBEDDED[1]
        .toml
        .replace("effective = 2026-10-06", "effective = 2026-12-01")
        .replace("checked = 2026-10-09", "checked = 2026-12-01");
    std::fs::write(dir.join("2026-12.toml"), &good).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a card").unwrap();
    let history = History::load(Some(&user)).unwrap();
    assert_eq!(history.cards().len(), 3);
    assert_eq!(history.in_force(date!(2026 - 12 - 04)).unwrap().meta.origin.name(), "2026-12");

    let early = good.replace("effective = 2026-12-01", "effective = 2026-10-01");
    std::fs::write(dir.join("2026-12.toml"), &early).unwrap();
    let err = History::load(Some(&user)).unwrap_err().to_string();
    assert!(
        err.contains("2026-12.toml") && err.contains("`gemini-nano-banana-2.1`, released on 2026-10-06"),
        "{err}"
    );

    std::fs::write(dir.join("2026-12.toml"), "[card]\nname = ").unwrap();
    let err = History::load(Some(&user)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Card);
    assert!(err.to_string().contains("2026-12.toml"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A successor must be a model some card knows; one in another card is fine.
#[test]
fn refuses_a_successor_no_card_knows() {
    let history = History::embedded();
    let april = crate::card::EMBEDDED[0].toml;
    let pointing = |successor: &str| {
        let text = april.replacen(
            "id = \"gemini-2.5-flash-image\"",
            &format!("id = \"gemini-2.5-flash-image\"\nsuccessor = \"{successor}\""),
            1,
        );
        RateCard::from_toml(&text, CardOrigin::File("mine.toml".into())).unwrap()
    };
    assert!(
        history.successors_known(&pointing("gemini-nano-banana-2.1")).is_ok(),
        "a model of the October card"
    );
    let err = history.successors_known(&pointing("gemini-9-image")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rate card `mine.toml`: `model[gemini-2.5-flash-image].successor` is `gemini-9-image`, which no rate card knows: give the ID of a model in a card, or leave successor out"
    );
    assert_eq!(err.kind(), ErrorKind::Card);
}

/// A user's card in euros in force on the day: the history prices with it
/// alone, never borrowing a model's dollar prices from the embedded cards.
#[test]
fn a_card_in_another_currency_borrows_no_prices() {
    let euro = RateCard::from_toml(
        include_str!("../../../tests/fixtures/cards/euro.toml"),
        CardOrigin::User("euro.toml".into()),
    )
    .unwrap();
    let mut cards: Vec<RateCard> = History::embedded().cards().cloned().collect();
    cards.push(euro);
    let history = History::from_cards(cards).unwrap();
    let card = history.on(date!(2026 - 11 - 21)).unwrap();
    assert_eq!(card.meta.currency, "EUR");
    assert_eq!(ids(&card), ["example-image-1"]);
    assert!(card.models.iter().all(|model| model.priced_by.is_none()));
}

/// A former ID the card in force lists as a model of its own is priced by
/// that card, as any ID is: on 2026-06-01 the 3.1 Flash preview carries the
/// April card's published figures, not its GA model's October ones, while
/// the GA ID (which the April card does not list) keeps its price at
/// release. Each keeps its own life.
#[test]
fn a_former_id_the_card_in_force_lists_is_priced_by_it() {
    for day in [date!(2026 - 06 - 01), date!(2026 - 08 - 01)] {
        let card = History::embedded().on(day).unwrap();
        assert_eq!(card.meta.origin, CardOrigin::Embedded("2026-04"));
        let preview = card.resolve("gemini-3.1-flash-image-preview").unwrap();
        assert_eq!(preview.id, "gemini-3.1-flash-image-preview");
        assert_eq!(preview.model.id, "gemini-3.1-flash-image-preview", "{day}");
        assert!(preview.model.priced_by.is_none(), "{day}");
        assert_eq!(preview.model.life, *preview.life);
        assert_eq!(preview.life.shutdown, Some(date!(2026 - 06 - 25)));
        let (price, grade) = preview.model.list_price(ImageSize::K1, Lane::Standard).unwrap();
        assert_eq!((price.to_string().as_str(), grade), ("0.067", crate::card::Grade::Published));
        let ga = card.resolve("gemini-3.1-flash-image").unwrap();
        assert_eq!(ga.model.id, "gemini-3.1-flash-image");
        assert_eq!(ga.model.priced_by.as_ref().unwrap().key, "2026-10");
        assert_eq!(
            ga.model.list_price(ImageSize::K1, Lane::Standard).unwrap().1,
            crate::card::Grade::Transcribed
        );
        // A former ID on a day its GA model's own card is in force is priced
        // with that model, as the card lists it.
        let november = History::embedded().on(date!(2026 - 11 - 21)).unwrap();
        assert_eq!(
            november.resolve("gemini-3.1-flash-image-preview").unwrap().model.id,
            "gemini-3.1-flash-image"
        );
    }
}

/// One card chosen outright (`--rates`) answers for a day as the history
/// does: a model released after the day is refused, saying when it came
/// out, never shown active; a model whose GA came later is its preview
/// that day, at the card's prices, under the preview's own life.
#[test]
fn one_card_as_of_a_day_sets_aside_the_models_not_yet_released() {
    let day = date!(2026 - 05 - 01);
    let card = RateCard::embedded_named("2026-10").unwrap().released_by(day);
    assert_eq!(
        ids(&card),
        ["gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview", "gemini-2.5-flash-image"]
    );
    assert_eq!(
        card.resolve("2.1").unwrap_err().to_string(),
        "`2.1` (gemini-nano-banana-2.1) was released on 2026-10-06, after the day priced: give a day on or after it (--as-of), or another model"
    );
    assert_eq!(
        card.resolve("gemini-3.1-flash-image").unwrap_err().released_later.as_deref(),
        Some(&("gemini-3.1-flash-image".into(), date!(2026 - 05 - 28)))
    );
    assert!(card.resolve("lite").unwrap_err().released_later.is_some());
    let flash = card.resolve("flash").unwrap();
    assert_eq!(
        (flash.model.id.as_str(), flash.id),
        ("gemini-3.1-flash-image-preview", "gemini-3.1-flash-image-preview")
    );
    assert_eq!(flash.life.status(day), Status::Active);
    assert_eq!(flash.life.released, Some(date!(2026 - 02 - 26)));
    assert_eq!(flash.model.list_price(ImageSize::K2, Lane::Standard).unwrap().0.to_string(), "0.101");
    // On a day every model is out, the card is whole.
    let whole = RateCard::embedded_named("2026-10").unwrap();
    assert_eq!(ids(&whole.clone().released_by(date!(2026 - 12 - 05))), ids(&whole));
}

/// A successor is named from its release and the deprecation that names
/// it, never before: on 2026-08-01 the 3.1 Flash GA has none yet (2.1 came
/// out on 2026-10-06), and on 2026-05-27 its preview has none (the GA came
/// out the next day). The dates the later cards know still apply.
#[test]
fn a_successor_is_named_only_once_it_is_out() {
    let history = History::embedded();
    let successor = |day, name: &str| {
        let card = history.on(day).unwrap();
        card.resolve(name).unwrap().life.successor.clone()
    };
    assert_eq!(successor(date!(2026 - 08 - 01), "flash"), None);
    assert_eq!(successor(date!(2026 - 10 - 05), "flash"), None);
    assert_eq!(successor(date!(2026 - 10 - 06), "flash").as_deref(), Some("gemini-nano-banana-2.1"));
    assert_eq!(successor(date!(2026 - 05 - 27), "gemini-3.1-flash-image-preview"), None);
    assert_eq!(
        successor(date!(2026 - 06 - 01), "gemini-3.1-flash-image-preview").as_deref(),
        Some("gemini-3.1-flash-image")
    );
    let august = history.on(date!(2026 - 08 - 01)).unwrap();
    assert_eq!(august.resolve("flash").unwrap().life.deprecated, Some(date!(2026 - 10 - 06)));
    // One card chosen outright, as of a day, the same.
    let may = RateCard::embedded_named("2026-10").unwrap().released_by(date!(2026 - 05 - 01));
    assert_eq!(may.resolve("flash").unwrap().life.successor, None);
    // The newest embedded card, lent whole from its effective day on, names
    // no successor that is not out by then.
    let newest = RateCard::embedded_named("2026-10").unwrap();
    let effective = newest.meta.effective;
    assert_eq!(newest.clone().released_by(effective).models.len(), newest.models.len());
    for model in &newest.models {
        for life in std::iter::once(&model.life).chain(model.former.iter().map(|former| &former.life)) {
            assert!(life.deprecated.is_none_or(|day| day <= effective), "{}", model.id);
        }
    }
}

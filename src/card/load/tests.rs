use super::*;
use crate::card::{Derived, EMBEDDED, LaneRule};

const SMALL: &str = r#"
[card]
name = "Test card"
effective = 2026-04-01
checked = 2026-04-20
sources = ["https://example.test/pricing"]

[[model]]
id = "test-image"
name = "Test"
aliases = ["t"]

[model.tokens.standard]
input = "0.50"
text_output = "3.00"
image_output = "60"

[[model.size]]
size = "1K"
output_tokens = 1120
price = { standard = "0.067" }
"#;

fn load(text: &str) -> Result<RateCard, CardError> {
    RateCard::from_toml(text, CardOrigin::File("test.toml".into()))
}

fn error(text: &str) -> String {
    load(text).unwrap_err().to_string()
}

#[test]
fn loads_a_small_card() {
    let card = load(SMALL).unwrap();
    assert_eq!(card.models[0].default_size, ImageSize::K1);
    assert_eq!(card.meta.dated, "April 2026");
    assert_eq!(card.meta.currency, "USD");
}

/// Every price written in each embedded card is the engine's price,
/// digit for digit: the card is read again as plain TOML and each string
/// is compared with what the loader made of it; a rate the card leaves
/// out stays out.
#[test]
fn every_price_in_the_embedded_cards_is_exact() {
    let mut checked = Vec::new();
    for embedded in EMBEDDED {
        let card = RateCard::embedded_named(embedded.name).unwrap();
        let raw: toml::Table = toml::from_str(embedded.toml).unwrap();
        let mut count = 0;
        for (raw_model, model) in raw["model"].as_array().unwrap().iter().zip(&card.models) {
            for (lane_name, rates) in raw_model["tokens"].as_table().unwrap() {
                let lane: Lane = lane_name.parse().unwrap();
                let loaded = model.tokens[&lane];
                for (key, value) in [
                    ("input", loaded.input),
                    ("text_output", loaded.text_output),
                    ("image_output", Some(loaded.image_output)),
                ] {
                    let written = rates.get(key).map(|text| text.as_str().unwrap().to_string());
                    count += usize::from(written.is_some());
                    // A rate the card leaves out is the lane's rule's, marked so.
                    let derived = loaded.derived.is_some_and(|derived| match key {
                        "input" => derived.input,
                        "text_output" => derived.text_output,
                        _ => false,
                    });
                    if written.is_none() && derived {
                        continue;
                    }
                    assert_eq!(written, value.map(|v| v.to_string()), "{} {lane} {key}", model.id);
                }
            }
            for raw_size in raw_model["size"].as_array().unwrap() {
                let size = ImageSize::from_api_value(raw_size["size"].as_str().unwrap()).unwrap();
                let row = model.size(size).unwrap();
                assert_eq!(row.price.len(), raw_size["price"].as_table().unwrap().len());
                for (lane_name, text) in raw_size["price"].as_table().unwrap() {
                    let lane: Lane = lane_name.parse().unwrap();
                    assert_eq!(
                        text.as_str().unwrap(),
                        row.price[&lane].to_string(),
                        "{} {size} {lane}",
                        model.id
                    );
                    count += 1;
                }
            }
        }
        checked.push(count);
    }
    // April: 3 models x 2 lanes x 3 rates, and 8 sizes x 2 lanes.
    // October: rates 3 (2.1) + 6 (3.1 Flash) + 3 + 1 (Lite) + 12 (Pro)
    // + 9 + 1 (2.5); prices 3 (2.1) + 8 (3.1 Flash) + 2 (Lite) + 9 (Pro)
    // + 4 (2.5).
    assert_eq!(checked, [18 + 16, 35 + 26]);
}

#[test]
fn reads_float_prices_by_their_written_digits() {
    let card =
        load(&SMALL.replace("price = { standard = \"0.067\" }", "price = { standard = 0.0195 }")).unwrap();
    assert_eq!(card.models[0].sizes[0].price[&Lane::Standard].to_string(), "0.0195");
    let card = load(&SMALL.replace("image_output = \"60\"", "image_output = 60")).unwrap();
    assert_eq!(card.models[0].tokens[&Lane::Standard].image_output.to_string(), "60");
}

/// A size without a price on one of the model's lanes is priced at
/// tokens × rate on it, graded derived; a rate left out stays unknown.
#[test]
fn a_price_or_rate_left_out_is_not_invented() {
    let card = load(&SMALL.replace("price = { standard = \"0.067\" }", "").replace("input = \"0.50\"\n", ""))
        .unwrap();
    let model = &card.models[0];
    assert_eq!(model.list_price(ImageSize::K1, Lane::Standard), None);
    assert_eq!(model.tokens[&Lane::Standard].input, None);
    let (price, grade) =
        crate::pricing::image_price(model, ImageSize::K1, Lane::Standard, crate::pricing::Basis::List)
            .unwrap();
    assert_eq!((price.plain().as_str(), grade), ("0.0672", Grade::Derived));
}

#[test]
fn rejects_what_breaks_the_rules() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("", "", &["the card is empty"]),
        ("[card]", "[card]\nprise = 1", &["line", "unknown field `prise`"]),
        (
            "standard = \"0.067\"",
            "standard = \"-0.067\"",
            &["model[test-image].size[1K].price.standard", "is negative"],
        ),
        ("standard = \"0.067\"", "standard = \"0\"", &["price.standard", "is 0"]),
        ("standard = \"0.067\"", "standard = \"cheap\"", &["line", "not a decimal number"]),
        (
            "aliases = [\"t\"]",
            "aliases = [\"t\"]\ngrade = \"rumour\"",
            &["model[test-image].grade", "not a grade"],
        ),
        (
            "aliases = [\"t\"]",
            "aliases = [\"t\"]\nshutdown_disputed = \"says who\"",
            &["shutdown_disputed", "no shutdown date to dispute"],
        ),
        (
            "aliases = [\"t\"]",
            "aliases = [\"t\"]\n[[model.former]]\nid = \"T\"",
            &["model[test-image].aliases", "twice"],
        ),
        (
            "price = { standard = \"0.067\" }",
            "price = { standard = \"0.067\", batch = \"0.034\" }",
            &["price.batch", "no [model.tokens.batch]"],
        ),
        ("size = \"1K\"", "size = \"8K\"", &["size[8K]", "use one of 512, 1K, 2K, 4K"]),
        ("aliases = [\"t\"]", "aliases = [\"t\", \"T\"]", &["model[test-image].aliases", "names `T` twice"]),
        (
            "aliases = [\"t\"]",
            "aliases = [\"t\"]\ndefault_size = \"4K\"",
            &["default_size", "`4K` is not one of the model's sizes (1K)"],
        ),
        ("image_output = \"60\"\n", "", &["missing field `image_output`"]),
        (
            "sources = [\"https://example.test/pricing\"]",
            "sources = []",
            &["card.sources", "every price needs a source"],
        ),
        ("checked = 2026-04-20", "checked = 2026-03-20", &["card.checked", "is before card.effective"]),
        ("checked = 2026-04-20", "checked = 2026-04-20T10:00:00", &["card.checked", "not a plain date"]),
        ("aliases = [\"t\"]", "aliases = [\"t\"]\ngrounding = true", &["grounding", "no [grounding] table"]),
        ("output_tokens = 1120", "output_tokens = -5", &["line"]),
        (
            "[model.tokens.standard]",
            "[model.tokens.bulk]",
            &["model[test-image].tokens.bulk", "unknown lane `bulk`"],
        ),
        ("image_output = \"60\"", "image_output = 0.12345678901234567", &["write it as a string"]),
    ];
    for (from, to, words) in cases {
        let text = if from.is_empty() { String::new() } else { SMALL.replacen(from, to, 1) };
        let message = error(&text);
        assert!(message.starts_with("rate card `test.toml`"), "{message}");
        for word in *words {
            assert!(message.contains(word), "`{message}` lacks `{word}`");
        }
        assert!(!message.contains('\n'), "one line: {message}");
    }
}

#[test]
fn rejects_an_alias_that_two_models_share() {
    let second = SMALL.split("[[model]]").nth(1).unwrap().replace("test-image", "other-image");
    let message = error(&format!("{SMALL}\n[[model]]{second}"));
    assert!(message.contains("names `t`, which already names model `test-image`"), "{message}");
}

const ROUTE: &str = r#"
[[route]]
model = "t"
owner = "ExampleGateway"
name = "example/test-image"
size = "1K"
price = "0.05"
source = "https://gateway.example/pricing"
"#;

#[test]
fn reads_a_provider_route_with_its_owner() {
    let card = load(&format!("{SMALL}{ROUTE}")).unwrap();
    let route = &card.routes[0];
    assert_eq!((route.owner.as_str(), route.model.as_str()), ("ExampleGateway", "test-image"));
    assert_eq!(
        (route.size, route.lane, route.price),
        (Some(ImageSize::K1), Lane::Standard, "0.05".parse().unwrap())
    );
    assert_eq!(route.label(), "ExampleGateway (example/test-image)");
    assert!(card.route("examplegateway", "test-image", ImageSize::K1, Lane::Standard).is_some());
    assert!(card.route("Other", "test-image", ImageSize::K1, Lane::Standard).is_none());
    assert!(RateCard::embedded().routes.is_empty(), "the embedded card carries Google's prices only");
}

#[test]
fn rejects_a_route_that_breaks_the_rules() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("owner = \"ExampleGateway\"", "owner = \"\"", &["route[t].owner", "needs its owner"]),
        (
            "source = \"https://gateway.example/pricing\"",
            "source = \" \"",
            &["route[ExampleGateway:t].source"],
        ),
        ("model = \"t\"", "model = \"x\"", &["route[ExampleGateway:x].model", "names no model"]),
        ("size = \"1K\"", "size = \"4K\"", &[".size", "`4K` is not one of test-image's sizes (1K)"]),
        ("size = \"1K\"", "lane = \"batch\"", &[".lane", "is batch, a lane test-image does not have"]),
        ("price = \"0.05\"", "price = \"0\"", &[".price", "is 0"]),
        ("price = \"0.05\"", "price = \"0.05\"\nowners = 1", &["unknown field `owners`"]),
    ];
    for (from, to, words) in cases {
        let message = error(&format!("{SMALL}{}", ROUTE.replacen(from, to, 1)));
        for word in *words {
            assert!(message.contains(word), "`{message}` lacks `{word}`");
        }
    }
}

#[test]
fn names_the_file_that_cannot_be_read() {
    let err = RateCard::from_file(Path::new("/no/such/card.toml")).unwrap_err();
    assert!(err.to_string().starts_with("cannot read rate card `/no/such/card.toml`"), "{err}");
}

/// Card text reaches tables, messages and SQL: a control character in any
/// string is refused at load, naming the key.
#[test]
fn refuses_a_control_character_in_any_string_naming_the_key() {
    let cases = [
        (
            "name = \"Test card\"",
            "name = \"Test card\\u001b]0;owned\\u0007\"",
            "`card.name`",
            "\\u{1b}]0;owned\\u{7}",
        ),
        (
            "name = \"Test card\"",
            "name = \"Test card\"\ndated = \"April 2026\\nDROP TABLE t; --\"",
            "`card.dated`",
            "\\u{a}DROP",
        ),
        (
            "sources = [\"https://example.test/pricing\"]",
            "sources = [\"https://example.test/pricing\", \"x\\ry\"]",
            "`card.sources[1]`",
            "x\\u{d}y",
        ),
    ];
    for (from, to, key, shown) in cases {
        let message = error(&SMALL.replacen(from, to, 1));
        assert!(message.contains(key) && message.contains(shown), "{message}");
        assert!(message.contains("holds a control character"), "{message}");
        assert!(!message.contains('\u{1b}') && !message.contains('\n'), "{message:?}");
    }
}

/// Successors never go round (that a successor exists is the history's
/// check: it may be a model of another card).
#[test]
fn refuses_successors_that_go_round() {
    let second = |id: &str, successor: &str| {
        SMALL.replacen("aliases = [\"t\"]", &format!("aliases = [\"t\"]\nsuccessor = \"{successor}\""), 1)
            + &format!(
                "\n[[model]]\nid = \"{id}\"\nname = \"Other\"\nsuccessor = \"test-image\"\n\
                 [model.tokens.standard]\nimage_output = \"60\"\n[[model.size]]\nsize = \"1K\"\noutput_tokens = 1120\n"
            )
    };
    let itself =
        error(&SMALL.replacen("aliases = [\"t\"]", "aliases = [\"t\"]\nsuccessor = \"test-image\"", 1));
    assert!(itself.contains("goes round in a circle (test-image → test-image)"), "{itself}");
    let round = error(&second("other-image", "other-image"));
    assert!(round.contains("goes round in a circle (test-image → other-image → test-image)"), "{round}");
    let mut fine = second("other-image", "other-image");
    fine = fine.replacen("successor = \"test-image\"", "", 1);
    assert!(load(&fine).is_ok(), "a chain that ends is fine");
}

/// Where a lane leaves rates out, Google's published rule for the lane gives
/// them, graded derived with the rule: batch and flex are 50% of standard;
/// priority is 1.8 × standard where the given priority rates are. A lane
/// the card does not give stays absent; a rate the card gives wins.
#[test]
fn derives_the_rates_a_lane_leaves_out_by_googles_rule() {
    let card = RateCard::embedded_named("2026-10").unwrap();
    let rates = |id: &str, lane: Lane| card.model(id).unwrap().tokens.get(&lane).copied();
    let lite = rates("gemini-3.1-flash-lite-image", Lane::Batch).unwrap();
    assert_eq!(
        (lite.input.unwrap().to_string(), lite.text_output.unwrap().to_string()),
        ("0.125".into(), "0.75".into())
    );
    assert_eq!(lite.derived, Some(Derived { rule: LaneRule::BatchHalf, input: true, text_output: true }));
    assert_eq!(
        (lite.input_grade(), lite.text_output_grade(), lite.grade),
        (Grade::Derived, Grade::Derived, Grade::Transcribed)
    );
    let banana = rates("gemini-2.5-flash-image", Lane::Priority).unwrap();
    assert_eq!(
        (banana.input.unwrap().to_string(), banana.text_output.unwrap().to_string()),
        ("0.54".into(), "4.5".into())
    );
    assert_eq!(banana.derived.unwrap().rule.text(), "priority = 1.8 × standard");
    // Given in full: nothing derived.
    assert_eq!(rates("gemini-3-pro-image", Lane::Priority).unwrap().derived, None);
    assert_eq!(rates("gemini-3.1-flash-image", Lane::Batch).unwrap().derived, None);
    // No lane is invented: 2.1 has standard only, Lite and 3.1 Flash no flex or priority.
    assert_eq!(rates("gemini-nano-banana-2.1", Lane::Batch), None);
    assert_eq!(rates("gemini-3.1-flash-lite-image", Lane::Flex), None);
    assert_eq!(rates("gemini-3.1-flash-image", Lane::Priority), None);
    // Priority rates that are not 1.8 × standard give no rule to follow;
    // 1.8 × standard's $60 (108) does.
    let with_priority = |image: &str| {
        let text = SMALL.replacen(
            "[[model.size]]",
            &format!("[model.tokens.priority]\nimage_output = \"{image}\"\n\n[[model.size]]"),
            1,
        );
        load(&text).unwrap().models[0].tokens[&Lane::Priority]
    };
    assert_eq!((with_priority("100").input, with_priority("100").derived), (None, None));
    let ruled = with_priority("108");
    assert_eq!(
        (ruled.input.unwrap().to_string(), ruled.text_output.unwrap().to_string()),
        ("0.9".into(), "5.4".into())
    );
}

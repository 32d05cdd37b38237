use super::*;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn priced(text: &str) -> PricedPlan {
    price(&Plan::from_toml(text, "plan.toml").unwrap(), &RateCard::embedded(), Basis::List).unwrap()
}

#[test]
fn rounds_derived_counts_up_to_whole_images() {
    let cases = [
        (1000, "0", 0),
        (1000, "0.1", 100),
        (999, "0.1", 100),
        (1, "0.000000001", 1),
        (0, "0.5", 0),
        (7, "1", 7),
    ];
    for (count, share, want) in cases {
        assert_eq!(ceil_share(count, d(share)), Some(want), "{count} x {share}");
    }
    let covers = [(900, "0.1", 1000), (1000, "0.2", 1250), (1000, "0.1", 1112), (1, "0.5", 2), (5, "0", 5)];
    for (kept, rate, want) in covers {
        assert_eq!(ceil_cover(kept, d(rate)), Some(want), "{kept} / (1 - {rate})");
    }
    assert_eq!(ceil_cover(5, d("1")), None);
}

/// Three models, both lanes, rejections, an escalation, reference images,
/// thinking and grounding past the free allowance, worked out by hand:
///
/// `catalog` (Nano Banana 2 2K batch, list $0.050): 20,000 requests, 10%
/// rejected: ⌈20,000 ÷ 0.9⌉ = 22,223 images × $0.050 = $1,111.15;
/// 2 reference images × 1,120 tokens = 2,240 tokens × $0.25/1M =
/// $0.00056 a request × 22,223 = $12.44488. Line: $1,123.59488.
///
/// `social` (Nano Banana 2 1K standard, $0.067): 400 a day × 25 days =
/// 10,000 requests; 5% escalate to `finals`: 500, each one image here.
/// 9,500 kept, 20% rejected: ⌈9,500 ÷ 0.8⌉ = 11,875; generated 12,375.
/// Images 12,375 × $0.067 = $829.125. Prompt 300 tokens × $0.50/1M =
/// $0.00015 × 12,375 = $1.85625. Grounding on every request: 12,375
/// prompts, 5,000 free, 7,375 paid × 2 queries = 14,750 queries ×
/// $0.014 = $206.50. Line: $1,037.48125.
///
/// `finals` (Nano Banana Pro 4K standard, $0.24): 1,000 own + 500
/// escalated = 1,500 requests, 0% rejected: 1,500 images × $0.24 = $360;
/// thinking 1,000 tokens × $12/1M = $0.012 × 1,500 = $18; 1 reference
/// image × 560 tokens × $2/1M = $0.00112 × 1,500 = $1.68. Line: $379.68.
///
/// `legacy` (Nano Banana 1K batch, $0.0195): 2,000 images, 0% rejected:
/// $39.00.
///
/// Total: 1,123.59488 + 1,037.48125 + 379.68 + 39 = $2,579.75613 for
/// 20,000 + 9,500 + 1,500 + 2,000 = 33,000 accepted images.
#[test]
fn prices_the_hand_checked_plan() {
    let plan = priced(include_str!("../../../examples/plan.toml"));
    let totals: Vec<_> =
        plan.lines.iter().map(|l| (l.name.as_str(), l.generated, l.total.amount())).collect();
    assert_eq!(
        totals,
        [
            ("catalog", 22_223, d("1123.59488")),
            ("social", 12_375, d("1037.48125")),
            ("finals", 1_500, d("379.68")),
            ("legacy", 2_000, d("39")),
        ]
    );
    assert_eq!(plan.total, d("2579.75613"));
    assert_eq!(plan.accepted_images, 33_000);
    let social = &plan.lines[1];
    assert_eq!((social.escalated_out, social.accepted), (500, 9_500));
    assert_eq!(
        social.grounding,
        Some(GroundingUse {
            grounded_prompts: 12_375,
            free_prompts: 5_000,
            queries_per_prompt: 2,
            paid_queries: 14_750
        })
    );
    let grounding = social.components.last().unwrap();
    assert_eq!((grounding.component, grounding.total.amount()), (Component::Grounding, d("206.50")));
    let finals = &plan.lines[2];
    assert_eq!((finals.escalated_in, finals.requests, finals.accepted), (500, 1_500, 1_500));
    let parts: Vec<_> = finals.components.iter().map(|c| (c.component, c.total.amount())).collect();
    assert_eq!(
        parts,
        [
            (Component::ImageOutput, d("360")),
            (Component::ReferenceImages, d("1.68")),
            (Component::Thinking, d("18")),
        ]
    );
}

/// A chain of 3,000 lines of 10 images a month, each escalating a tenth
/// of its requests to the next: line 0 sends ⌈10 × 0.1⌉ = 1 on, line 1
/// handles 11 and sends ⌈1.1⌉ = 2, and from then on every line handles
/// 10 + 2 = 12 and sends 2; the last keeps its 12. Generated: 10 on line 0,
/// 11 on line 1, 12 on each of the other 2,998: 35,997 images.
#[test]
fn flows_requests_down_a_long_chain() {
    let plan = priced(&crate::plan::load::tests::chain(3_000, None));
    let flow = |at: usize| {
        let line = &plan.lines[at];
        (line.requests, line.escalated_out, line.generated)
    };
    assert_eq!((flow(0), flow(1), flow(2)), ((10, 1, 10), (11, 2, 11), (12, 2, 12)));
    assert_eq!((flow(2_998), flow(2_999)), ((12, 2, 12), (12, 0, 12)));
    assert_eq!(plan.generated_images, 35_997);
    assert_eq!(plan.accepted_images, 30_000);
}

#[test]
fn shares_the_free_grounding_allowance_in_plan_order() {
    let plan = priced(
        r#"
[[line]]
name = "a"
model = "flash"
images_per_month = 3000
grounding = { queries_per_prompt = 1 }

[[line]]
name = "b"
model = "pro"
images_per_month = 3000
grounding = { share = "0.5", queries_per_prompt = 3 }
"#,
    );
    let used: Vec<_> = plan.lines.iter().map(|l| l.grounding.unwrap()).collect();
    assert_eq!((used[0].free_prompts, used[0].paid_queries), (3000, 0));
    assert_eq!((used[1].grounded_prompts, used[1].free_prompts, used[1].paid_queries), (1500, 1500, 0));
    assert_eq!(plan.free_prompts_used, 4500);
}

#[test]
fn names_the_line_and_key_the_card_refuses() {
    let cases = [
        (
            "model = \"flsh\"",
            "line `x`: `model` names no model in the rate card; unknown model `flsh` in the embedded card 2026-04 (April 2026): did you mean `flash`?",
        ),
        (
            "model = \"pro\"\nsize = \"512\"",
            "line `x`: `size` is 512, which gemini-3-pro-image-preview does not offer; give one of 1K, 2K, 4K",
        ),
        (
            "model = \"flash\"\nlane = \"flex\"",
            "line `x`: `lane` is flex, a lane gemini-3.1-flash-image-preview does not have in the rate card; give one of standard, batch",
        ),
        (
            "model = \"nano-banana\"\ngrounding = { queries_per_prompt = 1 }",
            "line `x`: `grounding` is set, but gemini-2.5-flash-image has no Google Search grounding",
        ),
        (
            "model = \"flash\"\nprovider = \"Nobody\"",
            "line `x`: `provider` names `Nobody`, which has no route for gemini-3.1-flash-image-preview 1K standard",
        ),
    ];
    for (body, want) in cases {
        let plan =
            Plan::from_toml(&format!("[[line]]\nname = \"x\"\nimages_per_month = 1\n{body}"), "p.toml")
                .unwrap();
        let err = price(&plan, &RateCard::embedded(), Basis::List).unwrap_err().to_string();
        assert!(err.starts_with("plan `p.toml`: "), "{err}");
        assert!(err.contains(want), "`{err}` lacks `{want}`");
    }
}

mod properties {
    use super::*;
    use crate::plan::{Escalation, Grounding, Volume};
    use proptest::prelude::*;

    /// Model alias, its sizes.
    const MODELS: [(&str, &[ImageSize]); 3] = [
        ("flash", &[ImageSize::S512, ImageSize::K1, ImageSize::K2, ImageSize::K4]),
        ("pro", &[ImageSize::K1, ImageSize::K2, ImageSize::K4]),
        ("nano-banana", &[ImageSize::K1]),
    ];

    prop_compose! {
        fn any_line()(
            model in 0usize..3,
            size in 0usize..4,
            batch in any::<bool>(),
            images in 0u64..200_000,
            prompt_tokens in 0u64..4_000,
            reference_images in 0u64..6,
            thinking in proptest::option::of(0u64..4_000),
            rejection in 0i64..96,
            grounded in proptest::option::of((1i64..=100, 1u64..5)),
            escalation in proptest::option::of(0i64..=100),
            batch_ok in any::<bool>(),
        ) -> (PlanLine, Option<i64>) {
            let (alias, sizes) = MODELS[model];
            let line = PlanLine {
                name: String::new(),
                model: alias.into(),
                size: Some(sizes[size % sizes.len()]),
                lane: if batch { Lane::Batch } else { Lane::Standard },
                volume: Volume::PerMonth(images),
                images_per_month: images,
                prompt_tokens,
                reference_images,
                thinking_tokens: thinking,
                rejection_rate: Decimal::new(rejection, 2),
                escalation: None,
                // Nano Banana has no grounding in the card.
                grounding: grounded
                    .filter(|_| alias != "nano-banana")
                    .map(|(share, queries)| Grounding { share: Decimal::new(share, 2), queries_per_prompt: queries }),
                batch_ok,
                provider: None,
            };
            (line, escalation)
        }
    }

    /// Plans of 1 to 6 lines whose escalations only go to later lines,
    /// so that they never loop.
    fn any_plan() -> impl Strategy<Value = Plan> {
        proptest::collection::vec(any_line(), 1..7).prop_map(|drafts| {
            let count = drafts.len();
            let lines = drafts
                .into_iter()
                .enumerate()
                .map(|(index, (mut line, escalation))| {
                    line.name = format!("line{index}");
                    if index + 1 < count {
                        line.escalation = escalation.map(|share| Escalation {
                            to: format!("line{}", count - 1),
                            share: Decimal::new(share, 2),
                        });
                    }
                    line
                })
                .collect();
            Plan { name: None, source: "generated".into(), lines, groups: Vec::new() }
        })
    }

    fn on_lane(plan: &Plan, lane: Lane) -> Plan {
        let mut plan = plan.clone();
        for line in &mut plan.lines {
            line.lane = lane;
        }
        plan
    }

    proptest! {
        #[test]
        fn totals_equal_the_sum_of_their_parts(plan in any_plan(), tokens in any::<bool>()) {
            let basis = if tokens { Basis::Tokens } else { Basis::List };
            let priced = price(&plan, &RateCard::embedded(), basis).unwrap();
            let lines = priced.lines.iter().fold(Decimal::ZERO, |sum, line| sum + line.total.amount());
            prop_assert_eq!(priced.total, lines);
            for line in &priced.lines {
                let parts = line.components.iter().fold(Decimal::ZERO, |sum, c| sum + c.total.amount());
                prop_assert_eq!(line.total, parts);
                for c in &line.components {
                    prop_assert_eq!(c.total, c.unit_price.amount() * Decimal::from(c.quantity));
                }
            }
            let demand: u64 = plan.lines.iter().map(|line| line.images_per_month).sum();
            prop_assert_eq!(priced.accepted_images, demand);
        }

        #[test]
        fn batch_never_costs_more_than_standard(plan in any_plan(), tokens in any::<bool>()) {
            let basis = if tokens { Basis::Tokens } else { Basis::List };
            let card = RateCard::embedded();
            let standard = price(&on_lane(&plan, Lane::Standard), &card, basis).unwrap();
            let batch = price(&on_lane(&plan, Lane::Batch), &card, basis).unwrap();
            prop_assert!(batch.total <= standard.total, "{} > {}", batch.total, standard.total);
            let moved = price(&plan.with_batch_lanes(&card).0, &card, basis).unwrap();
            let written = price(&plan, &card, basis).unwrap();
            prop_assert!(moved.total <= written.total);
        }

        #[test]
        fn cost_grows_with_volume(plan in any_plan(), percent in 0u64..300, more in 0u64..300) {
            let card = RateCard::embedded();
            let smaller = price(&plan.scaled(percent), &card, Basis::List).unwrap();
            let larger = price(&plan.scaled(percent + more), &card, Basis::List).unwrap();
            prop_assert!(smaller.total <= larger.total, "{} > {}", smaller.total, larger.total);
        }
    }
}

//! Every report's CSV header is fixed: the same line whatever the flags, so
//! that rows from many runs append under one header. Each case runs a
//! report several ways and checks the header against the one pinned here,
//! which is the one `docs/output.md` documents. The header comes from the
//! report's row type: a change to a row type's fields shows here.

use std::process::Command;

use nbcost::render::schema::REPORTS;

use super::TODAY;

/// Every report's CSV header, by the report's name in JSON.
const HEADERS: [(&str, &str); 11] = [
    (
        "quote",
        "model,size,lane,count,basis,card,prompt_tokens,input_images,thinking_tokens,unit_price,total,saving_vs_standard,grade,unpriced_reason,complete",
    ),
    (
        "compare",
        "model,size,lane,count,basis,card,thinking_tokens,status,unit_price,output_tokens,ratio_to_baseline,total,grade,unpriced_reason,complete",
    ),
    (
        "rates",
        "model,name,card,aliases,sizes,default_size,lanes,free_tier,status,released,deprecated,shutdown,successor",
    ),
    (
        "model",
        "model,size,lane,card,status,output_tokens,unit_price,grade,input_per_1m,text_output_per_1m,image_output_per_1m,tokens_grade,input_grade,text_output_grade,rule",
    ),
    (
        "check",
        "model,size,lane,card,output_tokens,published,tokens_price,difference,difference_percent,grade",
    ),
    (
        "plan",
        "plan,line,model,size,lane,basis,card,status,priced_by,component,estimate,tokens_per_request,quantity,unit,unit_price,google_unit_price,total,share_percent,unpriced_reason,complete",
    ),
    (
        "budget",
        "model,size,lane,amount,basis,card,days,thinking_tokens,status,priced_by,unit_price,thinking_unit_price,images,images_per_day,spent,left_over,plan,line,percent,unpriced_reason,complete,generated",
    ),
    ("diff", "model,size,lane,old_card,new_card,subject,item,kind,old,new,change,change_percent"),
    (
        "estimate",
        "file,model,size,lane,basis,card,status,requests,requests_without_size,images,image_unit_price,image_cost,prompt_tokens_estimated,prompt_cost,reference_images,reference_cost,thinking_tokens_estimated,thinking_cost,search_requests,cost,unpriced_reason,complete,kind",
    ),
    (
        "tally",
        "model,model_versions,size,lane,basis,card,status,kind,image_tokens_per_image,responses,images,prompt_tokens,image_output_tokens,text_output_tokens,thoughts_tokens,search_queries,paid_queries,input_cost,image_output_cost,text_output_cost,cost,unpriced_reason,complete,attribution,other_attributions,other_sizes",
    ),
    (
        "reconcile",
        "sku_description,sku_id,model,lane,part,billed_quantity,computed_quantity,billed_cost,computed_cost,difference,status,gap,card,within_tolerance,complete,day,model_versions,responses,unpriced_reason",
    ),
];

/// The pinned header of the report named `kind`.
fn header_of(kind: &str) -> &'static str {
    HEADERS.iter().find(|(name, _)| *name == kind).map(|(_, header)| *header).unwrap()
}

/// The first line of `nbcost ARGS --format csv -q`.
fn csv_header(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(args)
        .args(["--format", "csv", "-q"])
        .env("NBCOST_TODAY", TODAY)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout.lines().next().unwrap_or_default().to_string()
}

fn assert_header(header: &str, runs: &[&[&str]]) {
    for args in runs {
        assert_eq!(csv_header(args), header, "nbcost {}", args.join(" "));
    }
}

#[test]
fn quote_has_one_csv_header_whatever_the_flags() {
    assert_header(
        header_of("quote"),
        &[
            &["quote", "--model", "flash", "--count", "1"],
            &[
                "quote", "--model", "pro", "--size", "4K", "--count", "500", "--lane", "batch", "--basis",
                "tokens",
            ],
            &[
                "quote",
                "--model",
                "flash",
                "--count",
                "2",
                "--prompt-tokens",
                "300",
                "--input-images",
                "2",
                "--thinking-tokens",
                "10",
            ],
            &["quote", "--model", "ex", "--count", "3", "--rates", "tests/fixtures/cards/custom.toml"],
            &["quote", "--model", "nano-banana-2.1", "--count", "3", "--input-images", "2"],
        ],
    );
}

#[test]
fn compare_has_one_csv_header_whatever_the_counts() {
    assert_header(
        header_of("compare"),
        &[
            &["compare"],
            &["compare", "--counts", "1,10"],
            &["compare", "--models", "flash", "--counts", "1000", "--basis", "tokens"],
            &["compare", "--models", "pro", "--thinking-tokens", "1000"],
            &["compare", "--rates", "tests/fixtures/cards/no-text-rates.toml", "--thinking-tokens", "10"],
        ],
    );
}

#[test]
fn rates_reports_have_one_csv_header_each() {
    assert_header(
        header_of("rates"),
        &[
            &["rates"],
            &["rates", "--rates", "2026-04"],
            &["rates", "--rates", "tests/fixtures/cards/custom.toml"],
        ],
    );
    assert_header(
        header_of("model"),
        &[&["rates", "show", "flash"], &["rates", "show", "pro"], &["rates", "show", "nano-banana"]],
    );
    assert_header(
        header_of("check"),
        &[&["rates", "check"], &["rates", "check", "tests/fixtures/cards/custom.toml"]],
    );
}

#[test]
fn plan_and_budget_have_one_csv_header_whatever_the_flags() {
    assert_header(
        header_of("plan"),
        &[
            &["plan", "examples/plan.toml"],
            &["plan", "examples/plan.toml", "--what-if", "batch", "--basis", "tokens"],
            &["plan", "tests/fixtures/plans/gateway.toml", "--rates", "tests/fixtures/cards/gateway.toml"],
            &[
                "plan",
                "tests/fixtures/plans/reference-images.toml",
                "--rates",
                "tests/fixtures/cards/no-input-image-tokens.toml",
            ],
        ],
    );
    assert_header(
        header_of("budget"),
        &[
            &["budget", "--amount", "1"],
            &["budget", "--amount", "1", "--model", "pro", "--days", "30", "--thinking-tokens", "1000"],
            &["budget", "--amount", "500", "--plan", "examples/plan.toml"],
            &["budget", "--amount", "50", "--rates", "tests/fixtures/cards/gateway.toml"],
            &[
                "budget",
                "--amount",
                "5",
                "--rates",
                "tests/fixtures/cards/no-text-rates.toml",
                "--thinking-tokens",
                "10",
            ],
        ],
    );
}

#[test]
fn diff_estimate_and_tally_have_one_csv_header_whatever_the_flags() {
    assert_header(
        header_of("diff"),
        &[
            &["diff", "2026-04", "2026-10"],
            &["diff", "tests/fixtures/cards/new-prices.toml", "default", "--plan", "examples/plan.toml"],
            &["diff", "2026-10", "2026-10"],
        ],
    );
    assert_header(
        header_of("estimate"),
        &[
            &["estimate", "tests/fixtures/batch/input-mixed.jsonl", "--model", "flash"],
            &[
                "estimate",
                "tests/fixtures/batch/input-mixed.jsonl",
                "--model",
                "pro",
                "--thinking-tokens",
                "1000",
            ],
        ],
    );
    assert_header(
        header_of("tally"),
        &[
            &["tally", "tests/fixtures/batch/output-mixed.jsonl"],
            &["tally", "tests/fixtures/semantics/grounding.jsonl", "--free-queries", "4"],
            &["tally", "tests/fixtures/batch/output-lanes.jsonl", "--lane", "batch"],
            &["tally", "tests/fixtures/batch/output-mixed.jsonl", "--by", "key-prefix"],
            &["tally", "tests/fixtures/reconcile/days-predictions.jsonl", "--by", "day"],
        ],
    );
    let days = "tests/fixtures/reconcile/days-predictions.jsonl";
    let real = "tests/fixtures/real/vercel-ai-3.1-flash-image-standard.json";
    assert_header(
        header_of("reconcile"),
        &[
            &["reconcile", "--bill", "tests/fixtures/reconcile/match.csv", real],
            &["reconcile", "--bill", "tests/fixtures/reconcile/days.jsonl", days, "--as-of", "2026-11-06"],
            &["reconcile", "--bill", "tests/fixtures/reconcile/unknown-sku.csv", real],
        ],
    );
}

/// A new report cannot go without its header pinned here.
#[test]
fn every_report_has_its_csv_header_pinned() {
    let pinned: Vec<&str> = HEADERS.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(pinned, REPORTS);
}

/// The table of headers in `docs/output.md` ("CSV output") is the one
/// pinned here.
#[test]
fn the_output_documentation_gives_every_csv_header() {
    let output_md = include_str!("../../docs/output.md");
    for (kind, header) in HEADERS {
        assert!(output_md.contains(&format!("| `{header}`")), "docs/output.md's CSV header of {kind}");
    }
}

/// A report with no rows still writes its header, and nothing else.
#[test]
fn a_report_without_rows_writes_its_header_alone() {
    let output = Command::new(env!("CARGO_BIN_EXE_nbcost"))
        .args(["diff", "2026-10", "2026-10", "--format", "csv", "-q"])
        .env("NBCOST_TODAY", TODAY)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), format!("{}\n", header_of("diff")));
}

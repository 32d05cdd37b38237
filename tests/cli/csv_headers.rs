//! Every report's CSV header is fixed: the same line whatever the flags, so
//! that rows from many runs append under one header. Each case runs a
//! report several ways and checks the header against the one the README
//! documents.

use std::process::Command;

use super::TODAY;

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
        "model,size,lane,count,basis,card,prompt_tokens,input_images,thinking_tokens,unit_price,total,saving_vs_standard,grade",
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
        ],
    );
}

#[test]
fn compare_has_one_csv_header_whatever_the_counts() {
    assert_header(
        "model,size,lane,count,basis,card,thinking_tokens,status,unit_price,output_tokens,ratio_to_baseline,total,grade",
        &[
            &["compare"],
            &["compare", "--counts", "1,10"],
            &["compare", "--models", "flash", "--counts", "1000", "--basis", "tokens"],
            &["compare", "--models", "pro", "--thinking-tokens", "1000"],
        ],
    );
}

#[test]
fn rates_reports_have_one_csv_header_each() {
    assert_header(
        "model,name,card,aliases,sizes,default_size,lanes,free_tier,status,released,deprecated,shutdown,successor",
        &[
            &["rates"],
            &["rates", "--rates", "2026-04"],
            &["rates", "--rates", "tests/fixtures/cards/custom.toml"],
        ],
    );
    assert_header(
        "model,size,lane,card,status,output_tokens,unit_price,grade,input_per_1m,text_output_per_1m,image_output_per_1m,tokens_grade",
        &[&["rates", "show", "flash"], &["rates", "show", "pro"], &["rates", "show", "nano-banana"]],
    );
    assert_header(
        "model,size,lane,card,output_tokens,published,tokens_price,difference,difference_percent,grade",
        &[&["rates", "check"], &["rates", "check", "tests/fixtures/cards/custom.toml"]],
    );
}

#[test]
fn plan_and_budget_have_one_csv_header_whatever_the_flags() {
    assert_header(
        "plan,line,model,size,lane,basis,card,status,priced_by,component,estimate,tokens_per_request,quantity,unit,unit_price,google_unit_price,total,share_percent",
        &[
            &["plan", "examples/plan.toml"],
            &["plan", "examples/plan.toml", "--what-if", "batch", "--basis", "tokens"],
            &["plan", "tests/fixtures/plans/gateway.toml", "--rates", "tests/fixtures/cards/gateway.toml"],
        ],
    );
    assert_header(
        "model,size,lane,amount,basis,card,days,thinking_tokens,status,priced_by,unit_price,thinking_unit_price,images,images_per_day,spent,left_over,plan,line,percent",
        &[
            &["budget", "--amount", "1"],
            &["budget", "--amount", "1", "--model", "pro", "--days", "30", "--thinking-tokens", "1000"],
            &["budget", "--amount", "500", "--plan", "examples/plan.toml"],
        ],
    );
}

#[test]
fn diff_estimate_and_tally_have_one_csv_header_whatever_the_flags() {
    assert_header(
        "model,size,lane,old_card,new_card,subject,item,kind,old,new,change,change_percent",
        &[
            &["diff", "2026-04", "2026-10"],
            &["diff", "tests/fixtures/cards/new-prices.toml", "default", "--plan", "examples/plan.toml"],
        ],
    );
    assert_header(
        "file,model,size,lane,basis,card,status,requests,requests_without_size,images,image_unit_price,image_cost,prompt_tokens_estimated,prompt_cost,reference_images,reference_cost,thinking_tokens_estimated,thinking_cost,search_requests,cost",
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
        "model,model_versions,size,lane,basis,card,status,kind,image_tokens_per_image,responses,images,prompt_tokens,image_output_tokens,text_output_tokens,thoughts_tokens,search_queries,paid_queries,input_cost,image_output_cost,text_output_cost,cost,unpriced_reason",
        &[
            &["tally", "tests/fixtures/batch/output-mixed.jsonl"],
            &["tally", "tests/fixtures/semantics/grounding.jsonl", "--free-queries", "4"],
            &["tally", "tests/fixtures/batch/output-lanes.jsonl", "--lane", "batch"],
        ],
    );
}

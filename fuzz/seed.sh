#!/bin/sh
# Fills fuzz/corpus/TARGET/ with seed inputs taken from the files the tests
# and the README already use, so the seeds never drift from them:
#
#   rate_card    rates/*.toml and tests/fixtures/cards/*.toml
#   plan         examples/*.toml and tests/fixtures/plans/*.toml
#   input_line   each line of tests/fixtures/batch/input-*.jsonl
#   output_line  each line of tests/fixtures/batch/output-*.jsonl(.gz), and
#                the files whole (the target also reads its bytes as a file),
#                and each line of tests/fixtures/shapes/*.jsonl and *.sse
#   document     tests/fixtures/shapes/* and tests/fixtures/batch/output-*.jsonl
#   tally_file   the same files
#   bill_csv     tests/fixtures/bills/*
#   bill_json    tests/fixtures/bills/*.jsonl
#
# plus the few hand-written edge cases in fuzz/seeds/TARGET/. Files are
# copied, not linked: libFuzzer may rewrite or remove corpus entries.
#
# Usage: fuzz/seed.sh [TARGET...]   (every target when none is named)
set -eu

cd "$(dirname "$0")/.."

# copy TARGET PREFIX FILE...: each file as corpus/TARGET/PREFIX-NAME.
copy() {
    target=$1 prefix=$2
    shift 2
    for file in "$@"; do
        cp "$file" "fuzz/corpus/$target/$prefix-$(basename "$file")"
    done
}

# lines TARGET FILE...: each line of each file (gzip read through) as
# corpus/TARGET/NAME.N, without its newline.
lines() {
    target=$1
    shift
    for file in "$@"; do
        name=$(basename "$file" .gz)
        case $file in
            *.gz) reader="gzip -dc" ;;
            *) reader=cat ;;
        esac
        # A truncated archive still gives the lines before the cut.
        { $reader "$file" 2>/dev/null || true; } | {
            n=0
            while IFS= read -r line || [ -n "$line" ]; do
                n=$((n + 1))
                printf '%s' "$line" >"fuzz/corpus/$target/$name.$n"
            done
        }
    done
}

targets=${*:-rate_card plan input_line output_line document tally_file bill_csv bill_json}
for target in $targets; do
    mkdir -p "fuzz/corpus/$target"
    case $target in
        rate_card) copy rate_card rates rates/*.toml && copy rate_card card tests/fixtures/cards/*.toml ;;
        plan) copy plan example examples/*.toml && copy plan plan tests/fixtures/plans/*.toml ;;
        input_line) lines input_line tests/fixtures/batch/input-*.jsonl ;;
        output_line)
            lines output_line tests/fixtures/batch/output-*.jsonl tests/fixtures/batch/output-*.jsonl.gz
            copy output_line file tests/fixtures/batch/output-*.jsonl
            lines output_line tests/fixtures/shapes/*.jsonl tests/fixtures/shapes/*.sse
            ;;
        document | tally_file)
            copy "$target" shape tests/fixtures/shapes/*.json tests/fixtures/shapes/*.jsonl tests/fixtures/shapes/*.sse
            copy "$target" file tests/fixtures/batch/output-*.jsonl
            ;;
        bill_csv) copy bill_csv bill tests/fixtures/bills/*.csv tests/fixtures/bills/*.jsonl ;;
        bill_json) copy bill_json bill tests/fixtures/bills/*.jsonl ;;
        *)
            echo "fuzz/seed.sh: unknown target \`$target\`: use rate_card, plan, input_line, output_line, document, tally_file, bill_csv or bill_json" >&2
            exit 2
            ;;
    esac
    if [ -d "fuzz/seeds/$target" ]; then
        copy "$target" seed "fuzz/seeds/$target"/*
    fi
    echo "fuzz/corpus/$target: $(ls "fuzz/corpus/$target" | wc -l) inputs"
done

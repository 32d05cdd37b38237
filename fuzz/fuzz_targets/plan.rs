//! The plan loader returns a plan or an error for any text, and a plan it
//! accepts prices (or fails with an error) under the embedded card.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nbcost::card::RateCard;
use nbcost::plan::{Plan, price};
use nbcost::pricing::Basis;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(plan) = Plan::from_toml(text, "fuzz.toml") else { return };
    let card = RateCard::embedded();
    for basis in [Basis::List, Basis::Tokens] {
        let _ = price(&plan, &card, basis);
        let _ = price(&plan.with_batch_lanes(), &card, basis);
    }
});

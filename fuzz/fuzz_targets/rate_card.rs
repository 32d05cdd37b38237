//! The rate card loader returns a card or an error for any text, and a card
//! it accepts can be priced without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nbcost::card::{CardOrigin, RateCard};
use nbcost::pricing::{self, Basis, Extras};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(card) = RateCard::from_toml(text, CardOrigin::Embedded("fuzz")) else { return };
    for model in &card.models {
        for row in &model.sizes {
            for lane in model.lanes() {
                for basis in [Basis::List, Basis::Tokens] {
                    let extras = Extras { prompt_tokens: 1_000, input_images: 3, thinking_tokens: 500 };
                    let _ = pricing::price(model, row.size, lane, u64::MAX, basis, extras);
                }
            }
        }
    }
});

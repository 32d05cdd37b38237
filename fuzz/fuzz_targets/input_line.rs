//! A batch input line of any bytes scans to a record without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nbcost::scan::{InputLine, scan_input_line};

fuzz_target!(|data: &[u8]| {
    if let InputLine::Request { prompt_chars, inline_images, file_parts, .. } = scan_input_line(data) {
        assert!(prompt_chars <= data.len() as u64, "no more text than bytes");
        assert!(inline_images + file_parts <= data.len() as u64);
    }
});

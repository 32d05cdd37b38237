//! A batch input line of any bytes scans to a record without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nbcost::scan::{InputLine, scan_input_line};

fuzz_target!(|data: &[u8]| {
    if let InputLine::Request { content, .. } = scan_input_line(data) {
        assert!(content.prompt_chars <= data.len() as u64, "no more text than bytes");
        let parts = content.inline_images + content.file_parts + content.other_media.total();
        assert!(parts <= data.len() as u64, "no more media parts than bytes");
    }
});

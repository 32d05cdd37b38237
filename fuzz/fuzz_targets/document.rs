//! Any bytes sniff to a layout without a panic; a whole document cuts into
//! items that lie inside it, in order, and each item reads as an output
//! and an input record without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nbcost::scan::{Items, Layout, document_items, scan_input_line, scan_output_line, sniff};

fuzz_target!(|data: &[u8]| {
    let Ok(sniffed) = sniff(&mut &data[..]) else { return };
    // Nothing read is lost: the head is the start of the input, less a
    // byte-order mark.
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    assert!(body.starts_with(&sniffed.head));
    if sniffed.layout != Layout::Document {
        return;
    }
    if let Ok(Items::Read(items)) = document_items(&sniffed.head) {
        let mut last = 0;
        for item in items {
            assert!(item.line >= last, "items arrive in order");
            last = item.line;
            let _ = scan_output_line(item.bytes);
            let _ = scan_input_line(item.bytes);
        }
    }
});

//! A batch output / response line of any bytes scans to a record without a
//! panic, and the streaming reader agrees with the one-line scanner.
#![no_main]

use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use nbcost::scan::{OutputLine, ScanOptions, scan_lines, scan_output_line};

fuzz_target!(|data: &[u8]| {
    let single = scan_output_line(data);
    if let OutputLine::Response { usage, .. } = &single {
        // Token sums never wrap silently.
        let _ = usage.prompt_tokens.checked_add(usage.candidates_tokens);
    }
    // The same bytes as a file: every line is delivered once, in order.
    let options = ScanOptions { threads: 1, block_bytes: 64, max_line_bytes: 1 << 20 };
    let mut last = 0;
    let summary = scan_lines::<OutputLine, _>(data, &options, |line, _record| {
        assert!(line > last, "lines arrive in order");
        last = line;
        ControlFlow::Continue(())
    });
    if let Ok(summary) = summary {
        assert_eq!(summary.lines, last);
    }
});

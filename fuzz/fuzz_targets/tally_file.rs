//! Any bytes read as a file to tally (JSON lines, events or a document)
//! either fail with an error or give counts that add up, with every stream
//! folded into at most one response per chunk.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nbcost::batch::{BatchReader, Responses};
use nbcost::scan::ScanOptions;

fuzz_target!(|data: &[u8]| {
    let options = ScanOptions { threads: 1, block_bytes: 64, max_line_bytes: 1 << 20 };
    let mut reader = BatchReader::new(false);
    let mut responses = Responses::new(None);
    let read = reader.read_source("fuzz".into(), data, &options, |place, line, first| {
        responses.add(place, line, first);
    });
    responses.finish();
    if read.is_ok() {
        let total = reader.total();
        assert!(total.adds_up());
        let errors = responses.errors.count;
        assert!(errors + responses.chunk_lines() <= total.records);
    }
});

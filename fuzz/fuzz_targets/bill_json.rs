//! Any bytes read as export JSON (lines, or one array) give a bill or an
//! error, never a panic, and every row and malformed row read is on a line
//! of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nbcost::bill::read_bill_bytes;

fuzz_target!(|data: &[u8]| {
    // Steered to JSON: a first byte that is neither `{` nor `[` becomes `{`.
    let mut bytes = data.to_vec();
    match bytes.first_mut() {
        Some(b'{' | b'[') => {}
        Some(first) => *first = b'{',
        None => return,
    }
    let Ok(bill) = read_bill_bytes("fuzz.jsonl", &bytes) else { return };
    let lines = bytes.iter().filter(|&&byte| byte == b'\n').count() as u64 + 1;
    for line in bill.rows.iter().map(|row| row.line).chain(bill.malformed.iter().map(|row| row.line)) {
        assert!((1..=lines).contains(&line), "line {line} of {lines}");
    }
    // JSON lines hold a row a line at most (an array may hold many).
    if bytes[0] == b'{' {
        let read = (bill.rows.len() + bill.malformed.len()) as u64;
        let others: u64 = bill.other_services.iter().map(|service| service.rows).sum();
        assert!(read + others <= lines, "{read} rows and {others} of other services in {lines} lines");
    }
});

//! Any bytes after the console CSV's header read as a bill or fail with an
//! error, never a panic, and every row and malformed row read is on a line
//! of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nbcost::bill::read_bill_bytes;

const HEADER: &[u8] = b"Date,Service description,Service ID,SKU description,SKU ID,Usage amount,Usage unit,List cost ($),Negotiated savings ($),Savings programs ($),Other savings ($),Unrounded subtotal ($),Subtotal ($)\n";

fuzz_target!(|data: &[u8]| {
    // Half the inputs as they are (detection, compression, encodings), half
    // behind the header, so that the rows are what varies.
    let bytes =
        if data.first().is_some_and(|byte| byte & 1 == 0) { [HEADER, data].concat() } else { data.to_vec() };
    check(&bytes);
});

fn check(bytes: &[u8]) {
    let Ok(bill) = read_bill_bytes("fuzz.csv", bytes) else { return };
    let lines = bytes.iter().filter(|&&byte| byte == b'\n').count() as u64 + 1;
    for line in bill.rows.iter().map(|row| row.line).chain(bill.malformed.iter().map(|row| row.line)) {
        assert!((1..=lines).contains(&line), "line {line} of {lines}");
    }
}

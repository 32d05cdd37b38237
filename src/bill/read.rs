//! Opening a bill and telling its format from its content: gzip and zstd
//! are inflated (as batch files are, [`crate::scan::decompress`]) up to
//! [`BILL_LIMIT`]; then a first non-blank line that starts with `{` is
//! export JSON lines, one that starts with `[` is one JSON array of export
//! rows (`bq --format=json`), and anything else is the console's CSV.
//!
//! What the two readers share is in [`super::gather`], and why a bill
//! cannot be read in [`super::error`].

use std::io::{self, Read};
use std::path::Path;

use super::error::BillError;
use super::gather::Start;
use super::{Bill, BillFormat};
use crate::scan::{TrailingGarbage, decompress, looks_utf16};

/// The largest bill read, decompressed (512 MiB): a month of a busy
/// account's export is far smaller, and the whole bill is held in memory.
pub const BILL_LIMIT: usize = 512 << 20;

/// Reads the bill at `path` (`-` is stdin), plain, gzip or zstd, told
/// apart by content.
pub fn read_bill(path: &Path) -> Result<Bill, BillError> {
    let file = if path == Path::new("-") { "stdin".to_string() } else { path.display().to_string() };
    let open_error = |reason| BillError::Open { file: file.clone(), reason };
    let reader: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(open_error)?)
    };
    let source = decompress(reader).map_err(|reason| read_error(&file, reason))?;
    let bytes = read_capped(&file, source, BILL_LIMIT)?;
    parse(&file, &bytes)
}

/// The same from bytes already in memory, named `source` in messages.
pub fn read_bill_bytes(source: &str, bytes: &[u8]) -> Result<Bill, BillError> {
    read_bytes_capped(source, bytes, BILL_LIMIT)
}

fn read_bytes_capped(source: &str, bytes: &[u8], limit: usize) -> Result<Bill, BillError> {
    let compressed = bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    if !compressed {
        if bytes.len() > limit {
            return Err(BillError::TooLarge { file: source.to_string(), limit_mib: limit >> 20 });
        }
        return parse(source, bytes);
    }
    let inflated =
        decompress(io::Cursor::new(bytes.to_vec())).map_err(|reason| read_error(source, reason))?;
    let bytes = read_capped(source, inflated, limit)?;
    parse(source, &bytes)
}

fn read_error(file: &str, reason: io::Error) -> BillError {
    if reason.get_ref().is_some_and(|inner| inner.is::<TrailingGarbage>()) {
        BillError::TrailingGarbage { file: file.to_string() }
    } else {
        BillError::Read { file: file.to_string(), reason }
    }
}

/// All of `reader`, failing once it passes `limit` bytes; the buffer never
/// grows past `limit` + one read (a doubling `Vec` could reach twice it).
fn read_capped(file: &str, mut reader: impl Read, limit: usize) -> Result<Vec<u8>, BillError> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let read = match reader.read(&mut chunk) {
            Ok(0) => return Ok(bytes),
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(read_error(file, error)),
        };
        if bytes.len() + read > limit {
            return Err(BillError::TooLarge { file: file.to_string(), limit_mib: limit >> 20 });
        }
        if bytes.capacity() < bytes.len() + read {
            let wanted = (bytes.capacity() * 2).clamp(bytes.len() + read, limit);
            bytes.reserve_exact(wanted - bytes.len());
        }
        bytes.extend_from_slice(&chunk[..read]);
    }
}

fn parse(file: &str, bytes: &[u8]) -> Result<Bill, BillError> {
    if looks_utf16(&bytes[..bytes.len().min(1 << 10)]) {
        return Err(BillError::Utf16 { file: file.to_string() });
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(offset) = text.iter().position(|byte| !byte.is_ascii_whitespace()) else {
        return Err(BillError::Empty { file: file.to_string() });
    };
    let line_start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |newline| newline + 1);
    let line = memchr::memchr_iter(b'\n', &text[..line_start]).count() as u64 + 1;
    let start = Start { offset: line_start, line };
    let head = &text[offset..text.len().min(offset + (1 << 10))];
    if head.starts_with(b"%PDF") {
        return Err(BillError::NotABill {
            file: file.to_string(),
            looks: "a PDF, such as an invoice".into(),
        });
    }
    if head.contains(&0) {
        return Err(BillError::NotABill { file: file.to_string(), looks: "binary data".into() });
    }
    let (format, gathered) = match text[offset] {
        b'{' => (BillFormat::ExportJsonl, super::export_json::read_lines(text, start)),
        b'[' => (BillFormat::ExportJsonl, super::export_json::read_array(file, text, start)?),
        _ => (BillFormat::ConsoleCsv, super::console_csv::read(file, text, start)?),
    };
    gathered.finish(file, format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorKind, Kind};

    #[test]
    fn refuses_a_bill_over_the_limit_saying_it() {
        let big = vec![b' '; (1 << 20) + 1];
        let error = read_bytes_capped("big.csv", &big, 1 << 20).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`big.csv` is over the 1 MiB limit for a bill (decompressed): download a shorter period, or only the Gemini API and Vertex AI services"
        );
        let compressed = zstd::encode_all(&big[..], 3).unwrap();
        let error = read_bytes_capped("big.csv.zst", &compressed, 1 << 20).unwrap_err();
        assert!(matches!(error, BillError::TooLarge { limit_mib: 1, .. }), "{error}");
        assert_eq!(error.kind(), ErrorKind::Input);
    }

    #[test]
    fn the_capped_buffer_never_grows_past_the_limit() {
        let limit = (1 << 20) + 12345;
        let bytes = read_capped("x", io::repeat(b'a').take(limit as u64), limit).unwrap();
        assert_eq!(bytes.len(), limit);
        assert!(bytes.capacity() <= limit, "{}", bytes.capacity());
    }
}

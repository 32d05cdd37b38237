//! Opening a batch file: a path or any reader, gzip-compressed or not.
//!
//! Gzip is recognised by its magic bytes, so `.jsonl.gz` files, compressed
//! stdin and misnamed files all work; concatenated gzip members (as
//! `cat a.gz b.gz` makes) are read through.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::ScanError;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A readable byte stream of a batch file, already decompressed.
pub type Source = Box<dyn Read + Send>;

/// Opens the file at `path`, decompressing it if it is gzip.
pub fn open_path(path: &Path) -> Result<Source, ScanError> {
    let open_error = |source| ScanError::Open { path: path.to_owned(), source };
    let file = File::open(path).map_err(open_error)?;
    decompress_if_gzip(file).map_err(open_error)
}

/// Opens `path`, or standard input when it is `-`, decompressing gzip.
pub fn open_input(path: &Path) -> Result<Source, ScanError> {
    if path == Path::new("-") {
        return decompress_if_gzip(io::stdin())
            .map_err(|source| ScanError::Open { path: path.to_owned(), source });
    }
    open_path(path)
}

/// Wraps `reader` in a gzip decoder when its first bytes are gzip's magic.
pub fn decompress_if_gzip<R: Read + Send + 'static>(reader: R) -> io::Result<Source> {
    // A large buffer, because a plain file's reads pass through it.
    let mut buffered = BufReader::with_capacity(1 << 16, reader);
    let head = buffered.fill_buf()?;
    // One read may return a single byte (a pipe); look again for the second.
    if let [first] = *head {
        buffered.consume(1);
        let mut second = [0u8; 1];
        let more = buffered.read(&mut second)?;
        let is_gzip = more == 1 && [first, second[0]] == GZIP_MAGIC;
        let replay = io::Cursor::new([first, second[0]]).take(1 + more as u64);
        return Ok(wrap(replay.chain(buffered), is_gzip));
    }
    let is_gzip = head.starts_with(&GZIP_MAGIC);
    Ok(wrap(buffered, is_gzip))
}

fn wrap<R: Read + Send + 'static>(reader: R, is_gzip: bool) -> Source {
    if is_gzip {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 16, reader)))
    } else {
        Box::new(reader)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn read_all(source: io::Result<Source>) -> Vec<u8> {
        let mut out = Vec::new();
        source.unwrap().read_to_end(&mut out).unwrap();
        out
    }

    /// Hands out its bytes one at a time, as a slow pipe might.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.get(self.1), buf.first_mut()) {
                (Some(&byte), Some(slot)) => {
                    *slot = byte;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn passes_plain_bytes_through_and_inflates_gzip() {
        let plain = b"{\"key\":\"a\"}\n{\"key\":\"b\"}\n".to_vec();
        let mut twice = gzip(&plain);
        twice.extend(gzip(&plain));
        let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (plain.clone(), plain.clone()),
            (gzip(&plain), plain.clone()),
            (twice, [plain.clone(), plain.clone()].concat()),
            (Vec::new(), Vec::new()),
            (vec![0x1f], vec![0x1f]),
        ];
        for (input, expected) in cases {
            assert_eq!(read_all(decompress_if_gzip(io::Cursor::new(input.clone()))), expected);
            assert_eq!(read_all(decompress_if_gzip(Trickle(input, 0))), expected);
        }
    }

    #[test]
    fn fails_to_open_a_missing_file_naming_it() {
        let error = open_path(Path::new("/no/such/batch.jsonl")).err().unwrap();
        assert_eq!(error.to_string(), "cannot open `/no/such/batch.jsonl`");
    }
}

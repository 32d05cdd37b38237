//! Opening a batch file: a path or any reader, plain, gzip or zstd.
//!
//! The format is recognised by its magic bytes, not the file name, so
//! `.jsonl.gz` and `.jsonl.zst` files, compressed stdin and misnamed files
//! all work. Concatenated gzip members (as `cat a.gz b.gz` makes) and
//! multi-frame zstd (as `cat a.zst b.zst` or `zstd` on a growing log makes)
//! are read through to the end; a stream cut short is an error, not a
//! quiet end of file, and so are bytes after the last gzip member that are
//! not gzip ([`TrailingGarbage`], as `gzip -t` calls them).
//!
//! The decoders, measured on 200 MB batch files of ~500 KB base64 images
//! (2-core VM, best of three, docs/speed.md):
//! - zstd: the `zstd` crate (the reference C libzstd, compiled from its
//!   bundled source by the machine's C compiler, no system library) inflates
//!   at 0.68 GB/s where the pure-Rust `ruzstd` manages 0.17 GB/s (4x; 2.8x on
//!   more repetitive data), so libzstd it is;
//! - gzip: `flate2` on its `zlib-rs` backend (pure Rust, no system library)
//!   inflates ~10% faster than the default `miniz_oxide` (0.325 against
//!   0.293 GB/s).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::GzDecoder;

use super::scan_error::ScanError;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The most bytes any format needs to be recognised.
const MAGIC_LEN: usize = 4;

/// How a batch file's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    Plain,
    Gzip,
    Zstd,
}

impl Compression {
    /// The format whose magic `head` starts with; plain when none does.
    fn of(head: &[u8]) -> Self {
        if head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::Plain
        }
    }
}

/// Bytes after the last member of a gzip file that are not gzip: the file
/// was appended to or padded after it was compressed. The data before them
/// is whole; what they are is unknown.
#[derive(Debug, thiserror::Error)]
#[error("the gzip data ends and bytes that are not gzip follow it (trailing garbage)")]
pub struct TrailingGarbage;

/// Every member of a gzip stream, one after the other, failing with
/// [`TrailingGarbage`] when what follows a member is not another one.
struct GzipMembers<R: BufRead> {
    decoder: Option<GzDecoder<R>>,
}

impl<R: BufRead> Read for GzipMembers<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else { return Ok(0) };
            let read = decoder.read(buffer)?;
            if read > 0 || buffer.is_empty() {
                return Ok(read);
            }
            // The member has ended: another, the end, or garbage.
            let rest = decoder.get_mut().fill_buf()?;
            if rest.is_empty() {
                self.decoder = None;
                return Ok(0);
            }
            if rest[0] != GZIP_MAGIC[0] {
                self.decoder = None;
                return Err(io::Error::new(io::ErrorKind::InvalidData, TrailingGarbage));
            }
            let input = self.decoder.take().map(GzDecoder::into_inner);
            self.decoder = input.map(GzDecoder::new);
        }
    }
}

/// A readable byte stream of a batch file, already decompressed.
pub type Source = Box<dyn Read + Send>;

/// Opens the file at `path`, decompressing it if it is gzip or zstd.
pub fn open_path(path: &Path) -> Result<Source, ScanError> {
    let open_error = |source| ScanError::Open { path: path.to_owned(), source };
    let file = File::open(path).map_err(open_error)?;
    decompress(file).map_err(open_error)
}

/// Opens `path`, or standard input when it is `-`, decompressing gzip and
/// zstd.
pub fn open_input(path: &Path) -> Result<Source, ScanError> {
    if path == Path::new("-") {
        return decompress(io::stdin()).map_err(|source| ScanError::Open { path: path.to_owned(), source });
    }
    open_path(path)
}

/// Wraps `reader` in a gzip or zstd decoder when its first bytes are that
/// format's magic, and passes any other bytes through unchanged.
pub fn decompress<R: Read + Send + 'static>(reader: R) -> io::Result<Source> {
    // A large buffer, because a plain file's reads pass through it.
    let mut buffered = BufReader::with_capacity(1 << 16, reader);
    let head = buffered.fill_buf()?;
    if head.len() >= MAGIC_LEN || head.is_empty() {
        let format = Compression::of(head);
        return wrap(buffered, format);
    }
    // One read may return fewer bytes than a magic (a pipe): gather up to
    // `MAGIC_LEN`, then hand them out again ahead of the rest.
    let mut first = [0u8; MAGIC_LEN];
    let mut gathered = 0;
    while gathered < MAGIC_LEN {
        match buffered.read(&mut first[gathered..]) {
            Ok(0) => break,
            Ok(read) => gathered += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    let format = Compression::of(&first[..gathered]);
    let replay = io::Cursor::new(first).take(gathered as u64);
    wrap(replay.chain(buffered), format)
}

fn wrap<R: Read + Send + 'static>(reader: R, format: Compression) -> io::Result<Source> {
    Ok(match format {
        Compression::Plain => Box::new(reader),
        Compression::Gzip => {
            let input = BufReader::with_capacity(1 << 16, reader);
            Box::new(GzipMembers { decoder: Some(GzDecoder::new(input)) })
        }
        // Reads every frame, not just the first, and fails with
        // `UnexpectedEof` when the input ends inside one.
        Compression::Zstd => Box::new(zstd::Decoder::with_buffer(BufReader::with_capacity(1 << 16, reader))?),
    })
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

    fn zstd(bytes: &[u8]) -> Vec<u8> {
        zstd::encode_all(bytes, 3).unwrap()
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
    fn passes_plain_bytes_through_and_inflates_gzip_and_zstd() {
        let plain = b"{\"key\":\"a\"}\n{\"key\":\"b\"}\n".to_vec();
        let twice = [plain.clone(), plain.clone()].concat();
        // Two members or frames that split a line between them.
        let (front, back) = plain.split_at(5);
        let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (plain.clone(), plain.clone()),
            (gzip(&plain), plain.clone()),
            ([gzip(&plain), gzip(&plain)].concat(), twice.clone()),
            ([gzip(front), gzip(back)].concat(), plain.clone()),
            (zstd(&plain), plain.clone()),
            ([zstd(&plain), zstd(&plain)].concat(), twice.clone()),
            ([zstd(front), zstd(back)].concat(), plain.clone()),
            (zstd(b""), Vec::new()),
            (Vec::new(), Vec::new()),
            // Shorter than a magic, or a magic's start: plain bytes.
            (vec![0x1f], vec![0x1f]),
            (vec![0x28, 0xb5, 0x2f], vec![0x28, 0xb5, 0x2f]),
            (b"(\xb5/x\n".to_vec(), b"(\xb5/x\n".to_vec()),
        ];
        for (input, expected) in cases {
            assert_eq!(read_all(decompress(io::Cursor::new(input.clone()))), expected);
            assert_eq!(read_all(decompress(Trickle(input, 0))), expected);
        }
    }

    #[test]
    fn a_stream_cut_short_is_an_error_not_an_early_end() {
        let plain: Vec<u8> = (0..2000).flat_map(|n| format!("{{\"key\":\"k{n}\"}}\n").into_bytes()).collect();
        for compressed in [gzip(&plain), zstd(&plain), [zstd(&plain), zstd(&plain)].concat()] {
            let cut = &compressed[..compressed.len() - 7];
            let mut out = Vec::new();
            let error = decompress(io::Cursor::new(cut.to_vec())).unwrap().read_to_end(&mut out).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof, "{error}");
        }
    }

    #[test]
    fn bytes_after_the_gzip_data_are_trailing_garbage() {
        let plain = b"{\"key\":\"a\"}\n".to_vec();
        for garbage in [&b"appended\n"[..], &[0u8; 512][..]] {
            let file = [gzip(&plain), gzip(&plain), garbage.to_vec()].concat();
            let mut out = Vec::new();
            let error = decompress(io::Cursor::new(file)).unwrap().read_to_end(&mut out).unwrap_err();
            assert!(error.get_ref().is_some_and(|inner| inner.is::<TrailingGarbage>()), "{error}");
            assert_eq!(out, [plain.clone(), plain.clone()].concat());
        }
    }

    #[test]
    fn fails_to_open_a_missing_file_naming_it() {
        let error = open_path(Path::new("/no/such/batch.jsonl")).err().unwrap();
        assert_eq!(error.to_string(), "cannot open `/no/such/batch.jsonl`");
    }
}

//! Cutting a byte stream into blocks of whole lines, and lines out of
//! blocks.
//!
//! Both the one-thread and the many-thread scans read through
//! [`BlockReader`] and split blocks with [`lines_in`], so they see exactly
//! the same lines. A block ends at its last whole line, or reads on to the
//! end of a long line it cut off, so that little is carried from one block
//! to the next. Memory is bounded by the block size and the longest
//! line, never by the file: a line longer than the limit is passed over
//! without being held, and reported by its length, and where asked, a
//! line's leading whitespace is dropped once it fills a block, so a line of
//! a gigabyte of spaces is held a block at a time.

use std::io::{self, Read};

/// One piece of the stream, handed out in order.
pub(crate) enum Block {
    /// Whole lines, each ending in `\n` except perhaps the file's last.
    Lines(LineBuffer),
    /// One line longer than the limit, of this many bytes (without `\n`),
    /// which was skipped.
    Overlong { bytes: u64, buffer: LineBuffer },
}

impl Block {
    pub(crate) fn into_buffer(self) -> LineBuffer {
        match self {
            Block::Lines(buffer) | Block::Overlong { buffer, .. } => buffer,
        }
    }
}

/// A reusable buffer. Its storage stays initialised between uses so that
/// refilling it costs no zeroing and, once warm, no page faults.
#[derive(Default)]
pub(crate) struct LineBuffer {
    storage: Vec<u8>,
    len: usize,
}

impl LineBuffer {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.storage[..self.len]
    }
}

/// Reads whole-line blocks of about `block_bytes` from a stream.
pub(crate) struct BlockReader<R> {
    reader: R,
    /// The start of a line that the last block cut off.
    carry: Vec<u8>,
    block_bytes: usize,
    max_line_bytes: usize,
    /// Whether to drop a line's leading whitespace once it fills a block.
    drop_leading_blanks: bool,
    at_eof: bool,
    /// A read error held back until the whole lines before it are out.
    failure: Option<io::Error>,
}

impl<R: Read> BlockReader<R> {
    /// Reads blocks of about `block_bytes`, passing over lines longer than
    /// `max_line_bytes`; with `drop_leading_blanks`, a line's leading
    /// whitespace is dropped once it fills a block (the line is still one
    /// line, whitespace only or not).
    pub(crate) fn new(
        reader: R,
        block_bytes: usize,
        max_line_bytes: usize,
        drop_leading_blanks: bool,
    ) -> Self {
        Self {
            reader,
            carry: Vec::new(),
            block_bytes: block_bytes.max(1),
            max_line_bytes: max_line_bytes.max(1),
            drop_leading_blanks,
            at_eof: false,
            failure: None,
        }
    }

    /// Fills `buffer` with the next block; `None` at the end of the stream.
    /// After a read error, the whole lines read before it come first, the
    /// error next; the cut-off line is dropped.
    pub(crate) fn next_block(&mut self, mut buffer: LineBuffer) -> io::Result<Option<Block>> {
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        buffer.len = 0;
        append(&mut buffer, &self.carry);
        self.carry.clear();
        let mut target = self.block_bytes.max(buffer.len + 1);
        // Where the search for the last newline starts: bytes before it
        // were already searched.
        let mut searched = 0;
        loop {
            if !self.at_eof
                && let Err(failure) = self.fill(&mut buffer, target)
            {
                let Some(end) = memchr::memrchr(b'\n', buffer.bytes()) else {
                    return Err(failure);
                };
                self.failure = Some(failure);
                self.at_eof = true;
                buffer.len = end + 1;
                return Ok(Some(Block::Lines(buffer)));
            }
            if let Some(end) = memchr::memrchr(b'\n', &buffer.bytes()[searched..]) {
                let end = self.read_to_line_end(&mut buffer, searched + end + 1);
                self.carry.extend_from_slice(&buffer.bytes()[end..]);
                buffer.len = end;
                return Ok(Some(Block::Lines(buffer)));
            }
            if self.at_eof {
                return Ok((buffer.len > 0).then_some(Block::Lines(buffer)));
            }
            // One line fills the buffer (it starts at the buffer's start):
            // whitespace so far says nothing, so it need not be held.
            if self.drop_leading_blanks
                && buffer.len >= self.block_bytes
                && buffer.bytes().iter().all(|&byte| is_blank(byte))
            {
                buffer.len = 0;
                searched = 0;
                target = self.block_bytes;
                continue;
            }
            if buffer.len > self.max_line_bytes {
                let skipped = buffer.len as u64;
                let bytes = skipped + self.skip_rest_of_line()?;
                buffer.len = 0;
                return Ok(Some(Block::Overlong { bytes, buffer }));
            }
            searched = buffer.len;
            // Doubling, but never past the limit: one byte over it tells an
            // overlong line, which is then passed over, not held (a line of
            // 600 MiB had grown the block to 1 GiB before being refused).
            target = target.saturating_mul(2).min(self.max_line_bytes.saturating_add(1));
        }
    }

    /// Where the block ends, given that its last whole line ends at `end`:
    /// there, when what follows is short; else at the end of the line that
    /// follows, read a step ([`step_bytes`]) at a time, so that at most a
    /// step is carried to the next block. A cut-off line is copied out of
    /// the block and back into the next one: with lines a little over half
    /// a block long (a batch file of 512 KiB images), each block held one
    /// line and carried most of the next, and copying took a third of
    /// `tally`'s time. A line that opens with whitespace, where leading
    /// whitespace is dropped, is carried as before, so that a line of a
    /// gigabyte of spaces is still held a block at a time.
    fn read_to_line_end(&mut self, buffer: &mut LineBuffer, end: usize) -> usize {
        let step = step_bytes(self.block_bytes);
        if self.drop_leading_blanks && buffer.bytes().get(end).is_some_and(|&byte| is_blank(byte)) {
            return end;
        }
        while !self.at_eof && buffer.len - end > step && buffer.len - end <= self.max_line_bytes {
            let from = buffer.len;
            if let Err(failure) = self.fill(buffer, from + step) {
                // Given after the whole lines read so far, as `next_block` does.
                self.failure = Some(failure);
                self.at_eof = true;
                return end;
            }
            if let Some(newline) = memchr::memchr(b'\n', &buffer.bytes()[from..]) {
                return from + newline + 1;
            }
        }
        end
    }

    /// Reads until `buffer` holds `target` bytes or the stream ends.
    fn fill(&mut self, buffer: &mut LineBuffer, target: usize) -> io::Result<()> {
        if buffer.storage.len() < target {
            buffer.storage.resize(target, 0);
        }
        while buffer.len < target {
            match self.reader.read(&mut buffer.storage[buffer.len..target]) {
                Ok(0) => {
                    self.at_eof = true;
                    break;
                }
                Ok(read) => buffer.len += read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Reads past the end of an overlong line, keeping what follows it.
    /// Returns how many bytes of the line were passed over.
    fn skip_rest_of_line(&mut self) -> io::Result<u64> {
        let mut chunk = vec![0u8; 1 << 16];
        let mut skipped = 0u64;
        loop {
            let read = match self.reader.read(&mut chunk) {
                Ok(0) => {
                    self.at_eof = true;
                    return Ok(skipped);
                }
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if let Some(newline) = memchr::memchr(b'\n', &chunk[..read]) {
                self.carry.extend_from_slice(&chunk[newline + 1..read]);
                return Ok(skipped + newline as u64);
            }
            skipped += read as u64;
        }
    }
}

/// Whitespace a line may open with where leading whitespace is dropped.
fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r')
}

/// How much a block reads at a time past its size to finish a cut-off
/// line: a sixteenth of it (64 KiB of a 1 MiB block).
fn step_bytes(block_bytes: usize) -> usize {
    (block_bytes / 16).max(1)
}

fn append(buffer: &mut LineBuffer, bytes: &[u8]) {
    let end = buffer.len + bytes.len();
    if buffer.storage.len() < end {
        buffer.storage.resize(end, 0);
    }
    buffer.storage[buffer.len..end].copy_from_slice(bytes);
    buffer.len = end;
}

/// The lines of a block, without their `\n` but with any `\r` before it
/// (see [`without_cr`]): a line's length is counted with its `\r`.
pub(crate) fn lines_in(block: &[u8]) -> LinesIn<'_> {
    LinesIn { rest: block }
}

/// Iterator over the lines of a block; see [`lines_in`].
pub(crate) struct LinesIn<'a> {
    rest: &'a [u8],
}

impl LinesIn<'_> {
    /// Passes over the empty lines (a lone `\n` each) that come next, and
    /// says how many there were.
    pub(crate) fn skip_empty_lines(&mut self) -> u64 {
        let empty = self.rest.iter().take_while(|&&byte| byte == b'\n').count();
        self.rest = &self.rest[empty..];
        empty as u64
    }
}

impl<'a> Iterator for LinesIn<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let line = match memchr::memchr(b'\n', self.rest) {
            Some(end) => {
                let line = &self.rest[..end];
                self.rest = &self.rest[end + 1..];
                line
            }
            None => std::mem::take(&mut self.rest),
        };
        Some(line)
    }
}

/// A line without the `\r` of a CRLF ending.
pub(crate) fn without_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocks `input` is cut into, as text.
    fn blocks(input: &[u8], block_bytes: usize, max_line_bytes: usize) -> Vec<String> {
        let mut reader = BlockReader::new(input, block_bytes, max_line_bytes, false);
        let mut out = Vec::new();
        while let Some(block) = reader.next_block(LineBuffer::default()).unwrap() {
            out.push(String::from_utf8(block.into_buffer().bytes().to_vec()).unwrap());
        }
        out
    }

    fn lines(count: usize, bytes: usize) -> Vec<u8> {
        (0..count).flat_map(|n| format!("{:0>width$}\n", n, width = bytes - 1).into_bytes()).collect()
    }

    #[test]
    fn a_block_reads_on_to_the_end_of_a_long_line_it_cut_off() {
        // Lines of 40 bytes in blocks of 64: the first block holds one line
        // and 23 bytes of the next, more than a step (4 bytes), so it reads
        // on to that line's end rather than carry it.
        let input = lines(3, 40);
        assert_eq!(
            blocks(&input, 64, 1 << 20),
            [
                String::from_utf8(input[..80].to_vec()).unwrap(),
                String::from_utf8(input[80..].to_vec()).unwrap()
            ]
        );
    }

    #[test]
    fn a_block_ends_at_its_last_line_when_what_follows_is_short() {
        // Lines of 10 bytes in blocks of 1,024: 102 lines fit, and the 4
        // bytes of the next are less than a step (64), so they are carried.
        let input = lines(300, 10);
        let cut = blocks(&input, 1024, 1 << 20);
        assert_eq!(cut.iter().map(String::len).collect::<Vec<_>>(), [1020, 1020, 960]);
    }

    #[test]
    fn blocks_of_lines_over_half_a_block_hold_two_lines_each() {
        // Lines of 600 bytes in blocks of 1,024: each block reads on to the
        // end of its second line (carrying at most a step, 64 bytes), where
        // cutting at its last line would leave one line a block.
        let input = lines(501, 600);
        let cut = blocks(&input, 1024, 1 << 20);
        assert_eq!(cut.concat().as_bytes(), &input[..]);
        assert_eq!(cut.len(), 251);
        assert!(cut[..250].iter().all(|block| block.len() == 1200), "{:?}", cut.iter().map(String::len));
    }

    #[test]
    fn a_line_longer_than_the_limit_is_not_read_on_to() {
        // The second line (300 bytes) is over the limit (100): the first
        // block stops at the first line; the long one is passed over.
        let mut input = lines(1, 40);
        input.extend(lines(1, 300));
        input.extend(lines(1, 40));
        let mut reader = BlockReader::new(&input[..], 64, 100, false);
        let first = reader.next_block(LineBuffer::default()).unwrap().unwrap();
        assert_eq!(first.into_buffer().bytes(), &input[..40]);
        let second = reader.next_block(LineBuffer::default()).unwrap().unwrap();
        assert!(matches!(second, Block::Overlong { bytes: 299, .. }));
        let third = reader.next_block(LineBuffer::default()).unwrap().unwrap();
        assert_eq!(third.into_buffer().bytes(), &input[340..]);
    }

    /// A line of 10,000 bytes with a limit of 100, in blocks of 16: the
    /// block grows to one byte past the limit, no further, before the line
    /// is passed over.
    #[test]
    fn an_overlong_line_grows_the_block_only_to_the_limit() {
        let mut input = vec![b'a'; 10_000];
        input.extend(b"\n{}\n");
        let mut reader = BlockReader::new(&input[..], 16, 100, false);
        let Block::Overlong { bytes, buffer } = reader.next_block(LineBuffer::default()).unwrap().unwrap()
        else {
            panic!("the long line was not passed over");
        };
        assert_eq!(bytes, 10_000);
        assert!(buffer.storage.len() <= 101, "the block grew to {} bytes", buffer.storage.len());
        let rest = reader.next_block(buffer).unwrap().unwrap();
        assert_eq!(rest.into_buffer().bytes(), b"{}\n");
    }

    #[test]
    fn a_line_of_whitespace_is_not_read_on_to_where_blanks_are_dropped() {
        // A line of 10,000 spaces after a short one, in blocks of 64 with
        // blanks dropped: the first block stops at the short line, and the
        // spaces are then dropped a block at a time, never held whole.
        let mut input = lines(1, 40);
        input.extend(std::iter::repeat_n(b' ', 10_000));
        input.extend(b"\n{}\n");
        let mut reader = BlockReader::new(&input[..], 64, 1 << 20, true);
        let mut held = Vec::new();
        while let Some(block) = reader.next_block(LineBuffer::default()).unwrap() {
            held.push(block.into_buffer().bytes().to_vec());
        }
        assert_eq!(held[0], &input[..40]);
        assert!(held.iter().all(|block| block.len() <= 128), "{:?}", held.iter().map(Vec::len));
        assert!(held.last().unwrap().ends_with(b"\n{}\n"));
    }

    /// Gives `ok` bytes of `input`, then fails.
    struct FailsAfter<'a> {
        input: &'a [u8],
        ok: usize,
    }

    impl Read for FailsAfter<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.ok == 0 {
                return Err(io::Error::other("disk gone"));
            }
            let n = out.len().min(self.ok).min(self.input.len());
            out[..n].copy_from_slice(&self.input[..n]);
            self.input = &self.input[n..];
            self.ok -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_while_reading_on_comes_after_the_whole_lines() {
        // The error comes 10 bytes into the second line, as the block reads on.
        let input = lines(3, 40);
        let mut reader = BlockReader::new(FailsAfter { input: &input, ok: 70 }, 64, 1 << 20, false);
        let first = reader.next_block(LineBuffer::default()).unwrap().unwrap();
        assert_eq!(first.into_buffer().bytes(), &input[..40]);
        let error = reader.next_block(LineBuffer::default()).err().expect("the read error");
        assert_eq!(error.to_string(), "disk gone");
    }
}

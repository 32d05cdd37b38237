//! Scanning a whole stream line by line, on one thread or several, with
//! the same records in the same order either way.
//!
//! With several threads, each worker in turn reads the next block of whole
//! lines from the stream, then reads the lines of that block while another
//! worker reads the next; the calling thread hands records to the caller
//! in file order, numbering lines as it goes. A worker scans the block it
//! has just read, while the block is still in its core's cache, and no
//! thread sits between the stream and the workers: on two cores, two
//! workers keep both busy, one reading while the other scans. At most a few
//! blocks are in flight, so memory does not grow with the file, and a
//! caller that stops early (`--strict` on the first malformed line) stops
//! the workers too.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::ops::ControlFlow;
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};

use super::input_line::{InputLine, scan_input_line};
use super::line_blocks::{Block, BlockReader, LineBuffer, lines_in, without_cr};
use super::output_line::{OutputLine, scan_output_line};
use super::scan_error::ScanError;

/// A record made from one line of a batch file.
pub trait LineRecord: Send + Sized {
    /// Reads one line (without its line ending).
    fn from_line(line: &[u8]) -> Self;
    /// Stands for a line of `bytes` bytes that was over `limit` and skipped.
    fn from_overlong_line(bytes: u64, limit: usize) -> Self;
}

fn overlong_reason(bytes: u64, limit: usize) -> String {
    format!("line is {bytes} bytes, over the {limit}-byte limit")
}

impl LineRecord for OutputLine {
    fn from_line(line: &[u8]) -> Self {
        scan_output_line(line)
    }

    fn from_overlong_line(bytes: u64, limit: usize) -> Self {
        OutputLine::Malformed { reason: overlong_reason(bytes, limit) }
    }
}

impl LineRecord for InputLine {
    fn from_line(line: &[u8]) -> Self {
        scan_input_line(line)
    }

    fn from_overlong_line(bytes: u64, limit: usize) -> Self {
        InputLine::Malformed { reason: overlong_reason(bytes, limit) }
    }
}

/// How to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// Threads reading lines; 1 reads on the calling thread only.
    pub threads: usize,
    /// Bytes read per block; blocks grow to hold a longer line.
    pub block_bytes: usize,
    /// Lines longer than this are skipped and reported, not held.
    pub max_line_bytes: usize,
}

impl Default for ScanOptions {
    /// All cores, 1 MiB blocks (about a core's L2 cache, so a block is
    /// scanned from the cache it was just read into; a block grows to hold a
    /// longer line), and a 256 MiB line limit (a 4K PNG in base64 is tens of
    /// megabytes; a runaway line should not take the machine).
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            block_bytes: 1 << 20,
            max_line_bytes: 256 << 20,
        }
    }
}

/// How a scan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanSummary {
    /// Lines handed to the caller.
    pub lines: u64,
    /// Whether the caller stopped the scan before the end.
    pub stopped_early: bool,
}

/// Reads every line of `reader` as an `L` and calls `visit` with its
/// 1-based line number, in file order, until the end or until `visit`
/// breaks. An empty stream has no lines; a last line without `\n` counts.
pub fn scan_lines<L, R>(
    reader: R,
    options: &ScanOptions,
    mut visit: impl FnMut(u64, L) -> ControlFlow<()>,
) -> Result<ScanSummary, ScanError>
where
    L: LineRecord,
    R: Read + Send,
{
    let mut blocks = BlockReader::new(reader, options.block_bytes, options.max_line_bytes);
    let mut lines = 0;
    let mut deliver = |records: Vec<L>| -> ControlFlow<()> {
        for record in records {
            lines += 1;
            visit(lines, record)?;
        }
        ControlFlow::Continue(())
    };
    let outcome = if options.threads <= 1 {
        scan_on_this_thread(&mut blocks, options.max_line_bytes, &mut deliver)
    } else {
        scan_on_threads(blocks, options, &mut deliver)
    };
    match outcome {
        Ok(flow) => Ok(ScanSummary { lines, stopped_early: flow.is_break() }),
        Err(source) => Err(ScanError::Read { lines_delivered: lines, source }),
    }
}

/// The records of one block, in order.
fn records_in<L: LineRecord>(block: &Block, limit: usize) -> Vec<L> {
    match block {
        Block::Lines(buffer) => lines_in(buffer.bytes())
            .map(|line| match line.len() {
                // A block larger than the limit can hold a line over it.
                bytes if bytes > limit => L::from_overlong_line(bytes as u64, limit),
                _ => L::from_line(without_cr(line)),
            })
            .collect(),
        Block::Overlong { bytes, .. } => vec![L::from_overlong_line(*bytes, limit)],
    }
}

fn scan_on_this_thread<L: LineRecord, R: Read>(
    blocks: &mut BlockReader<R>,
    limit: usize,
    deliver: &mut impl FnMut(Vec<L>) -> ControlFlow<()>,
) -> io::Result<ControlFlow<()>> {
    let mut buffer = LineBuffer::default();
    while let Some(block) = blocks.next_block(buffer)? {
        if deliver(records_in(&block, limit)).is_break() {
            return Ok(ControlFlow::Break(()));
        }
        buffer = block.into_buffer();
    }
    Ok(ControlFlow::Continue(()))
}

/// Scans on `options.threads` workers, as many as the system lets start
/// (a low process limit, `ulimit -u`, can refuse them); when none can, on
/// the calling thread.
fn scan_on_threads<L: LineRecord, R: Read + Send>(
    blocks: BlockReader<R>,
    options: &ScanOptions,
    deliver: &mut impl FnMut(Vec<L>) -> ControlFlow<()>,
) -> io::Result<ControlFlow<()>> {
    let workers = options.threads;
    let limit = options.max_line_bytes;
    // Blocks read but not yet delivered; bounds memory.
    let in_flight = 2 * workers;
    let reading = Mutex::new(Reading { blocks, next_sequence: 0, finished: false, failure: None });
    // Buffers to read into: every one starts free, and comes back once its
    // block's records are delivered.
    let (free_sender, free_receiver) = mpsc::channel::<LineBuffer>();
    for _ in 0..in_flight {
        let _ = free_sender.send(LineBuffer::default());
    }
    let free_receiver = Mutex::new(free_receiver);
    let flow = std::thread::scope(|scope| {
        let (result_sender, result_receiver) = mpsc::channel::<(u64, Vec<L>, LineBuffer)>();
        let mut started = 0;
        for _ in 0..workers {
            let result_sender = result_sender.clone();
            let (reading, free_receiver) = (&reading, &free_receiver);
            let worker = std::thread::Builder::new().spawn_scoped(scope, move || {
                loop {
                    let free = lock(free_receiver).recv();
                    let Ok(buffer) = free else { return };
                    let Some((sequence, block)) = lock(reading).next(buffer) else { return };
                    let records = records_in(&block, limit);
                    if result_sender.send((sequence, records, block.into_buffer())).is_err() {
                        return;
                    }
                }
            });
            // The workers started so far do the work; the rest would not start either.
            if worker.is_err() {
                break;
            }
            started += 1;
        }
        drop(result_sender);
        if started == 0 {
            // Nothing has been read yet: the calling thread reads it all.
            return None;
        }

        let mut waiting = BTreeMap::new();
        let mut next_sequence = 0u64;
        let mut flow = ControlFlow::Continue(());
        'results: for (sequence, records, buffer) in &result_receiver {
            waiting.insert(sequence, (records, buffer));
            while let Some((records, buffer)) = waiting.remove(&next_sequence) {
                next_sequence += 1;
                if deliver(records).is_break() {
                    flow = ControlFlow::Break(());
                    break 'results;
                }
                // The workers may have stopped already; then nobody needs it.
                let _ = free_sender.send(buffer);
            }
        }
        // Closing our ends lets the workers finish.
        drop(result_receiver);
        drop(free_sender);
        Some(flow)
    });
    let mut reading = reading.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(flow) = flow else {
        return scan_on_this_thread(&mut reading.blocks, limit, deliver);
    };
    match reading.failure {
        Some(error) if flow.is_continue() => Err(error),
        _ => Ok(flow),
    }
}

/// The stream, read a block at a time by whichever worker is free.
struct Reading<R> {
    blocks: BlockReader<R>,
    next_sequence: u64,
    finished: bool,
    failure: Option<io::Error>,
}

impl<R: Read> Reading<R> {
    /// The next block and its place in the stream; `None` once the stream
    /// has ended or failed.
    fn next(&mut self, buffer: LineBuffer) -> Option<(u64, Block)> {
        if self.finished {
            return None;
        }
        match self.blocks.next_block(buffer) {
            Ok(Some(block)) => {
                self.next_sequence += 1;
                Some((self.next_sequence - 1, block))
            }
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(error) => {
                self.finished = true;
                self.failure = Some(error);
                None
            }
        }
    }
}

/// Locks `mutex`. A poisoned lock means a worker panicked; the scope raises
/// that panic again once the workers are joined, so the others go on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record that is just the line, to test the cutting itself.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum RawLine {
        Bytes(Vec<u8>),
        Overlong(u64),
    }

    impl LineRecord for RawLine {
        fn from_line(line: &[u8]) -> Self {
            RawLine::Bytes(line.to_vec())
        }

        fn from_overlong_line(bytes: u64, _limit: usize) -> Self {
            RawLine::Overlong(bytes)
        }
    }

    fn options(threads: usize, block_bytes: usize, max_line_bytes: usize) -> ScanOptions {
        ScanOptions { threads, block_bytes, max_line_bytes }
    }

    fn scan_all(input: &[u8], options: &ScanOptions) -> Vec<(u64, RawLine)> {
        let mut seen = Vec::new();
        let summary = scan_lines(input, options, |number, line: RawLine| {
            seen.push((number, line));
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(summary.lines, seen.len() as u64);
        seen
    }

    fn bytes(lines: &[&str]) -> Vec<RawLine> {
        lines.iter().map(|line| RawLine::Bytes(line.as_bytes().to_vec())).collect()
    }

    #[test]
    fn cuts_lines_the_same_way_whatever_the_blocks_and_threads() {
        let cases: Vec<(&[u8], Vec<RawLine>)> = vec![
            (b"", vec![]),
            (b"\n", bytes(&[""])),
            (b"a", bytes(&["a"])),
            (b"a\n", bytes(&["a"])),
            (b"a\nb", bytes(&["a", "b"])),
            (b"a\r\nb\r\n", bytes(&["a", "b"])),
            (b"a\r\r\n", bytes(&["a\r"])),
            (b"\n\n\nlast", bytes(&["", "", "", "last"])),
            (b"one\ntwo\nthree\n", bytes(&["one", "two", "three"])),
        ];
        for (input, expected) in cases {
            for block_bytes in [1, 2, 3, 7, 1 << 20] {
                for threads in [1, 2, 3] {
                    let seen = scan_all(input, &options(threads, block_bytes, 1 << 20));
                    let numbers: Vec<u64> = seen.iter().map(|(number, _)| *number).collect();
                    let lines: Vec<RawLine> = seen.into_iter().map(|(_, line)| line).collect();
                    assert_eq!(lines, expected, "{input:?} block {block_bytes} threads {threads}");
                    assert_eq!(numbers, (1..=expected.len() as u64).collect::<Vec<_>>());
                }
            }
        }
    }

    #[test]
    fn skips_lines_over_the_limit_and_keeps_counting() {
        let input = b"short\n0123456789abcdef\nok\n0123456789\ntail";
        let expected = vec![
            RawLine::Bytes(b"short".to_vec()),
            RawLine::Overlong(16),
            RawLine::Bytes(b"ok".to_vec()),
            RawLine::Bytes(b"0123456789".to_vec()),
            RawLine::Bytes(b"tail".to_vec()),
        ];
        for block_bytes in [1, 4, 8, 64] {
            for threads in [1, 2] {
                let lines: Vec<RawLine> = scan_all(input, &options(threads, block_bytes, 10))
                    .into_iter()
                    .map(|(_, line)| line)
                    .collect();
                assert_eq!(lines, expected, "block {block_bytes} threads {threads}");
            }
        }
    }

    #[test]
    fn reads_a_ten_megabyte_line_of_nonsense_then_the_next_line() {
        let mut input: Vec<u8> =
            (0..10_000_000u32).map(|index| (index % 251) as u8).filter(|&byte| byte != b'\n').collect();
        input.extend_from_slice(b"\n{\"key\":\"k\",\"error\":{}}\n");
        for threads in [1, 2] {
            let mut records = Vec::new();
            scan_lines(
                &input[..],
                &ScanOptions { threads, ..ScanOptions::default() },
                |number, line: OutputLine| {
                    records.push((number, line));
                    ControlFlow::Continue(())
                },
            )
            .unwrap();
            assert_eq!(records.len(), 2);
            assert!(matches!(records[0], (1, OutputLine::Malformed { .. })));
            assert!(matches!(records[1], (2, OutputLine::Error { .. })));
        }
    }

    #[test]
    fn stops_at_the_first_malformed_line_when_asked() {
        let mut input = Vec::new();
        for index in 0..5000 {
            if index == 3210 {
                input.extend_from_slice(b"{oops\n");
            } else {
                input.extend_from_slice(b"{\"response\":{\"usageMetadata\":{\"promptTokenCount\":1}}}\n");
            }
        }
        for threads in [1, 2, 4] {
            let mut first_bad = None;
            let summary =
                scan_lines(&input[..], &options(threads, 4096, 1 << 20), |number, line: OutputLine| {
                    if matches!(line, OutputLine::Malformed { .. }) {
                        first_bad = Some(number);
                        return ControlFlow::Break(());
                    }
                    ControlFlow::Continue(())
                })
                .unwrap();
            assert_eq!(first_bad, Some(3211));
            assert_eq!(summary, ScanSummary { lines: 3211, stopped_early: true });
        }
    }

    /// Fails after handing out some bytes, as a truncated gzip or zstd stream does.
    struct FailingReader(usize);

    impl Read for FailingReader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::other("disk on fire"));
            }
            let count = self.0.min(buf.len());
            buf[..count].fill(b'\n');
            self.0 -= count;
            Ok(count)
        }
    }

    #[test]
    fn reports_a_read_failure_after_the_lines_before_it() {
        for threads in [1, 2] {
            let mut delivered = 0;
            let error = scan_lines(FailingReader(10), &options(threads, 4, 100), |_, _: OutputLine| {
                delivered += 1;
                ControlFlow::Continue(())
            })
            .unwrap_err();
            assert!(matches!(error, ScanError::Read { lines_delivered: 10, .. }), "{error:?}");
            assert_eq!(delivered, 10);
        }
    }
}

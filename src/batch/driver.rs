//! Reading batch files through, the same way for `estimate` and `tally`:
//! opening them (a path, `-` for stdin; plain, gzip or zstd), stopping at the first
//! malformed line when strict or else counting and listing it, counting
//! lines so the counts add up, spotting repeated keys across files, and
//! turning read failures into [`BatchFileError`]s that name the file.
//!
//! What a line holds beyond that (a response, an error status, a request)
//! is the caller's: [`BatchReader`] hands each such line to a visitor with
//! its place and, for a repeated key, the place of the key's first line.

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::path::Path;

use serde::Serialize;

use super::file_error::{BatchFileError, MalformedLine, display_name};
use crate::count::counted;
use crate::scan::{
    DOCUMENT_LIMIT, InputLine, Items, KeySighting, KeyTracker, Layout, LineRecord, OutputLine,
    REQUEST_NOT_RESPONSE, RESPONSE_NOT_REQUEST, ScanError, ScanOptions, Scanned, TrailingGarbage,
    document_items, open_input, scan_line_runs, sniff,
};

/// How many lines of each kind of finding a report lists; the count is
/// always complete.
pub const SHOWN_PER_KIND: usize = 20;

/// Every sighting counted, the first [`SHOWN_PER_KIND`] kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Sightings<T> {
    /// How many there were in all.
    pub count: u64,
    /// The first ones, in file order.
    pub shown: Vec<T>,
}

impl<T> Default for Sightings<T> {
    fn default() -> Self {
        Self { count: 0, shown: Vec::new() }
    }
}

impl<T> Sightings<T> {
    /// Counts one more; `make` builds its entry only while the list has room,
    /// so a million findings cost a counter, not a million allocations.
    pub fn record(&mut self, make: impl FnOnce() -> T) {
        self.count += 1;
        if self.shown.len() < SHOWN_PER_KIND {
            self.shown.push(make());
        }
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many were counted but not listed.
    pub fn not_shown(&self) -> u64 {
        self.count - self.shown.len() as u64
    }
}

/// A line as the driver sorts it: its own kinds, or the caller's record.
#[derive(Debug)]
pub enum Sorted<L> {
    /// Whitespace only.
    Blank,
    /// Cannot be read, for this reason.
    Malformed(String),
    /// Anything else: handed to the caller.
    Record(L),
}

/// A line record the driver can read files of.
pub trait BatchLine: LineRecord {
    /// The key whose repeats are tracked, when the line has one.
    fn repeat_key(&self) -> Option<&str>;
    /// Takes blank and malformed lines apart from the caller's records.
    fn sort(self) -> Sorted<Self>;
    /// The command that reads these records (`tally`), for errors.
    const VERB: &'static str;
    /// What the records are (`responses`), for errors.
    const RECORDS: &'static str;
    /// What the command reads, for errors.
    const WANTED: &'static str;
    /// What a file in which no line was a record holds instead, and the
    /// fix, from its first malformed line: `is a batch input file ...`.
    fn looks_like(line: u64, reason: &str) -> String;
    /// Whether a malformed line's reason says it is the other command's
    /// input (a request to `tally`, a response to `estimate`).
    fn is_other_side(reason: &str) -> bool;
}

impl BatchLine for OutputLine {
    const VERB: &'static str = "tally";
    const RECORDS: &'static str = "responses";
    const WANTED: &'static str =
        "batch output (JSON lines), saved responses (a JSON document) or a server-sent-event log";

    fn looks_like(line: u64, reason: &str) -> String {
        if Self::is_other_side(reason) {
            "is a batch input file (requests, not responses): use `nbcost estimate`".to_string()
        } else {
            format!("has no response nbcost can read (line {line}: {reason}): give {}", Self::WANTED)
        }
    }

    fn is_other_side(reason: &str) -> bool {
        reason == REQUEST_NOT_RESPONSE
    }

    /// A response's key: error lines are not billed, so their keys do not
    /// count as repeats.
    fn repeat_key(&self) -> Option<&str> {
        self.response_key()
    }

    fn sort(self) -> Sorted<Self> {
        match self {
            OutputLine::Blank => Sorted::Blank,
            OutputLine::Malformed { reason } => Sorted::Malformed(reason),
            line => Sorted::Record(line),
        }
    }
}

impl BatchLine for InputLine {
    const VERB: &'static str = "estimate";
    const RECORDS: &'static str = "requests";
    const WANTED: &'static str = "a batch input file (JSON lines of requests)";

    fn looks_like(line: u64, reason: &str) -> String {
        if Self::is_other_side(reason) {
            "holds responses, not requests: use `nbcost tally`".to_string()
        } else {
            format!("has no request nbcost can read (line {line}: {reason}): give {}", Self::WANTED)
        }
    }

    fn is_other_side(reason: &str) -> bool {
        reason == RESPONSE_NOT_REQUEST
    }

    fn repeat_key(&self) -> Option<&str> {
        self.request_key()
    }

    fn sort(self) -> Sorted<Self> {
        match self {
            InputLine::Blank => Sorted::Blank,
            InputLine::Malformed { reason } => Sorted::Malformed(reason),
            line => Sorted::Record(line),
        }
    }
}

/// Lines read, by what the driver made of them: `read` = `records` +
/// `malformed` + `blank`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// Every line read.
    pub read: u64,
    /// Lines handed to the caller.
    pub records: u64,
    /// Lines that could not be read (skipped).
    pub malformed: u64,
    /// Lines of whitespace only.
    pub blank: u64,
}

impl ReadCounts {
    /// Whether the parts add up to the lines read.
    pub fn adds_up(&self) -> bool {
        self.read == self.records + self.malformed + self.blank
    }
}

/// One file read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// The file as given (`stdin` for `-`).
    pub name: String,
    /// Its lines.
    pub counts: ReadCounts,
    /// Lines of the files read before it: its line `n` is line
    /// `offset + n` of the whole read.
    offset: u64,
}

/// Where a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// The file, as given (`stdin` for `-`).
    pub file: &'a str,
    /// Its position among the files read, from 0.
    pub file_index: usize,
    /// The 1-based line number in that file.
    pub line: u64,
}

/// Reads one or more batch files in order, keeping what every batch report
/// needs: line counts per file and in all, repeated keys across the files,
/// and the malformed lines (or, when strict, the first one as an error).
///
/// Each file's layout is told from its content ([`sniff`]): JSON lines and
/// server-sent events stream line by line; a whole JSON document is read
/// into memory (up to [`DOCUMENT_LIMIT`]) and its items (an array's
/// elements, a batch job's inlined responses, or the document itself) are
/// read as lines are, each numbered by the line it starts on. A file in
/// which nothing can be read as the command's input is an error that says
/// what the file holds instead; an empty file is counted as such.
#[derive(Debug)]
pub struct BatchReader {
    strict: bool,
    files: Vec<FileRead>,
    total: ReadCounts,
    keys: KeyTracker,
    malformed: Sightings<MalformedLine>,
    /// Lines spanned by the files read so far: the next file's offset.
    spanned: u64,
}

/// Where one file's reading stands.
struct FileState {
    index: usize,
    offset: u64,
    /// The highest line number met.
    last_line: u64,
    /// The first malformed line of the file.
    first_malformed: Option<(u64, String)>,
    /// Where `--strict` stopped.
    stopped: Option<(u64, String)>,
}

impl BatchReader {
    /// A reader that stops at the first malformed line when `strict`, and
    /// otherwise counts and lists malformed lines and goes on.
    pub fn new(strict: bool) -> Self {
        Self {
            strict,
            files: Vec::new(),
            total: ReadCounts::default(),
            keys: KeyTracker::new(),
            malformed: Sightings::default(),
            spanned: 0,
        }
    }

    /// Opens `path` (`-` for stdin; plain, gzip or zstd) and reads it with
    /// [`BatchReader::read_source`].
    pub fn read_path<L: BatchLine>(
        &mut self,
        path: &Path,
        options: &ScanOptions,
        visit: impl FnMut(Place<'_>, L, Option<Place<'_>>),
    ) -> Result<(), BatchFileError> {
        let file = display_name(path);
        let source = open_input(path).map_err(|error| match error {
            ScanError::Open { source, .. } | ScanError::Read { source, .. } => {
                BatchFileError::Open { file: file.clone(), reason: source }
            }
        })?;
        self.read_source(file, source, options, visit)
    }

    /// Reads every line (or document item) of `source` (named `file`) as an
    /// `L`, and hands each that is neither blank nor malformed to `visit`
    /// with its place and, when its key was seen before (in this file or an
    /// earlier one), the place of the key's first line.
    pub fn read_source<L: BatchLine, R: Read + Send>(
        &mut self,
        file: String,
        mut source: R,
        options: &ScanOptions,
        mut visit: impl FnMut(Place<'_>, L, Option<Place<'_>>),
    ) -> Result<(), BatchFileError> {
        let index = self.files.len();
        let offset = self.spanned;
        self.files.push(FileRead { name: file, counts: ReadCounts::default(), offset });
        let mut state = FileState { index, offset, last_line: 0, first_malformed: None, stopped: None };
        let name = self.files[index].name.clone();
        let file = || name.clone();
        let mut sniffed = sniff(&mut source).map_err(|reason| read_failure(file(), 0, reason))?;
        // Reading stopped early (a truncated compressed file): the lines
        // before the cut are still read, then the error is reported where
        // it struck. A document cut short cannot be read at all.
        let mut deferred = sniffed.error.take();
        if deferred.is_some() {
            let starts_a_line = sniffed.head.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'{');
            match sniffed.layout {
                Layout::Lines => {}
                Layout::Document if starts_a_line => sniffed.layout = Layout::Lines,
                _ => {
                    let line = memchr::memchr_iter(b'\n', &sniffed.head).count() as u64;
                    if let Some(reason) = deferred.take() {
                        return Err(read_failure(file(), line, reason));
                    }
                }
            }
        }
        match sniffed.layout {
            Layout::Empty => {
                // Whitespace only: its lines are blank lines, counted.
                let mut blank_lines = memchr::memchr_iter(b'\n', &sniffed.head).count() as u64;
                blank_lines += u64::from(sniffed.head.last().is_some_and(|&byte| byte != b'\n'));
                count_many(&mut self.files, &mut self.total, index, blank_lines, |counts| &mut counts.blank);
                state.last_line = blank_lines;
            }
            Layout::Binary => return Err(BatchFileError::Binary { file: file(), wanted: L::WANTED }),
            Layout::Utf16 => return Err(BatchFileError::Utf16 { file: file() }),
            Layout::TooLarge => {
                return Err(BatchFileError::TooLarge { file: file(), limit_mib: DOCUMENT_LIMIT >> 20 });
            }
            Layout::Document => {
                let items = match document_items(&sniffed.head) {
                    Ok(Items::Read(items)) => items,
                    Ok(Items::ResultsInFile(results)) => {
                        return Err(BatchFileError::ResultsInFile { file: file(), results });
                    }
                    Err(reason) => {
                        return Err(BatchFileError::BadDocument { file: file(), reason, wanted: L::WANTED });
                    }
                };
                for item in items {
                    let line = item.line.max(state.last_line + 1);
                    let record = if item.bytes.len() > options.max_line_bytes {
                        L::from_overlong_line(item.bytes.len() as u64, options.max_line_bytes)
                    } else {
                        L::from_line(item.bytes)
                    };
                    if self.take(&mut state, line, record, &mut visit).is_break() {
                        break;
                    }
                }
            }
            Layout::Lines => {
                let source = io::Cursor::new(sniffed.head).chain(ErrorOnce(deferred)).chain(source);
                let scanned = scan_line_runs(source, options, |line, scanned: Scanned<L>| match scanned {
                    Scanned::Record(record) => self.take(&mut state, line, record, &mut visit),
                    Scanned::Blanks(run) => {
                        self.take_blanks(&mut state, line, run);
                        ControlFlow::Continue(())
                    }
                });
                scanned.map_err(|error| match error {
                    ScanError::Read { lines_delivered, source } => {
                        read_failure(file(), lines_delivered, source)
                    }
                    ScanError::Open { source, .. } => BatchFileError::Open { file: file(), reason: source },
                })?;
            }
        }
        self.spanned += state.last_line.max(self.files[index].counts.read);
        let counts = self.files[index].counts;
        let file = name;
        if let Some((line, reason)) = state.stopped {
            if counts.records == 0 && L::is_other_side(&reason) {
                return Err(BatchFileError::NothingReadable { file, looks: L::looks_like(line, &reason) });
            }
            return Err(BatchFileError::Malformed { file, line, reason });
        }
        if counts.records == 0
            && let Some((line, reason)) = state.first_malformed
        {
            return Err(BatchFileError::NothingReadable { file, looks: L::looks_like(line, &reason) });
        }
        Ok(())
    }

    /// Takes `run` blank lines from `first_line` on: counts them.
    fn take_blanks(&mut self, state: &mut FileState, first_line: u64, run: u64) {
        state.last_line = state.last_line.max(first_line + run - 1);
        count_many(&mut self.files, &mut self.total, state.index, run, |counts| &mut counts.blank);
    }

    /// Takes one line or item: counts it, and hands a record to `visit`.
    fn take<L: BatchLine>(
        &mut self,
        state: &mut FileState,
        line_number: u64,
        line: L,
        visit: &mut impl FnMut(Place<'_>, L, Option<Place<'_>>),
    ) -> ControlFlow<()> {
        let index = state.index;
        state.last_line = state.last_line.max(line_number);
        let Self { strict, files, total, keys, malformed, .. } = self;
        let record = match line.sort() {
            Sorted::Record(record) => record,
            Sorted::Blank => {
                count(files, total, index, |counts| &mut counts.blank);
                return ControlFlow::Continue(());
            }
            Sorted::Malformed(reason) => {
                if *strict {
                    state.stopped = Some((line_number, reason));
                    return ControlFlow::Break(());
                }
                count(files, total, index, |counts| &mut counts.malformed);
                if state.first_malformed.is_none() {
                    state.first_malformed = Some((line_number, reason.clone()));
                }
                let name = &files[index].name;
                malformed.record(|| MalformedLine { file: name.clone(), line: line_number, reason });
                return ControlFlow::Continue(());
            }
        };
        count(files, total, index, |counts| &mut counts.records);
        let first = record.repeat_key().and_then(|key| match keys.see(key, state.offset + line_number) {
            KeySighting::First => None,
            KeySighting::Repeat { first_line } => Some(locate(files, first_line)),
        });
        let place = Place { file: &files[index].name, file_index: index, line: line_number };
        visit(place, record, first);
        ControlFlow::Continue(())
    }

    /// The files read, in order, with their line counts.
    pub fn files(&self) -> &[FileRead] {
        &self.files
    }

    /// The files in which nothing was read but blank lines, by name.
    pub fn empty_files(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .filter(|file| file.counts.records == 0 && file.counts.malformed == 0)
            .map(|file| file.name.as_str())
    }

    /// The error for a read in which every file was empty, if it was.
    pub fn all_empty<L: BatchLine>(&self) -> Option<BatchFileError> {
        let all = self.total.records == 0 && self.total.malformed == 0;
        let first = self.files.first().filter(|_| all)?;
        let contents = match first.counts.blank {
            0 => "is empty".to_string(),
            blank => format!("has no {} in {}", L::RECORDS, counted(blank, "blank line", "blank lines")),
        };
        Some(BatchFileError::Empty { file: first.name.clone(), verb: L::VERB, contents })
    }

    /// The line counts over every file.
    pub fn total(&self) -> ReadCounts {
        self.total
    }

    /// The malformed lines counted, the first few listed.
    pub fn into_malformed(self) -> Sightings<MalformedLine> {
        self.malformed
    }
}

/// Counts one line of the file at `index` in the file's counts and the
/// total, under the heading `kind` picks.
#[inline]
fn count(
    files: &mut [FileRead],
    total: &mut ReadCounts,
    index: usize,
    kind: fn(&mut ReadCounts) -> &mut u64,
) {
    count_many(files, total, index, 1, kind);
}

/// Counts `lines` lines as [`count`] counts one.
#[inline]
fn count_many(
    files: &mut [FileRead],
    total: &mut ReadCounts,
    index: usize,
    lines: u64,
    kind: fn(&mut ReadCounts) -> &mut u64,
) {
    for counts in [&mut files[index].counts, total] {
        counts.read += lines;
        *kind(counts) += lines;
    }
}

/// Why reading `file` stopped after `line` lines: trailing garbage after
/// gzip data, or any other failure of the system or a decoder.
fn read_failure(file: String, line: u64, reason: io::Error) -> BatchFileError {
    if reason.get_ref().is_some_and(|inner| inner.is::<TrailingGarbage>()) {
        return BatchFileError::TrailingGarbage { file, line };
    }
    BatchFileError::Read { file, line, reason }
}

/// The place of a line numbered over all the files read.
fn locate(files: &[FileRead], global_line: u64) -> Place<'_> {
    let index = files.partition_point(|file| file.offset < global_line).saturating_sub(1);
    Place { file: &files[index].name, file_index: index, line: global_line - files[index].offset }
}

/// A reader that fails once with its error, if it holds one, and is empty
/// otherwise: the error a read hit before the lines ahead of it were read.
struct ErrorOnce(Option<io::Error>);

impl Read for ErrorOnce {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(error) => Err(error),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &[u8] = include_bytes!("../../tests/fixtures/batch/output-mixed.jsonl");

    #[test]
    fn counts_every_sighting_and_lists_the_first_few() {
        let mut seen = Sightings::default();
        for line in 1..=25u64 {
            seen.record(|| line);
        }
        assert_eq!(seen.count, 25);
        assert_eq!(seen.shown, (1..=20).collect::<Vec<_>>());
        assert_eq!(seen.not_shown(), 5);
    }

    #[test]
    fn names_stdin_and_paths_as_given() {
        assert_eq!(display_name(Path::new("-")), "stdin");
        assert_eq!(display_name(Path::new("out/batch.jsonl.gz")), "out/batch.jsonl.gz");
    }

    #[test]
    fn tells_bad_data_from_a_failing_machine() {
        let read = |kind| BatchFileError::Read { file: "f".into(), line: 3, reason: io::Error::from(kind) };
        assert!(read(io::ErrorKind::InvalidData).is_bad_input());
        assert!(read(io::ErrorKind::UnexpectedEof).is_bad_input());
        assert!(!read(io::ErrorKind::PermissionDenied).is_bad_input());
        let missing = BatchReader::new(false)
            .read_path(Path::new("/no/such/out.jsonl"), &ScanOptions::default(), |_, _: OutputLine, _| {})
            .unwrap_err();
        assert!(missing.is_bad_input());
        assert!(
            missing.to_string().starts_with("cannot open `/no/such/out.jsonl`: No such file"),
            "{missing}"
        );
    }

    /// `output-mixed.jsonl` read twice: 11 lines each, 2 malformed and 1
    /// blank; key `a` repeats on line 4 of the first file, and every key of
    /// the second file repeats one of the first.
    #[test]
    fn counts_lines_per_file_and_finds_repeats_across_files() {
        let mut reader = BatchReader::new(false);
        let mut repeats = Vec::new();
        for name in ["one", "two"] {
            reader
                .read_source(name.into(), MIXED, &ScanOptions::default(), |place, _: OutputLine, first| {
                    if let Some(first) = first {
                        repeats.push((place.file.to_owned(), place.line, first.file.to_owned(), first.line));
                    }
                })
                .unwrap();
        }
        let each = ReadCounts { read: 11, records: 8, malformed: 2, blank: 1 };
        assert_eq!(reader.files().iter().map(|file| file.counts).collect::<Vec<_>>(), [each, each]);
        assert_eq!(reader.total(), ReadCounts { read: 22, records: 16, malformed: 4, blank: 2 });
        assert!(reader.total().adds_up());
        assert_eq!(repeats[0], ("one".to_owned(), 4, "one".to_owned(), 1));
        assert!(repeats[1..].iter().all(|(file, _, first_file, _)| file == "two" && first_file == "one"));
        assert_eq!(
            reader.into_malformed().shown.iter().map(|bad| bad.line).collect::<Vec<_>>(),
            [6, 7, 6, 7]
        );
    }

    #[test]
    fn stops_at_the_first_malformed_line_when_strict() {
        let error = BatchReader::new(true)
            .read_source("mixed".into(), MIXED, &ScanOptions::default(), |_, _: OutputLine, _| {})
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "`mixed` line 6 is malformed (not JSON: EOF while parsing a value at column 59): fix or remove the line, or drop --strict to count malformed lines and go on"
        );
    }
}

//! Stream chunks folded into the responses they are pieces of.
//!
//! A streamed answer arrives as chunks that share a `responseId` (an `id`
//! on the OpenAI-compatible endpoint), each carrying the usage *so far*
//! and the last one the totals; Vertex AI chunks may carry only
//! `trafficType` until the last. Billing every chunk would bill a response
//! several times over, so consecutive bare responses with the same ID are
//! one response: billed once, at the usage of the last chunk that carries
//! token counts (the totals; an earlier chunk may even report more thinking
//! tokens than the final count), with the images of every chunk.
//!
//! Only adjacent chunks fold, which keeps memory to one pending response
//! however long the file: chunks of one stream are written together in
//! practice, and an ID that comes back after another response is billed as
//! a response of its own. A chunk that names no stream folds into the one
//! before it (the events of an Interactions stream name their interaction
//! only at its start and its end). Batch lines (`{"key", "response"}`) are
//! never chunks and never fold.

use serde::Serialize;

use super::driver::Sightings;
use super::usage::Content;
use crate::scan::OutputLine;

/// Streams folded, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StreamSummary {
    /// Chunks (lines or items) that were folded into responses.
    pub chunks: u64,
    /// The responses they were folded into (each billed once).
    pub responses: u64,
    /// Streams none of whose chunks carried token counts: they cannot be
    /// priced, so the total is incomplete.
    pub without_usage: Sightings<StreamWithoutUsage>,
}

/// A stream whose chunks carried no token counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StreamWithoutUsage {
    /// The file.
    pub file: String,
    /// The line of its first chunk.
    pub line: u64,
    /// Its `responseId`.
    pub response_id: String,
    /// Its chunks.
    pub chunks: u64,
}

/// A response being assembled from its chunks.
#[derive(Debug)]
pub struct Pending {
    /// The stream's ID.
    pub id: String,
    /// The line of its first chunk.
    pub line: u64,
    /// Its chunks so far.
    pub chunks: u64,
    /// The chunk whose usage is billed (the latest with counts), as a
    /// [`OutputLine::Response`] with the images of every chunk; `None`
    /// while no chunk has carried token counts.
    pub best: Option<OutputLine>,
    /// The last `modelVersion` any chunk named.
    model_version: Option<String>,
    /// What the chunks hold: the images of every chunk, whether any had
    /// candidates (content that shows image or text), and the most search
    /// queries any chunk listed (a later chunk repeats the grounding of an
    /// earlier one, so they are not added up).
    content: Content,
}

/// What a line is to the folder.
pub enum Piece {
    /// A piece of the stream `id`: a bare response with an ID, or a chunk
    /// without token counts.
    Chunk { id: String, line: OutputLine },
    /// A chunk that names no stream (an event of an Interactions stream
    /// between its first and its last, an agent's user event): a piece of
    /// the stream being folded, if any.
    Loose(OutputLine),
    /// Anything else: passed through as it is.
    Other(OutputLine),
}

impl Pending {
    /// A stream begun by a chunk at `line`.
    pub fn new(id: String, line: u64) -> Pending {
        Pending { id, line, chunks: 0, best: None, model_version: None, content: Content::default() }
    }

    /// Takes one more chunk of the stream.
    pub fn add(&mut self, chunk: OutputLine) {
        self.chunks += 1;
        match chunk {
            OutputLine::Response { .. } => {
                let mut chunk = chunk;
                if let OutputLine::Response { model_version, usage, content, .. } = &mut chunk {
                    self.content.images += content.images;
                    self.content.candidates_present |= content.candidates_present;
                    self.content.search_queries = self.content.search_queries.max(content.search_queries);
                    if model_version.is_some() {
                        self.model_version.clone_from(model_version);
                    }
                    // Each chunk carries the usage so far and the last the
                    // totals (FORMATS: a later chunk may report fewer thinking
                    // tokens than an earlier one), so the latest chunk with
                    // counts bills. Lane fields a later chunk left out stay
                    // known.
                    if let Some(OutputLine::Response { usage: before, .. }) = &self.best {
                        usage.service_tier = usage.service_tier.or(before.service_tier);
                        usage.traffic_type = usage.traffic_type.or(before.traffic_type);
                    }
                }
                self.best = Some(chunk);
            }
            OutputLine::Chunk { model_version, inline_images, .. } => {
                self.content.images += inline_images;
                if model_version.is_some() {
                    self.model_version = model_version;
                }
            }
            OutputLine::Error { .. } | OutputLine::Blank | OutputLine::Malformed { .. } => {}
        }
    }

    /// The response the stream bills, when a chunk carried token counts.
    pub fn finish(self) -> Option<OutputLine> {
        let Pending { best, model_version, content, .. } = self;
        let mut best = best?;
        if let OutputLine::Response { model_version: own, content: own_content, .. } = &mut best {
            if model_version.is_some() {
                *own = model_version;
            }
            *own_content = content;
        }
        Some(best)
    }
}

/// Sorts a line for the folder: bare responses with an ID and usageless
/// chunks are pieces of a stream.
pub fn piece(line: OutputLine) -> Piece {
    match line {
        OutputLine::Response { wrapped: false, response_id: Some(ref id), .. } => {
            Piece::Chunk { id: id.clone(), line }
        }
        OutputLine::Chunk { response_id: Some(ref id), .. } => Piece::Chunk { id: id.clone(), line },
        OutputLine::Chunk { response_id: None, .. } => Piece::Loose(line),
        line => Piece::Other(line),
    }
}

#[cfg(test)]
mod tests {
    use crate::batch::{BatchReader, Responses};
    use crate::scan::ScanOptions;

    fn read(bytes: &[u8]) -> (Responses<'static>, BatchReader) {
        let card = Box::leak(Box::new(crate::card::RateCard::embedded()));
        let mut reader = BatchReader::new(false);
        let mut responses = Responses::new(card, None);
        reader
            .read_source("f".into(), bytes, &ScanOptions::default(), |place, line, first| {
                responses.add(place, line, first);
            })
            .unwrap();
        responses.finish();
        (responses, reader)
    }

    fn totals(responses: &Responses) -> (u128, u128, u128, u128) {
        let mut all = crate::batch::UsageSums::default();
        for (_, _, _, sums, _) in responses.sums.iter() {
            all.merge(sums);
        }
        (all.responses, all.images, all.prompt, all.candidates)
    }

    #[test]
    fn bills_a_stream_once_at_its_final_usage_with_every_chunks_images() {
        let (responses, _) = read(include_bytes!("../../tests/fixtures/shapes/stream-chunks.json"));
        assert_eq!(totals(&responses), (1, 1, 10, 1130));
        assert_eq!((responses.streams.chunks, responses.streams.responses), (3, 1));
        assert_eq!(responses.chunk_lines(), 2);
    }

    #[test]
    fn folds_vertex_chunks_that_carry_only_the_traffic_type() {
        let (responses, reader) = read(include_bytes!("../../tests/fixtures/shapes/vertex-stream.sse"));
        assert_eq!(totals(&responses), (1, 1, 10, 1130));
        assert_eq!(reader.total().blank, 3);
    }

    #[test]
    fn folds_only_adjacent_chunks_and_flags_a_stream_without_usage() {
        let lines = concat!(
            r#"{"responseId":"a","usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":5}}"#,
            "\n",
            r#"{"responseId":"b","usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":7}}"#,
            "\n",
            r#"{"responseId":"a","usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":9}}"#,
            "\n",
            r#"{"responseId":"c","candidates":[]}"#,
            "\n",
            r#"{"responseId":"c","candidates":[]}"#,
            "\n",
        );
        let (responses, _) = read(lines.as_bytes());
        // `a` comes back after `b`: a response of its own.
        assert_eq!(totals(&responses), (3, 0, 3, 21));
        assert_eq!(responses.streams.without_usage.count, 1);
        assert_eq!(responses.streams.without_usage.shown[0].chunks, 2);
        assert_eq!(responses.chunk_lines(), 2);
    }

    #[test]
    fn never_folds_batch_lines_that_share_an_id() {
        let line = r#"{"key":"k","response":{"responseId":"x","usageMetadata":{"promptTokenCount":1}}}"#;
        let (responses, _) = read(format!("{line}\n{line}\n").as_bytes());
        assert_eq!(totals(&responses).0, 2);
    }
}

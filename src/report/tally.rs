//! `tally`: what a batch job cost, exactly, from its output files.
//!
//! Each response is billed by its own `usageMetadata`, at the token rates
//! of the model its `modelVersion` names, which is how the invoice is
//! computed. Cost is linear in tokens, so the scan only sums tokens per
//! (model version, image tokens per image) and the sums are priced once at
//! the end: the same exact decimals as pricing every response, without
//! pricing work on the hot path.
//!
//! Nothing is dropped silently: lines read = responses + error lines +
//! malformed lines + blank lines, a model the card does not know is
//! reported unpriced (never $0), and a response whose output cannot be
//! split into image and text is priced at the image rate and counted.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::batch_file::{BatchFileError, MalformedLine, Sightings, display_name, read_file, read_source};
use super::{CardInfo, money as money_str, opt_money};
use crate::card::{Model, RateCard, UnknownModel};
use crate::error::{ErrorKind, Kind};
use crate::lane::Lane;
use crate::money::{self, Overflow, counted, grouped, narrow};
use crate::render::document::{Cell, Column, Document, Table};
use crate::scan::{KeySighting, KeyTracker, OutputLine, ScanOptions, Usage};

/// What to tally, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRequest {
    /// Output files in order; `-` is stdin. Gzip is read directly.
    pub files: Vec<PathBuf>,
    /// The lane the job ran on (batch for Batch API output).
    pub lane: Lane,
    /// The model for responses that name no `modelVersion`, as typed.
    pub model: Option<String>,
    /// Stop at the first malformed line instead of counting it.
    pub strict: bool,
    /// How to scan.
    pub scan: ScanOptions,
}

/// Why a tally cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum TallyError {
    /// `--model` names no model in the card.
    #[error(transparent)]
    UnknownModel(#[from] UnknownModel),
    /// A file could not be read through.
    #[error(transparent)]
    File(#[from] BatchFileError),
    /// A sum outgrew exact arithmetic.
    #[error("the totals are too large to compute exactly; tally fewer files at a time")]
    Overflow,
}

impl Kind for TallyError {
    fn kind(&self) -> ErrorKind {
        match self {
            TallyError::UnknownModel(error) => error.kind(),
            TallyError::File(error) => error.kind(),
            TallyError::Overflow => ErrorKind::Input,
        }
    }
}

impl From<Overflow> for TallyError {
    fn from(Overflow: Overflow) -> Self {
        TallyError::Overflow
    }
}

/// The answer to `nbcost tally`.
#[derive(Debug, Clone, Serialize)]
pub struct TallyReport {
    /// The rate card the prices come from.
    pub card: CardInfo,
    /// The lane priced (`batch` unless `--lane` says otherwise).
    pub lane: Lane,
    /// Always `tokens`: each response's own token counts × per-1M rates.
    pub basis: &'static str,
    /// The model given with `--model` for responses without `modelVersion`.
    pub fallback_model: Option<String>,
    /// Line counts over every file: `read` = `responses` + `error_lines` +
    /// `malformed_lines` + `blank_lines`.
    pub lines: LineCounts,
    /// The same counts per file, in the order given.
    pub files: Vec<FileLines>,
    /// One row per card model (or unpriced model version) and inferred
    /// size, priced models first in card order, smallest images first.
    pub rows: Vec<TallyRow>,
    /// The grand total.
    pub total: TallyTotal,
    /// Responses for a key that an earlier response had: each is billed.
    pub duplicates: Duplicates,
    /// Lines reporting an error status: not billed.
    pub errors: ErrorLines,
    /// Lines that could not be read, skipped and counted.
    pub malformed: Sightings<MalformedLine>,
}

/// How many lines of each kind were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LineCounts {
    /// Every line read.
    pub read: u64,
    /// Lines holding a response (billed), repeats of a key included.
    pub responses: u64,
    /// Lines holding an error status (not billed).
    pub error_lines: u64,
    /// Lines that could not be read (skipped).
    pub malformed_lines: u64,
    /// Lines of whitespace only.
    pub blank_lines: u64,
}

impl LineCounts {
    fn add(&mut self, line: &OutputLine) {
        self.read += 1;
        match line {
            OutputLine::Response { .. } => self.responses += 1,
            OutputLine::Error { .. } => self.error_lines += 1,
            OutputLine::Malformed { .. } => self.malformed_lines += 1,
            OutputLine::Blank => self.blank_lines += 1,
        }
    }
}

/// One file's line counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileLines {
    /// The file as given (`stdin` for `-`).
    pub file: String,
    /// Its counts, which add up as in [`LineCounts`].
    #[serde(flatten)]
    pub lines: LineCounts,
}

/// Responses of one model priced at one inferred size.
#[derive(Debug, Clone, Serialize)]
pub struct TallyRow {
    /// The card's model ID; `null` when the model is not priced.
    pub model: Option<String>,
    /// The card's product name; `null` when not priced.
    pub model_name: Option<String>,
    /// Every `modelVersion` as written in the responses of this row;
    /// `null` stands for responses that named none.
    pub model_versions: Vec<Option<String>>,
    /// The size inferred from image tokens per image: `2K`, `1K/2K` where
    /// the sizes count the same tokens, `unknown (N tokens/image)`, or
    /// `no image`.
    pub size: String,
    /// Image output tokens per image behind the inferred size.
    pub image_tokens_per_image: u64,
    /// Responses.
    pub responses: u64,
    /// Inline images in the responses (thought images left out).
    pub images: u64,
    /// Prompt tokens (`promptTokenCount`), billed at the input rate.
    pub prompt_tokens: u64,
    /// Of which TEXT, as `promptTokensDetails` says.
    pub prompt_text_tokens: u64,
    /// Of which IMAGE (reference images), as `promptTokensDetails` says.
    pub prompt_image_tokens: u64,
    /// Output tokens billed at the image output rate: IMAGE candidate
    /// tokens, or every candidate token where the response has no
    /// `candidatesTokensDetails`.
    pub image_output_tokens: u64,
    /// Candidate tokens not labelled IMAGE, billed at the text rate.
    pub text_output_tokens: u64,
    /// Thinking tokens (`thoughtsTokenCount`), billed at the text rate.
    pub thoughts_tokens: u64,
    /// Sum of `totalTokenCount`, for checking against the console.
    pub total_tokens: u64,
    /// Responses without `candidatesTokensDetails`, whose output tokens are
    /// all priced at the image rate (an assumption, never silent).
    pub responses_without_output_split: u64,
    /// Dollars for the prompt tokens; `null` when not priced.
    #[serde(serialize_with = "opt_money")]
    pub input_cost: Option<Decimal>,
    /// Dollars for the image output tokens; `null` when not priced.
    #[serde(serialize_with = "opt_money")]
    pub image_output_cost: Option<Decimal>,
    /// Dollars for the text and thinking tokens; `null` when not priced.
    #[serde(serialize_with = "opt_money")]
    pub text_output_cost: Option<Decimal>,
    /// Dollars for the row, exact; `null` when not priced.
    #[serde(serialize_with = "opt_money")]
    pub cost: Option<Decimal>,
    /// Why the row is not priced, when it is not.
    pub unpriced_reason: Option<String>,
}

/// The grand total.
#[derive(Debug, Clone, Serialize)]
pub struct TallyTotal {
    /// Responses, priced or not.
    pub responses: u64,
    /// Responses priced.
    pub priced_responses: u64,
    /// Responses of models the card does not price; when not 0 the cost is
    /// incomplete and the exit code is 6.
    pub unpriced_responses: u64,
    /// Inline images in all responses.
    pub images: u64,
    /// Dollars for prompt tokens of priced responses.
    #[serde(serialize_with = "money_str")]
    pub input_cost: Decimal,
    /// Dollars for image output tokens of priced responses.
    #[serde(serialize_with = "money_str")]
    pub image_output_cost: Decimal,
    /// Dollars for text and thinking tokens of priced responses.
    #[serde(serialize_with = "money_str")]
    pub text_output_cost: Decimal,
    /// Dollars for every priced response, exact.
    #[serde(serialize_with = "money_str")]
    pub cost: Decimal,
    /// Whether every response was priced.
    pub complete: bool,
    /// Responses priced at the image rate for want of
    /// `candidatesTokensDetails`.
    pub responses_without_output_split: u64,
}

/// Responses for keys seen before.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicates {
    /// Extra responses (a key seen three times counts 2), with the first
    /// few listed.
    #[serde(flatten)]
    pub responses: Sightings<DuplicateKey>,
    /// Dollars those extra responses cost (priced ones only); already in
    /// the total.
    #[serde(serialize_with = "money_str")]
    pub cost: Decimal,
}

/// One response for a key seen before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateKey {
    /// The key.
    pub key: String,
    /// The file of this response.
    pub file: String,
    /// Its line.
    pub line: u64,
    /// The file of the key's first response.
    pub first_file: String,
    /// The line of the key's first response.
    pub first_line: u64,
}

/// Error lines.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ErrorLines {
    /// Error lines by code, in code order (`null`: no integer code).
    pub by_code: Vec<ErrorCount>,
    /// Every error line counted, the first few listed.
    #[serde(flatten)]
    pub lines: Sightings<ErrorLine>,
}

/// How many error lines had one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorCount {
    /// The error code (`429`, `400`, ...), or `null`.
    pub code: Option<i64>,
    /// Lines with it.
    pub count: u64,
}

/// One error line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorLine {
    /// The file.
    pub file: String,
    /// The line.
    pub line: u64,
    /// The request key, when the line has one.
    pub key: Option<String>,
    /// The error code, when it is an integer.
    pub code: Option<i64>,
    /// The error message, when there is one.
    pub message: Option<String>,
}

/// Token sums of responses priced alike. `u128` so that no file can
/// overflow them; they are narrowed (checked) when priced.
#[derive(Debug, Clone, Copy, Default)]
struct TokenSums {
    responses: u128,
    images: u128,
    prompt: u128,
    prompt_text: u128,
    prompt_image: u128,
    image_output: u128,
    text_output: u128,
    thoughts: u128,
    total: u128,
    without_output_split: u128,
}

/// What one response bills at the image rate and at the text rate.
fn output_split(usage: &Usage) -> (u64, u64) {
    if usage.candidates_details_present {
        let unlabelled = usage.candidates_tokens.saturating_sub(usage.candidate_image_tokens);
        (usage.candidate_image_tokens, usage.candidate_text_tokens.max(unlabelled))
    } else {
        (usage.candidates_tokens, 0)
    }
}

/// Image tokens per image: the image tokens split evenly over the images
/// when there are several and they divide evenly, else all of them.
fn tokens_per_image(image_tokens: u64, images: u64) -> u64 {
    if images > 1 && image_tokens.is_multiple_of(images) { image_tokens / images } else { image_tokens }
}

impl TokenSums {
    fn add(&mut self, usage: &Usage, images: u64) {
        let (image_output, text_output) = output_split(usage);
        self.responses += 1;
        self.images += u128::from(images);
        self.prompt += u128::from(usage.prompt_tokens);
        self.prompt_text += u128::from(usage.prompt_text_tokens);
        self.prompt_image += u128::from(usage.prompt_image_tokens);
        self.image_output += u128::from(image_output);
        self.text_output += u128::from(text_output);
        self.thoughts += u128::from(usage.thoughts_tokens);
        self.total += u128::from(usage.total_tokens);
        self.without_output_split += u128::from(!usage.candidates_details_present);
    }

    fn merge(&mut self, other: &TokenSums) {
        self.responses += other.responses;
        self.images += other.images;
        self.prompt += other.prompt;
        self.prompt_text += other.prompt_text;
        self.prompt_image += other.prompt_image;
        self.image_output += other.image_output;
        self.text_output += other.text_output;
        self.thoughts += other.thoughts;
        self.total += other.total;
        self.without_output_split += other.without_output_split;
    }
}

/// Token sums by model version, then by image tokens per image.
#[derive(Debug, Default)]
struct SumsByVersion {
    named: HashMap<String, BTreeMap<u64, TokenSums>>,
    unnamed: BTreeMap<u64, TokenSums>,
}

impl SumsByVersion {
    fn add(&mut self, version: Option<String>, usage: &Usage, images: u64) {
        let per_image = tokens_per_image(output_split(usage).0, images);
        let shapes = match version {
            Some(version) => self.named.entry(version).or_default(),
            None => &mut self.unnamed,
        };
        shapes.entry(per_image).or_default().add(usage, images);
    }

    fn iter(&self) -> impl Iterator<Item = (Option<&str>, u64, &TokenSums)> {
        let named = self.named.iter().flat_map(|(version, shapes)| {
            shapes.iter().map(move |(per_image, sums)| (Some(version.as_str()), *per_image, sums))
        });
        let unnamed = self.unnamed.iter().map(|(per_image, sums)| (None, *per_image, sums));
        named.chain(unnamed)
    }
}

/// Everything gathered while reading; priced by [`TallyBuilder::finish`].
struct TallyBuilder<'card> {
    strict: bool,
    lines: LineCounts,
    files: Vec<FileLines>,
    /// The global line number each file starts after.
    file_offsets: Vec<u64>,
    keys: KeyTracker,
    sums: SumsByVersion,
    duplicate_sums: SumsByVersion,
    duplicates: Sightings<DuplicateKey>,
    error_codes: BTreeMap<Option<i64>, u64>,
    errors: Sightings<ErrorLine>,
    malformed: Sightings<MalformedLine>,
    fallback: Option<&'card Model>,
}

impl<'card> TallyBuilder<'card> {
    fn new(strict: bool, fallback: Option<&'card Model>) -> Self {
        Self {
            strict,
            lines: LineCounts::default(),
            files: Vec::new(),
            file_offsets: Vec::new(),
            keys: KeyTracker::new(),
            sums: SumsByVersion::default(),
            duplicate_sums: SumsByVersion::default(),
            duplicates: Sightings::default(),
            error_codes: BTreeMap::new(),
            errors: Sightings::default(),
            malformed: Sightings::default(),
            fallback,
        }
    }

    fn start_file(&mut self, file: String) {
        self.file_offsets.push(self.lines.read);
        self.files.push(FileLines { file, lines: LineCounts::default() });
    }

    /// The file and line of a global line number.
    fn locate(&self, global_line: u64) -> (String, u64) {
        let index = self.file_offsets.partition_point(|&offset| offset < global_line).saturating_sub(1);
        (self.files[index].file.clone(), global_line - self.file_offsets[index])
    }

    /// Takes one line; `Err` carries the reason when `--strict` must stop.
    fn add(&mut self, line_number: u64, line: OutputLine) -> Result<(), String> {
        self.lines.add(&line);
        let current = self.files.len() - 1;
        self.files[current].lines.add(&line);
        match line {
            OutputLine::Response { key, model_version, usage, inline_images } => {
                let global = self.file_offsets[current] + line_number;
                if let Some(key) = key
                    && let KeySighting::Repeat { first_line } = self.keys.see(&key, global)
                {
                    self.duplicate_sums.add(model_version.clone(), &usage, inline_images);
                    let (first_file, first_line) = self.locate(first_line);
                    let file = self.files[current].file.clone();
                    self.duplicates.record(|| DuplicateKey {
                        key,
                        file,
                        line: line_number,
                        first_file,
                        first_line,
                    });
                }
                self.sums.add(model_version, &usage, inline_images);
            }
            OutputLine::Error { key, code, message } => {
                *self.error_codes.entry(code).or_default() += 1;
                let file = &self.files[current].file;
                self.errors.record(|| ErrorLine {
                    file: file.clone(),
                    line: line_number,
                    key,
                    code,
                    message,
                });
            }
            OutputLine::Malformed { reason } => {
                if self.strict {
                    return Err(reason);
                }
                let file = &self.files[current].file;
                self.malformed.record(|| MalformedLine { file: file.clone(), line: line_number, reason });
            }
            OutputLine::Blank => {}
        }
        Ok(())
    }

    fn finish(self, card: &RateCard, lane: Lane, today: Date) -> Result<TallyReport, TallyError> {
        let rows = price_rows(card, lane, &self.sums, self.fallback)?;
        let duplicate_rows = price_rows(card, lane, &self.duplicate_sums, self.fallback)?;
        let priced = |rows: &[TallyRow], part: fn(&TallyRow) -> Option<Decimal>| {
            money::sum(rows.iter().filter_map(part)).map_err(TallyError::from)
        };
        let count = |rows: &[TallyRow], want_priced: bool| {
            rows.iter().filter(|row| row.cost.is_some() == want_priced).map(|row| row.responses).sum::<u64>()
        };
        let unpriced_responses = count(&rows, false);
        let total = TallyTotal {
            responses: rows.iter().map(|row| row.responses).sum(),
            priced_responses: count(&rows, true),
            unpriced_responses,
            images: rows.iter().map(|row| row.images).sum(),
            input_cost: priced(&rows, |row| row.input_cost)?,
            image_output_cost: priced(&rows, |row| row.image_output_cost)?,
            text_output_cost: priced(&rows, |row| row.text_output_cost)?,
            cost: priced(&rows, |row| row.cost)?,
            complete: unpriced_responses == 0,
            responses_without_output_split: rows.iter().map(|row| row.responses_without_output_split).sum(),
        };
        Ok(TallyReport {
            card: CardInfo::new(card, today),
            lane,
            basis: "tokens",
            fallback_model: self.fallback.map(|model| model.id.clone()),
            lines: self.lines,
            files: self.files,
            rows,
            total,
            duplicates: Duplicates {
                cost: priced(&duplicate_rows, |row| row.cost)?,
                responses: self.duplicates,
            },
            errors: ErrorLines {
                by_code: self
                    .error_codes
                    .into_iter()
                    .map(|(code, count)| ErrorCount { code, count })
                    .collect(),
                lines: self.errors,
            },
            malformed: self.malformed,
        })
    }
}

/// The card model a `modelVersion` names: by ID, successor ID or alias;
/// else the model whose ID or successor ID is the longest prefix of it
/// followed by `-` (a dated version such as `...-preview-2026-02-26`).
pub fn model_for_version<'card>(card: &'card RateCard, version: &str) -> Option<&'card Model> {
    let version = version.trim().strip_prefix("models/").unwrap_or(version.trim());
    if let Ok(found) = card.resolve(version) {
        return Some(found.model);
    }
    let folded = version.to_lowercase();
    card.models
        .iter()
        .flat_map(|model| std::iter::once(&model.id).chain(&model.successor).map(move |name| (model, name)))
        .filter(|(_, name)| {
            let name = name.to_lowercase();
            folded.strip_prefix(&name).is_some_and(|rest| rest.starts_with('-'))
        })
        .max_by_key(|(_, name)| name.len())
        .map(|(model, _)| model)
}

/// Where a row's responses go: a card model (by its place in the card) or
/// an unpriced model version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum RowModel {
    Priced(usize),
    Unpriced(Option<String>),
}

/// The size label for `per_image` image tokens of `model`.
fn size_label(model: Option<&Model>, per_image: u64) -> String {
    if per_image == 0 {
        return "no image".to_string();
    }
    let matches: Vec<&str> = model
        .into_iter()
        .flat_map(|model| &model.sizes)
        .filter(|row| row.output_tokens == per_image)
        .map(|row| row.size.api_value())
        .collect();
    if matches.is_empty() { format!("unknown ({per_image} tokens/image)") } else { matches.join("/") }
}

/// The model versions seen in a row, and its sums.
type RowSums = (Vec<Option<String>>, TokenSums);

fn price_rows(
    card: &RateCard,
    lane: Lane,
    sums: &SumsByVersion,
    fallback: Option<&Model>,
) -> Result<Vec<TallyRow>, TallyError> {
    let mut grouped: BTreeMap<(RowModel, u64), RowSums> = BTreeMap::new();
    let mut resolved: HashMap<Option<&str>, RowModel> = HashMap::new();
    for (version, per_image, shape_sums) in sums.iter() {
        let row_model = resolved
            .entry(version)
            .or_insert_with(|| {
                let model = match version {
                    Some(version) => model_for_version(card, version),
                    None => fallback,
                };
                let place = model.and_then(|model| card.models.iter().position(|m| m.id == model.id));
                match place {
                    Some(index) => RowModel::Priced(index),
                    None => RowModel::Unpriced(version.map(str::to_owned)),
                }
            })
            .clone();
        let (versions, row_sums) = grouped.entry((row_model, per_image)).or_default();
        let version = version.map(str::to_owned);
        if !versions.contains(&version) {
            versions.push(version);
        }
        row_sums.merge(shape_sums);
    }
    grouped
        .into_iter()
        .map(|((row_model, per_image), (mut versions, sums))| {
            versions.sort();
            let model = match row_model {
                RowModel::Priced(index) => Some(&card.models[index]),
                RowModel::Unpriced(_) => None,
            };
            build_row(model, lane, versions, per_image, &sums)
        })
        .collect()
}

fn build_row(
    model: Option<&Model>,
    lane: Lane,
    model_versions: Vec<Option<String>>,
    per_image: u64,
    sums: &TokenSums,
) -> Result<TallyRow, TallyError> {
    let prompt_tokens = narrow(sums.prompt)?;
    let image_output_tokens = narrow(sums.image_output)?;
    let text_output_tokens = narrow(sums.text_output)?;
    let thoughts_tokens = narrow(sums.thoughts)?;
    let rates = model.and_then(|model| model.tokens.get(&lane));
    let unpriced_reason = match (model, rates) {
        (Some(_), Some(_)) => None,
        (Some(model), None) => {
            Some(format!("{} has no {lane} lane in the rate card (it has {})", model.id, model.lane_list()))
        }
        (None, _) if model_versions == [None] => {
            Some("the responses name no modelVersion: give --model to price them".to_string())
        }
        (None, _) => Some("the model is not in the rate card: pass a card that lists it with --rates".into()),
    };
    let (input_cost, image_output_cost, text_output_cost, cost) = match rates {
        Some(rates) => {
            let input = money::per_million(prompt_tokens, rates.input)?;
            let image = money::per_million(image_output_tokens, rates.image_output)?;
            let text_tokens = text_output_tokens.checked_add(thoughts_tokens).ok_or(TallyError::Overflow)?;
            let text = money::per_million(text_tokens, rates.text_output)?;
            (Some(input), Some(image), Some(text), Some(money::sum([input, image, text])?))
        }
        None => (None, None, None, None),
    };
    Ok(TallyRow {
        model: rates.and(model).map(|model| model.id.clone()),
        model_name: rates.and(model).map(|model| model.name.clone()),
        model_versions,
        size: size_label(model, per_image),
        image_tokens_per_image: per_image,
        responses: narrow(sums.responses)?,
        images: narrow(sums.images)?,
        prompt_tokens,
        prompt_text_tokens: narrow(sums.prompt_text)?,
        prompt_image_tokens: narrow(sums.prompt_image)?,
        image_output_tokens,
        text_output_tokens,
        thoughts_tokens,
        total_tokens: narrow(sums.total)?,
        responses_without_output_split: narrow(sums.without_output_split)?,
        input_cost,
        image_output_cost,
        text_output_cost,
        cost,
        unpriced_reason,
    })
}

impl TallyReport {
    /// Reads every file of `request` and prices what it finds with `card`.
    pub fn build(card: &RateCard, request: &TallyRequest, today: Date) -> Result<TallyReport, TallyError> {
        let fallback = request.model.as_deref().map(|name| card.resolve(name)).transpose()?.map(|r| r.model);
        let mut builder = TallyBuilder::new(request.strict, fallback);
        for path in &request.files {
            builder.start_file(display_name(path));
            read_file(path, &request.scan, |line_number, line| builder.add(line_number, line))?;
        }
        builder.finish(card, request.lane, today)
    }

    /// Tallies lines already in memory, as if read from a file named `name`.
    pub fn from_bytes(
        card: &RateCard,
        name: &str,
        bytes: &[u8],
        lane: Lane,
        today: Date,
    ) -> Result<TallyReport, TallyError> {
        let mut builder = TallyBuilder::new(false, None);
        builder.start_file(name.to_string());
        read_source(name, bytes, &ScanOptions::default(), |line_number, line| {
            builder.add(line_number, line)
        })?;
        builder.finish(card, lane, today)
    }

    /// Whether some responses could not be priced, so the total is short.
    pub fn is_incomplete(&self) -> bool {
        !self.total.complete
    }
}

fn versions_text(versions: &[Option<String>]) -> String {
    versions.iter().map(|version| version.as_deref().unwrap_or("(none)")).collect::<Vec<_>>().join(", ")
}

impl crate::render::Report for TallyReport {
    const KIND: &'static str = "tally";

    fn document(&self) -> Document {
        let lines = &self.lines;
        let mut facts = vec![
            ("files".to_string(), self.files.iter().map(|f| f.file.as_str()).collect::<Vec<_>>().join(", ")),
            (
                "lines".to_string(),
                format!(
                    "{} read = {} + {} (not billed) + {} (skipped) + {}",
                    grouped(lines.read),
                    counted(lines.responses, "response", "responses"),
                    counted(lines.error_lines, "error line", "error lines"),
                    counted(lines.malformed_lines, "malformed line", "malformed lines"),
                    counted(lines.blank_lines, "blank line", "blank lines"),
                ),
            ),
            ("lane".to_string(), self.lane.to_string()),
            (
                "basis".to_string(),
                "tokens: each response's usageMetadata × the card's per-1M-token rates".into(),
            ),
        ];
        let total = &self.total;
        let mut total_text = format!(
            "{} (exactly {}) for {}",
            money::dollars(total.cost),
            money::plain(total.cost),
            counted(total.priced_responses, "priced response", "priced responses")
        );
        if !total.complete {
            total_text.push_str(&format!(
                "; INCOMPLETE: {} not priced",
                counted(total.unpriced_responses, "response", "responses")
            ));
        }
        facts.push(("total".to_string(), total_text));
        facts.push((
            "cost by part".to_string(),
            format!(
                "input {}, image output {}, text and thinking {}",
                money::unit_dollars(total.input_cost),
                money::unit_dollars(total.image_output_cost),
                money::unit_dollars(total.text_output_cost)
            ),
        ));
        if !self.duplicates.responses.is_empty() {
            facts.push((
                "repeated keys".to_string(),
                format!(
                    "{} for keys already answered, billed {} (in the total)",
                    counted(self.duplicates.responses.count, "extra response", "extra responses"),
                    money::unit_dollars(self.duplicates.cost)
                ),
            ));
        }
        if let Some(model) = &self.fallback_model {
            facts.push(("--model".to_string(), format!("{model}, for responses without modelVersion")));
        }
        facts.push(("rate card".to_string(), self.card.summary()));

        let mut tables = vec![Table {
            title: None,
            columns: vec![
                Column::new("model", "model"),
                Column::new("model version", "model_versions"),
                Column::new("size", "size"),
                Column::new("responses", "responses"),
                Column::new("images", "images"),
                Column::new("input tokens", "prompt_tokens"),
                Column::new("image tokens", "image_output_tokens"),
                Column::new("text tokens", "text_output_tokens"),
                Column::new("thinking tokens", "thoughts_tokens"),
                Column::new("cost", "cost"),
            ],
            rows: self
                .rows
                .iter()
                .map(|row| {
                    vec![
                        match (&row.model, &row.model_name) {
                            (Some(id), Some(name)) => Cell::Name { human: name.clone(), id: id.clone() },
                            _ => Cell::text("unpriced"),
                        },
                        Cell::text(versions_text(&row.model_versions)),
                        Cell::text(&row.size),
                        Cell::Count(row.responses),
                        Cell::Count(row.images),
                        Cell::Count(row.prompt_tokens),
                        Cell::Count(row.image_output_tokens),
                        Cell::Count(row.text_output_tokens),
                        Cell::Count(row.thoughts_tokens),
                        row.cost.map_or(Cell::text("not priced"), Cell::Unit),
                    ]
                })
                .collect(),
        }];
        if self.files.len() > 1 {
            tables.push(Table {
                title: Some("Lines per file".into()),
                columns: vec![
                    Column::new("file", "file"),
                    Column::new("lines", "read"),
                    Column::new("responses", "responses"),
                    Column::new("error lines", "error_lines"),
                    Column::new("malformed", "malformed_lines"),
                    Column::new("blank", "blank_lines"),
                ],
                rows: self
                    .files
                    .iter()
                    .map(|file| {
                        vec![
                            Cell::text(&file.file),
                            Cell::Count(file.lines.read),
                            Cell::Count(file.lines.responses),
                            Cell::Count(file.lines.error_lines),
                            Cell::Count(file.lines.malformed_lines),
                            Cell::Count(file.lines.blank_lines),
                        ]
                    })
                    .collect(),
            });
        }
        if !self.duplicates.responses.is_empty() {
            tables.push(Table {
                title: Some(listed_title(
                    "Repeated keys (each extra response is billed)",
                    &self.duplicates.responses,
                )),
                columns: vec![
                    Column::new("key", "key"),
                    Column::new("file", "file"),
                    Column::new("line", "line"),
                    Column::new("first seen", "first_seen"),
                ],
                rows: self
                    .duplicates
                    .responses
                    .shown
                    .iter()
                    .map(|dup| {
                        vec![
                            Cell::text(&dup.key),
                            Cell::text(&dup.file),
                            Cell::Count(dup.line),
                            Cell::text(format!("{} line {}", dup.first_file, dup.first_line)),
                        ]
                    })
                    .collect(),
            });
        }
        if !self.errors.lines.is_empty() {
            tables.push(Table {
                title: Some(listed_title("Error lines (not billed)", &self.errors.lines)),
                columns: vec![
                    Column::new("file", "file"),
                    Column::new("line", "line"),
                    Column::new("key", "key"),
                    Column::new("code", "code"),
                    Column::new("message", "message"),
                ],
                rows: self
                    .errors
                    .lines
                    .shown
                    .iter()
                    .map(|error| {
                        vec![
                            Cell::text(&error.file),
                            Cell::Count(error.line),
                            Cell::text(error.key.clone().unwrap_or_default()),
                            error.code.map_or(Cell::Empty, |code| Cell::text(code.to_string())),
                            Cell::text(error.message.clone().unwrap_or_default()),
                        ]
                    })
                    .collect(),
            });
        }
        if !self.malformed.is_empty() {
            tables.push(malformed_table(&self.malformed));
        }
        let mut notes = Vec::new();
        if total.responses_without_output_split > 0 {
            notes.push(format!(
                "{} no candidatesTokensDetails, so image and text output cannot be told apart: all their output tokens are priced at the image rate (an upper bound).",
                counted(total.responses_without_output_split, "response has", "responses have")
            ));
        }
        for row in self.rows.iter().filter(|row| row.cost.is_none()) {
            notes.push(format!(
                "Not priced: {} of model version {}: {}.",
                counted(row.responses, "response", "responses"),
                versions_text(&row.model_versions),
                row.unpriced_reason.as_deref().unwrap_or("unknown model")
            ));
        }
        if !total.complete {
            notes.push(
                "The total is incomplete: it leaves out the responses not priced (exit code 6).".into(),
            );
        }
        let cost = if total.complete {
            money::dollars(total.cost)
        } else {
            format!(
                "{} for the responses priced, INCOMPLETE: {} not priced",
                money::dollars(total.cost),
                counted(total.unpriced_responses, "response", "responses")
            )
        };
        Document {
            title: format!(
                "Tally: {} on the {} lane, {cost}",
                counted(total.responses, "response", "responses"),
                self.lane,
            ),
            facts,
            tables,
            notes,
        }
    }
}

/// A table title with "first N of M" when the list is cut.
pub(crate) fn listed_title<T>(title: &str, sightings: &Sightings<T>) -> String {
    if sightings.not_shown() > 0 {
        format!("{title}: first {} of {}", sightings.shown.len(), grouped(sightings.count))
    } else {
        title.to_string()
    }
}

/// The table of malformed lines, shared with `estimate`.
pub(crate) fn malformed_table(malformed: &Sightings<MalformedLine>) -> Table {
    Table {
        title: Some(listed_title("Malformed lines (skipped)", malformed)),
        columns: vec![
            Column::new("file", "file"),
            Column::new("line", "line"),
            Column::new("reason", "reason"),
        ],
        rows: malformed
            .shown
            .iter()
            .map(|bad| vec![Cell::text(&bad.file), Cell::Count(bad.line), Cell::text(&bad.reason)])
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::report::testing::today;
    use crate::synth::{SynthSpec, write_batch_output};

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn tally(bytes: &[u8], lane: Lane) -> TallyReport {
        TallyReport::from_bytes(&RateCard::embedded(), "test.jsonl", bytes, lane, today()).unwrap()
    }

    fn adds_up(lines: &LineCounts) -> bool {
        lines.read == lines.responses + lines.error_lines + lines.malformed_lines + lines.blank_lines
    }

    /// `tests/fixtures/batch/output-mixed.jsonl`, batch rates per 1M tokens
    /// (input / text / image): Nano Banana 2 0.25 / 1.50 / 30, Pro 1 / 6 / 60.
    /// - line 1, key a, flash 2K: 12 × 0.25 + 1680 × 30 = 0.000003 + 0.0504 = 0.050403
    /// - line 2, key b, pro 4K, snake_case: 580 × 1 + 2000 × 60 + (10 text + 100 thinking) × 6
    ///   = 0.00058 + 0.12 + 0.00066 = 0.12124
    /// - line 3, error 429; line 10, error 400: not billed
    /// - line 4, key a again: billed again, 0.050403
    /// - line 5, model imagen-9-ultra: not in the card, unpriced
    /// - line 6 truncated, line 7 not JSON: malformed; line 8 blank
    /// - line 9, bare response, successor ID gemini-3.1-flash-image, no
    ///   candidatesTokensDetails: 8 × 0.25 + 1120 × 30 = 0.000002 + 0.0336 = 0.033602 (1K)
    /// - line 11, key g, no modelVersion: unpriced (747 tokens, 512 with --model flash)
    ///
    /// Total priced: 0.050403 × 2 + 0.12124 + 0.033602 = 0.255648.
    #[test]
    fn prices_the_mixed_fixture_as_worked_out_by_hand() {
        let report = tally(include_bytes!("../../tests/fixtures/batch/output-mixed.jsonl"), Lane::Batch);
        assert_eq!(
            report.lines,
            LineCounts { read: 11, responses: 6, error_lines: 2, malformed_lines: 2, blank_lines: 1 }
        );
        assert!(adds_up(&report.lines));
        assert_eq!(report.total.cost, d("0.255648"));
        assert_eq!(report.total.input_cost, d("0.000588"));
        assert_eq!(report.total.image_output_cost, d("0.2544"));
        assert_eq!(report.total.text_output_cost, d("0.00066"));
        assert_eq!((report.total.priced_responses, report.total.unpriced_responses), (4, 2));
        assert!(report.is_incomplete());
        assert_eq!(report.total.responses_without_output_split, 1);
        assert_eq!(report.duplicates.responses.count, 1);
        assert_eq!(report.duplicates.cost, d("0.050403"));
        assert_eq!(report.duplicates.responses.shown[0].first_line, 1);
        assert_eq!(
            report.errors.by_code,
            [ErrorCount { code: Some(400), count: 1 }, ErrorCount { code: Some(429), count: 1 }]
        );
        assert_eq!(report.malformed.shown.iter().map(|bad| bad.line).collect::<Vec<_>>(), [6, 7]);
        let rows: Vec<(Option<&str>, &str, u64, Option<Decimal>)> = report
            .rows
            .iter()
            .map(|row| (row.model.as_deref(), row.size.as_str(), row.responses, row.cost))
            .collect();
        assert_eq!(
            rows,
            [
                (Some("gemini-3.1-flash-image-preview"), "1K", 1, Some(d("0.033602"))),
                (Some("gemini-3.1-flash-image-preview"), "2K", 2, Some(d("0.100806"))),
                (Some("gemini-3-pro-image-preview"), "4K", 1, Some(d("0.12124"))),
                (None, "unknown (747 tokens/image)", 1, None),
                (None, "unknown (1000 tokens/image)", 1, None),
            ]
        );
        assert_eq!(report.rows[0].model_versions, [Some("gemini-3.1-flash-image".to_string())]);
    }

    #[test]
    fn prices_responses_without_model_version_at_the_model_given() {
        let card = RateCard::embedded();
        let flash = card.resolve("flash").unwrap().model;
        let mut builder = TallyBuilder::new(false, Some(flash));
        builder.start_file("mixed".into());
        read_source(
            "mixed",
            &include_bytes!("../../tests/fixtures/batch/output-mixed.jsonl")[..],
            &ScanOptions::default(),
            |number, line| builder.add(number, line),
        )
        .unwrap();
        let report = builder.finish(&card, Lane::Batch, today()).unwrap();
        // 0.255648 + 10 × 0.25 / 1M + 747 × 30 / 1M = 0.255648 + 0.0000025 + 0.02241
        assert_eq!(report.total.cost, d("0.2780605"));
        assert_eq!(report.total.unpriced_responses, 1);
        assert!(report.rows.iter().any(|row| row.size == "512" && row.model_versions == [None]));
    }

    /// `tests/fixtures/batch/output-clean.jsonl.gz`, standard rates:
    /// - x1 flash 4K: 10 × 0.50 + 2520 × 60 = 0.000005 + 0.1512 = 0.151205
    /// - x2 Nano Banana 1K: 10 × 0.30 + 1290 × 30 = 0.000003 + 0.0387 = 0.038703
    /// - x3 flash, two images of 1120 tokens (1K): 10 × 0.50 + 2240 × 60 = 0.000005 + 0.1344 = 0.134405
    ///
    /// Total 0.324313 (batch: 0.0756025 + 0.0193515 + 0.0672025 = 0.1621565).
    #[test]
    fn reads_the_gzip_fixture_on_either_lane() {
        let mut plain = Vec::new();
        crate::scan::decompress_if_gzip(
            &include_bytes!("../../tests/fixtures/batch/output-clean.jsonl.gz")[..],
        )
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
        for (lane, total) in [(Lane::Standard, "0.324313"), (Lane::Batch, "0.1621565")] {
            let report = tally(&plain, lane);
            assert_eq!(report.total.cost, d(total), "{lane}");
            assert!(report.total.complete);
            assert_eq!(report.total.images, 4);
        }
    }

    #[test]
    fn an_empty_file_costs_nothing_and_is_complete() {
        let report = tally(b"", Lane::Batch);
        assert_eq!(report.lines, LineCounts::default());
        assert!(report.rows.is_empty());
        assert_eq!(report.total.cost, Decimal::ZERO);
        assert!(report.total.complete);
    }

    #[test]
    fn finds_the_card_model_of_a_model_version() {
        let card = RateCard::embedded();
        let cases = [
            ("gemini-3.1-flash-image-preview", Some("gemini-3.1-flash-image-preview")),
            ("gemini-3.1-flash-image", Some("gemini-3.1-flash-image-preview")),
            ("models/gemini-3-pro-image-preview", Some("gemini-3-pro-image-preview")),
            ("gemini-3-pro-image-preview-11-2025", Some("gemini-3-pro-image-preview")),
            ("gemini-3-pro-image-001", Some("gemini-3-pro-image-preview")),
            ("gemini-2.5-flash-image-preview", Some("gemini-2.5-flash-image")),
            ("gemini-3.1-flash", None),
            ("gemini-3.1-flash-imagery", None),
            ("imagen-4.0-generate-001", None),
            ("", None),
        ];
        for (version, want) in cases {
            assert_eq!(model_for_version(&card, version).map(|model| model.id.as_str()), want, "{version}");
        }
    }

    #[test]
    fn infers_the_size_from_image_tokens_per_image() {
        let card = RateCard::embedded();
        let flash = card.resolve("flash").unwrap().model;
        let pro = card.resolve("pro").unwrap().model;
        let cases = [
            (Some(flash), 747, "512"),
            (Some(flash), 1680, "2K"),
            (Some(pro), 1120, "1K/2K"),
            (Some(pro), 2000, "4K"),
            (Some(pro), 747, "unknown (747 tokens/image)"),
            (None, 1120, "unknown (1120 tokens/image)"),
            (Some(flash), 0, "no image"),
        ];
        for (model, tokens, want) in cases {
            assert_eq!(size_label(model, tokens), want, "{tokens}");
        }
        assert_eq!(tokens_per_image(2240, 2), 1120);
        assert_eq!(tokens_per_image(2241, 2), 2241);
        assert_eq!(tokens_per_image(1120, 0), 1120);
    }

    #[test]
    fn splits_output_tokens_into_image_and_text() {
        let usage = |candidates, image, text, details| Usage {
            candidates_tokens: candidates,
            candidate_image_tokens: image,
            candidate_text_tokens: text,
            candidates_details_present: details,
            ..Usage::default()
        };
        let cases = [
            (usage(1690, 1680, 10, true), (1680, 10)),
            // Tokens of no listed modality are billed as text, never dropped.
            (usage(1700, 1680, 10, true), (1680, 20)),
            (usage(1120, 0, 0, false), (1120, 0)),
            (usage(5, 0, 5, true), (0, 5)),
        ];
        for (usage, want) in cases {
            assert_eq!(output_split(&usage), want, "{usage:?}");
        }
    }

    /// The generator writes what a correct scan must find; here its totals
    /// are priced independently and must equal the report, line counts
    /// included, on one thread or two.
    #[test]
    fn totals_on_generated_files_equal_the_generators_own() {
        let card = RateCard::embedded();
        for seed in [3, 8] {
            let spec = SynthSpec {
                target_bytes: 2 << 20,
                seed,
                payload_bytes: 3000,
                error_percent: 5,
                duplicate_percent: 5,
                broken_percent: 2,
                blank_percent: 2,
                ..SynthSpec::default()
            };
            let mut file = Vec::new();
            let expected = write_batch_output(&spec, &mut file).unwrap();
            let mut want = Decimal::ZERO;
            let mut responses = 0;
            for (group, totals) in &expected.groups {
                let model = model_for_version(&card, group.model_version.as_deref().unwrap()).unwrap();
                let rates = model.tokens[&Lane::Batch];
                // Without candidatesTokensDetails the generator's group has 0
                // image tokens and every output token goes at the image rate.
                let (image, text) = if group.candidate_image_tokens == 0 {
                    (totals.candidates_tokens, 0)
                } else {
                    (totals.candidate_image_tokens, totals.candidate_text_tokens)
                };
                let parts = [
                    money::per_million(totals.prompt_tokens, rates.input).unwrap(),
                    money::per_million(image, rates.image_output).unwrap(),
                    money::per_million(text + totals.thoughts_tokens, rates.text_output).unwrap(),
                ];
                want = money::add(want, money::sum(parts).unwrap()).unwrap();
                responses += totals.responses;
            }
            for threads in [1, 2] {
                let mut builder = TallyBuilder::new(false, None);
                builder.start_file("synthetic".into());
                let options = ScanOptions { threads, block_bytes: 64 << 10, ..ScanOptions::default() };
                read_source("synthetic", &file[..], &options, |number, line| builder.add(number, line))
                    .unwrap();
                let report = builder.finish(&card, Lane::Batch, today()).unwrap();
                assert_eq!(report.total.cost, want, "seed {seed} threads {threads}");
                assert!(report.total.complete);
                assert_eq!(
                    report.lines,
                    LineCounts {
                        read: expected.lines,
                        responses,
                        error_lines: expected.error_lines,
                        malformed_lines: expected.malformed_lines,
                        blank_lines: expected.blank_lines,
                    }
                );
                assert!(adds_up(&report.lines));
                assert_eq!(report.duplicates.responses.count, expected.duplicate_responses);
                assert_eq!(report.errors.lines.count, expected.error_lines);
            }
        }
    }

    #[test]
    fn stops_at_the_first_malformed_line_when_strict() {
        let mut builder = TallyBuilder::new(true, None);
        builder.start_file("mixed".into());
        let error = read_source(
            "mixed",
            &include_bytes!("../../tests/fixtures/batch/output-mixed.jsonl")[..],
            &ScanOptions::default(),
            |number, line| builder.add(number, line),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "`mixed` line 6 is malformed (not JSON: EOF while parsing a value at column 59): fix or remove the line, or drop --strict to count malformed lines and go on"
        );
    }
}

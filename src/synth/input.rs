//! Synthetic batch INPUT: request lines asking for every size, with and
//! without reference images, and the sums a correct scan must find.

use std::io::{self, Write};

use super::{LineStyle, SynthSpec, Writer};
use crate::batch::{InputFileSums, RequestSums};
use crate::scan::ContentCounts;

/// Writes a synthetic batch INPUT file of about `spec.target_bytes` and
/// returns the sums a correct scan of it must find. Requests ask for
/// every size, some as `2k`, some with no size, some with reference images
/// inline or by URI; none sets `candidateCount`, so each asks for one image.
pub fn write_batch_input(spec: &SynthSpec, out: &mut impl Write) -> io::Result<InputFileSums> {
    let mut writer = Writer::new(spec);
    let mut expected = InputFileSums::default();
    let mut written = 0u64;
    let mut line = String::new();
    let mut last_key: Option<String> = None;
    let mut index = 0u64;
    while written < spec.target_bytes {
        index += 1;
        line.clear();
        expected.lines += 1;
        let style =
            LineStyle { snake: writer.rng.chance(spec.snake_case_percent), spaced: writer.rng.chance(10) };
        if writer.rng.chance(spec.blank_percent) {
            expected.blank_lines += 1;
        } else {
            let key = if writer.rng.chance(spec.bare_percent) {
                None
            } else if let Some(previous) =
                last_key.clone().filter(|_| writer.rng.chance(spec.duplicate_percent))
            {
                Some(previous)
            } else {
                Some(writer.key(index))
            };
            let broken = writer.rng.chance(spec.broken_percent);
            let (size, totals) = write_request_line(&mut writer, &style, key.as_deref(), &mut line);
            if broken {
                let cut = writer.rng.below(line.len() as u64 / 2) as usize;
                line.truncate(line.floor_char_boundary(cut));
                line.push('[');
                expected.malformed_lines += 1;
            } else {
                if key.is_some() && key == last_key {
                    expected.duplicate_keys += 1;
                }
                expected.sizes.entry(size).or_default().merge(&totals);
                if key.is_some() {
                    last_key = key;
                }
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    Ok(expected)
}

fn write_request_line(
    writer: &mut Writer,
    style: &LineStyle,
    key: Option<&str>,
    line: &mut String,
) -> (Option<String>, RequestSums) {
    let (colon, comma) = (style.colon(), style.comma());
    let prompt = writer.prompt();
    let mut content = ContentCounts::default();
    let mut parts = vec![format!("{{\"text\"{colon}\"{prompt}\"}}")];
    if writer.rng.chance(20) {
        let inline = style.name("inlineData", "inline_data");
        let mime = style.name("mimeType", "mime_type");
        for _ in 0..1 + writer.rng.below(3) {
            let payload = writer.payload();
            parts.push(format!(
                "{{\"{inline}\"{colon}{{\"{mime}\"{colon}\"image/jpeg\"{comma}\"data\"{colon}\"{payload}\"}}}}"
            ));
            content.inline_images += 1;
        }
    }
    if writer.rng.chance(5) {
        let file = style.name("fileData", "file_data");
        let uri = style.name("fileUri", "file_uri");
        let mime = style.name("mimeType", "mime_type");
        parts.push(format!(
            "{{\"{file}\"{colon}{{\"{mime}\"{colon}\"image/png\"{comma}\"{uri}\"{colon}\"gs://bucket/ref-{}.png\"}}}}",
            writer.rng.below(1000)
        ));
        content.file_parts += 1;
    }
    if writer.rng.chance(3) {
        let file = style.name("fileData", "file_data");
        let uri = style.name("fileUri", "file_uri");
        let mime = style.name("mimeType", "mime_type");
        parts.push(format!(
            "{{\"{file}\"{colon}{{\"{mime}\"{colon}\"video/mp4\"{comma}\"{uri}\"{colon}\"gs://bucket/clip.mp4\"}}}}"
        ));
        content.other_media.video += 1;
    }
    let search = writer.rng.chance(5);
    let size: Option<&str> = *writer.rng.pick(&[
        Some("512"),
        Some("1K"),
        Some("2K"),
        Some("2K"),
        Some("4K"),
        Some("2k"),
        None,
        None,
    ]);
    let mut config = format!(
        "\"{}\"{colon}[\"TEXT\"{comma}\"IMAGE\"]",
        style.name("responseModalities", "response_modalities")
    );
    if size.is_some() || writer.rng.chance(50) {
        config.push_str(comma);
        style.member(&mut config, "imageConfig", "image_config");
        config.push_str(&format!("{{\"{}\"{colon}\"16:9\"", style.name("aspectRatio", "aspect_ratio")));
        if let Some(size) = size {
            config.push_str(comma);
            style.member(&mut config, "imageSize", "image_size");
            config.push_str(&format!("\"{size}\""));
        }
        config.push('}');
    }
    let tools = if search {
        format!("{comma}\"tools\"{colon}[{{\"{}\"{colon}{{}}}}]", style.name("googleSearch", "google_search"))
    } else {
        String::new()
    };
    let request = format!(
        "{{\"contents\"{colon}[{{\"role\"{colon}\"user\"{comma}\"parts\"{colon}[{}]}}]{comma}\"{}\"{colon}{{{config}}}{tools}}}",
        parts.join(comma),
        style.name("generationConfig", "generation_config"),
    );
    match key {
        Some(key) => line.push_str(&format!("{{\"key\"{colon}\"{key}\"{comma}\"request\"{colon}{request}}}")),
        None => line.push_str(&request),
    }
    let mut totals = RequestSums::default();
    content.prompt_chars = prompt.chars().count() as u64;
    totals.add(size.is_some(), 1, &content, search);
    (size.map(str::to_owned), totals)
}

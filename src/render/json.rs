//! JSON: the report's documented structure, with a schema version and the
//! report's name first. Money is a decimal string, never a float.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, SCHEMA_VERSION};

#[derive(Serialize)]
struct Envelope<'a, R> {
    schema: u32,
    report: &'static str,
    #[serde(flatten)]
    body: &'a R,
}

pub(super) fn write<R: Report>(report: &R, out: &mut dyn Write) -> io::Result<()> {
    let envelope = Envelope { schema: SCHEMA_VERSION, report: R::KIND, body: report };
    serde_json::to_writer_pretty(&mut *out, &envelope)?;
    writeln!(out)
}

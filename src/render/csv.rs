//! CSV: the document's CSV table (or else its first table), with its fixed
//! header of column keys and machine-readable cells (exact decimals, model
//! IDs).

use std::io::{self, Write};

use super::machine;
use crate::render::document::Document;

pub(super) fn write(document: &Document, out: &mut dyn Write) -> io::Result<()> {
    let Some(table) = document.csv.as_ref().or(document.tables.first()) else {
        return Ok(());
    };
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(table.columns.iter().map(|column| column.key.as_str())).map_err(io_error)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(machine)).map_err(io_error)?;
    }
    writer.flush()
}

/// The I/O error inside a CSV error, kept as it is so that the binary can
/// tell a closed pipe from a failure.
fn io_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

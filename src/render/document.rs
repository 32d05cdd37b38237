//! A report laid out for reading: a title, a few facts, tables and notes.
//!
//! Reports build a [`Document`] once; the table and Markdown renderers each
//! write it their own way. Cells keep their meaning (money, a count, a ratio)
//! so that each renderer formats them: in the card's currency, to the cent
//! for totals, every digit for per-unit prices. (CSV does not use it: it writes each report's
//! rows, `render::csv`.)

use rust_decimal::Decimal;

use crate::money::{Currency, Money};

/// A report laid out for reading.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// One line saying what the report is.
    pub title: String,
    /// Labelled facts shown above the tables.
    pub facts: Vec<(String, String)>,
    /// The tables.
    pub tables: Vec<Table>,
    /// Closing remarks.
    pub notes: Vec<String>,
    /// The currency its money cells are written in.
    pub currency: Currency,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// A heading, where the document has several tables.
    pub title: Option<String>,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// A column: its heading, and whether a narrow table may leave it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The heading in tables and Markdown.
    pub header: String,
    /// Whether a table too wide for the terminal may leave this column out:
    /// `None` keeps it always (what a reader needs to understand the row);
    /// `Some(rank)` lets it go, lowest rank first. Markdown writes every
    /// column.
    pub optional: Option<u8>,
}

impl Column {
    /// A column with a heading, always shown.
    pub fn new(header: impl Into<String>) -> Column {
        Column { header: header.into(), optional: None }
    }

    /// The column, as one a narrow table may leave out; columns of rank 1
    /// go first, then rank 2, and so on.
    pub fn optional(self, rank: u8) -> Column {
        Column { optional: Some(rank), ..self }
    }
}

/// A value in a table, kept with its meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Plain text.
    Text(String),
    /// A total in the document's currency, to the cent.
    ///
    /// Holds the bare amount until the batch reports keep [`Money`] too;
    /// build it with [`Cell::money`].
    Money(Money),
    /// A per-unit price in the document's currency, or a total shown exactly, with every
    /// digit; build it with [`Cell::unit`].
    Unit(Money),
    /// A whole number.
    Count(u64),
    /// A ratio such as 1.51 (written `1.51×`).
    Ratio(Decimal),
    /// A percentage such as 50.5 (written `50.5%`).
    Percent(Decimal),
    /// Nothing.
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    /// A total in the document's currency.
    pub fn money(amount: Money) -> Cell {
        Cell::Money(amount)
    }

    /// A per-unit price in the document's currency.
    pub fn unit(amount: Money) -> Cell {
        Cell::Unit(amount)
    }

    /// Whether the cell is a number, which tables align to the right.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Money(_) | Cell::Unit(_) | Cell::Count(_) | Cell::Ratio(_) | Cell::Percent(_))
    }
}

impl Table {
    /// Whether column `index` holds numbers.
    pub fn is_numeric(&self, index: usize) -> bool {
        self.rows.iter().any(|row| row.get(index).is_some_and(Cell::is_numeric))
    }
}

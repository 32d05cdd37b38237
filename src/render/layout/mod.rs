//! The layout of each report as a [`Document`](super::Document): its title,
//! facts, tables and notes. One file per report; the data and how it is
//! built live in `crate::report`.

mod batch;
mod budget;
mod compare;
mod diff;
mod estimate;
mod plan;
mod quote;
mod rates;
mod tally;

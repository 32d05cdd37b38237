//! The layout of each report as a [`Document`](super::Document), for people
//! (tables and Markdown): its title, facts, tables and notes. One file per
//! report; the data and how it is built live in `crate::report`, and its
//! CSV rows in `render::csv`.

mod batch;
mod budget;
mod compare;
mod diff;
mod estimate;
mod plan;
mod quote;
mod rates;
mod reconcile;
mod tally;

//! nbcost: what Gemini image generation ("Nano Banana") costs, exactly.
//!
//! The library is pure: it loads rate cards, prices requests with exact
//! decimals and builds reports. Printing happens only in the binary.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod app;
pub mod attribution;
pub mod batch;
pub mod bill;
pub mod card;
pub mod count;
pub mod error;
pub mod lane;
pub mod money;
pub mod plan;
pub mod pricing;
pub mod render;
pub mod report;
pub mod scan;
pub mod size;
pub mod sql;
#[cfg(any(test, feature = "synth"))]
#[doc(hidden)]
pub mod synth;
pub mod toml_file;
pub mod visible;
pub mod zone;

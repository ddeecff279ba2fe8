//! The DfE's file formats, read and written: the CIN census XML and the SSDA903 CSV tables; and
//! children from any CSV through a mapping.
//! Readers stream, accept UTF-8 and legacy Windows-1252, and fail with a typed error that says
//! where; they never panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod cin_xml;
pub mod mapped_csv;
pub mod report;
pub mod ssda903_csv;
pub mod ssda903_inputs;
mod text;

pub use text::decoded;

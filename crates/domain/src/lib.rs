//! Canopy's pure domain: the rules of children's services, with no I/O.
//!
//! Time comes in as a parameter ([`calendar::Clock`]); nothing here reads the system clock, and
//! nothing here panics: `unwrap`, `expect` and `panic!` are denied outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod access;
pub mod adoption;
pub mod audit;
pub mod auth;
pub mod budgets;
pub mod calendar;
pub mod cases;
pub mod documents;
pub mod early_help;
pub mod on_cores;
pub mod org;
pub mod people;
pub mod returns;
pub mod validation;
pub mod workforce;

//! The CIN census rules.

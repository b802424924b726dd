//! Cost of ownership (shared/spec/analytics.md, "Cost"). This crate starts with the
//! declared total that the portfolio view and `steward cost` share: implementation lines
//! once, plus the annual lines for every year of the horizon. Ranges count at `likely`.

pub mod declared;

pub use declared::{Declared, declared};

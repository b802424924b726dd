//! Cost of ownership (docs/cost.md): the declared total per budget
//! line, industry yardsticks beside it, a seeded PERT simulation of every ranged line,
//! the sensitivity of the total to each range, and the build-vs-buy comparison. Pure
//! computation: a manifest and options in, a [`CostReport`] out; renderers in [`render`].

pub mod analysis;
pub mod declared;
pub mod money;
pub mod pert;
pub mod portfolio;
pub mod render;
pub mod simulate;
pub mod yardstick;

pub use analysis::{CostError, CostOptions, CostReport, analyze};
pub use declared::{Declared, declared};
pub use money::MoneyFormat;
pub use yardstick::{YardstickStatus, Yardsticks, yardsticks};

//! The statistics engine of `steward drift`: per-column drift tests with Evidently's choice
//! and scipy's numbers, over plain slices of values (an Arrow array's values are such a
//! slice), with no I/O. Special functions are written to agree with scipy's cephes.

pub mod bounds;
pub mod drift;
pub mod frequent;
pub mod kolmogorov;
pub mod ks;
pub mod numeric;
pub mod profile;
pub mod quantiles;
pub mod runs;
pub mod sample;
pub mod sort;
pub mod special;
pub mod stattests;

pub use drift::{
    ColumnDrift, ColumnError, ColumnRequest, ColumnType, ExactMoments, StatTest, Values,
    WeightedValues, column_drift, default_test,
};

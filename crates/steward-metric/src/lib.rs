//! Success metrics against their baselines (docs/metric.md):
//! read observations (or derive them from a ticket export), cut the baseline and current
//! windows around the launch, aggregate each, and say whether the change reaches the target
//! with a Mann-Whitney p-value and a seeded bootstrap interval. Pure computation apart from
//! the readers in [`observations`] and [`tickets`].

pub mod evaluate;
pub mod observations;
pub mod render;
pub mod stats;
pub mod tickets;
pub mod timestamp;

pub use evaluate::{
    MetricError, MetricOptions, MetricReport, MetricsReport, UnmeasuredMetric, Verdict, evaluate,
    span,
};
pub use observations::{
    Observation, Observations, ReadError, ReadErrorKind, Span, read_file, read_file_in,
};

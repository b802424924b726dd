//! The AISystem manifest (docs/manifest.md): its typed model, a YAML reader that
//! locates every key and every error, the JSON Schema editors use, and the starter file
//! `steward init` writes. No I/O beyond reading the files it is asked to read.

pub mod discover;
mod error;
mod explain;
mod lengths;
pub mod load;
pub mod model;
pub mod schema;
mod snippet;
pub mod source_map;
pub mod starter;
pub mod values;

pub use discover::{Discovered, SkipReason, Skipped, discover};
pub use error::{ManifestError, ManifestErrorKind};
pub use lengths::{MAX_CURRENCY_CHARS, MAX_ID_CHARS, MAX_TEXT_CHARS};
pub use load::{MAX_MANIFEST_BYTES, ManifestFile, System, load_file, parse_manifests};
pub use model::*;
pub use snippet::{Snippet, token_span};
pub use source_map::{MAX_DEPTH, MAX_NODES, Position, SourceMap};
pub use values::{
    CostFigure, Date, DateError, DriftShare, DriftThreshold, InvalidSystemName, MAX_BARE_TARGET,
    MAX_YEAR, MIN_YEAR, RelativeFigure, Score, StreamName, SystemName, Teams, Weight,
    format_number, format_thousands, is_blank, is_placeholder, is_unanswered,
};

//! The rows the store hands back and takes in: plain data, no database types.

use crate::StoreError;

/// Where a system's manifest came from: the API (`PUT`) or the `--manifests` folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Api,
    Folder,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Api => "api",
            Origin::Folder => "folder",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Origin, StoreError> {
        match s {
            "api" => Ok(Origin::Api),
            "folder" => Ok(Origin::Folder),
            other => Err(StoreError::Corrupt(format!(
                "unknown manifest origin `{other}`"
            ))),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SystemRecord {
    pub name: String,
    /// The manifest's YAML, as it was put.
    pub manifest: String,
    pub origin: Origin,
    pub updated_at: i64,
}

#[derive(Clone, Debug)]
pub struct ManifestErrorRecord {
    pub path: String,
    pub message: String,
    pub seen_at: i64,
}

/// What a token may do; each scope includes the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub scope: Scope,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A batch to store: its profile (JSON) and what the reply says about it.
pub struct NewBatch<'a> {
    pub system: &'a str,
    pub stream: &'a str,
    pub received_at: i64,
    pub rows: u64,
    pub idempotency_key: Option<&'a str>,
    /// How its columns differ from the stream's reference (JSON), when they do.
    pub columns_diff: Option<&'a str>,
    pub profile_json: &'a [u8],
}

#[derive(Clone, Debug, PartialEq)]
pub struct BatchRecord {
    pub id: String,
    pub received_at: i64,
    pub rows: u64,
    pub idempotency_key: Option<String>,
    pub columns_diff: Option<String>,
}

/// What storing a batch did.
#[derive(Clone, Debug, PartialEq)]
pub enum Stored {
    New(BatchRecord),
    /// The idempotency key was used before: this is the first batch, and nothing was written.
    Existing(BatchRecord),
}

#[derive(Clone, Debug)]
pub struct StreamRecord {
    pub stream: String,
    pub batches: u64,
    pub rows: u64,
    pub first_at: Option<i64>,
    pub last_at: Option<i64>,
    pub has_reference: bool,
}

pub struct NewReference<'a> {
    pub system: &'a str,
    pub stream: &'a str,
    pub set_at: i64,
    pub rows: u64,
    /// Set when the reference is the merged profile of the stream's own batches.
    pub from_date: Option<&'a str>,
    pub to_date: Option<&'a str>,
    pub profile_json: &'a [u8],
}

#[derive(Clone, Debug)]
pub struct ReferenceRecord {
    /// Changes whenever the reference is replaced, so drift kept for closed windows is
    /// never read against another reference.
    pub version: String,
    pub set_at: i64,
    pub rows: u64,
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    pub profile_json: Vec<u8>,
}

/// One closed window's drift, kept once computed.
pub struct WindowKey<'a> {
    pub system: &'a str,
    pub stream: &'a str,
    pub window_us: i64,
    pub start_us: i64,
    pub reference: &'a str,
}

/// A window's dataset-level drift verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowVerdict {
    pub dataset_drift: bool,
    pub share_drifted: f64,
}

#[derive(Clone, Debug)]
pub struct DrillRecord {
    pub id: String,
    pub date: String,
    pub result: String,
    pub evidence: String,
    pub recorded_at: i64,
}

#[derive(Clone, Debug)]
pub struct ConfirmationRecord {
    pub id: String,
    pub date: String,
    pub confirmed_by: String,
    pub note: String,
    pub recorded_at: i64,
}

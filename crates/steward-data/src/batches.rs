//! The typed stream of record batches every reader produces, with the checks that hold for
//! each batch whoever reads it: a panic inside a decoder is contained, a batch must match
//! the schema (column count and types), and the rows are counted against the limit.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::error::{DataError, damaged, too_large};
use crate::read::{self, BatchIter, guard};

/// Record batches of the kept columns, in the input's order, each column in its own type.
/// Iterating yields `Err` at most once, and nothing after it.
pub struct RecordBatches {
    name: String,
    schema: SchemaRef,
    left_out: Vec<(String, String)>,
    batches: BatchIter,
    rows: u64,
    done: bool,
}

impl RecordBatches {
    pub(crate) fn new(
        name: &str,
        schema: SchemaRef,
        left_out: Vec<(String, String)>,
        batches: BatchIter,
    ) -> RecordBatches {
        RecordBatches {
            name: name.to_string(),
            schema,
            left_out,
            batches,
            rows: 0,
            done: false,
        }
    }

    /// The schema every batch has.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Columns kept by name that are not in the batches, with the reason: (name, reason).
    pub fn left_out(&self) -> &[(String, String)] {
        &self.left_out
    }

    /// The rows yielded so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn next_checked(&mut self) -> Option<Result<RecordBatch, DataError>> {
        let next = match guard::contain(|| self.batches.next()) {
            Ok(next) => next,
            Err(panic) => return Some(Err(damaged(&self.name, panic))),
        };
        let batch = match next? {
            Ok(b) => b,
            Err(e) => return Some(Err(e)),
        };
        // A batch whose arrays are not of the schema's types (a damaged file the decoder let
        // through) would make a caller's downcast panic: that is damage.
        let fields = self.schema.fields();
        let matches = batch.num_columns() == fields.len()
            && batch
                .columns()
                .iter()
                .zip(fields.iter())
                .all(|(c, f)| c.data_type() == f.data_type());
        if !matches {
            return Some(Err(damaged(
                &self.name,
                "a batch does not match the schema",
            )));
        }
        self.rows = match self
            .rows
            .checked_add(batch.num_rows() as u64)
            .filter(|&r| r <= read::MAX_ROWS)
        {
            Some(r) => r,
            None => {
                return Some(Err(too_large(
                    &self.name,
                    format!("more than {} rows, the most Steward reads", read::MAX_ROWS),
                )));
            }
        };
        Some(Ok(batch))
    }
}

impl Iterator for RecordBatches {
    type Item = Result<RecordBatch, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_checked();
        if !matches!(next, Some(Ok(_))) {
            self.done = true;
        }
        next
    }
}

impl std::fmt::Debug for RecordBatches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordBatches")
            .field("name", &self.name)
            .field("schema", &self.schema)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

//! Where each key of a YAML document stands in its file. The typed model carries no
//! positions (it stays plain data); findings look their manifest path up here instead, and
//! a path that does not exist resolves to its nearest written parent.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser, ScanError};

/// A 1-based line and column in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Positions of every mapping key and sequence item of one YAML document, by path
/// (`spec.fallback.tests[0].date`).
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    positions: HashMap<String, Position>,
    /// Where the document's content starts (the target of paths with no written parent).
    pub root: Position,
}

impl SourceMap {
    /// The position of `path` if it is written in the document.
    pub fn get(&self, path: &str) -> Option<Position> {
        self.positions.get(path).copied()
    }

    /// The position of `path`, or of its nearest written parent, with whether it was exact.
    pub fn locate(&self, path: &str) -> (Position, bool) {
        if let Some(p) = self.get(path) {
            return (p, true);
        }
        let mut p = path;
        while let Some(cut) = p.rfind(['.', '[']) {
            p = &p[..cut];
            if let Some(pos) = self.get(p) {
                return (pos, false);
            }
        }
        (self.root, false)
    }

    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

/// One document of a YAML stream: its lines, its top-level `kind`, and its source map.
#[derive(Clone, Debug)]
pub struct DocumentIndex {
    /// First line of the document's text (1-based), including a leading `---`.
    pub first_line: usize,
    /// Last line (inclusive) before the next document begins.
    pub last_line: usize,
    /// The scalar value of the top-level `kind` key, if there is one.
    pub kind: Option<String>,
    pub map: SourceMap,
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        /// A non-scalar key (rare YAML) is being read; its contents are not positioned.
        complex_key_depth: bool,
    },
    Seq {
        path: String,
        next: usize,
    },
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Reads a YAML stream's events and records, per document, the position of each key.
/// A syntax error is returned as the scanner reported it (with its marker).
pub fn index_documents(text: &str) -> Result<Vec<DocumentIndex>, ScanError> {
    let mut docs: Vec<DocumentIndex> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut current: Option<DocumentIndex> = None;
    let mut root_set = false;

    for item in Parser::new_from_str(text) {
        let (event, span) = item?;
        let pos = Position {
            line: span.start.line(),
            column: span.start.col() + 1,
        };
        match event {
            Event::DocumentStart(explicit, _) => {
                // A document's text starts at its `---`, or right after the previous one
                // ended (`...`), or at the top of the file.
                let first_line = match docs.last() {
                    None => 1,
                    Some(_) if explicit => pos.line.max(1),
                    Some(prev) => prev.last_line.saturating_add(1),
                };
                current = Some(DocumentIndex {
                    first_line,
                    last_line: first_line,
                    kind: None,
                    map: SourceMap::default(),
                });
                stack.clear();
                root_set = false;
            }
            Event::DocumentEnd => {
                if let Some(mut d) = current.take() {
                    // Provisional: where the end was seen; the final pass below widens it.
                    d.last_line = pos.line.max(d.first_line);
                    docs.push(d);
                }
            }
            Event::MappingStart(..)
            | Event::SequenceStart(..)
            | Event::Scalar(..)
            | Event::Alias(_) => {
                let Some(doc) = current.as_mut() else {
                    continue;
                };
                if !root_set {
                    doc.map.root = pos;
                    root_set = true;
                }
                // Decide the path of this node, or whether it is a key.
                let node_path: Option<String> = match stack.last_mut() {
                    None => Some(String::new()),
                    Some(Frame::Map {
                        path,
                        key,
                        complex_key_depth,
                    }) => {
                        if *complex_key_depth {
                            None
                        } else if key.is_none() {
                            // This node is a key.
                            match &event {
                                Event::Scalar(value, ..) => {
                                    let full = join(path, value);
                                    doc.map.positions.entry(full).or_insert(pos);
                                    *key = Some(value.to_string());
                                    continue;
                                }
                                _ => {
                                    *complex_key_depth = true;
                                    None
                                }
                            }
                        } else {
                            let k = key.take().unwrap_or_default();
                            let full = join(path, &k);
                            if path.is_empty()
                                && k == "kind"
                                && let Event::Scalar(value, ..) = &event
                            {
                                doc.kind = Some(value.to_string());
                            }
                            Some(full)
                        }
                    }
                    Some(Frame::Seq { path, next }) => {
                        let full = format!("{path}[{next}]");
                        *next += 1;
                        doc.map.positions.entry(full.clone()).or_insert(pos);
                        Some(full)
                    }
                };
                match event {
                    Event::MappingStart(..) => stack.push(Frame::Map {
                        path: node_path.unwrap_or_else(|| "\u{0}complex".into()),
                        key: None,
                        complex_key_depth: false,
                    }),
                    Event::SequenceStart(..) => stack.push(Frame::Seq {
                        path: node_path.unwrap_or_else(|| "\u{0}complex".into()),
                        next: 0,
                    }),
                    _ => {}
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                // A collection that was a complex key: the next node is its value.
                if let Some(Frame::Map {
                    key,
                    complex_key_depth,
                    ..
                }) = stack.last_mut()
                    && *complex_key_depth
                {
                    *complex_key_depth = false;
                    *key = Some("\u{0}complex".into());
                }
            }
            _ => {}
        }
    }
    // Close the line ranges: each document runs to the line before the next one begins,
    // and the last one to the end of the file.
    let n = docs.len();
    for i in 0..n {
        docs[i].last_line = if i + 1 < n {
            docs[i + 1]
                .first_line
                .saturating_sub(1)
                .max(docs[i].first_line)
        } else {
            usize::MAX
        };
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "\
apiVersion: steward/v1
kind: AISystem
metadata:
  name: a
spec:
  fallback:
    tests:
      - date: 2026-09-14
        result: passed
      - {date: 2026-10-01, result: failed}
---
kind: Component
metadata: {name: b}
";

    #[test]
    fn positions_of_keys_and_items() {
        let docs = index_documents(SRC).unwrap();
        assert_eq!(docs.len(), 2);
        let m = &docs[0].map;
        assert_eq!(m.get("kind"), Some(Position { line: 2, column: 1 }));
        assert_eq!(
            m.get("spec.fallback.tests"),
            Some(Position { line: 7, column: 5 })
        );
        assert_eq!(
            m.get("spec.fallback.tests[0]"),
            Some(Position { line: 8, column: 9 })
        );
        assert_eq!(
            m.get("spec.fallback.tests[0].result"),
            Some(Position { line: 9, column: 9 })
        );
        assert_eq!(
            m.get("spec.fallback.tests[1].result"),
            Some(Position {
                line: 10,
                column: 28
            })
        );
        assert_eq!(docs[0].kind.as_deref(), Some("AISystem"));
        assert_eq!(docs[1].kind.as_deref(), Some("Component"));
        assert_eq!((docs[0].first_line, docs[0].last_line), (1, 10));
        assert_eq!(docs[1].first_line, 11);
        assert_eq!(
            docs[1].map.get("metadata.name"),
            Some(Position {
                line: 13,
                column: 12
            })
        );
    }

    #[test]
    fn missing_paths_resolve_to_nearest_parent() {
        let docs = index_documents(SRC).unwrap();
        let m = &docs[0].map;
        assert_eq!(
            m.locate("spec.fallback.max_days_between_tests"),
            (Position { line: 6, column: 3 }, false)
        );
        assert_eq!(
            m.locate("spec.owner.ref"),
            (Position { line: 5, column: 1 }, false)
        );
        assert_eq!(
            m.locate("spec.fallback.tests[3].date"),
            (Position { line: 7, column: 5 }, false)
        );
    }

    #[test]
    fn documents_after_an_explicit_end_marker() {
        // Found by the property test: an implicit document after `...` once overflowed.
        let docs = index_documents("apiVersion: steward/v1\n...\nkind: x\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].first_line, docs[0].last_line), (1, 2));
        assert_eq!(docs[1].first_line, 3);
        assert_eq!(docs[1].kind.as_deref(), Some("x"));
    }

    #[test]
    fn complex_keys_do_not_derail_the_index() {
        let src = "? [a, b]\n: 1\nnext: 2\n";
        let docs = index_documents(src).unwrap();
        assert_eq!(
            docs[0].map.get("next"),
            Some(Position { line: 3, column: 1 })
        );
    }
}

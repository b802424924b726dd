//! Where each key of a YAML document stands in its file. The typed model carries no
//! positions (it stays plain data); findings look their manifest path up here instead, and
//! a path that does not exist resolves to its nearest written parent.
//!
//! Memory follows the input: each key or list item is stored once, as its parent's id, its
//! own key (or item index) and its position. Paths such as `spec.fallback.tests[0].date`
//! are never stored; a lookup walks them from the root. (Storing the full path of every
//! node made memory grow with nodes x depth: a 240 KB file of deep keys took gigabytes.)
//! The number of nodes and the nesting depth are capped as well, so a file can only ask for
//! a bounded amount of work.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

/// At most this many YAML nodes (keys, values, list items, documents) in one file. A
/// hand-written manifest has a few hundred; the cap leaves room for files that keep other
/// documents next to the manifest, and bounds the work a hostile file can ask for.
pub const MAX_NODES: usize = 100_000;

/// At most this many nested mappings and lists. The manifest itself is about six levels
/// deep; the cap bounds the parser's stacks on hostile input.
pub const MAX_DEPTH: usize = 32;

/// A 1-based line and column in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The parent of the document's top-level keys.
const ROOT: u32 = u32::MAX;

/// One step of a path: a mapping key or a list index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Step {
    Key(Box<str>),
    Item(u32),
}

/// Positions of every mapping key and sequence item of one YAML document, reachable by path
/// (`spec.fallback.tests[0].date`).
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// Position of each node, by node id.
    positions: Vec<Position>,
    /// Node id of each (parent id, step).
    children: HashMap<(u32, Step), u32>,
    /// Where the document's content starts (the target of paths with no written parent).
    pub root: Position,
}

impl SourceMap {
    /// Finds the node a path names. A key may itself contain '.' or '[' (an annotation
    /// such as `backstage.io/source-location`), so each cut point is tried in turn.
    fn find(&self, parent: u32, rest: &str) -> Option<u32> {
        if rest.is_empty() {
            return (parent != ROOT).then_some(parent);
        }
        if let Some(after) = rest.strip_prefix('[')
            && let Some(close) = after.find(']')
            && let Ok(i) = after[..close].parse::<u32>()
            && let Some(&id) = self.children.get(&(parent, Step::Item(i)))
        {
            let tail = &after[close + 1..];
            if let Some(found) = self.find(id, tail.strip_prefix('.').unwrap_or(tail)) {
                return Some(found);
            }
        }
        // A key runs to a '.' or '[' (or the end); try the shortest first, as paths are
        // written, then longer keys that contain those characters.
        let cuts = rest
            .char_indices()
            .filter(|(_, c)| *c == '.' || *c == '[')
            .map(|(i, _)| i)
            .chain(std::iter::once(rest.len()));
        for cut in cuts {
            if cut == 0 {
                continue;
            }
            let key = Step::Key(rest[..cut].into());
            if let Some(&id) = self.children.get(&(parent, key)) {
                let tail = &rest[cut..];
                if let Some(found) = self.find(id, tail.strip_prefix('.').unwrap_or(tail)) {
                    return Some(found);
                }
            }
        }
        None
    }

    /// The position of `path` if it is written in the document.
    pub fn get(&self, path: &str) -> Option<Position> {
        if path.is_empty() {
            return None;
        }
        self.find(ROOT, path)
            .and_then(|id| self.positions.get(id as usize).copied())
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

    /// The path of the key or list item a position belongs to, for an error the
    /// deserializer placed on a value: the node written last at or before `at`. A block
    /// mapping starts where its first key does, so a key found exactly at `at` stands for
    /// its parent (the mapping's own key). `None` for the document's top level. Walks every
    /// node once: only used to word an error.
    pub fn path_at(&self, at: Position) -> Option<String> {
        let mut parent_of: HashMap<u32, (u32, &Step)> = HashMap::with_capacity(self.children.len());
        let mut best: Option<(Position, u32)> = None;
        for ((parent, step), &id) in &self.children {
            parent_of.insert(id, (*parent, step));
            let pos = self.positions.get(id as usize).copied()?;
            // At one position (a list item and the first key of its mapping), the deeper
            // node, added later, wins.
            if pos <= at && best.is_none_or(|b| (pos, id) > b) {
                best = Some((pos, id));
            }
        }
        let (pos, mut id) = best?;
        if pos == at
            && let Some(&(parent, Step::Key(_))) = parent_of.get(&id)
        {
            id = parent;
        }
        let mut steps: Vec<&Step> = Vec::new();
        while id != ROOT && steps.len() <= MAX_DEPTH {
            let &(parent, step) = parent_of.get(&id)?;
            steps.push(step);
            id = parent;
        }
        if steps.is_empty() {
            return None;
        }
        let mut path = String::new();
        for step in steps.iter().rev() {
            match step {
                Step::Key(k) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                }
                Step::Item(i) => path.push_str(&format!("[{i}]")),
            }
        }
        Some(path)
    }

    /// The number of positioned keys and list items.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Adds a node; `false` as the second value when its parent already had this key.
    fn add(&mut self, parent: u32, step: Step, pos: Position) -> (u32, bool) {
        // Bounded by MAX_NODES, far below u32::MAX.
        let id = self.positions.len() as u32;
        self.positions.push(pos);
        // The first of two equal keys keeps the position (a duplicate key is an error the
        // deserializer reports at the second one).
        let mut new = false;
        self.children.entry((parent, step)).or_insert_with(|| {
            new = true;
            id
        });
        (id, new)
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
    /// The document has no content at all (a trailing `---`, or only comments): it is
    /// skipped rather than read as a manifest.
    pub empty: bool,
    pub map: SourceMap,
}

/// Why a YAML stream could not be indexed, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexError {
    /// Not valid YAML: the scanner's message (without its own location suffix).
    Syntax { message: String, at: Position },
    /// More than [`MAX_NODES`] nodes.
    TooManyNodes { at: Position },
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep { at: Position },
    /// A second merge key `<<` in one mapping.
    DuplicateMergeKey { at: Position },
}

impl IndexError {
    pub fn position(&self) -> Position {
        match self {
            IndexError::Syntax { at, .. }
            | IndexError::TooManyNodes { at }
            | IndexError::TooDeep { at }
            | IndexError::DuplicateMergeKey { at } => *at,
        }
    }

    /// The problem in plain words (the position is reported separately).
    pub fn message(&self) -> String {
        match self {
            IndexError::Syntax { message, .. } => format!("this is not valid YAML: {message}"),
            IndexError::TooManyNodes { .. } => format!(
                "the manifest has more than {MAX_NODES} keys and list items; a manifest describes one system by hand"
            ),
            IndexError::TooDeep { .. } => format!(
                "the manifest nests mappings and lists more than {MAX_DEPTH} levels deep; a manifest is about six levels deep"
            ),
            IndexError::DuplicateMergeKey { .. } => {
                "duplicate merge key `<<` in this mapping; merge several mappings with one key: `<<: [*a, *b]`".into()
            }
        }
    }
}

/// Where a node of the tree under construction hangs.
#[derive(Clone, Copy)]
enum Parent {
    Root,
    Node(u32),
    /// Inside a non-scalar key (rare YAML) or its value: not positioned.
    Hidden,
}

enum Frame {
    Map {
        parent: Parent,
        /// The key just read, waiting for its value.
        key: Option<Parent>,
        /// Whether the pending key is the top-level `kind`.
        key_is_kind: bool,
        /// A non-scalar key is being read.
        in_complex_key: bool,
    },
    Seq {
        parent: Parent,
        next: u32,
    },
}

/// The parser, with nesting limits: `depth` plus one, so that our own located error is the
/// one reported.
fn parser(text: &str, depth: usize) -> Parser<'_, serde_saphyr::granit_parser::StrInput<'_>> {
    let mut options = serde_saphyr::granit_parser::Options::default();
    options.flow_nesting_limit = depth + 1;
    options.block_nesting_limit = depth + 1;
    Parser::new_from_str_with_options(text, options)
}

/// How deep [`scan_kinds`] follows unrelated YAML (the parser's own default): deeper than a
/// manifest may be, so a deep but valid file elsewhere is not called "not YAML".
const SCAN_DEPTH: usize = 254;

fn syntax_error(text: &str, e: &serde_saphyr::granit_parser::ScanError) -> IndexError {
    let m = e.marker();
    let line = m.line().max(1);
    let mut column = m.col() + 1;
    // The scanner points past a tab it refuses (at the key after it): point at the tab, the
    // character to replace.
    if e.info().contains("tab")
        && let Some(tab) = text
            .lines()
            .nth(line - 1)
            .and_then(|l| l.chars().take(column).position(|c| c == '\t'))
    {
        column = tab + 1;
    }
    IndexError::Syntax {
        message: steward_io::clip(&e.info(), 200).into_owned(),
        at: Position { line, column },
    }
}

/// Reads a YAML stream's events and records, per document, the position of each key.
pub fn index_documents(text: &str) -> Result<Vec<DocumentIndex>, IndexError> {
    let mut docs: Vec<DocumentIndex> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut current: Option<DocumentIndex> = None;
    let mut root_set = false;
    let mut nodes = 0usize;

    for item in parser(text, MAX_DEPTH) {
        let (event, span) = item.map_err(|e| syntax_error(text, &e))?;
        let pos = Position {
            line: span.start.line().max(1),
            column: span.start.col() + 1,
        };
        match event {
            Event::DocumentStart(explicit, _) => {
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(IndexError::TooManyNodes { at: pos });
                }
                // A document's text starts at its `---`, or right after the previous one
                // ended (`...`), or at the top of the file.
                let first_line = match docs.last() {
                    None => 1,
                    Some(_) if explicit => pos.line,
                    Some(prev) => prev.last_line.saturating_add(1),
                };
                current = Some(DocumentIndex {
                    first_line,
                    last_line: first_line,
                    kind: None,
                    empty: true,
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
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(IndexError::TooManyNodes { at: pos });
                }
                if !root_set {
                    doc.map.root = pos;
                    root_set = true;
                    // A document whose whole content is a plain scalar of no length has
                    // nothing written in it (`---` followed by nothing, or only comments);
                    // the parser reports it as a null (`~`) spanning no text.
                    doc.empty = matches!(&event, Event::Scalar(_, ScalarStyle::Plain, 0, None))
                        && span.end.index() == span.start.index();
                }
                // Decide where this node hangs, or whether it is a key.
                let node: Parent = match stack.last_mut() {
                    None => Parent::Root,
                    Some(Frame::Map {
                        parent,
                        key,
                        key_is_kind,
                        in_complex_key,
                    }) => {
                        if *in_complex_key {
                            Parent::Hidden
                        } else if let Some(k) = key.take() {
                            // This node is the value of the pending key.
                            if *key_is_kind && let Event::Scalar(value, ..) = &event {
                                doc.kind = Some(value.to_string());
                            }
                            *key_is_kind = false;
                            k
                        } else {
                            // This node is a key.
                            match (&event, *parent) {
                                (Event::Scalar(..), Parent::Hidden) => {
                                    *key = Some(Parent::Hidden);
                                    continue;
                                }
                                (Event::Scalar(value, style, _, tag), p) => {
                                    let parent_id = match p {
                                        Parent::Node(id) => id,
                                        _ => ROOT,
                                    };
                                    *key_is_kind =
                                        matches!(p, Parent::Root) && value.as_ref() == "kind";
                                    let (id, new) = doc.map.add(
                                        parent_id,
                                        Step::Key(value.as_ref().into()),
                                        pos,
                                    );
                                    // Two merge keys in one mapping: the deserializer
                                    // merges both without a word, where any other key
                                    // written twice is an error.
                                    if !new && is_merge_key(value, *style, tag.as_deref()) {
                                        return Err(IndexError::DuplicateMergeKey { at: pos });
                                    }
                                    *key = Some(Parent::Node(id));
                                    continue;
                                }
                                _ => {
                                    *in_complex_key = true;
                                    Parent::Hidden
                                }
                            }
                        }
                    }
                    Some(Frame::Seq { parent, next }) => {
                        let i = *next;
                        *next = next.saturating_add(1);
                        match *parent {
                            Parent::Hidden => Parent::Hidden,
                            p => {
                                let parent_id = match p {
                                    Parent::Node(id) => id,
                                    _ => ROOT,
                                };
                                Parent::Node(doc.map.add(parent_id, Step::Item(i), pos).0)
                            }
                        }
                    }
                };
                let frame = match event {
                    Event::MappingStart(..) => Frame::Map {
                        parent: node,
                        key: None,
                        key_is_kind: false,
                        in_complex_key: false,
                    },
                    Event::SequenceStart(..) => Frame::Seq {
                        parent: node,
                        next: 0,
                    },
                    _ => continue,
                };
                if stack.len() >= MAX_DEPTH {
                    return Err(IndexError::TooDeep { at: pos });
                }
                stack.push(frame);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                // A collection that was a complex key: the next node is its (hidden) value.
                if let Some(Frame::Map {
                    key,
                    in_complex_key,
                    ..
                }) = stack.last_mut()
                    && *in_complex_key
                {
                    *in_complex_key = false;
                    *key = Some(Parent::Hidden);
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

/// What a quick look at a YAML file's documents found: used to pick manifests out of a
/// folder of unrelated YAML without building their source maps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindScan {
    /// Some document has the top-level `kind: AISystem`.
    pub aisystem: bool,
    /// Some document's `kind` is reached in a way the scan does not follow (an alias to a
    /// collection, a merge of something that is not a mapping): the loader must decide.
    pub undecided: bool,
    /// The other top-level kinds seen (each once, at most a few), for the skip reason.
    pub other_kinds: Vec<String>,
    /// The file stopped being YAML here (what was read before still counts).
    pub error: Option<IndexError>,
}

/// The `kind` of a mapping as far as the scan knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum KindValue {
    /// No `kind` key (yet).
    Unset,
    /// A scalar `kind` (kept only up to [`KIND_CHARS`] characters).
    Text(String),
    /// `kind` holds a collection: not a kind at all.
    NotText,
    /// Reached through something the scan does not resolve.
    Unknown,
}

/// How much of a scalar an anchor keeps for the scan: kinds are short words.
const KIND_CHARS: usize = 64;

impl KindValue {
    fn text(value: &str) -> KindValue {
        KindValue::Text(value.chars().take(KIND_CHARS + 1).collect())
    }
}

/// A merge key as the deserializer recognises one: `<<` written plain and untagged, or
/// tagged `!!merge`.
fn is_merge_key(
    value: &str,
    style: ScalarStyle,
    tag: Option<&serde_saphyr::granit_parser::Tag>,
) -> bool {
    value == "<<"
        && match tag {
            None => style == ScalarStyle::Plain,
            Some(t) => t
                .suffix_in_namespace("tag:yaml.org,2002:")
                .is_some_and(|s| s == "merge"),
        }
}

/// What an anchor stands for, as far as the scan needs it.
enum Anchored {
    Scalar(String),
    Map(KindValue),
    Seq,
}

/// What the key just read in a mapping announces for its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    Other,
    Kind,
    Merge,
}

enum ScanFrame {
    Map {
        anchor: usize,
        expect_key: bool,
        pending: Pending,
        kind: KindValue,
        merged: KindValue,
        /// The frame index of the mapping this one is merged into (`<<: {...}`).
        merge_into: Option<usize>,
        is_root: bool,
    },
    Seq {
        /// A sequence of mappings merged into the mapping at this frame index.
        merge_into: Option<usize>,
    },
}

/// What a merge source brings to the mapping it is merged into: the earliest source
/// with a `kind` wins, and keys written in the mapping itself win over all of them.
fn merge(stack: &mut [ScanFrame], target: usize, value: KindValue) {
    if let Some(ScanFrame::Map { merged, .. }) = stack.get_mut(target)
        && *merged == KindValue::Unset
    {
        *merged = value;
    }
}

/// Reads the top-level `kind` of each document, as the loader does, and stops at the first
/// AISystem. The `kind` may be written as a plain value, reached through an alias
/// (`kind: *k`) or brought by a merge key (`<<: {kind: AISystem}`, `<<: *base`,
/// `<<: [*a, *b]`), as the deserializer resolves them; what the scan cannot follow marks the
/// file undecided rather than skipped. Memory is the parser's own (its stacks are capped by
/// the nesting limits) plus what each anchor stands for, so it follows the file.
pub fn scan_kinds(text: &str) -> KindScan {
    let mut out = KindScan::default();
    let mut stack: Vec<ScanFrame> = Vec::new();
    // What each anchor of the current document stands for: a scalar's text, a mapping's kind.
    let mut anchored: HashMap<usize, Anchored> = HashMap::new();
    for item in parser(text, SCAN_DEPTH) {
        let event = match item {
            Ok((event, _)) => event,
            Err(e) => {
                out.error = Some(syntax_error(text, &e));
                return out;
            }
        };
        match event {
            Event::DocumentStart(..) => {
                stack.clear();
                anchored.clear();
            }
            Event::Scalar(..)
            | Event::Alias(_)
            | Event::MappingStart(..)
            | Event::SequenceStart(..) => {
                // What this node is to the collection that holds it.
                let top = stack.len().checked_sub(1);
                let mut merge_target: Option<usize> = None;
                match stack.last_mut() {
                    Some(ScanFrame::Map {
                        expect_key: expect_key @ true,
                        pending,
                        ..
                    }) => {
                        *pending = match &event {
                            Event::Scalar(v, _, _, _) if v.as_ref() == "kind" => Pending::Kind,
                            Event::Scalar(v, style, _, tag)
                                if is_merge_key(v, *style, tag.as_deref()) =>
                            {
                                Pending::Merge
                            }
                            // A key written through an alias (`*k: AISystem`, `&k kind`
                            // defined earlier) is the key it stands for.
                            Event::Alias(id) => match anchored.get(id) {
                                Some(Anchored::Scalar(k)) if k == "kind" => Pending::Kind,
                                Some(Anchored::Scalar(k)) if k == "<<" => Pending::Merge,
                                _ => Pending::Other,
                            },
                            _ => Pending::Other,
                        };
                        *expect_key = false;
                    }
                    Some(ScanFrame::Map {
                        expect_key: expect_key @ false,
                        pending,
                        kind,
                        ..
                    }) => {
                        *expect_key = true;
                        match *pending {
                            Pending::Kind => {
                                *kind = match &event {
                                    Event::Scalar(v, ..) => KindValue::text(v),
                                    Event::Alias(id) => match anchored.get(id) {
                                        Some(Anchored::Scalar(t)) => KindValue::Text(t.clone()),
                                        Some(_) => KindValue::NotText,
                                        None => KindValue::Unknown,
                                    },
                                    _ => KindValue::NotText,
                                };
                            }
                            Pending::Merge => merge_target = top,
                            Pending::Other => {}
                        }
                        *pending = Pending::Other;
                    }
                    Some(ScanFrame::Seq { merge_into }) => merge_target = *merge_into,
                    None => {}
                }
                // A merge source: a mapping (read below), an alias to one, or (directly
                // under `<<`) a sequence of them.
                let direct_merge =
                    merge_target.is_some() && matches!(stack.last(), Some(ScanFrame::Map { .. }));
                match &event {
                    Event::Alias(id) => {
                        if let Some(t) = merge_target {
                            let value = match anchored.get(id) {
                                Some(Anchored::Map(v)) => v.clone(),
                                // Not a mapping: the loader says what is wrong.
                                _ => KindValue::Unknown,
                            };
                            merge(&mut stack, t, value);
                        }
                    }
                    Event::Scalar(value, _, anchor, _) => {
                        if *anchor != 0 {
                            anchored.insert(
                                *anchor,
                                Anchored::Scalar(value.chars().take(KIND_CHARS + 1).collect()),
                            );
                        }
                        if let Some(t) = merge_target {
                            // Not a mapping: the loader says what is wrong.
                            merge(&mut stack, t, KindValue::Unknown);
                        }
                    }
                    Event::MappingStart(_, anchor, _) => {
                        let is_root = stack.is_empty();
                        stack.push(ScanFrame::Map {
                            anchor: *anchor,
                            expect_key: true,
                            pending: Pending::Other,
                            kind: KindValue::Unset,
                            merged: KindValue::Unset,
                            merge_into: merge_target,
                            is_root,
                        });
                    }
                    Event::SequenceStart(_, anchor, _) => {
                        if *anchor != 0 {
                            anchored.insert(*anchor, Anchored::Seq);
                        }
                        if let Some(t) = merge_target
                            && !direct_merge
                        {
                            // A sequence inside a merge sequence is not a mapping.
                            merge(&mut stack, t, KindValue::Unknown);
                        }
                        stack.push(ScanFrame::Seq {
                            merge_into: merge_target.filter(|_| direct_merge),
                        });
                    }
                    _ => {}
                }
                // An explicit top-level `kind: AISystem` decides at once (a key written in
                // the mapping wins over anything merged).
                if let Some(ScanFrame::Map {
                    is_root: true,
                    kind: KindValue::Text(k),
                    ..
                }) = stack.first()
                    && k == crate::model::KIND
                {
                    out.aisystem = true;
                    return out;
                }
            }
            Event::MappingEnd => {
                if let Some(ScanFrame::Map {
                    anchor,
                    kind,
                    merged,
                    merge_into,
                    is_root,
                    ..
                }) = stack.pop()
                {
                    let resolved = if kind == KindValue::Unset {
                        merged
                    } else {
                        kind
                    };
                    if anchor != 0 {
                        anchored.insert(anchor, Anchored::Map(resolved.clone()));
                    }
                    if let Some(t) = merge_into {
                        merge(&mut stack, t, resolved.clone());
                    }
                    if is_root {
                        match resolved {
                            KindValue::Text(k) if k == crate::model::KIND => {
                                out.aisystem = true;
                                return out;
                            }
                            KindValue::Text(k) => {
                                if out.other_kinds.len() < 5 && !out.other_kinds.contains(&k) {
                                    out.other_kinds.push(k);
                                }
                            }
                            KindValue::Unknown => out.undecided = true,
                            KindValue::Unset | KindValue::NotText => {}
                        }
                    }
                }
            }
            Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    out
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
        assert_eq!(m.locate(""), (Position { line: 1, column: 1 }, false));
    }

    #[test]
    fn keys_containing_dots_are_found() {
        let src = "metadata:\n  annotations:\n    backstage.io/source-location: x\n    a[0]: y\n";
        let m = &index_documents(src).unwrap()[0].map;
        assert_eq!(
            m.get("metadata.annotations.backstage.io/source-location"),
            Some(Position { line: 3, column: 5 })
        );
        assert_eq!(
            m.get("metadata.annotations.a[0]"),
            Some(Position { line: 4, column: 5 })
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
        let src = "? [a, b]\n: {c: 1}\nnext: 2\n";
        let docs = index_documents(src).unwrap();
        assert_eq!(
            docs[0].map.get("next"),
            Some(Position { line: 3, column: 1 })
        );
        assert_eq!(docs[0].map.get("c"), None);
    }

    #[test]
    fn empty_documents_are_marked() {
        let docs = index_documents("---\n# only a comment\n---\nkind: x\n---\n").unwrap();
        let empty: Vec<bool> = docs.iter().map(|d| d.empty).collect();
        assert_eq!(empty, [true, false, true]);
        let docs = index_documents("--- ''\n--- ~\n").unwrap();
        assert!(docs.iter().all(|d| !d.empty), "written values are content");
    }

    #[test]
    fn node_and_depth_caps_are_located() {
        let many = "- x\n".repeat(MAX_NODES + 5);
        match index_documents(&many) {
            Err(IndexError::TooManyNodes { at }) => assert_eq!(at.line, MAX_NODES - 1),
            other => panic!("{other:?}"),
        }
        let mut deep = String::new();
        for i in 0..MAX_DEPTH + 3 {
            deep.push_str(&" ".repeat(i * 2));
            deep.push_str("k:\n");
        }
        match index_documents(&deep) {
            Err(IndexError::TooDeep { at }) => assert_eq!(at.line, MAX_DEPTH + 1),
            other => panic!("{other:?}"),
        }
        let flow = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(index_documents(&flow).is_err());
    }

    #[test]
    fn kinds_are_read_from_the_yaml_not_the_text() {
        let yes = [
            "kind: AISystem\n",
            "{\"apiVersion\": \"steward/v1\", \"kind\": \"AISystem\"}\n",
            "\"kind\": AISystem\n",
            "kind: !!str AISystem\n",
            "kind: Component\n---\nmetadata: {a: [1, {kind: x}]}\nkind: AISystem\n",
            "? [complex]\n: 1\nkind: AISystem\n",
        ];
        for y in yes {
            assert!(scan_kinds(y).aisystem, "{y}");
        }
        let no = [
            "kind: ConfigMap\ndata:\n  m.yaml: |\n    kind: AISystem\n",
            "kind: AISystemPolicy\n",
            "spec:\n  kind: AISystem\n",
            "- kind: AISystem\n",
            "AISystem: kind\n",
            "kind: [AISystem]\n",
        ];
        for n in no {
            assert!(!scan_kinds(n).aisystem, "{n}");
        }
        assert_eq!(
            scan_kinds("kind: A\n---\nkind: B\n---\nkind: A\n").other_kinds,
            ["A", "B"]
        );
        // Deeper than a manifest may be is still YAML, and read as such.
        let deep = format!("kind: Deep\nx: {}1{}\n", "[".repeat(100), "]".repeat(100));
        let scan = scan_kinds(&deep);
        assert_eq!(
            (scan.error, scan.other_kinds),
            (None, vec!["Deep".to_string()])
        );
        let broken = scan_kinds("kind: x\nfoo: [\n");
        assert!(broken.error.is_some() && !broken.aisystem);
    }

    #[test]
    fn kinds_through_aliases_and_merge_keys_are_resolved() {
        let yes = [
            "metadata: {title: &k AISystem}\nkind: *k\n",
            "<<: {kind: AISystem}\nmetadata: {name: a}\n",
            "base: &b {kind: AISystem, x: 1}\n<<: *b\n",
            "a: &a {y: 1}\nb: &b {kind: AISystem}\n<<: [*a, *b]\n",
            "<<: [{z: 1}, {kind: AISystem}]\n",
            "<<: {<<: {kind: AISystem}}\n",
            "!!merge <<: {kind: AISystem}\n",
            "x: &k kind\n*k : AISystem\n",
            "x: &m {kind: &k AISystem}\nkind: *k\n",
        ];
        for y in yes {
            let scan = scan_kinds(y);
            assert!(scan.aisystem, "{y}: {scan:?}");
        }
        let no = [
            "kind: Component\n<<: {kind: AISystem}\n",
            "<<: {kind: Component}\n",
            "a: &a {kind: Component}\nb: &b {kind: AISystem}\n<<: [*a, *b]\n",
            "x: &k Component\nkind: *k\n",
            "spec: {<<: {kind: AISystem}}\n",
            "\"<<\": {kind: AISystem}\n",
            // A list is no kind, written out or through an alias (as `kind: [AISystem]`).
            "s: &s [AISystem]\nkind: *s\n",
        ];
        for n in no {
            let scan = scan_kinds(n);
            assert!(!scan.aisystem && !scan.undecided, "{n}: {scan:?}");
        }
        // What the scan cannot follow is left to the loader, never skipped.
        for u in ["<<: 3\n", "s: &s [{kind: AISystem}]\n<<: *s\n"] {
            let scan = scan_kinds(u);
            assert!(
                scan.aisystem || scan.undecided || scan.error.is_some(),
                "{u}: {scan:?}"
            );
        }
    }
}

//! Quoting a manifest's text at a position: the token an error is about (what a renderer
//! underlines) and the lines around a key (what a report shows next to a finding). Both
//! work on the text a [`crate::System`] keeps, so nothing is read from disk again.

use crate::source_map::Position;

/// Byte offset and length of the token at `at` in `text`: from the position to the next
/// whitespace or flow delimiter (`,`, `}`, `]`), at least one character. A position past
/// the end of its line or of the text is clamped there, so a renderer always has a place
/// to point, and the span always lies inside the text on character boundaries.
pub fn token_span(text: &str, at: Position) -> (usize, usize) {
    let line_start = text
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        .min(text.len());
    let line = text[line_start..].split('\n').next().unwrap_or("");
    let col_byte = line
        .char_indices()
        .nth(at.column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[col_byte..];
    let token_end = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | '}' | ']'))
        .map_or(rest.len(), |(i, _)| i);
    // At a delimiter (or the line's end) the span is that one character (or line break).
    let len = match token_end {
        0 => rest.chars().next().map_or(1, char::len_utf8),
        n => n,
    };
    let start = (line_start + col_byte).min(text.len());
    (start, len.min(text.len() - start))
}

/// Lines of a manifest around a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet<'a> {
    /// Where the key is written, or its nearest written parent when it is not.
    pub position: Position,
    /// Whether the key itself is written (`false`: `position` is a parent's).
    pub exact: bool,
    /// The 1-based number of the first line in `lines`.
    pub first_line: usize,
    /// The lines as written, without their line breaks. They are the file's own text:
    /// a caller escapes and clips them for its medium (a terminal, HTML).
    pub lines: Vec<&'a str>,
}

/// The lines from `context` before `at` to `context` after it (fewer at the file's edges).
pub(crate) fn lines_around(text: &str, at: Position, exact: bool, context: usize) -> Snippet<'_> {
    let first_line = at.line.saturating_sub(context).max(1);
    let last_line = at.line.saturating_add(context);
    let lines = text
        .split('\n')
        .skip(first_line - 1)
        .take(last_line - first_line + 1)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    Snippet {
        position: at,
        exact,
        first_line,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn a_token_runs_to_whitespace_or_a_flow_delimiter() {
        let text = "a: 1\nspec: {lifecycle: beta, x: 2}\n";
        let (start, len) = token_span(text, at(2, 19));
        assert_eq!(&text[start..start + len], "beta");
        let (start, len) = token_span(text, at(1, 1));
        assert_eq!(&text[start..start + len], "a:");
    }

    #[test]
    fn a_span_stays_inside_the_text_and_on_character_boundaries() {
        let text = "name: café\nü\u{3000}x\n";
        for line in 0..5 {
            for column in 0..14 {
                let (start, len) = token_span(text, at(line, column));
                assert!(start + len <= text.len());
                assert!(text.is_char_boundary(start) && text.is_char_boundary(start + len));
            }
        }
        assert_eq!(token_span(text, at(9, 1)), (text.len(), 0));
    }

    #[test]
    fn lines_around_a_position_stop_at_the_edges() {
        let text = "one\r\ntwo\nthree\nfour\n";
        let s = lines_around(text, at(2, 1), true, 1);
        assert_eq!((s.first_line, s.lines), (1, vec!["one", "two", "three"]));
        let s = lines_around(text, at(1, 1), false, 2);
        assert_eq!((s.first_line, s.lines), (1, vec!["one", "two", "three"]));
        let s = lines_around(text, at(4, 1), true, 0);
        assert_eq!(s.lines, vec!["four"]);
    }
}

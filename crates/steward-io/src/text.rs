//! Untrusted text made safe to show.
//!
//! Manifest values, column names and file names come from whoever wrote the file. Printed
//! raw, an escape sequence in a team name can clear the screen, rewrite earlier lines of a
//! CI log or hide a finding; a right-to-left override can make text read differently from
//! what it is. Every human-readable output passes such text through these functions.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that change how surrounding text is displayed without being visible: every
/// character of Unicode's general category Cf (format), which holds the bidirectional
/// marks, embeddings, overrides and isolates ("Trojan Source", U+061C and U+200E/F among
/// them), the zero-width marks and joiners, the invisible operators U+2060-U+2064, the byte
/// order mark, the interlinear annotation marks and the tag characters; and the line and
/// paragraph separators (categories Zl and Zp), which some terminals and editors break
/// lines at. The list is Unicode 15.1's Cf.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Whether `c` must never reach a terminal or a report raw: a control character (C0, DEL,
/// C1) or an invisible format character ([`is_invisible_format`]).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let needs = |c: char| is_unsafe(c) && !keep(c);
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs(c) {
            // Infallible: writing to a String.
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Every control character except newline and tab, shown as `\u{1b}`; for multi-line text.
pub fn escape_control(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\n' || c == '\t')
}

/// Every control character including newlines and tabs, shown as `\u{a}`; for text that must
/// stay on one line (a name, a value inside a sentence).
pub fn escape_line(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

/// Serialized JSON made safe to show: every character [`is_unsafe`] that the serializer
/// left raw (serde_json escapes only U+0000-U+001F) written as a JSON `\uXXXX` escape (a
/// surrogate pair beyond the BMP). Outside strings JSON holds only ASCII punctuation,
/// digits, letters and whitespace, so such a character can only be inside a string, where
/// the escape means the very same character: the document parses to the same value.
/// Newline, tab and carriage return are JSON whitespace between tokens and are kept.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    let needs = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r');
    if !json.chars().any(needs) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                // Infallible: writing to a String.
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for a terminal that may already hold this program's own colour sequences (SGR:
/// `ESC [ digits ; ... m`): those are kept when `keep_colour` is set, every other unsafe
/// character (including an ESC that starts anything else) is escaped as by
/// [`escape_control`]. For output rendered by a library (a diagnostic with colours) whose
/// quoted text could not be escaped before rendering.
pub fn escape_rendered(s: &str, keep_colour: bool) -> Cow<'_, str> {
    let needs = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\t');
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' && keep_colour {
            let body = &rest[1..];
            if let Some(after) = body.strip_prefix('[') {
                let params = after
                    .find(|ch: char| !(ch.is_ascii_digit() || ch == ';'))
                    .unwrap_or(after.len());
                if after[params..].starts_with('m') {
                    let len = 2 + params + 1;
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                    continue;
                }
            }
        }
        if needs(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// A value to quote inside a message: escaped like [`escape_line`] and, when longer than
/// `max_chars` characters, cut there with the full size said, so a 20 MB cell makes a short
/// error line rather than a 20 MB one.
pub fn clip(s: &str, max_chars: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max_chars) {
        None => escape_line(s),
        Some((cut, _)) => Cow::Owned(format!(
            "{}… ({} bytes in all)",
            escape_line(&s[..cut]),
            s.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_untouched() {
        assert!(matches!(escape_line("Payments team"), Cow::Borrowed(_)));
        assert!(matches!(escape_control("a\n\tb"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_made_visible() {
        assert_eq!(escape_line("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape_control("x\r\ny\u{7f}"), "x\\u{d}\ny\\u{7f}");
        assert_eq!(escape_line("x\ny"), "x\\u{a}y");
        assert_eq!(escape_line("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape_line("abc\u{202e}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn every_bidi_control_and_separator_is_made_visible() {
        for c in [
            '\u{61c}',
            '\u{200e}',
            '\u{2028}',
            '\u{2029}',
            '\u{2060}',
            '\u{2064}',
            '\u{206a}',
            '\u{ad}',
            '\u{feff}',
            '\u{e0041}',
            '\u{85}',
        ] {
            let s = format!("a{c}b");
            assert_eq!(escape_line(&s), format!("a\\u{{{:x}}}b", c as u32));
        }
        assert!(matches!(escape_line("é ü ß 日本 – “q”"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_meaning_and_loses_raw_controls() {
        let raw = "{\"k\": \"a\u{9b}b\u{202e}c\u{1d173}d\u{7f}\",\n\t\"é\": 1}";
        let safe = escape_json(raw);
        assert!(
            !safe.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'),
            "{safe}"
        );
        assert!(
            safe.contains("\\u009b") && safe.contains("\\ud834\\udd73"),
            "{safe}"
        );
        assert!(safe.contains("\"é\""), "{safe}");
        assert!(matches!(escape_json("{\"a\": \"é\"}"), Cow::Borrowed(_)));
    }

    #[test]
    fn rendered_text_keeps_colours_only() {
        let s = "\u{1b}[31merror\u{1b}[0m \u{1b}]0;t\u{7}\u{2028}";
        assert_eq!(
            escape_rendered(s, true),
            "\u{1b}[31merror\u{1b}[0m \\u{1b}]0;t\\u{7}\\u{2028}"
        );
        assert_eq!(escape_rendered("\u{1b}[31mx", false), "\\u{1b}[31mx");
    }

    #[test]
    fn long_values_are_cut_at_a_character_boundary() {
        let long = "é".repeat(100);
        let c = clip(&long, 10);
        assert!(c.starts_with(&"é".repeat(10)), "{c}");
        assert!(c.ends_with("(200 bytes in all)"), "{c}");
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("0123456789", 10), "0123456789");
    }
}

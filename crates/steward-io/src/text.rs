//! Untrusted text made safe to show.
//!
//! Manifest values, column names and file names come from whoever wrote the file. Printed
//! raw, an escape sequence in a team name can clear the screen, rewrite earlier lines of a
//! CI log or hide a finding; a right-to-left override can make text read differently from
//! what it is. Every human-readable output passes such text through these functions.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that change how surrounding text is displayed without being visible: the
/// bidirectional overrides and isolates ("Trojan Source"), and zero-width marks.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let needs = |c: char| (c.is_control() || is_invisible_format(c)) && !keep(c);
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
    fn long_values_are_cut_at_a_character_boundary() {
        let long = "é".repeat(100);
        let c = clip(&long, 10);
        assert!(c.starts_with(&"é".repeat(10)), "{c}");
        assert!(c.ends_with("(200 bytes in all)"), "{c}");
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("0123456789", 10), "0123456789");
    }
}

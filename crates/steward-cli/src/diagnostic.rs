//! A manifest error drawn on a terminal: [`ManifestError`] is plain data; this adapts it to
//! miette's `Diagnostic` (the file's lines as a named source, the offending text
//! underlined, the help line) so it renders like a compiler error.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use steward_manifest::{ManifestError, Position, token_span};

/// Lines of a snippet are cut after this many characters (with `…`): a snippet of a
/// 200,000-character line helps nobody, and the renderer cannot pad an underline that far
/// (it panics past 65,535 columns). An error further along its line than this is shown
/// without a snippet; the message still says `file:line:column`.
const SNIPPET_MAX_LINE_CHARS: usize = 400;

/// One manifest error, ready for miette's graphical handler.
pub struct ManifestDiagnostic<'a> {
    error: &'a ManifestError,
    /// The file's lines as shown (cut and made visible), when a snippet is shown.
    source: Option<NamedSource<Arc<str>>>,
    /// Byte offset and length of the underline in the shown lines.
    span: Option<(usize, usize)>,
}

impl<'a> ManifestDiagnostic<'a> {
    pub fn new(error: &'a ManifestError) -> Self {
        let shown = match (error.text.as_ref(), error.position) {
            (Some(text), Some(p)) if p.column <= SNIPPET_MAX_LINE_CHARS => {
                Some((shown_text(text), p))
            }
            _ => None,
        };
        let span = shown.as_ref().map(|(text, p)| token_span(text, *p));
        ManifestDiagnostic {
            error,
            source: shown.map(|(text, _): (Arc<str>, Position)| {
                NamedSource::new(&*error.file, text).with_language("yaml")
            }),
            span,
        }
    }
}

/// The file's text as the snippet shows it; the text itself (shared, not copied) when
/// nothing in it needs cutting or making visible.
fn shown_text(text: &Arc<str>) -> Arc<str> {
    match cropped_lines(text) {
        Cow::Borrowed(_) => match visible_source(text) {
            Cow::Borrowed(_) => Arc::clone(text),
            Cow::Owned(visible) => Arc::from(visible),
        },
        Cow::Owned(cropped) => Arc::from(visible_source(&cropped).into_owned()),
    }
}

/// With a snippet the diagnostic shows `file:line:column` itself, so the message stands
/// alone; without one, the file (and position) lead the message.
impl fmt::Display for ManifestDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_some() {
            f.write_str(&self.error.message)
        } else {
            f.write_str(&self.error.one_line())
        }
    }
}

impl fmt::Debug for ManifestDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.error, f)
    }
}

impl std::error::Error for ManifestDiagnostic<'_> {}

impl Diagnostic for ManifestDiagnostic<'_> {
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.error
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let (start, len) = self.span?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, (start, len)),
        )))
    }
}

/// `text` with every line longer than [`SNIPPET_MAX_LINE_CHARS`] cut there; the lines stay
/// where they were, so positions up to the cut still point at the same characters.
fn cropped_lines(text: &str) -> Cow<'_, str> {
    if text.split('\n').all(|l| l.len() <= SNIPPET_MAX_LINE_CHARS) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(1 << 20));
    for line in text.split_inclusive('\n') {
        match line.char_indices().nth(SNIPPET_MAX_LINE_CHARS) {
            Some((cut, _)) => {
                out.push_str(&line[..cut]);
                out.push('…');
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    Cow::Owned(out)
}

/// The file's text as the diagnostic shows it: every control or invisible formatting
/// character replaced by a visible one of the same length in characters (the Unicode
/// "control pictures", such as `␛` for ESC), so that columns still line up and no escape
/// sequence written in a manifest reaches the terminal through the source snippet.
fn visible_source(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && c != '\n' && c != '\t' && c != '\r')
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    let lone_cr = text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\r' && w[1] != b'\n')
        || text.ends_with('\r');
    if !lone_cr && !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let shown = match c {
            // A carriage return that does not end a line would move the cursor back over it.
            '\r' if chars.peek() != Some(&'\n') => '\u{240D}',
            c if (c as u32) < 0x20 && hidden(c) => {
                char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')
            }
            '\u{7F}' => '\u{2421}',
            c if hidden(c) => '\u{FFFD}',
            c => c,
        };
        out.push(shown);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::{GraphicalReportHandler, GraphicalTheme};
    use steward_manifest::parse_manifests;

    fn render(e: &ManifestError) -> String {
        let mut out = String::new();
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_context_lines(2)
            .render_report(&mut out, &ManifestDiagnostic::new(e))
            .expect("rendered");
        out
    }

    fn err(text: &str) -> ManifestError {
        parse_manifests("m.yaml", text.as_bytes()).expect_err("must be refused")
    }

    #[test]
    fn a_located_error_shows_its_line_underlined_with_the_help() {
        let e = err(
            "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: a\nspec:\n  lifecycle: pilot\n  colour: red\n",
        );
        let out = render(&e);
        assert!(out.contains("m.yaml:7:3"), "{out}");
        // `colour:` underlined, under its own line.
        assert!(
            out.contains(" 7 │   colour: red\n   ·   ───────\n"),
            "{out}"
        );
        assert!(out.contains("steward schema"), "{out}");
    }

    #[test]
    fn an_error_about_the_whole_file_names_the_file() {
        let out = render(&err("# nothing here\n"));
        assert!(out.contains("m.yaml: the file is empty"), "{out}");
    }

    #[test]
    fn control_characters_never_reach_the_terminal_through_an_error() {
        let check = |e: &ManifestError| {
            let out = render(e);
            let raw: Vec<char> = out
                .chars()
                .filter(|c| c.is_control() && *c != '\n')
                .collect();
            assert!(raw.is_empty(), "{raw:?} in\n{out}");
            out
        };
        // A raw ESC in the file: the YAML error's source snippet shows it as a picture.
        let text = "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  # \u{1b}[2J\u{9b}1m\r\n  name: a\nspec: {lifecycle: pilot}\n";
        let e = parse_manifests("in\u{1b}[31mred.yaml", text.as_bytes()).unwrap_err();
        let out = check(&e);
        assert!(out.contains("in\\u{1b}[31mred.yaml"), "{out}");
        assert!(out.contains('\u{241b}'), "{out}");
        // ESC through YAML's `\e` escape, quoted in the message.
        let text = "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: \"a\\e[2Jb\"\nspec: {lifecycle: pilot}\n";
        let e = parse_manifests("m.yaml", text.as_bytes()).unwrap_err();
        check(&e);
        assert!(e.message.contains("a\\u{1b}[2Jb"), "{}", e.message);
    }

    #[test]
    fn an_error_far_along_a_long_line_renders_without_its_snippet() {
        // The renderer pads the underline to the column and panics past 65,535 of them.
        let text = format!(
            "apiVersion: steward/v1\nkind: AISystem\nmetadata: {{name: a}}\nspec: {{lifecycle: pilot, scope: {{in_scope: [{}{{}}]}}}}\n",
            "x, ".repeat(40_000)
        );
        let e = err(&text);
        assert_eq!(e.position.map(|p| p.line), Some(4));
        let out = render(&e);
        assert!(out.contains("m.yaml:4:"), "{out}");
        assert!(out.len() < 2_000, "{} bytes", out.len());
    }

    #[test]
    fn a_long_line_next_to_an_error_is_cut_in_the_snippet() {
        let text = format!(
            "apiVersion: steward/v1\nkind: AISystem\nmetadata: {{name: a}}\nspec:\n  lifecycle: pilot\n  budget:\n    poc_cost: -1\n    annual: {{maintenance: 1}} {}\n",
            "# x".repeat(20_000)
        );
        let out = render(&err(&text));
        assert!(out.contains("poc_cost: -1") && out.contains('…'), "{out}");
        assert!(out.len() < 4_000, "{} bytes", out.len());
    }

    #[test]
    fn the_text_is_shared_when_it_is_shown_as_it_is() {
        let e = err(
            "apiVersion: steward/v1\nkind: AISystem\nmetadata: {name: a}\nspec: {lifecycle: beta}\n",
        );
        let text = e.text.as_ref().unwrap();
        assert!(Arc::ptr_eq(&shown_text(text), text));
        let e = err(
            "apiVersion: steward/v1\nkind: AISystem\n# \u{1b}\nmetadata: {name: a}\nspec: {lifecycle: beta}\n",
        );
        assert!(shown_text(e.text.as_ref().unwrap()).contains('\u{241b}'));
    }

    /// Damaged copies of a real manifest (cut anywhere, a byte replaced by YAML
    /// punctuation) render without a panic: every span stays inside the shown text.
    #[test]
    fn damaged_manifests_render_without_panicking() {
        let real = include_str!("../../../examples/payments-code-review.yaml").as_bytes();
        let mut rendered = 0;
        for (i, cut) in (0..real.len()).step_by(37).enumerate() {
            let mut bytes = real[..cut].to_vec();
            let punctuation = b"{}[]:,-&*!|>'\"%@`\t\r";
            if let Some(b) = bytes.get_mut(cut.saturating_sub(i % 50)) {
                *b = punctuation[i % punctuation.len()];
            }
            if let Err(e) = parse_manifests("fuzz.yaml", &bytes) {
                render(&e);
                rendered += 1;
            }
        }
        assert!(rendered > 10, "{rendered}");
    }
}

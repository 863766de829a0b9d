//! Reading chapters: their fenced code blocks and include directives.

use mdbook_markdown::MarkdownOptions;
use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// A parser of a chapter's Markdown with the extensions mdBook enables
/// (tables, footnotes, definition lists, …; book.toml keeps its defaults), so
/// that blocks are read as mdBook reads them.
pub fn parser(text: &str) -> Parser<'_> {
    mdbook_markdown::new_cmark_parser(text, &MarkdownOptions::default())
}

/// A fenced code block of a chapter.
#[derive(Debug, Clone)]
pub struct CodeBlock {
    /// The info string: `rust,compile_fail`, `console`, …
    pub info: String,
    /// 1-based line of the opening fence.
    pub line: usize,
    pub content: String,
}

impl CodeBlock {
    /// The words of the info string (`rust`, `compile_fail`, `edition2024`, …).
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.info
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|word| !word.is_empty())
    }

    pub fn has(&self, attribute: &str) -> bool {
        self.attributes().any(|word| word == attribute)
    }

    pub fn is_rust(&self) -> bool {
        self.attributes().next() == Some("rust")
    }
}

/// Every fenced code block of a Markdown text, in order.
pub fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<CodeBlock> = None;
    for (event, range) in parser(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some(CodeBlock {
                    info: info.to_string(),
                    line: text[..range.start].matches('\n').count() + 1,
                    content: String::new(),
                });
            }
            Event::Text(chunk) => {
                if let Some(block) = current.as_mut() {
                    block.content.push_str(&chunk);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// An `{{#include path}}` or `{{#rustdoc_include path:anchor}}` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub rustdoc: bool,
    /// As written, relative to the chapter's directory.
    pub path: String,
    /// What follows the path after a `:` (an anchor or a line range), if anything.
    pub selection: Option<String>,
}

impl Include {
    /// Whether the page shows the included file as it is (an output or an
    /// error file): programs are shown with hidden lines, Markdown and HTML
    /// are rendered, and JSON is data for a script.
    pub fn shows_as_is(&self) -> bool {
        ![".rs", ".md", ".html", ".json"]
            .iter()
            .any(|extension| self.path.ends_with(extension))
    }

    /// Whether it is data for the page's scripts, which the page must hold
    /// as it is in a `<script type="application/json">`.
    pub fn is_script_data(&self) -> bool {
        self.path.ends_with(".json")
    }
}

/// The include directive a line consists of, if it is one.
pub fn include_directive(line: &str) -> Option<Include> {
    let inner = line.trim().strip_prefix("{{#")?.strip_suffix("}}")?;
    let (directive, argument) = inner.split_once(char::is_whitespace)?;
    let rustdoc = match directive {
        "include" => false,
        "rustdoc_include" => true,
        _ => return None,
    };
    let argument = argument.trim();
    let (path, selection) = match argument.split_once(':') {
        Some((path, selection)) => (path, Some(selection.to_owned())),
        None => (argument, None),
    };
    Some(Include {
        rustdoc,
        path: path.to_owned(),
        selection,
    })
}

/// Every include directive in a text (inside code blocks or not), with its line.
pub fn includes(text: &str) -> Vec<(usize, Include)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| include_directive(line).map(|include| (index + 1, include)))
        .collect()
}

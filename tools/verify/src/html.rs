//! Reading the built HTML book as a browser parses it (scraper: html5ever's
//! parser and CSS selectors), so that entities, quoting and script bodies
//! are read the browser's way; and what a chapter's page must show.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use scraper::{ElementRef, Html, Selector};

use crate::book::Chapter;
use crate::markdown;

/// A parsed HTML page.
pub struct Page(Html);

/// A `<pre><code>` block as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    /// The classes of its `<code>`: `language-rust`, `compile_fail`, …
    pub classes: Vec<String>,
    /// Its text, hidden lines included.
    pub text: String,
    /// The text of the `<p class="caption">` right after the block, if any.
    pub caption: Option<String>,
}

/// A heading or a code block of the page's content, in the order shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Heading(String),
    Code(CodeBlock),
}

impl Page {
    pub fn parse(html: &str) -> Page {
        Page(Html::parse_document(html))
    }

    pub fn read(path: &Path) -> Page {
        let html = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Page::parse(&html)
    }

    /// The page's own content: mdBook puts it in `<main>`; a page without
    /// one is all content.
    fn main(&self) -> ElementRef<'_> {
        self.0
            .select(&selector("main"))
            .next()
            .unwrap_or_else(|| self.0.root_element())
    }

    /// The text of the content, as a reader sees it (hidden lines included).
    pub fn text(&self) -> String {
        self.main().text().collect()
    }

    /// The `href` and `src` values of every element, in order.
    pub fn links(&self) -> Vec<String> {
        links_in(self.0.root_element())
    }

    /// The `href` and `src` values in the content, in order.
    pub fn content_links(&self) -> Vec<String> {
        links_in(self.main())
    }

    /// The `href` of each `<base>`.
    pub fn bases(&self) -> Vec<String> {
        self.attributes("base", "href")
    }

    /// Every `id`, which a link's `#anchor` may name.
    pub fn ids(&self) -> HashSet<String> {
        self.attributes("*", "id").into_iter().collect()
    }

    /// The values of attribute `name` of the elements `css` selects.
    fn attributes(&self, css: &str, name: &str) -> Vec<String> {
        let elements = selector(&format!("{css}[{name}]"));
        let values = self.0.select(&elements).filter_map(|e| e.attr(name));
        values.map(str::to_owned).collect()
    }

    /// The headings and code blocks of the content, in order.
    pub fn items(&self) -> Vec<Item> {
        let items = selector("h1, h2, h3, h4, h5, h6, pre > code");
        self.main()
            .select(&items)
            .map(|element| match element.value().name() {
                "code" => Item::Code(code_block(element)),
                _ => Item::Heading(element.text().collect()),
            })
            .collect()
    }

    /// The code blocks of the content, in order.
    pub fn code_blocks(&self) -> Vec<CodeBlock> {
        let items = self.items().into_iter();
        items
            .filter_map(|item| match item {
                Item::Code(block) => Some(block),
                Item::Heading(_) => None,
            })
            .collect()
    }
}

/// Text as HTML, safe inside an element and a double-quoted attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("{css}: {e}"))
}

fn links_in(element: ElementRef<'_>) -> Vec<String> {
    let linking = selector("[href], [src]");
    let mut links = Vec::new();
    for element in element.select(&linking) {
        for name in ["href", "src"] {
            links.extend(element.value().attr(name).map(str::to_owned));
        }
    }
    links
}

fn code_block(code: ElementRef<'_>) -> CodeBlock {
    let pre = code.parent().and_then(ElementRef::wrap);
    let next = pre.and_then(|pre| pre.next_siblings().find_map(ElementRef::wrap));
    let caption = next
        .filter(|p| p.value().name() == "p" && p.value().classes().any(|c| c == "caption"))
        .map(|p| p.text().collect());
    CodeBlock {
        classes: code.value().classes().map(str::to_owned).collect(),
        text: code.text().collect(),
        caption,
    }
}

/// What a chapter's page fails to show: an unexpanded `{{#` directive, or an
/// included output or error file that no code block shows as it is.
pub fn page_problems(root: &Path, chapter: &Chapter, html: &str) -> Vec<String> {
    let page = Page::parse(html);
    let mut problems = Vec::new();
    if page.text().contains("{{#") {
        problems.push(format!(
            "{}: an unexpanded {{{{# directive",
            chapter.path.display()
        ));
    }
    let blocks = page.code_blocks();
    let data: Vec<String> = page
        .0
        .select(&selector(r#"script[type="application/json"]"#))
        .map(|script| script.text().collect::<String>())
        .collect();
    let dir = root.join(&chapter.path).parent().unwrap().to_path_buf();
    for (line, include) in markdown::includes(&chapter.text) {
        if !include.shows_as_is() && !include.is_script_data() {
            continue;
        }
        let Ok(shown) = fs::read_to_string(dir.join(&include.path)) else {
            continue; // the tidy layer reports missing files
        };
        let held = if include.is_script_data() {
            data.iter().any(|text| text.trim() == shown.trim())
        } else {
            blocks
                .iter()
                .any(|block| block.text.contains(shown.trim_end()))
        };
        if !held {
            let verb = if include.is_script_data() {
                "hold"
            } else {
                "show"
            };
            problems.push(format!(
                "{}:{line}: the page does not {verb} {} as it is",
                chapter.path.display(),
                include.path
            ));
        }
    }
    problems
}

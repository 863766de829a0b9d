//! `cargo book links`: the chapters' external links (http and https), which
//! the tests cannot check since they have no network. Links inside the book
//! are checked by `cargo test --test links`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mdbook_driver::MDBook;

/// Each external link of the chapters, with the chapters (`src/…`) that
/// have it. The book is built into a temporary directory, so that links the
/// Markdown writes in any form (`[text](url)`, `<url>`, raw HTML) are seen
/// as the reader's browser sees them.
pub fn external_links(root: &Path) -> Result<BTreeMap<String, BTreeSet<PathBuf>>> {
    let mut book =
        MDBook::load(root).with_context(|| format!("loading the book at {}", root.display()))?;
    let dest = tempfile::tempdir()?;
    book.config.build.build_dir = dest.path().to_path_buf();
    book.build().context("building the book")?;

    let html_dir = book.build_dir_for("html");
    let mut links: BTreeMap<String, BTreeSet<PathBuf>> = BTreeMap::new();
    for chapter in book.book.chapters() {
        let Some(path) = &chapter.path else {
            continue; // a draft: no page
        };
        let page = html_dir.join(path).with_extension("html");
        let html =
            fs::read_to_string(&page).with_context(|| format!("reading {}", page.display()))?;
        let source = Path::new(&book.config.book.src).join(path);
        for link in external(main_content(&html)) {
            links.entry(link).or_default().insert(source.clone());
        }
    }
    Ok(links)
}

/// Prints the external links, one a line, each followed by its chapters.
pub fn print(root: &Path) -> Result<()> {
    let links = external_links(root)?;
    for (link, chapters) in &links {
        let chapters: Vec<String> = chapters.iter().map(|c| c.display().to_string()).collect();
        println!("{link}  {}", chapters.join(", "));
    }
    eprintln!(
        "{} external link(s); the tests do not check these (no network).",
        links.len()
    );
    Ok(())
}

/// The chapter's own part of a page: mdBook puts it in `<main>`.
fn main_content(html: &str) -> &str {
    let start = html.find("<main>").unwrap_or(0);
    let end = html[start..]
        .find("</main>")
        .map_or(html.len(), |end| start + end);
    &html[start..end]
}

/// The http and https targets of the `href` and `src` attributes of `html`.
fn external(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attribute in ["href=", "src="] {
        for (at, _) in html.match_indices(attribute) {
            if !html[..at].ends_with(char::is_whitespace) {
                continue; // `data-href=`, or text
            }
            let rest = &html[at + attribute.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let value = rest[1..].split(quote).next().unwrap_or("");
            if value.starts_with("http://") || value.starts_with("https://") {
                links.push(value.replace("&amp;", "&"));
            }
        }
    }
    links
}

//! `cargo book links`: the chapters' external links (http and https), which
//! the tests cannot check since they have no network. Links inside the book
//! are checked by `cargo test --test links`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use verify::book;
use verify::html::Page;

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
    for chapter in book::chapters(root) {
        let page = Page::read(&html_dir.join(chapter.page()));
        for link in page.content_links() {
            if link.starts_with("http://") || link.starts_with("https://") {
                links.entry(link).or_default().insert(chapter.path.clone());
            }
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

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use mdbook_driver::builtin_renderers::MarkdownRenderer;

/// Builds the HTML book, into `dest` or the `build-dir` of book.toml.
pub fn build_html(root: &Path, dest: Option<PathBuf>) -> Result<()> {
    let mut book = load(root)?;
    if let Some(dest) = dest {
        book.config.build.build_dir = dest;
    }
    book.build().context("building the book")?;
    let index = book.build_dir_for("html").join("index.html");
    eprintln!("The book is at {}", index.display());
    Ok(())
}

/// Builds the HTML book into `dest` for `cargo book serve`: the pages connect
/// to the server's live-reload endpoint.
pub fn build_html_for_serving(root: &Path, dest: &Path) -> Result<()> {
    let mut book = load(root)?;
    book.config.build.build_dir = dest.to_path_buf();
    book.config
        .set("output.html.live-reload-endpoint", LIVE_RELOAD_ENDPOINT)
        .context("enabling live reload")?;
    book.build().context("building the book")
}

/// Where pages served by `cargo book serve` listen for "reload".
pub const LIVE_RELOAD_ENDPOINT: &str = "__livereload";

/// Writes every chapter, after mdBook's preprocessors have expanded its
/// `{{#include}}` and `{{#rustdoc_include}}` lines, to `dest` (same relative
/// paths as in `src/`). This is the text a reader sees and copies.
pub fn expand_chapters(root: &Path, dest: &Path) -> Result<Vec<PathBuf>> {
    let expanded = expanded_chapters(root)?;
    if dest.exists() {
        fs::remove_dir_all(dest).with_context(|| format!("removing {}", dest.display()))?;
    }
    let mut written = Vec::new();
    for (relative, content) in expanded {
        let path = dest.join(relative);
        fs::create_dir_all(path.parent().expect("a chapter path has a parent"))?;
        fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Every chapter (its path relative to `src/`) with its includes expanded.
pub fn expanded_chapters(root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let book = load(root)?;
    let (expanded, _) = book
        .preprocess_book(&MarkdownRenderer::new())
        .context("expanding the chapters")?;
    Ok(expanded
        .chapters()
        .map(|chapter| {
            let relative = chapter.path.clone().expect("chapters() skips drafts");
            (relative, chapter.content.clone())
        })
        .collect())
}

fn load(root: &Path) -> Result<MDBook> {
    MDBook::load(root).with_context(|| format!("loading the book at {}", root.display()))
}

//! The book as mdBook reads it: book.toml with mdBook's own configuration
//! types, and the chapters in the order of SUMMARY.md, found by mdBook's own
//! summary parser.

use std::fs;
use std::path::{Path, PathBuf};

use mdbook_core::config::Config;
use mdbook_summary::{Link, SummaryItem};

/// Where SUMMARY.md lists a chapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Before the numbered chapters (an introduction).
    Prefix,
    Numbered,
    /// After them (an appendix).
    Suffix,
}

/// A chapter SUMMARY.md lists with a file. Drafts (`[Title]()`) have no
/// file and no page, so they are left out.
#[derive(Clone, Debug)]
pub struct Chapter {
    /// As SUMMARY.md names it.
    pub title: String,
    pub part: Part,
    /// Relative to the repository root, e.g. `src/ch06-mutex.md`.
    pub path: PathBuf,
    /// Relative to the book's `src` directory, as SUMMARY.md writes it.
    pub location: PathBuf,
    /// The Markdown source.
    pub text: String,
}

impl Chapter {
    /// The page mdBook builds from it, relative to the HTML book.
    pub fn page(&self) -> PathBuf {
        self.location.with_extension("html")
    }
}

/// book.toml as mdBook reads it: its defaults where there is none, and
/// `MDBOOK_…` variables applied.
pub fn config(root: &Path) -> Config {
    let path = root.join("book.toml");
    let mut config = match path.exists() {
        true => Config::from_disk(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display())),
        false => Config::default(),
    };
    config
        .update_from_env()
        .unwrap_or_else(|e| panic!("MDBOOK_ variables: {e:#}"));
    config
}

/// The chapters in the order of SUMMARY.md (nested ones after their parent).
pub fn chapters(root: &Path) -> Vec<Chapter> {
    let src = config(root).book.src;
    let summary_path = root.join(&src).join("SUMMARY.md");
    let summary = fs::read_to_string(&summary_path)
        .unwrap_or_else(|e| panic!("{}: {e}", summary_path.display()));
    let summary = mdbook_summary::parse_summary(&summary)
        .unwrap_or_else(|e| panic!("{}: {e:#}", summary_path.display()));

    let mut links = Vec::new();
    for (part, items) in [
        (Part::Prefix, &summary.prefix_chapters),
        (Part::Numbered, &summary.numbered_chapters),
        (Part::Suffix, &summary.suffix_chapters),
    ] {
        flatten(part, items, &mut links);
    }
    links
        .into_iter()
        .filter_map(|(part, link)| {
            let location = link.location.clone()?;
            let path = src.join(&location);
            let text = fs::read_to_string(root.join(&path))
                .unwrap_or_else(|e| panic!("{} (in SUMMARY.md): {e}", path.display()));
            Some(Chapter {
                title: link.name.clone(),
                part,
                path,
                location,
                text,
            })
        })
        .collect()
}

fn flatten<'s>(part: Part, items: &'s [SummaryItem], links: &mut Vec<(Part, &'s Link)>) {
    for item in items {
        if let SummaryItem::Link(link) = item {
            links.push((part, link));
            flatten(part, &link.nested_items, links);
        }
    }
}

//! The HTML book builds with the mdBook library with no warning, and every
//! page shows the verified output and errors its chapter includes.

use std::fs;

use harness::cargo;
use harness::{html, markdown, repo_root, tidy};

#[test]
fn the_book_builds_cleanly_and_shows_what_was_verified() {
    let root = repo_root();
    let dest = cargo::build_book(&root, "book-html");

    let mut problems = Vec::new();
    for chapter in tidy::chapters(&root) {
        let Ok(relative) = chapter.path.strip_prefix("src") else {
            continue;
        };
        let page = dest.join(relative).with_extension("html");
        let Ok(html) = fs::read_to_string(&page) else {
            continue; // SUMMARY.md, or a draft: no page
        };
        let text = html::unescape(&html);
        if text.contains("{{#") {
            problems.push(format!("{}: an unexpanded {{{{# directive", page.display()));
        }
        let dir = root.join(&chapter.path).parent().unwrap().to_path_buf();
        for (line, include) in markdown::includes(&chapter.text) {
            if include.path.ends_with(".rs") {
                continue; // programs are shown with hidden lines
            }
            let Ok(shown) = fs::read_to_string(dir.join(&include.path)) else {
                continue; // the tidy layer reports missing files
            };
            if !text.contains(shown.trim_end()) {
                problems.push(format!(
                    "{}:{line}: the page does not show {} as it is",
                    chapter.path.display(),
                    include.path
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

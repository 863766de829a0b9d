//! The HTML book builds with the mdBook library with no warning, and every
//! page shows the verified output and errors its chapter includes.

use std::fs;

use harness::cargo;
use harness::{html, repo_root, tidy};

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
        problems.extend(html::page_problems(&root, &chapter, &html));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//! The HTML book builds with the mdBook library with no warning, and every
//! page shows the verified output and errors its chapter includes.

use std::fs;

use verify::{book, cargo, html, repo_root};

#[test]
fn the_book_builds_cleanly_and_shows_what_was_verified() {
    let root = repo_root();
    let dest = cargo::build_book(&root, "book-html");

    let mut problems = Vec::new();
    for chapter in book::chapters(&root) {
        let page = dest.join(chapter.page());
        let html = fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        problems.extend(html::page_problems(&root, &chapter, &html));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//! The HTML book builds with the mdBook library with no warning, and every
//! page shows the verified output and errors its chapter includes.

use std::fs;
use std::path::Path;

use harness::cargo::cargo;
use harness::{markdown, repo_root, tidy};

#[test]
fn the_book_builds_cleanly_and_shows_what_was_verified() {
    let root = repo_root();
    let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join("book-html");
    let status = cargo(&root)
        .args(["book", "build", "--dest"])
        .arg(&dest)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "building the book failed or warned (see above)"
    );

    let mut problems = Vec::new();
    for chapter in tidy::chapters(&root) {
        let Ok(relative) = chapter.path.strip_prefix("src") else {
            continue;
        };
        let page = dest.join(relative).with_extension("html");
        let Ok(html) = fs::read_to_string(&page) else {
            continue; // SUMMARY.md, or a draft: no page
        };
        let text = unescape(&html);
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

/// Undoes the HTML escaping of code blocks.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

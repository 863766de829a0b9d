//! Reading the built HTML book.

use std::fs;
use std::path::Path;

use crate::markdown;
use crate::tidy::Chapter;

/// Undoes the HTML escaping mdBook applies to text and code blocks.
pub fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What a chapter's page fails to show: an unexpanded `{{#` directive, or an
/// included output or error file that does not appear on the page as it is.
pub fn page_problems(root: &Path, chapter: &Chapter, page: &str) -> Vec<String> {
    let text = unescape(page);
    let mut problems = Vec::new();
    if text.contains("{{#") {
        problems.push(format!(
            "{}: an unexpanded {{{{# directive",
            chapter.path.display()
        ));
    }
    let dir = root.join(&chapter.path).parent().unwrap().to_path_buf();
    for (line, include) in markdown::includes(&chapter.text) {
        if !include.shows_as_is() {
            continue;
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
    problems
}

//! The print page (print.html, the whole book on one page) has every
//! chapter, in the order of SUMMARY.md, each with the verified output and
//! errors it includes, in the order the chapter shows them.

use std::fs;
use std::path::Path;

use harness::cargo;
use harness::{html, markdown, repo_root};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

#[test]
fn the_print_page_has_every_chapter_in_order_with_its_evidence() {
    let root = repo_root();
    let dest = cargo::build_book(&root, "book-print");
    let html = fs::read_to_string(dest.join("print.html")).unwrap();

    let chapters = chapters_in_order(&root);
    assert!(!chapters.is_empty(), "SUMMARY.md lists no chapter");
    let problems = print_problems(&root, &chapters, &html);
    assert!(problems.is_empty(), "print.html:\n{}", problems.join("\n"));
}

#[test]
fn a_chapter_out_of_order_and_missing_or_reordered_evidence_are_caught() {
    let root = repo_root();
    let chapters = chapters_in_order(&root);
    // A print page made from the chapters themselves, in a given order, each
    // followed by what `shown` makes of its evidence.
    let page = |order: &[usize], shown: &dyn Fn(Vec<String>) -> Vec<String>| {
        let mut page = String::from("<main>");
        for &i in order {
            let (path, text) = &chapters[i];
            page.push_str(&format!("<h1>{}</h1>", escape(&first_heading(text))));
            let evidence = evidence_of(&root, path).into_iter().map(|(_, text)| text);
            for text in shown(evidence.collect()) {
                page.push_str(&format!("<pre><code>{}</code></pre>", escape(&text)));
            }
        }
        page + "</main>"
    };
    let problems = |html: &str| print_problems(&root, &chapters, html).join("\n");
    let evidence_count = |i: usize| evidence_of(&root, &chapters[i].0).len();
    let with_evidence: Vec<usize> = (0..chapters.len())
        .filter(|&i| evidence_count(i) >= 2)
        .collect();
    assert!(with_evidence.len() >= 2, "chapters show evidence");
    let (first, second) = (with_evidence[0], with_evidence[1]);

    let in_order: Vec<usize> = (0..chapters.len()).collect();
    assert_eq!(problems(&page(&in_order, &|e| e)), "");

    let mut swapped = in_order.clone();
    swapped.swap(first, second);
    let found = problems(&page(&swapped, &|e| e));
    assert!(found.contains("not after the chapter before it"), "{found}");

    let found = problems(&page(&in_order, &|_| Vec::new()));
    let expected = format!("{}: does not show", chapters[first].0);
    assert!(found.contains(&expected), "{found}");

    let found = problems(&page(&in_order, &|mut e| {
        e.reverse();
        e
    }));
    let expected = format!("{}: ", chapters[first].0);
    assert!(
        found.contains(&expected) && found.contains("out of the chapter's order"),
        "{found}"
    );
}

/// Whatever in `html` breaks the rule, one line each.
fn print_problems(root: &Path, chapters: &[(String, String)], html: &str) -> Vec<String> {
    let main = html
        .split_once("<main>")
        .and_then(|(_, rest)| rest.split_once("</main>"))
        .map_or(html, |(main, _)| main);
    let headings = headings(main);

    // Where each chapter starts, found in order.
    let mut starts = Vec::new();
    let mut problems = Vec::new();
    let mut from = 0;
    for (path, text) in chapters {
        let heading = first_heading(text);
        let found = headings[from..].iter().position(|(_, h)| *h == heading);
        match found {
            Some(index) => {
                starts.push((path, headings[from + index].0));
                from += index + 1;
            }
            None if headings.iter().any(|(_, h)| *h == heading) => problems.push(format!(
                "{path}: its heading \"{heading}\" is not after the chapter before it \
                 (the order of SUMMARY.md)"
            )),
            None => problems.push(format!("{path}: its heading \"{heading}\" is missing")),
        }
    }

    for (i, (path, start)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(main.len(), |(_, end)| *end);
        let shown = html::unescape(&strip_tags(&main[*start..end]));
        let mut at = 0;
        for (include, evidence) in evidence_of(root, path) {
            match shown[at..].find(evidence.trim_end()) {
                Some(offset) => at += offset + evidence.trim_end().len(),
                None if shown.contains(evidence.trim_end()) => problems.push(format!(
                    "{path}: {include} is shown out of the chapter's order"
                )),
                None => problems.push(format!("{path}: does not show {include} as it is")),
            }
        }
    }
    problems
}

/// The chapters of SUMMARY.md in order (drafts have none), as
/// `(src/….md, Markdown)`.
fn chapters_in_order(root: &Path) -> Vec<(String, String)> {
    let summary = fs::read_to_string(root.join("src/SUMMARY.md")).unwrap();
    Parser::new(&summary)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) if !dest_url.is_empty() => {
                Some(format!("src/{dest_url}"))
            }
            _ => None,
        })
        .map(|path| {
            let text = fs::read_to_string(root.join(&path)).unwrap();
            (path, text)
        })
        .collect()
}

/// The text of a chapter's first heading.
fn first_heading(markdown: &str) -> String {
    let mut heading = String::new();
    let mut inside = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) => inside = true,
            Event::End(TagEnd::Heading(_)) => return heading,
            Event::Text(text) | Event::Code(text) if inside => heading.push_str(&text),
            _ => {}
        }
    }
    heading
}

/// The files a chapter includes that are not programs (outputs, errors),
/// in order, with their contents.
fn evidence_of(root: &Path, chapter: &str) -> Vec<(String, String)> {
    let chapter_path = root.join(chapter);
    let text = fs::read_to_string(&chapter_path).unwrap();
    let dir = chapter_path.parent().unwrap();
    markdown::includes(&text)
        .into_iter()
        .filter(|(_, include)| include.shows_as_is() && include.selection.is_none())
        .filter_map(|(_, include)| {
            let contents = fs::read_to_string(dir.join(&include.path)).ok()?;
            Some((include.path, contents))
        })
        .collect()
}

/// Each `<h1>`…`<h6>` of `html`, with where it starts and its text.
fn headings(html: &str) -> Vec<(usize, String)> {
    let mut headings = Vec::new();
    for level in 1..=6 {
        let (open, close) = (format!("<h{level}"), format!("</h{level}>"));
        for (start, _) in html.match_indices(&open) {
            let Some(end) = html[start..].find(&close) else {
                continue;
            };
            headings.push((
                start,
                html::unescape(&strip_tags(&html[start..start + end])),
            ));
        }
    }
    headings.sort();
    headings
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find('>')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    text.push_str(rest);
    text
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

//! The print page (print.html, the whole book on one page) has every
//! chapter, in the order of SUMMARY.md, each with the verified output and
//! errors it includes, in the order the chapter shows them.

use std::fs;
use std::path::Path;

use mdbook_markdown::pulldown_cmark::{Event, Tag, TagEnd};
use verify::book::{self, Chapter};
use verify::html::{Item, Page};
use verify::{cargo, markdown, repo_root};

#[test]
fn the_print_page_has_every_chapter_in_order_with_its_evidence() {
    let root = repo_root();
    let dest = cargo::build_book(&root, "book-print");
    let page = Page::read(&dest.join("print.html"));

    let chapters = book::chapters(&root);
    assert!(!chapters.is_empty(), "SUMMARY.md lists no chapter");
    let problems = print_problems(&root, &chapters, &page);
    assert!(problems.is_empty(), "print.html:\n{}", problems.join("\n"));
}

#[test]
fn a_chapter_out_of_order_and_missing_or_reordered_evidence_are_caught() {
    let root = repo_root();
    let chapters = book::chapters(&root);
    // A print page made from the chapters themselves, in a given order, each
    // followed by what `shown` makes of its evidence.
    let page = |order: &[usize], shown: &dyn Fn(Vec<String>) -> Vec<String>| {
        let mut html = String::from("<main>");
        for &i in order {
            let chapter = &chapters[i];
            html.push_str(&format!(
                "<h1>{}</h1>",
                escape(&first_heading(&chapter.text))
            ));
            let evidence = evidence_of(&root, chapter)
                .into_iter()
                .map(|(_, text)| text);
            for text in shown(evidence.collect()) {
                html.push_str(&format!("<pre><code>{}</code></pre>", escape(&text)));
            }
        }
        Page::parse(&(html + "</main>"))
    };
    let problems = |page: &Page| print_problems(&root, &chapters, page).join("\n");
    let evidence_count = |i: usize| evidence_of(&root, &chapters[i]).len();
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
    let expected = format!("{}: does not show", chapters[first].path.display());
    assert!(found.contains(&expected), "{found}");

    let found = problems(&page(&in_order, &|mut e| {
        e.reverse();
        e
    }));
    let expected = format!("{}: ", chapters[first].path.display());
    assert!(
        found.contains(&expected) && found.contains("out of the chapter's order"),
        "{found}"
    );
}

/// Whatever on the print page breaks the rule, one line each.
fn print_problems(root: &Path, chapters: &[Chapter], page: &Page) -> Vec<String> {
    let items = page.items();
    let headings: Vec<(usize, &str)> = (items.iter().enumerate())
        .filter_map(|(at, item)| match item {
            Item::Heading(text) => Some((at, text.as_str())),
            Item::Code(_) => None,
        })
        .collect();

    // Where each chapter starts, found in order.
    let mut starts = Vec::new();
    let mut problems = Vec::new();
    let mut from = 0;
    for chapter in chapters {
        let path = chapter.path.display();
        let heading = first_heading(&chapter.text);
        let found = headings[from..].iter().position(|(_, h)| *h == heading);
        match found {
            Some(index) => {
                starts.push((chapter, headings[from + index].0));
                from += index + 1;
            }
            None if headings.iter().any(|(_, h)| *h == heading) => problems.push(format!(
                "{path}: its heading \"{heading}\" is not after the chapter before it \
                 (the order of SUMMARY.md)"
            )),
            None => problems.push(format!("{path}: its heading \"{heading}\" is missing")),
        }
    }

    for (i, (chapter, start)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(items.len(), |(_, end)| *end);
        let shown: String = (items[*start..end].iter())
            .filter_map(|item| match item {
                Item::Code(block) => Some(block.text.as_str()),
                Item::Heading(_) => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let path = chapter.path.display();
        let mut at = 0;
        for (include, evidence) in evidence_of(root, chapter) {
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

/// The text of a chapter's first heading, as mdBook renders it.
fn first_heading(text: &str) -> String {
    let mut heading = String::new();
    let mut inside = false;
    for event in markdown::parser(text) {
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
fn evidence_of(root: &Path, chapter: &Chapter) -> Vec<(String, String)> {
    let dir = root.join(&chapter.path).parent().unwrap().to_path_buf();
    markdown::includes(&chapter.text)
        .into_iter()
        .filter(|(_, include)| include.shows_as_is() && include.selection.is_none())
        .filter_map(|(_, include)| {
            let contents = fs::read_to_string(dir.join(&include.path)).ok()?;
            Some((include.path, contents))
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

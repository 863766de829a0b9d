//! Every link in the HTML book leads somewhere: each local file a page links
//! to (`href`, `src`) exists, and each `#anchor` is an id of the page it
//! points into. External links (http, https, …) are not checked, since the
//! tests have no network; `cargo book links` lists them.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use mdbook_core::config::HtmlConfig;
use verify::html::Page;
use verify::{book, cargo, repo_root};

#[test]
fn every_link_of_the_book_resolves() {
    let root = repo_root();
    let dest = cargo::build_book(&root, "book-links");

    // An unknown key in [output.html] makes mdBook drop the whole table
    // silently: read it as mdBook does, and find its links on the pages.
    let config: HtmlConfig = book::config(&root)
        .get("output.html")
        .unwrap_or_else(|e| panic!("book.toml's [output.html]: {e:#}"))
        .unwrap_or_default();
    let site_url = config.site_url.as_deref().unwrap_or("/");
    let broken = broken_links(&dest, site_url);
    assert!(
        broken.is_empty(),
        "broken links in the HTML book (fix the Markdown link in the chapter \
         the page is built from, src/<page>.md):\n{}",
        broken.join("\n")
    );

    let links = Page::read(&dest.join("introduction.html")).links();
    for link in [
        config.git_repository_url.clone(),
        (config.edit_url_template.as_ref())
            .map(|edit| edit.replace("{path}", "src/introduction.md")),
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            links.contains(&link),
            "introduction.html does not link to {link}, set in book.toml's [output.html]"
        );
    }
}

#[test]
fn a_missing_page_and_a_missing_anchor_are_caught() {
    let site = Path::new(env!("CARGO_TARGET_TMPDIR")).join("links-fixture");
    let _ = fs::remove_dir_all(&site);
    fs::create_dir_all(site.join("images")).unwrap();
    fs::write(site.join("images/ok.svg"), "<svg/>").unwrap();
    fs::write(
        site.join("a.html"),
        r##"<h1 id="top">A</h1>
        <p><a href="b.html">fine</a> <a href="b.html#there">fine</a>
        <a href="#top">fine</a> <img src="images/ok.svg">
        <a href="https://example.com/nowhere">external, not checked</a>
        <a href='c.html'>no such page</a> <a href="b.html#nowhere">no such anchor</a>
        <img src="images/missing.svg"> <a href="#gone">no such anchor here</a></p>"##,
    )
    .unwrap();
    fs::write(site.join("b.html"), r#"<h2 id="there">B</h2>"#).unwrap();
    fs::write(site.join("index.html"), "").unwrap();
    // Like mdBook's 404 page, which can be shown at any depth.
    fs::write(
        site.join("images/404.html"),
        r#"<base href="/docs/"><a href="a.html">fine</a> <a href="/docs/b.html#there">fine</a>
        <a href="/b.html">outside the book</a>"#,
    )
    .unwrap();

    let broken = broken_links(&site, "/docs/");
    assert_eq!(
        broken,
        [
            "a.html: c.html: there is no c.html",
            "a.html: b.html#nowhere: b.html has no id \"nowhere\"",
            "a.html: images/missing.svg: there is no images/missing.svg",
            "a.html: #gone: a.html has no id \"gone\"",
            "images/404.html: /b.html: outside \"/docs/\", where the book is published",
        ]
    );
}

#[test]
fn cargo_book_links_lists_the_external_links_of_the_chapters() {
    let book = Path::new(env!("CARGO_TARGET_TMPDIR")).join("links-book");
    let _ = fs::remove_dir_all(&book);
    fs::create_dir_all(book.join("src")).unwrap();
    fs::write(book.join("book.toml"), "[book]\ntitle = \"Links\"\n").unwrap();
    fs::write(
        book.join("src/SUMMARY.md"),
        "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n",
    )
    .unwrap();
    fs::write(
        book.join("src/one.md"),
        "# One\n\nSee [std](https://doc.rust-lang.org/std/), [two](two.md) and\n\
         <https://example.com/?a=1&b=2>.\n",
    )
    .unwrap();
    fs::write(
        book.join("src/two.md"),
        "# Two\n\n<a href=\"https://doc.rust-lang.org/std/\">std</a>\n",
    )
    .unwrap();

    let output = cargo::cargo(&repo_root())
        .args(["book", "links", "--root"])
        .arg(&book)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "https://doc.rust-lang.org/std/  src/one.md, src/two.md\n\
         https://example.com/?a=1&b=2  src/one.md\n"
    );
}

/// Every link of every page under `site` that does not resolve, as
/// `page: link: why`, in page order then link order. `site_url` is the path
/// the book is published under (`site-url` in book.toml): links that start
/// with `/`, and those of a page whose `<base href>` is that path (mdBook's
/// 404 page), are resolved from the site's root.
fn broken_links(site: &Path, site_url: &str) -> Vec<String> {
    let mut ids: BTreeMap<PathBuf, HashSet<String>> = BTreeMap::new();
    let mut broken = Vec::new();
    for path in html_pages(site) {
        let page = Page::read(&path);
        let shown = path.strip_prefix(site).unwrap().display().to_string();
        let mut base = path.parent().unwrap().to_path_buf();
        for href in page.bases() {
            if href == site_url {
                base = site.to_path_buf();
            } else {
                broken.push(format!(
                    "{shown}: <base href=\"{href}\">: the book is published under \"{site_url}\""
                ));
            }
        }
        for link in page.links() {
            if is_external(&link) {
                continue;
            }
            let (target, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = decode(target.split('?').next().unwrap());
            let file = if target.is_empty() {
                path.clone()
            } else if target.starts_with('/') {
                let Some(relative) = target.strip_prefix(site_url) else {
                    broken.push(format!(
                        "{shown}: {link}: outside \"{site_url}\", where the book is published"
                    ));
                    continue;
                };
                site.join(relative)
            } else {
                base.join(&target)
            };
            let file = if target.ends_with('/') {
                file.join("index.html")
            } else {
                file
            };
            let file_shown = file.strip_prefix(site).unwrap_or(&file).display();
            if !file.is_file() {
                broken.push(format!("{shown}: {link}: there is no {file_shown}"));
                continue;
            }
            if anchor.is_empty() {
                continue;
            }
            let file_ids = ids
                .entry(file.clone())
                .or_insert_with(|| Page::read(&file).ids());
            let anchor = decode(anchor);
            if !file_ids.contains(&anchor) {
                broken.push(format!(
                    "{shown}: {link}: {file_shown} has no id \"{anchor}\""
                ));
            }
        }
    }
    broken
}

/// Every `.html` file under `dir`, sorted.
fn html_pages(dir: &Path) -> Vec<PathBuf> {
    let mut pages = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "html") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    pages
}

/// A link with a scheme (`https:`, `mailto:`, …) or to another host (`//…`).
fn is_external(link: &str) -> bool {
    let scheme = link.split(['/', '?', '#']).next().unwrap_or("");
    link.starts_with("//") || scheme.contains(':')
}

/// `%20` and the like, decoded as a browser decodes a link's path and fragment.
fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

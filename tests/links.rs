//! Every link in the HTML book leads somewhere: each local file a page links
//! to (`href`, `src`) exists, and each `#anchor` is an id of the page it
//! points into. External links (http, https, …) are not checked, since the
//! tests have no network; `cargo book links` lists them.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use harness::cargo;
use harness::{html, repo_root};

#[test]
fn every_link_of_the_book_resolves() {
    let root = repo_root();
    let dest = cargo::build_book(&root, "book-links");

    let config = html_config(&root);
    let site_url = config.get("site-url").and_then(|v| v.as_str());
    let broken = broken_links(&dest, site_url.unwrap_or("/"));
    assert!(
        broken.is_empty(),
        "broken links in the HTML book (fix the Markdown link in the chapter \
         the page is built from, src/<page>.md):\n{}",
        broken.join("\n")
    );

    // An unknown key in [output.html] makes mdBook drop the whole table
    // silently: the links it configures must be on the pages.
    let repository = config.get("git-repository-url").and_then(|v| v.as_str());
    let edit = config.get("edit-url-template").and_then(|v| v.as_str());
    let page = fs::read_to_string(dest.join("introduction.html")).unwrap();
    for link in [
        repository.map(str::to_owned),
        edit.map(|edit| edit.replace("{path}", "src/introduction.md")),
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            page.contains(&format!("href=\"{link}\"")),
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

/// The `[output.html]` table of book.toml.
fn html_config(root: &Path) -> toml::Table {
    let config: toml::Table = fs::read_to_string(root.join("book.toml"))
        .unwrap()
        .parse()
        .expect("book.toml is TOML");
    config
        .get("output")
        .and_then(|output| output.get("html")?.as_table().cloned())
        .unwrap_or_default()
}

/// Every link of every page under `site` that does not resolve, as
/// `page: link: why`, in page order then link order. `site_url` is the path
/// the book is published under (`site-url` in book.toml): links that start
/// with `/`, and those of a page whose `<base href>` is that path (mdBook's
/// 404 page), are resolved from the site's root.
fn broken_links(site: &Path, site_url: &str) -> Vec<String> {
    let mut ids: BTreeMap<PathBuf, HashSet<String>> = BTreeMap::new();
    let mut broken = Vec::new();
    for page in html_pages(site) {
        let html = fs::read_to_string(&page).unwrap();
        let shown = page.strip_prefix(site).unwrap().display().to_string();
        let mut base = page.parent().unwrap().to_path_buf();
        for href in attribute_values(&html, "base", &["href"]) {
            if href == site_url {
                base = site.to_path_buf();
            } else {
                broken.push(format!(
                    "{shown}: <base href=\"{href}\">: the book is published under \"{site_url}\""
                ));
            }
        }
        for link in attribute_values(&html, "", &["href", "src"]) {
            if is_external(&link) {
                continue;
            }
            let (path, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let path = percent_decode(path.split('?').next().unwrap());
            let target = if path.is_empty() {
                page.clone()
            } else if path.starts_with('/') {
                let Some(relative) = path.strip_prefix(site_url) else {
                    broken.push(format!(
                        "{shown}: {link}: outside \"{site_url}\", where the book is published"
                    ));
                    continue;
                };
                site.join(relative)
            } else {
                base.join(&path)
            };
            let target = if path.ends_with('/') {
                target.join("index.html")
            } else {
                target
            };
            let target_shown = target.strip_prefix(site).unwrap_or(&target).display();
            if !target.is_file() {
                broken.push(format!("{shown}: {link}: there is no {target_shown}"));
                continue;
            }
            if anchor.is_empty() {
                continue;
            }
            let target_ids = ids.entry(target.clone()).or_insert_with(|| {
                let html = fs::read_to_string(&target).unwrap_or_default();
                attribute_values(&html, "", &["id"]).collect()
            });
            let anchor = percent_decode(anchor);
            if !target_ids.contains(&anchor) {
                broken.push(format!(
                    "{shown}: {link}: {target_shown} has no id \"{anchor}\""
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

/// The values of the attributes `names` in the tags of `html` (only in
/// `element` tags, unless it is empty), unescaped, in order. Script bodies
/// are skipped: what they contain is not markup.
fn attribute_values<'h>(
    html: &'h str,
    element: &'h str,
    names: &'h [&'h str],
) -> impl Iterator<Item = String> + 'h {
    tags(html)
        .filter(move |tag| element.is_empty() || tag_name(tag).eq_ignore_ascii_case(element))
        .flat_map(move |tag| {
            attributes(tag)
                .filter(|(name, _)| names.iter().any(|wanted| name.eq_ignore_ascii_case(wanted)))
                .map(|(_, value)| html::unescape(value))
                .collect::<Vec<_>>()
        })
}

/// The inside of each start tag of `html`, `<` and `>` excluded.
fn tags(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find('<')?;
            rest = &rest[start + 1..];
            if let Some(comment) = rest.strip_prefix("!--") {
                rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
                continue;
            }
            let end = rest.find('>')?;
            let tag = &rest[..end];
            rest = &rest[end + 1..];
            if tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
                if tag_name(tag).eq_ignore_ascii_case("script") {
                    rest = rest.find("</script>").map_or("", |end| &rest[end..]);
                }
                return Some(tag);
            }
        }
    })
}

fn tag_name(tag: &str) -> &str {
    tag.split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("")
}

/// The `name=value` attributes of a tag, quoted with `"` or `'` or not quoted.
fn attributes(tag: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = tag
        .split_once(char::is_whitespace)
        .map_or("", |(_, rest)| rest);
    std::iter::from_fn(move || {
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                return None;
            }
            let name_end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(rest.len());
            let name = &rest[..name_end];
            rest = rest[name_end..].trim_start();
            let Some(after) = rest.strip_prefix('=') else {
                continue; // an attribute with no value
            };
            let after = after.trim_start();
            let (value, remainder) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let end = inner.find(quote).unwrap_or(inner.len());
                    (&inner[..end], inner.get(end + 1..).unwrap_or(""))
                }
                _ => after.split_at(after.find(char::is_whitespace).unwrap_or(after.len())),
            };
            rest = remainder;
            return Some((name, value));
        }
    })
}

/// `%20` and the like, as a browser decodes a link's path and fragment.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

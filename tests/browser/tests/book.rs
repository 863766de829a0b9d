//! The book as a reader sees it, in headless Chromium, served by
//! `cargo book serve`: every page loads cleanly, Run shows the verified
//! results, search, themes and the print page work, and listings that do not
//! simply run are labelled as such in every theme.
//!
//! One browser session serves every check; the problems found are collected
//! and reported together.

use std::time::Instant;

use book_browser_tests::{BookServer, Browser, tools_or_skip};
use fantoccini::Locator;
use serde_json::{Value, json};
use verify::catalog::{self, Kind, Listing};
use verify::{book, cargo, repo_root};

/// Each kind of listing that does not simply run: its fence attribute (a
/// class of the code element) and the label it must show.
fn labels() -> Vec<(&'static str, &'static str)> {
    Kind::ALL
        .into_iter()
        .filter_map(|kind| Some((kind.fence_attribute()?, kind.label()?)))
        .collect()
}

const THEMES: [&str; 5] = ["light", "rust", "coal", "navy", "ayu"];

#[tokio::test]
async fn the_book_works_in_a_browser() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let started = Instant::now();
    let server = BookServer::start(&repo_root());
    let browser = Browser::start(&tools).await;
    let mut problems = Vec::new();

    let chapters = every_page_loads_cleanly(&browser, &server, &mut problems).await;
    run_shows_the_verified_results(&browser, &server, &mut problems).await;
    miri_shows_the_witnessed_stale_read(&browser, &server, &mut problems).await;
    search_finds_mutex(&browser, &server, &mut problems).await;
    screenshots_of_chapter_6(&browser, &server).await;
    themes_switch_and_labels_stay_readable(&browser, &server, &mut problems).await;
    print_page_has_every_chapter(&browser, &server, &chapters, &mut problems).await;

    browser.close().await;
    drop(server);
    eprintln!("browser checks took {:.1?}", started.elapsed());
    assert!(
        problems.is_empty(),
        "the book in Chromium:\n  {}",
        problems.join("\n  ")
    );
}

/// A chapter as the sidebar lists it.
struct Chapter {
    file: String,
    title: String,
}

/// Every page the sidebar lists (and the index) loads with no console error,
/// no broken image, no unexpanded `{{#` directive, and labels on the marked
/// listings. Returns the sidebar's chapters.
async fn every_page_loads_cleanly(
    browser: &Browser,
    server: &BookServer,
    problems: &mut Vec<String>,
) -> Vec<Chapter> {
    browser.open(&server.url).await;
    let sidebar = browser
        .wait_until(
            "the sidebar's links",
            "const links = [...document.querySelectorAll('#mdbook-sidebar a[href]')];
             return links.length > 0 && links.map(a => {
                 const title = a.cloneNode(true);
                 title.querySelectorAll('strong').forEach(number => number.remove());
                 return [new URL(a.href).pathname.slice(1), title.textContent.trim()];
             });",
            vec![],
        )
        .await;
    let chapters: Vec<Chapter> = sidebar
        .as_array()
        .unwrap()
        .iter()
        .filter(|link| link[0].as_str().unwrap().ends_with(".html"))
        .map(|link| Chapter {
            file: link[0].as_str().unwrap().to_owned(),
            title: link[1].as_str().unwrap().to_owned(),
        })
        .collect();

    // The sidebar lists every chapter of SUMMARY.md (drafts have no page), so
    // visiting it visits them all.
    for chapter in book::chapters(&repo_root()) {
        let page = chapter.page().display().to_string();
        if !chapters.iter().any(|listed| listed.file == page) {
            problems.push(format!("{page}: in SUMMARY.md, not in the sidebar"));
        }
    }

    let pages = std::iter::once("index.html").chain(chapters.iter().map(|c| c.file.as_str()));
    for page in pages {
        for problem in page_problems(browser, &server.page(page)).await {
            problems.push(format!("{page}: {problem}"));
        }
    }

    // The check itself notices a broken page: a broken image, a directive
    // left unexpanded, a script error.
    let broken = "data:text/html,<main><img src='missing.png'><p>{{%23include x.txt}}</p></main>\
                  <script>throw new Error('deliberately broken')</script>";
    let found = page_problems(browser, broken).await.join("\n");
    for expected in [
        "broken image",
        "unexpanded directive",
        "deliberately broken",
    ] {
        if !found.contains(expected) {
            problems.push(format!(
                "the page check missed a {expected:?} on a broken page: {found}"
            ));
        }
    }
    chapters
}

/// What is wrong with one page: broken images, an unexpanded `{{#`
/// directive, marked listings without their label, console errors.
async fn page_problems(browser: &Browser, url: &str) -> Vec<String> {
    browser.open(url).await;
    let found = browser
        .js(
            "const [labels] = arguments;
             const problems = [];
             for (const img of document.images) {
                 if (img.naturalWidth === 0) problems.push('broken image ' + img.src);
             }
             const text = document.querySelector('main').innerText;
             const at = text.indexOf('{{#');
             if (at >= 0) problems.push('unexpanded directive: ' + text.substr(at, 60));
             for (const [kind, label] of labels) {
                 for (const code of document.querySelectorAll('pre > code.' + kind)) {
                     const shown = getComputedStyle(code.parentElement, '::before').content;
                     if (shown !== JSON.stringify(label)) {
                         problems.push(`a ${kind} block is labelled ${shown}, not \"${label}\"`);
                     }
                 }
             }
             return problems;",
            vec![json!(labels())],
        )
        .await;
    let mut problems: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem.as_str().unwrap().to_owned())
        .collect();
    for error in browser.console_errors().await {
        problems.push(format!("console error: {error}"));
    }
    problems
}

/// Run, clicked as a reader clicks it, shows what the book claims.
async fn run_shows_the_verified_results(
    browser: &Browser,
    server: &BookServer,
    problems: &mut Vec<String>,
) {
    let listings = catalog::load(&repo_root()).unwrap();
    let find = |chapter: &str, name: &str| -> &Listing {
        listings
            .iter()
            .find(|l| l.chapter == chapter && l.name == name)
            .unwrap_or_else(|| panic!("no listing {chapter}/{name}"))
    };

    browser.open(&server.page("ch06-mutex.html")).await;

    // A runnable listing: its output file, less the `$ cargo run` line.
    let counter = find("ch06-mutex", "counter-arc");
    let expected = std::fs::read_to_string(counter.output_file()).unwrap();
    let expected = expected.split_once('\n').unwrap().1;
    let shown = click_run(browser, counter).await;
    if shown.trim_end() != expected.trim_end() {
        problems.push(format!(
            "ch06-mutex.html: Run on counter-arc shows {shown:?}, not its output file's {expected:?}"
        ));
    }

    // A compile-fail listing: the error code of its .stderr snapshot.
    let failing = find("ch06-mutex", "counter-rc");
    let snapshot = std::fs::read_to_string(failing.stderr_file()).unwrap();
    let code = error_code(&snapshot);
    let shown = click_run(browser, failing).await;
    if !shown.contains(code) {
        problems.push(format!(
            "ch06-mutex.html: Run on counter-rc does not show {code}:\n{shown}"
        ));
    }

    // A listing that hangs by design: the playground stops it and says so.
    browser.open(&server.page("ch11-deadlocks.html")).await;
    let hanging = find("ch11-deadlocks", "double-lock");
    let shown = click_run(browser, hanging).await;
    if !shown.contains("timed out after") {
        problems.push(format!(
            "ch11-deadlocks.html: Run on double-lock does not say it timed out:\n{shown}"
        ));
    }
    for error in browser.console_errors().await {
        problems.push(format!("running listings: console error: {error}"));
    }
}

/// "Run under Miri" on the `Relaxed` listing, with the seed its witness file
/// recorded, shows the stale read that a native run on x86 never shows.
async fn miri_shows_the_witnessed_stale_read(
    browser: &Browser,
    server: &BookServer,
    problems: &mut Vec<String>,
) {
    let listing = catalog::load(&repo_root())
        .unwrap()
        .into_iter()
        .find(|l| l.chapter == "ch10-atomics" && l.name == "relaxed-flag")
        .expect("the relaxed-flag listing");
    let witness = std::fs::read_to_string(listing.witness_file()).unwrap();
    let seed: String = witness
        .split("-Zmiri-seed=")
        .nth(1)
        .expect("the witness file names its seed")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let pattern = &listing.can_print[0];
    browser.open(&server.page("ch10-atomics.html")).await;
    let path = "listings/ch10-atomics/src/bin/relaxed-flag.rs";
    let pre_xpath =
        format!("//p[@class='caption'][.//code[text()='{path}']]/preceding-sibling::pre[1]");
    let bar = browser
        .wait_until(
            "the Run under Miri button of relaxed-flag",
            &format!(
                "const pre = document.evaluate(\"{pre_xpath}\", document, null, 9, null).singleNodeValue;
                 const bar = pre && pre.nextElementSibling;
                 return bar && bar.classList.contains('miri-bar') && bar;"
            ),
            vec![],
        )
        .await;
    browser
        .js(
            "const bar = arguments[0];
             bar.scrollIntoView({block: 'center'});
             bar.querySelector('input.miri-seed').value = arguments[1];
             bar.querySelector('button.miri-run').click();",
            vec![bar.clone(), serde_json::Value::String(seed.clone())],
        )
        .await;
    let shown = browser
        .wait_until(
            "Miri's verdict on relaxed-flag",
            "const result = arguments[0].previousElementSibling.querySelector('code.result');
             return result && !result.innerText.startsWith('Running under Miri') && result.innerText;",
            vec![bar],
        )
        .await;
    let shown = shown.as_str().unwrap_or_default();
    let stale = pattern.replace("[..]", "");
    if !shown.contains(&format!("Miri, seed {seed}: finished")) || !shown.contains(&stale) {
        problems.push(format!(
            "ch10-atomics.html: Run under Miri with seed {seed} on relaxed-flag does not show \
             {pattern:?}:\n{shown}"
        ));
    }
}

/// `error[E0277]` from a snapshot's first line, or the whole line when it
/// names no code (a lint).
fn error_code(snapshot: &str) -> &str {
    let first = snapshot.lines().next().unwrap_or_default();
    match first.find(']') {
        Some(end) if first.starts_with("error[") => &first[..=end],
        _ => first,
    }
}

/// Hovers over a listing on the open page (mdBook shows its buttons only
/// then), clicks Run and returns what the page shows once the run is over.
async fn click_run(browser: &Browser, listing: &Listing) -> String {
    let path = format!("listings/{}/src/bin/{}.rs", listing.chapter, listing.name);
    let block = browser.listing_block(listing).await;
    let block_json = serde_json::to_value(&block).unwrap();
    browser
        .js(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![block_json.clone()],
        )
        .await;
    browser.hover(&block).await;
    let run = block
        .find(Locator::Css("button.play-button"))
        .await
        .unwrap_or_else(|_| panic!("{path}: no Run button"));
    browser
        .wait_until(
            &format!("the Run button of {path} to show on hover"),
            "return arguments[0].checkVisibility({visibilityProperty: true});",
            vec![serde_json::to_value(&run).unwrap()],
        )
        .await;
    run.click().await.expect("clicking Run");
    let shown = browser
        .wait_until(
            &format!("the result of running {path}"),
            "const result = arguments[0].querySelector('code.result');
             return result && result.innerText !== 'Running...' && result.innerText;",
            vec![block_json],
        )
        .await;
    shown.as_str().unwrap().to_owned()
}

/// Search, opened from the menu bar, finds "Mutex" and links to chapter 6.
async fn search_finds_mutex(browser: &Browser, server: &BookServer, problems: &mut Vec<String>) {
    browser.open(&server.page("ch01-threads.html")).await;
    let client = &browser.client;
    client
        .find(Locator::Id("mdbook-search-toggle"))
        .await
        .unwrap()
        .click()
        .await
        .expect("opening search");
    let bar = client.find(Locator::Id("mdbook-searchbar")).await.unwrap();
    browser
        .wait_until(
            "the search bar",
            "return arguments[0].checkVisibility();",
            vec![serde_json::to_value(&bar).unwrap()],
        )
        .await;
    bar.send_keys("Mutex")
        .await
        .expect("typing in the search bar");
    let links = browser
        .wait_until(
            "search results",
            "const links = [...document.querySelectorAll('#mdbook-searchresults a[href]')];
             return links.length > 0 && links.map(a => new URL(a.href).pathname.slice(1));",
            vec![],
        )
        .await;
    let links: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if !links.contains(&"ch06-mutex.html") {
        problems.push(format!(
            "search: \"Mutex\" finds no link to ch06-mutex.html, only {links:?}"
        ));
    }
}

/// The theme picker switches themes, and in each one the labels of the
/// marked listings read clearly (text to label contrast of at least 4.5:1,
/// WCAG AA). print.html holds every kind of marked listing.
async fn themes_switch_and_labels_stay_readable(
    browser: &Browser,
    server: &BookServer,
    problems: &mut Vec<String>,
) {
    browser.open(&server.page("print.html")).await;
    for theme in THEMES {
        pick_theme(browser, theme, problems).await;
        let found = browser
            .js(
                "const [labels] = arguments;
                 function luminance(color) {
                     const [r, g, b] = color.match(/[\\d.]+/g).slice(0, 3).map(v => {
                         v /= 255;
                         return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                     });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                 }
                 const problems = [];
                 for (const [kind, label] of labels) {
                     const code = document.querySelector('pre > code.' + kind);
                     if (!code) { problems.push(`no ${kind} block`); continue; }
                     const style = getComputedStyle(code.parentElement, '::before');
                     const [a, b] = [luminance(style.color), luminance(style.backgroundColor)];
                     const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                     if (style.content !== JSON.stringify(label) || style.display === 'none') {
                         problems.push(`the ${kind} label is ${style.content}, not \"${label}\"`
                             + (style.display === 'none' ? ' (hidden)' : ''));
                     } else if (contrast < 4.5) {
                         problems.push(`the \"${label}\" label has a contrast of only `
                             + `${contrast.toFixed(1)} (${style.color} on ${style.backgroundColor})`);
                     }
                 }
                 return problems;",
                vec![json!(labels())],
            )
            .await;
        for problem in found.as_array().unwrap() {
            problems.push(format!("{theme} theme: {}", problem.as_str().unwrap()));
        }
    }
    pick_theme(browser, "light", problems).await;
}

/// Picks a theme with the menu bar's theme picker, as a reader does.
async fn pick_theme(browser: &Browser, theme: &str, problems: &mut Vec<String>) {
    let client = &browser.client;
    let toggle = client
        .find(Locator::Id("mdbook-theme-toggle"))
        .await
        .unwrap();
    toggle.click().await.expect("opening the theme picker");
    let choice = client
        .find(Locator::Id(&format!("mdbook-theme-{theme}")))
        .await
        .unwrap_or_else(|_| panic!("no {theme} theme in the picker"));
    browser
        .wait_until(
            "the theme picker",
            "return arguments[0].checkVisibility();",
            vec![serde_json::to_value(&choice).unwrap()],
        )
        .await;
    choice.click().await.expect("picking a theme");
    // The picker stays open after a choice; a reader closes it.
    toggle.click().await.expect("closing the theme picker");
    browser
        .wait_until(
            "the theme picker to close",
            "return !arguments[0].checkVisibility();",
            vec![serde_json::to_value(&choice).unwrap()],
        )
        .await;
    let classes = browser
        .wait_until(
            &format!("the {theme} theme"),
            "const html = document.documentElement.classList;
             return html.contains(arguments[0]) && html.value;",
            vec![json!(theme)],
        )
        .await;
    let others: Vec<&str> = classes
        .as_str()
        .unwrap()
        .split_whitespace()
        .filter(|class| THEMES.contains(class) && class != &theme)
        .collect();
    if !others.is_empty() {
        problems.push(format!(
            "theme picker: after picking {theme}, <html> still has {others:?}"
        ));
    }
}

/// print.html holds the whole book: every chapter's title is in it.
async fn print_page_has_every_chapter(
    browser: &Browser,
    server: &BookServer,
    chapters: &[Chapter],
    problems: &mut Vec<String>,
) {
    browser.open(&server.page("print.html")).await;
    let text = browser
        .js("return document.querySelector('main').innerText;", vec![])
        .await;
    let text = text.as_str().unwrap();
    for chapter in chapters {
        if !text.contains(&chapter.title) {
            problems.push(format!(
                "print.html: no chapter titled {:?} ({})",
                chapter.title, chapter.file
            ));
        }
    }
    for error in browser.console_errors().await {
        problems.push(format!("print.html: console error: {error}"));
    }
}

/// Chapter 6 in a light and a dark theme, for a person to look at:
/// target/browser-screenshots/ch06-{light,navy}.png, showing its first
/// listing that does not compile.
async fn screenshots_of_chapter_6(browser: &Browser, server: &BookServer) {
    let dir = cargo::target_dir().join("browser-screenshots");
    let mut unused = Vec::new();
    for theme in ["light", "navy"] {
        browser.open(&server.page("ch06-mutex.html")).await;
        pick_theme(browser, theme, &mut unused).await;
        browser
            .js(
                "const block = document.querySelector('pre:has(> code.compile_fail)');
                 block.scrollIntoView({block: 'start'});
                 window.scrollBy(0, -120);",
                vec![],
            )
            .await;
        browser
            .screenshot(&dir.join(format!("ch06-{theme}.png")))
            .await;
    }
    pick_theme(browser, "light", &mut unused).await;
}

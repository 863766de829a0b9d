//! The book for every reader: axe-core, Deque's accessibility engine, finds
//! no violation of "serious" or "critical" impact on any page, in the light
//! theme and in a dark one (navy, the book's preferred dark theme), with
//! listings' buttons, a Run result, a question's answers, the theme picker
//! and search in view.
//!
//! A failure names the page, the theme, axe's rule and impact, and each
//! offending element (a selector and its HTML), so an author knows what to
//! fix; axe's own page on the rule (its `helpUrl`) says how.

use book_browser_tests::{BookServer, Browser, axe_or_skip, tools_or_skip};
use fantoccini::Locator;
use serde_json::{Value, json};
use verify::repo_root;

/// The light theme, and the dark theme `book.toml` prefers.
const THEMES: [&str; 2] = ["light", "navy"];

/// axe's impacts that fail the audit; "moderate" and "minor" ones are only
/// reported alongside a failure.
const FAILING: [&str; 2] = ["serious", "critical"];

#[tokio::test]
async fn no_page_has_a_serious_accessibility_violation() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let Some(axe) = axe_or_skip() else {
        return;
    };
    let server = BookServer::start(&repo_root());
    let browser = Browser::start(&tools).await;
    let pages = pages(&browser, &server).await;

    let mut failures = Vec::new();
    let mut notes = Vec::new();
    for theme in THEMES {
        browser.open(&server.page("index.html")).await;
        browser.pick_theme(theme).await;
        for page in &pages {
            let violations = audit_page(&browser, &axe, &server.page(page)).await;
            report(
                &format!("{page} ({theme} theme)"),
                &violations,
                &mut failures,
                &mut notes,
            );
        }

        // What a page shows only once a reader acts: a listing's buttons
        // (shown on hover or focus) and the result of Run.
        browser.open(&server.page("ch06-mutex.html")).await;
        let block = browser
            .client
            .find(Locator::Css(
                "pre.playground:has(.play-button:not([hidden]))",
            ))
            .await
            .expect("a runnable listing on ch06-mutex.html");
        let run = block
            .find(Locator::Css(".play-button"))
            .await
            .expect("its Run button");
        let block = serde_json::to_value(&block).unwrap();
        browser
            .js(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![block.clone()],
            )
            .await;
        browser.hover(&run).await;
        browser
            .wait_until(
                "the Run button to show on hover",
                "return arguments[0].checkVisibility({visibilityProperty: true});",
                vec![serde_json::to_value(&run).unwrap()],
            )
            .await;
        run.click().await.expect("clicking Run");
        browser
            .wait_until(
                "the result of Run",
                "const result = arguments[0].querySelector('code.result');
                 return result && result.innerText !== 'Running...';",
                vec![block.clone()],
            )
            .await;
        let violations = browser.audit(&axe, block).await.unwrap();
        report(
            &format!(
                "ch06-mutex.html, a listing with its buttons and its Run result ({theme} theme)"
            ),
            &violations,
            &mut failures,
            &mut notes,
        );
        // The theme picker, open, and search with its results.
        browser
            .client
            .find(Locator::Id("mdbook-theme-toggle"))
            .await
            .expect("the theme picker's button")
            .click()
            .await
            .expect("opening the theme picker");
        browser
            .wait_until(
                "the theme picker",
                "return document.getElementById('mdbook-theme-list').checkVisibility();",
                vec![],
            )
            .await;
        let violations = browser.audit(&axe, Value::Null).await.unwrap();
        report(
            &format!("ch06-mutex.html, the theme picker open ({theme} theme)"),
            &violations,
            &mut failures,
            &mut notes,
        );
        browser
            .open(&server.page("ch06-mutex.html?search=Mutex"))
            .await;
        browser
            .wait_until(
                "search results",
                "return document.querySelectorAll('#mdbook-searchresults a[href]').length > 0;",
                vec![],
            )
            .await;
        let violations = browser.audit(&axe, Value::Null).await.unwrap();
        report(
            &format!("ch06-mutex.html, searching for \"Mutex\" ({theme} theme)"),
            &violations,
            &mut failures,
            &mut notes,
        );
        // The schedule explorers, a few steps in and at an end.
        for page in EXPLORER_PAGES {
            for (when, violations) in audit_explorer(&browser, &axe, &server.page(page)).await {
                report(
                    &format!("{page}, the schedule explorer {when} ({theme} theme)"),
                    &violations,
                    &mut failures,
                    &mut notes,
                );
            }
        }
        // A question with its answers shown (theme/questions.js).
        let violations = audit_question(&browser, &axe, &server.page("ch10-atomics.html")).await;
        report(
            &format!("ch10-atomics.html, a question with its answers shown ({theme} theme)"),
            &violations,
            &mut failures,
            &mut notes,
        );
    }
    browser.open(&server.page("index.html")).await;
    browser.pick_theme("light").await;

    browser.close().await;
    drop(server);
    assert!(
        failures.is_empty(),
        "axe-core finds serious or critical accessibility violations:\n\n{}\n\n\
         Less severe ones, to fix when convenient:\n\n{}",
        failures.join("\n\n"),
        if notes.is_empty() {
            "none".to_owned()
        } else {
            notes.join("\n\n")
        }
    );
}

/// Opens a page and audits it, again if it was reloaded meanwhile (a
/// change to the book's files rebuilds it, and the page reloads).
async fn audit_page(browser: &Browser, axe: &str, url: &str) -> Vec<Value> {
    let mut tries = 0;
    loop {
        browser.open(url).await;
        match browser.audit(axe, Value::Null).await {
            Ok(violations) => return violations,
            Err(error) if tries < 3 => {
                tries += 1;
                eprintln!("{url}: {error}; auditing it again");
            }
            Err(error) => panic!("{url}: {error}"),
        }
    }
}

/// The pages with a schedule explorer (theme/explorer.js): an exited end
/// and a deadlock.
const EXPLORER_PAGES: [&str; 2] = ["ch10-atomics.html", "ch11-deadlocks.html"];

/// Audits the first schedule explorer on the page at `url` as a reader
/// leaves it: three steps in, then at the end of the last schedule its
/// "Show me" offers (with Back and Restart, now enabled). Returns the
/// violations found in the panel at each; again from the start if the page
/// was reloaded meanwhile (the book's files changed).
async fn audit_explorer(browser: &Browser, axe: &str, url: &str) -> Vec<(String, Vec<Value>)> {
    let mut tries = 0;
    loop {
        match try_audit_explorer(browser, axe, url).await {
            Ok(audits) => return audits,
            Err(error) if tries < 3 => {
                tries += 1;
                eprintln!("{url}: {error}; auditing its explorer again");
            }
            Err(error) => panic!("{url}: {error}"),
        }
    }
}

async fn try_audit_explorer(
    browser: &Browser,
    axe: &str,
    url: &str,
) -> Result<Vec<(String, Vec<Value>)>, String> {
    browser.open(url).await;
    let panel = browser
        .wait_until(
            "the schedule explorer",
            "return document.querySelector('div.explorer[data-explorer-ready]');",
            vec![],
        )
        .await;
    let mut audits = Vec::new();
    let step = "div.explorer[data-explorer-ready] button.explorer-step";
    for _ in 0..3 {
        if let Ok(button) = browser.client.find(Locator::Css(step)).await {
            button
                .click()
                .await
                .map_err(|e| format!("taking a step: {e}"))?;
        }
    }
    audits.push((
        "three steps in".to_owned(),
        browser.audit(axe, panel.clone()).await?,
    ));
    browser
        .js(
            "const select = arguments[0].querySelector('select.explorer-ends');
             select.value = select.options[select.options.length - 1].value;",
            vec![panel.clone()],
        )
        .await;
    let show = "div.explorer[data-explorer-ready] button.explorer-show";
    browser
        .client
        .find(Locator::Css(show))
        .await
        .map_err(|e| format!("finding Show me: {e}"))?
        .click()
        .await
        .map_err(|e| format!("clicking Show me: {e}"))?;
    let at_end = browser.audit(axe, panel).await?;
    audits.push(("at the end of a schedule".to_owned(), at_end));
    Ok(audits)
}

/// Audits a question (theme/questions.js) after a reader ticked a choice
/// and pressed Check, with every answer and explanation shown; again if a
/// rebuild reloaded the page meanwhile.
async fn audit_question(browser: &Browser, axe: &str, url: &str) -> Vec<Value> {
    let mut tries = 0;
    loop {
        browser.open(url).await;
        let form = browser
            .wait_until(
                "a question, answered",
                "const form = document.querySelector('form.question');
                 if (!form) return null;
                 form.querySelector('input[type=\"checkbox\"]').click();
                 form.querySelector('button.question-check').click();
                 form.scrollIntoView({block: 'center'});
                 return form.querySelector('.question-feedback').checkVisibility() && form;",
                vec![],
            )
            .await;
        match browser.audit(axe, form).await {
            Ok(violations) => return violations,
            Err(error) if tries < 3 => {
                tries += 1;
                eprintln!("{url}: {error}; auditing its question again");
            }
            Err(error) => panic!("{url}: {error}"),
        }
    }
}

/// Every page a reader can open from the sidebar, the index and the print
/// page. (Not 404.html: it is built for the published book, under
/// `site-url`, and `cargo book serve` shows it without its styles.)
async fn pages(browser: &Browser, server: &BookServer) -> Vec<String> {
    browser.open(&server.page("index.html")).await;
    let links = browser
        .wait_until(
            "the sidebar's links",
            "const links = [...document.querySelectorAll('#mdbook-sidebar a[href]')];
             return links.length > 0
                 && links.map(a => new URL(a.href).pathname.slice(1));",
            vec![],
        )
        .await;
    let mut pages = vec!["index.html".to_owned()];
    for link in links.as_array().unwrap() {
        let page = link.as_str().unwrap();
        if page.ends_with(".html") && !pages.iter().any(|known| known == page) {
            pages.push(page.to_owned());
        }
    }
    pages.push("print.html".to_owned());
    pages
}

/// Sorts axe's violations on `place` into failures and notes, each written
/// for an author: the rule and impact, what it asks for, where to read more,
/// and every offending element.
fn report(place: &str, violations: &[Value], failures: &mut Vec<String>, notes: &mut Vec<String>) {
    for violation in violations {
        let impact = violation["impact"].as_str().unwrap_or("unknown");
        let mut text = format!(
            "{place}: rule {} ({impact}): {} ({})",
            violation["id"].as_str().unwrap_or_default(),
            violation["help"].as_str().unwrap_or_default(),
            violation["helpUrl"].as_str().unwrap_or_default(),
        );
        for node in violation["nodes"].as_array().into_iter().flatten() {
            text.push_str(&format!(
                "\n    at {}\n       {}\n       {}",
                node["target"].as_str().unwrap_or_default(),
                node["html"].as_str().unwrap_or_default(),
                node["failureSummary"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', "\n       "),
            ));
        }
        if FAILING.contains(&impact) {
            failures.push(text);
        } else {
            notes.push(text);
        }
    }
}

/// The audit itself notices what it must: a page with an image without alt
/// text and unreadable text fails with both rules named.
#[tokio::test]
async fn the_audit_notices_a_broken_page() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let Some(axe) = axe_or_skip() else {
        return;
    };
    let browser = Browser::start(&tools).await;
    browser
        .client
        .goto(
            "data:text/html,<html lang='en'><title>t</title><main><h1>Broken</h1>\
             <img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='>\
             <p style='color:%23777;background:%23888'>faint</p>\
             <button></button></main></html>",
        )
        .await
        .expect("opening the broken page");
    let violations = browser.audit(&axe, Value::Null).await.unwrap();
    browser.close().await;
    let mut failures = Vec::new();
    report(
        "the broken page",
        &violations,
        &mut failures,
        &mut Vec::new(),
    );
    let found = failures.join("\n");
    for rule in ["image-alt", "color-contrast", "button-name"] {
        assert!(
            found.contains(&format!("rule {rule} (")),
            "the audit missed {rule} on a broken page: {found}\n{}",
            json!(violations)
        );
    }
}

//! The book with a keyboard only: from the top of a chapter, Tab reaches a
//! listing's Run button, which has a name a screen reader can announce and
//! shows that it has the focus; Enter runs the listing; the result appears
//! in a live region, so a screen reader reads it out, and it is the output
//! the book claims.

use book_browser_tests::{BookServer, Browser, tools_or_skip};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::Value;
use verify::catalog;
use verify::repo_root;

/// More Tab presses than any chapter needs to reach its listings: the
/// sidebar, the menu bar and the text's links come first.
const MAX_TABS: usize = 600;

#[tokio::test]
async fn a_listing_runs_from_the_keyboard() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let listings = catalog::load(&repo_root()).unwrap();
    let listing = listings
        .iter()
        .find(|l| l.chapter == "ch06-mutex" && l.name == "counter-arc")
        .expect("the listing ch06-mutex/counter-arc");
    let expected = std::fs::read_to_string(listing.output_file()).unwrap();
    // Less the `$ cargo run` line.
    let expected = expected.split_once('\n').unwrap().1.trim_end().to_owned();

    let server = BookServer::start(&repo_root());
    let browser = Browser::start(&tools).await;
    let page = "ch06-mutex.html";
    browser.open(&server.page(page)).await;

    let path = format!("listings/{}/src/bin/{}.rs", listing.chapter, listing.name);
    let block = browser.listing_block(listing).await;
    let run = block
        .find(Locator::Css("button.play-button"))
        .await
        .unwrap_or_else(|_| panic!("{page}: {path} has no Run button"));
    let block = serde_json::to_value(&block).unwrap();
    let run_json = serde_json::to_value(&run).unwrap();

    // Tab, as a reader does, from the top of the page, until the focus is on
    // the Run button; every stop on the way is kept for the failure message.
    let mut stops = Vec::new();
    let mut reached = false;
    for _ in 0..MAX_TABS {
        browser.press(Key::Tab).await;
        let focused = browser
            .js(
                "const [run] = arguments;
                 const at = document.activeElement;
                 if (at === run) return true;
                 return at.outerHTML.slice(0, 120);",
                vec![run_json.clone()],
            )
            .await;
        if focused == Value::Bool(true) {
            reached = true;
            break;
        }
        stops.push(focused.as_str().unwrap_or_default().to_owned());
    }
    assert!(
        reached,
        "{page}: {MAX_TABS} Tab presses never reach the Run button of {path}; \
         the focus went to (the first 80 stops):\n  {}",
        stops[..stops.len().min(80)].join("\n  ")
    );

    // A screen reader announces it as a Run button.
    let name = browser.accessible_name(&run).await;
    assert!(
        name.contains("Run"),
        "{page}: the Run button of {path} is announced as {name:?}, which does not say Run"
    );

    // A reader must see where the focus is: the buttons fade in and the page
    // scrolls to them, so wait for both (a Run button never shown times out).
    browser
        .wait_until(
            &format!("{page}: the focused Run button of {path} to be seen"),
            "const [run] = arguments;
             const box = run.getBoundingClientRect();
             return document.activeElement === run
                 && run.checkVisibility({opacityProperty: true, visibilityProperty: true})
                 && box.top >= 0 && box.bottom <= innerHeight;",
            vec![run_json.clone()],
        )
        .await;

    browser.press(Key::Enter).await;
    let result = browser
        .wait_until(
            &format!("the result of running {path}"),
            "const result = arguments[0].querySelector('code.result');
             return result && result.innerText !== 'Running...' && result.innerText;",
            vec![block.clone()],
        )
        .await;
    let result = result.as_str().unwrap().trim_end();
    assert_eq!(
        result, expected,
        "{page}: Run, pressed with Enter, on {path} shows something else than its output file"
    );

    // Read out: the result is a live region (or holds the focus), and can be seen.
    let readable = browser
        .js(
            "const result = arguments[0].querySelector('code.result');
             const live = result.closest('[aria-live]:not([aria-live=off]), [role=status], [role=log]');
             const focused = result.contains(document.activeElement);
             return (live !== null || focused)
                 && result.checkVisibility({opacityProperty: true, visibilityProperty: true});",
            vec![block],
        )
        .await;
    assert_eq!(
        readable,
        Value::Bool(true),
        "{page}: the result of Run on {path} is shown, but neither in a live region \
         (aria-live) nor with the focus, so a screen reader does not read it out"
    );

    let errors = browser.console_errors().await;
    browser.close().await;
    drop(server);
    assert!(errors.is_empty(), "{page}: console errors: {errors:?}");
}

//! "Which of these can this program print?" in a browser, from the keyboard,
//! in the book as `cargo book build` writes it, opened from disk (no
//! server): Space ticks a choice, Tab moves on, Enter on Check shows under
//! each choice whether the tick was right and why, in words, with the
//! explored outcomes (the search of all 69 schedules of chapter 10's SeqCst
//! store buffering); ticking again hides that until the next Check; and
//! nothing is fetched meanwhile.

use book_browser_tests::{Browser, tools_or_skip};
use fantoccini::key::Key;
use serde_json::{Value, json};
use verify::repo_root;

/// The question on Listing 10-13 (`store-buffering-seqcst`), whose key is
/// can, can, cannot, can (both loads false never happens with SeqCst).
const QUESTION: &str = "q-ch10-store-buffering-seqcst";

#[tokio::test]
async fn a_question_is_answered_from_the_keyboard_in_the_book_opened_from_disk() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let book = verify::cargo::build_book(&repo_root(), "book-questions");
    let page = url::Url::from_file_path(book.join("ch10-atomics.html")).unwrap();
    let browser = Browser::start(&tools).await;
    browser
        .client
        .goto(page.as_str())
        .await
        .expect("opening the page from disk");
    browser
        .wait_until(
            "the page, with its questions set up",
            "return document.readyState === 'complete'
                 && document.getElementById(arguments[0]) !== null;",
            vec![json!(QUESTION)],
        )
        .await;
    let keys = browser
        .js(
            "return [...document.querySelectorAll('#' + arguments[0] + ' .question-choice')]
                 .map(c => c.dataset.key);",
            vec![json!(QUESTION)],
        )
        .await;
    assert_eq!(keys, json!(["can", "can", "cannot", "can"]), "{page}");

    // From the first checkbox on, as a reader tabbing through the question:
    // tick 1, leave 2, tick 3 (wrongly: it cannot be printed), tick 4, Check.
    browser
        .js(
            "document.querySelector('#' + arguments[0] + ' input').focus();",
            vec![json!(QUESTION)],
        )
        .await;
    let fetched_before = resources(&browser).await;
    for key in [
        Key::Space,
        Key::Tab,
        Key::Tab,
        Key::Space,
        Key::Tab,
        Key::Space,
        Key::Tab,
    ] {
        browser.press(key).await;
    }
    let focused = browser
        .js(
            "return document.activeElement.matches('#' + arguments[0] + ' button.question-check')
                 || document.activeElement.outerHTML.slice(0, 120);",
            vec![json!(QUESTION)],
        )
        .await;
    assert_eq!(focused, Value::Bool(true), "Tab did not reach Check");
    browser.press(Key::Enter).await;

    let shown = feedback(&browser).await;
    let ticked = shown["ticked"].as_array().unwrap();
    assert_eq!(
        ticked,
        &[json!(true), json!(false), json!(true), json!(true)]
    );
    let verdicts = shown["verdicts"].as_array().unwrap();
    assert_eq!(
        verdicts,
        &[
            json!("Right: you ticked it."),
            json!("Not quite: you left it unticked."),
            json!("Not quite: you ticked it."),
            json!("Right: you ticked it."),
        ],
        "{shown}"
    );
    let texts: Vec<&str> = shown["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|text| text.as_str().unwrap())
        .collect();
    assert!(
        texts[1].contains("It can print this.") && texts[1].contains("of all 69 schedules"),
        "{}",
        texts[1]
    );
    assert!(
        texts[2].contains("It cannot print this.")
            && texts[2].contains("None of all 69 schedules prints it"),
        "{}",
        texts[2]
    );
    assert_eq!(shown["visible"], json!([true, true, true, true]), "{shown}");
    assert_eq!(
        shown["result"],
        json!("2 of 4 right: see why under each choice.")
    );
    assert!(
        shown["source"]
            .as_str()
            .unwrap()
            .contains("under shuttle, on all 69 schedules"),
        "{shown}"
    );

    // Changing a tick hides the answers; Space on Check shows them again.
    browser
        .js(
            "document.querySelectorAll('#' + arguments[0] + ' input')[2].focus();",
            vec![json!(QUESTION)],
        )
        .await;
    browser.press(Key::Space).await;
    let shown = feedback(&browser).await;
    assert_eq!(
        shown["visible"],
        json!([false, false, false, false]),
        "{shown}"
    );
    assert_eq!(shown["result"], json!(""));
    browser.press(Key::Tab).await;
    browser.press(Key::Tab).await;
    browser.press(Key::Space).await;
    let shown = feedback(&browser).await;
    assert_eq!(
        shown["result"],
        json!("3 of 4 right: see why under each choice.")
    );
    assert_eq!(shown["visible"], json!([true, true, true, true]), "{shown}");

    assert_eq!(
        resources(&browser).await,
        fetched_before,
        "answering the question fetched something"
    );
    // From disk, stock mdBook's playground cannot reach its server; the
    // questions' script must show no error of its own.
    let errors: Vec<String> = browser
        .console_errors()
        .await
        .into_iter()
        .filter(|error| error.contains("questions.js"))
        .collect();
    assert!(errors.is_empty(), "theme/questions.js fails: {errors:?}");
    browser.close().await;
}

/// What the question shows now.
async fn feedback(browser: &Browser) -> Value {
    browser
        .js(
            "const form = document.getElementById(arguments[0]);
             const choices = [...form.querySelectorAll('.question-choice')];
             return {
                 ticked: choices.map(c => c.querySelector('input').checked),
                 visible: choices.map(c => c.querySelector('.question-feedback').checkVisibility()),
                 verdicts: choices.map(c => {
                     const mark = c.querySelector('.question-verdict');
                     return mark ? mark.textContent : null;
                 }),
                 texts: choices.map(c => c.querySelector('.question-feedback').textContent),
                 result: form.querySelector('.question-result').textContent,
                 source: form.querySelector('.question-source').checkVisibility()
                     ? form.querySelector('.question-source').textContent : '',
             };",
            vec![json!(QUESTION)],
        )
        .await
}

/// How many resources the page has fetched so far.
async fn resources(browser: &Browser) -> Value {
    browser
        .js(
            "return performance.getEntriesByType('resource').length;",
            vec![],
        )
        .await
}

//! The schedule explorer (theme/explorer.js) with a keyboard only: on the
//! chapter pages, Tab reaches a panel's step buttons and Enter or Space takes
//! the steps of a path the search found, from the graph the page embeds,
//! into the lost update of ch10 and into the deadlock of ch11, whose end
//! the panel then shows (the output, the cycle in words); Back, Restart and
//! "Show me a schedule that ends here" work from the keyboard too. And the
//! panel works in the book built to files and opened as file://, with no
//! server.

use book_browser_tests::{BookServer, Browser, tools_or_skip};
use fantoccini::key::Key;
use serde_json::{Value, json};
use verify::{cargo, repo_root};

/// More Tab presses than any chapter needs to reach its explorer: the
/// sidebar, the menu bar, the text's links and the listings' buttons first.
const MAX_TABS: usize = 800;

/// The explorer on the lost update, and the end it must reach.
const LOST_UPDATE: (&str, &str) = ("ch10-atomics.html", "ch10-atomics/lost-update-two");
/// The explorer on the two transfers that deadlock.
const ABBA: (&str, &str) = ("ch11-deadlocks.html", "ch11-deadlocks/abba");

#[tokio::test]
async fn the_explorer_steps_into_the_lost_update_and_the_deadlock_from_the_keyboard() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let server = BookServer::start(&repo_root());
    let browser = Browser::start(&tools).await;

    // ch10: into the lost update, then Back, Restart and "Show me".
    let (page, listing) = LOST_UPDATE;
    browser.open(&server.page(page)).await;
    let panel = Panel::find(&browser, page, listing).await;
    let end = panel.end_whose_output_contains("total = 1");
    panel.tab_to_first_step().await;
    panel.walk(&end.path).await;
    let shown = panel.end_text().await;
    assert!(
        shown.contains("total = 1"),
        "{page}: {listing}: at the end of the lost update's path the panel shows {shown:?}, \
         not the final output \"total = 1\""
    );
    panel.back_and_restart(&end.path).await;
    let shown = panel.show_me(&end).await;
    assert!(
        shown.contains("total = 1"),
        "{page}: {listing}: \"Show me a schedule that ends here\" on the lost update ends on \
         {shown:?}, not \"total = 1\""
    );
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "{page}: console errors: {errors:?}");

    // ch11: into the deadlock; its end shows the cycle as the report words it.
    let (page, listing) = ABBA;
    browser.open(&server.page(page)).await;
    let panel = Panel::find(&browser, page, listing).await;
    let end = panel
        .graph
        .ends
        .iter()
        .find(|end| end.kind == "deadlock")
        .unwrap_or_else(|| panic!("{page}: {listing}: the graph has no deadlock among its ends"))
        .clone();
    panel.tab_to_first_step().await;
    panel.walk(&end.path).await;
    let shown = panel.end_text().await;
    let report = panel.graph.states[*end.path.last().unwrap()]["end"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        shown.contains("so they wait in a cycle") && shown.contains(report.trim()),
        "{page}: {listing}: at the end of the deadlock's path the panel shows {shown:?}, \
         not the deadlock report {report:?}"
    );
    panel.back_and_restart(&end.path).await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "{page}: console errors: {errors:?}");

    browser.close().await;
    drop(server);
}

/// The book as files, opened with file:// and no server: the panel renders
/// from the graph in the page and a step works.
#[tokio::test]
async fn the_explorer_works_in_the_book_opened_from_disk() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let dest = cargo::build_book(&repo_root(), "book-files");
    let browser = Browser::start(&tools).await;
    let (page, listing) = LOST_UPDATE;
    let file = dest.join(page);
    let url = url::Url::from_file_path(&file).expect("an absolute path");
    browser
        .client
        .goto(url.as_str())
        .await
        .expect("opening the page from disk");
    let panel = Panel::find(&browser, page, listing).await;
    let first = &panel.graph.states[0]["steps"][0];
    assert!(
        first.is_object(),
        "{listing}: the graph's first state has no step"
    );
    let steps = panel
        .js("return [...panel.querySelectorAll('button.explorer-step')].length;")
        .await;
    assert_eq!(
        steps,
        json!(panel.graph.states[0]["steps"].as_array().unwrap().len()),
        "{}: {listing}: opened from disk, the panel does not show one button per step",
        file.display()
    );
    panel.tab_to_first_step().await;
    browser.press(Key::Enter).await;
    panel
        .expect_state(
            first["to"].as_u64().unwrap() as usize,
            "Enter on the first step",
        )
        .await;
    let status = panel
        .js("return panel.querySelector('[aria-live=polite]').textContent;")
        .await;
    let label = first["label"].as_str().unwrap().replace('`', "");
    assert!(
        status.as_str().unwrap_or_default().contains(&label),
        "{listing}: opened from disk, the step is announced as {status}, not with its label {label:?}"
    );
    // From disk, book.js's request to the Rust playground fails, as it
    // does for any page opened so; only the explorer's errors count here.
    let errors: Vec<String> = browser
        .console_errors()
        .await
        .into_iter()
        .filter(|error| error.contains("theme/explorer") || error.contains("schedule explorer"))
        .collect();
    browser.close().await;
    assert!(
        errors.is_empty(),
        "{}: console errors: {errors:?}",
        file.display()
    );
}

/// An explorer on the open page, and the graph it shows.
struct Panel<'a> {
    browser: &'a Browser,
    page: &'static str,
    listing: &'static str,
    graph: Graph,
}

struct Graph {
    /// The threads' names.
    threads: Vec<String>,
    states: Vec<Value>,
    ends: Vec<End>,
}

#[derive(Clone)]
struct End {
    kind: String,
    output: String,
    path: Vec<usize>,
}

impl<'a> Panel<'a> {
    /// Waits for the panel of `listing` to render, and reads its graph from
    /// the page.
    async fn find(browser: &'a Browser, page: &'static str, listing: &'static str) -> Panel<'a> {
        let graph = browser
            .wait_until(
                &format!("the schedule explorer of {listing} on {page}"),
                "const panel = document.querySelector(`div.explorer[data-listing='${arguments[0]}']`);
                 return panel && panel.getAttribute('data-explorer-ready')
                     && panel.querySelector('script[type=\"application/json\"]').textContent;",
                vec![json!(listing)],
            )
            .await;
        let graph: Value = serde_json::from_str(graph.as_str().unwrap())
            .unwrap_or_else(|error| panic!("{page}: {listing}: its graph is not JSON: {error}"));
        let states = graph["states"].as_array().cloned().unwrap_or_default();
        let threads = graph["threads"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|thread| thread["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        let ends = graph["ends"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|end| End {
                kind: end["kind"].as_str().unwrap_or_default().to_owned(),
                output: end["output"].as_str().unwrap_or_default().to_owned(),
                path: end["path"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|state| state.as_u64().unwrap() as usize)
                    .collect(),
            })
            .collect();
        Panel {
            browser,
            page,
            listing,
            graph: Graph {
                threads,
                states,
                ends,
            },
        }
    }

    /// Runs `script` with `panel` bound to the panel's element.
    async fn js(&self, script: &str) -> Value {
        self.browser
            .js(
                &format!(
                    "const panel = document.querySelector(`div.explorer[data-listing='${{arguments[0]}}']`);
                     {script}"
                ),
                vec![json!(self.listing)],
            )
            .await
    }

    fn end_whose_output_contains(&self, text: &str) -> End {
        self.graph
            .ends
            .iter()
            .find(|end| end.output.contains(text))
            .unwrap_or_else(|| {
                panic!(
                    "{}: {}: no end of the graph prints {text:?}",
                    self.page, self.listing
                )
            })
            .clone()
    }

    /// What has the focus: "step N" (a step button of this panel), "end",
    /// "back", "restart", "ends" (the select), "show", or the element's HTML.
    async fn focus(&self) -> String {
        let focused = self
            .js("const at = document.activeElement;
                 if (panel.contains(at)) {
                     if (at.matches('button.explorer-step')) return 'step ' + at.dataset.step;
                     for (const name of ['end', 'back', 'restart', 'ends', 'show'])
                         if (at.matches('.explorer-' + name)) return name;
                 }
                 return at.outerHTML.slice(0, 120);")
            .await;
        focused.as_str().unwrap_or_default().to_owned()
    }

    /// Tab from the top of the page until the focus is on the panel's first
    /// step button, as a reader does.
    async fn tab_to_first_step(&self) {
        let mut stops = Vec::new();
        for _ in 0..MAX_TABS {
            self.browser.press(Key::Tab).await;
            let focus = self.focus().await;
            if focus == "step 0" {
                return;
            }
            stops.push(focus);
        }
        panic!(
            "{}: {MAX_TABS} Tab presses never reach the first step button of the explorer of {}; \
             the focus went to (the last 40 stops):\n  {}",
            self.page,
            self.listing,
            stops[stops.len().saturating_sub(40)..].join("\n  ")
        );
    }

    /// Presses Tab until the focus is on `target` (as [`Panel::focus`] names
    /// it), at most `limit` times.
    async fn tab_to(&self, target: &str, limit: usize) {
        let mut stops = Vec::new();
        for _ in 0..limit {
            self.browser.press(Key::Tab).await;
            let focus = self.focus().await;
            if focus == target {
                return;
            }
            stops.push(focus);
        }
        panic!(
            "{}: {}: {limit} Tab presses do not reach {target}; the focus went to: {stops:?}",
            self.page, self.listing
        );
    }

    /// Which state the panel shows.
    async fn state(&self) -> Option<usize> {
        let state = self.js("return panel.getAttribute('data-state');").await;
        state.as_str().and_then(|state| state.parse().ok())
    }

    async fn expect_state(&self, state: usize, after: &str) {
        let shown = self.state().await;
        assert_eq!(
            shown,
            Some(state),
            "{}: {}: after {after}, the panel shows state {shown:?}, not {state}",
            self.page,
            self.listing
        );
        self.expect_shown(state, after).await;
    }

    /// The panel shows what the graph says of `state`: each live thread's
    /// name on its line of the listing, which is marked; the shared
    /// objects' values; the output so far.
    async fn expect_shown(&self, state: usize, after: &str) {
        let problems = self
            .browser
            .js(
                "const [listing, state, names] = arguments;
                 const panel = document.querySelector(`div.explorer[data-listing='${listing}']`);
                 const problems = [];
                 const lines = panel.querySelectorAll('.explorer-line');
                 const marked = new Set();
                 state.threads.forEach((thread, i) => {
                     if (!thread.line || thread.status === 'done' || thread.status === 'unborn') return;
                     marked.add(thread.line);
                     const line = lines[thread.line - 1];
                     if (!line || !line.classList.contains('explorer-here')
                         || !line.querySelector('.explorer-who').textContent.includes(names[i]))
                         problems.push(`line ${thread.line} is not marked with ${names[i]}`);
                 });
                 lines.forEach((line, i) => {
                     if (line.classList.contains('explorer-here') && !marked.has(i + 1))
                         problems.push(`line ${i + 1} is marked, with no thread at it`);
                 });
                 const values = [...panel.querySelectorAll('.explorer-objects tbody tr')]
                     .map(row => row.lastElementChild.textContent);
                 if (JSON.stringify(values) !== JSON.stringify(state.shared))
                     problems.push(`the shared objects read ${JSON.stringify(values)}, not ${JSON.stringify(state.shared)}`);
                 const output = panel.querySelector('pre.explorer-output').textContent;
                 if (output !== state.output)
                     problems.push(`the output so far reads ${JSON.stringify(output)}, not ${JSON.stringify(state.output)}`);
                 return problems;",
                vec![
                    json!(self.listing),
                    self.graph.states[state].clone(),
                    json!(self.graph.threads),
                ],
            )
            .await;
        let problems = problems.as_array().cloned().unwrap_or_default();
        assert!(
            problems.is_empty(),
            "{}: {}: after {after}, in state {state}, the panel does not show the state: {problems:?}",
            self.page,
            self.listing
        );
    }

    /// From the start, with the focus on the first step button: takes the
    /// steps of `path`, each found with Tab among the step buttons and taken
    /// with Enter or Space (in turn), and checks after each that the panel
    /// shows the step's state, that the focus is back on the first step (or
    /// on the end), and that the step was announced in the live region.
    async fn walk(&self, path: &[usize]) {
        self.expect_state(path[0], "Tab from the top of the page")
            .await;
        for (n, pair) in path.windows(2).enumerate() {
            let (from, to) = (pair[0], pair[1]);
            let steps = self.graph.states[from]["steps"].as_array().unwrap();
            let index = steps
                .iter()
                .position(|step| step["to"].as_u64() == Some(to as u64))
                .unwrap_or_else(|| {
                    panic!(
                        "{}: {}: the path goes from state {from} to {to}, which no step of {from} leads to",
                        self.page, self.listing
                    )
                });
            let focus = self.focus().await;
            assert_eq!(
                focus, "step 0",
                "{}: {}: in state {from} the focus is not on the first step button",
                self.page, self.listing
            );
            for i in 1..=index {
                self.browser.press(Key::Tab).await;
                let focus = self.focus().await;
                assert_eq!(
                    focus,
                    format!("step {i}"),
                    "{}: {}: in state {from}, Tab does not go from one step button to the next",
                    self.page,
                    self.listing
                );
            }
            let key = if n % 2 == 0 { Key::Enter } else { Key::Space };
            self.browser.press(key).await;
            let label = steps[index]["label"].as_str().unwrap();
            self.expect_state(to, &format!("{key:?} on the step {label:?}"))
                .await;
            let announced = self
                .js("return panel.querySelector('[aria-live=polite]').textContent;")
                .await;
            assert!(
                announced
                    .as_str()
                    .unwrap_or_default()
                    .contains(&label.replace('`', "")),
                "{}: {}: the step {label:?} is announced as {announced}",
                self.page,
                self.listing
            );
            let expected = if self.graph.states[to]["steps"]
                .as_array()
                .is_some_and(|steps| !steps.is_empty())
            {
                "step 0"
            } else {
                "end"
            };
            let focus = self.focus().await;
            assert_eq!(
                focus, expected,
                "{}: {}: after the step {label:?}, the focus is not where the next key press needs it",
                self.page, self.listing
            );
        }
    }

    /// The end the panel shows (empty when it shows none), as a reader sees it.
    async fn end_text(&self) -> String {
        let text = self
            .js("const end = panel.querySelector('.explorer-end');
                 return end && end.checkVisibility() ? end.innerText : '';")
            .await;
        text.as_str().unwrap_or_default().to_owned()
    }

    /// At the end of `path`, with the focus on the end: Tab to Back, which
    /// goes back one step at a time along the path and keeps the focus;
    /// then Tab to Restart, which goes back to the start and puts the focus
    /// on the first step.
    async fn back_and_restart(&self, path: &[usize]) {
        self.tab_to("back", 3).await;
        for back in 1..path.len().min(4) {
            self.browser.press(Key::Enter).await;
            self.expect_state(path[path.len() - 1 - back], &format!("Back, {back} times"))
                .await;
            assert_eq!(
                self.focus().await,
                "back",
                "{}: {}: Back loses the focus",
                self.page,
                self.listing
            );
        }
        assert!(
            self.end_text().await.is_empty(),
            "{}: {}: Back from the end still shows the end",
            self.page,
            self.listing
        );
        self.tab_to("restart", 1).await;
        self.browser.press(Key::Space).await;
        self.expect_state(0, "Restart").await;
        assert_eq!(
            self.focus().await,
            "step 0",
            "{}: {}: after Restart the focus is not on the first step",
            self.page,
            self.listing
        );
    }

    /// From the start: Tab to the select of ends, pick `end` with the arrow
    /// keys, Tab to "Show me a schedule that ends here" and press Enter: the
    /// panel shows the end of its path, and Back goes back along that path.
    /// Returns the end it showed.
    async fn show_me(&self, end: &End) -> String {
        let index = self
            .graph
            .ends
            .iter()
            .position(|other| other.path == end.path)
            .unwrap();
        self.tab_to("ends", 40).await;
        self.browser.press(Key::Home).await;
        for _ in 0..index {
            self.browser.press(Key::Down).await;
        }
        let picked = self
            .js("return panel.querySelector('select.explorer-ends').value;")
            .await;
        assert_eq!(
            picked,
            json!(index.to_string()),
            "{}: {}: the arrow keys do not pick the end in the select",
            self.page,
            self.listing
        );
        self.tab_to("show", 1).await;
        self.browser.press(Key::Enter).await;
        let last = *end.path.last().unwrap();
        self.expect_state(last, "Show me a schedule that ends here")
            .await;
        assert_eq!(
            self.focus().await,
            "end",
            "{}: {}: after Show me, the focus is not on the end",
            self.page,
            self.listing
        );
        let shown = self.end_text().await;
        self.tab_to("back", 3).await;
        self.browser.press(Key::Enter).await;
        self.expect_state(end.path[end.path.len() - 2], "Show me, then Back")
            .await;
        shown
    }
}

//! What the browser checks need: the book's own server (`cargo book serve`),
//! headless Chromium driven through chromedriver, and a few waits and reads
//! that WebDriver does not offer as such.
//!
//! Everything runs on 127.0.0.1; Chromium is started with every background
//! service off, because the machine may have no network at all.

use std::io::Write;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use verify::cargo;
use verify::catalog::Listing;

/// The Debian packages that provide what these checks drive.
pub const INSTALL: &str = "apt-get install -y chromium chromium-driver";

/// The line printed when the checks are skipped; tests/browser.rs in the
/// repository root passes it on, so that a skip is never silent.
pub const SKIPPED: &str = "BROWSER TESTS SKIPPED";

/// Chromium and chromedriver, as found on `PATH`.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Finds Chromium and chromedriver. When one is missing the checks cannot
/// run: under CI (`CI=true`) that is a failure, elsewhere a loud skip.
pub fn tools_or_skip() -> Option<Tools> {
    let chromium = on_path("chromium");
    let chromedriver = on_path("chromedriver");
    if let (Some(chromium), Some(chromedriver)) = (&chromium, &chromedriver) {
        return Some(Tools {
            chromium: chromium.clone(),
            chromedriver: chromedriver.clone(),
        });
    }
    let missing: Vec<&str> = [("chromium", &chromium), ("chromedriver", &chromedriver)]
        .into_iter()
        .filter(|(_, found)| found.is_none())
        .map(|(name, _)| name)
        .collect();
    let message = format!(
        "{} not found on PATH: the browser tests need Chromium and chromedriver.\n\
         Install them (Debian, as root): apt-get update && {INSTALL}",
        missing.join(" and ")
    );
    skip(
        &message,
        "Under CI (CI=true) the browser tests must run: .ci/run installs both.",
    );
    None
}

/// Where the accessibility audit finds axe-core, relative to the repository
/// root: installed there by [`AXE_INSTALL`] (`.ci/run` does it), so that the
/// audit needs no network when it runs.
pub const AXE_DIR: &str = "target/axe";

/// The command that installs axe-core where the audit looks for it.
pub const AXE_INSTALL: &str = "npm install --prefix target/axe --no-save axe-core@4";

/// The source of axe-core (`axe.min.js`), to run in a page. When it is not
/// installed the audit cannot run: under CI (`CI=true`) that is a failure,
/// elsewhere a loud skip.
pub fn axe_or_skip() -> Option<String> {
    let path = verify::repo_root()
        .join(AXE_DIR)
        .join("node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(error) => {
            skip(
                &format!(
                    "{}: {error}: the accessibility audit needs axe-core.\n\
                     Install it (in the repository root; needs Node.js' npm): {AXE_INSTALL}",
                    path.display()
                ),
                "Under CI (CI=true) the accessibility audit must run: .ci/run installs axe-core.",
            );
            None
        }
    }
}

/// A check that cannot run: under CI (`CI=true`) a failure, elsewhere a skip
/// that says so loudly, headed by [`SKIPPED`].
fn skip(message: &str, under_ci: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{message}\n{under_ci}"
    );
    // Written to the real stderr: libtest captures only `print!` and
    // `eprint!`, and a passing test's captured output is never shown.
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\n{SKIPPED}: {message}\n{bar}\n",
        bar = "!".repeat(78)
    );
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

pub use verify::server::BookServer;

/// Headless Chromium in a fresh profile, through its own chromedriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    pub async fn start(tools: &Tools) -> Browser {
        let profile = cargo::target_dir()
            .join("tmp")
            .join(format!("chromium-profile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();

        // A process group of its own, so that Drop can stop chromedriver and
        // the browser it started together, even after a failed check.
        let mut driver = Command::new(&tools.chromedriver);
        driver.arg("--port=0").stdout(Stdio::piped());
        #[cfg(unix)]
        driver.process_group(0);
        let mut driver = driver.spawn().expect("starting chromedriver");
        let port = verify::run::await_line(&mut driver, "chromedriver's port", |line| {
            let (_, rest) = line.split_once("started successfully on port ")?;
            Some(rest.trim_end_matches('.').to_owned())
        });

        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
            // Keeps the console, read back with `console_errors`.
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("starting Chromium through chromedriver");
        Browser {
            client,
            driver,
            profile,
        }
    }

    /// Ends the session (Chromium quits), then chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop stops chromedriver and removes the profile.
    }

    /// Runs `script` (a function body; `arguments` are `args`) and returns
    /// its result.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
    }

    /// Waits until `script` returns something truthy, and returns it. The
    /// only way these checks wait: for a condition, never for a fixed time.
    pub async fn wait_until(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let started = Instant::now();
        loop {
            let value = self.js(script, args.clone()).await;
            let ready = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::String(text) => !text.is_empty(),
                _ => true,
            };
            if ready {
                return value;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let shot = cargo::target_dir().join("browser-screenshots/timed-out.png");
                self.screenshot(&shot).await;
                panic!(
                    "timed out waiting for {what} on {} (screenshot: {})",
                    self.client.current_url().await.unwrap(),
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Console messages logged as errors (SEVERE) since the last call: script
    /// errors, failed requests, refused resources.
    pub async fn console_errors(&self) -> Vec<String> {
        let log = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("reading the browser's console");
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Opens a page and waits until a reader can use it: loaded, its images
    /// decoded, and, where it has listings to run, the playground's answer
    /// to book.js's probe (which unhides the Run buttons) and, where it has
    /// `rust,miri` listings and the playground runs Miri, their "Run under
    /// Miri" buttons.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("opening a page");
        self.wait_until(
            "the page, its images and its Run buttons",
            "const runnable = document.querySelector('pre.playground > code:not(.no_run)');
             return document.readyState === 'complete'
                 && [...document.images].every(img => img.complete)
                 && (!runnable
                     || [...document.querySelectorAll('.play-button')].some(b => !b.hidden));",
            vec![],
        )
        .await;
        // theme/miri.js adds its buttons once /playground/miri answers.
        let miri = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 if (!document.querySelector('pre > code.miri')) return done(false);
                 fetch('/playground/miri')
                     .then(r => done(r.ok && r.headers.get('x-book-playground') === '1'))
                     .catch(() => done(false));",
                vec![],
            )
            .await
            .expect("asking the playground about Miri");
        if miri == Value::Bool(true) {
            self.wait_until(
                "the Run under Miri buttons",
                "return document.querySelectorAll('.miri-run').length
                     === document.querySelectorAll('pre > code.miri').length;",
                vec![],
            )
            .await;
        }
    }

    /// Picks a theme with the menu bar's theme picker, as a reader does, and
    /// closes the picker again.
    pub async fn pick_theme(&self, theme: &str) {
        let toggle = self
            .client
            .find(Locator::Id("mdbook-theme-toggle"))
            .await
            .expect("the theme picker's button");
        toggle.click().await.expect("opening the theme picker");
        let choice = self
            .client
            .find(Locator::Id(&format!("mdbook-theme-{theme}")))
            .await
            .unwrap_or_else(|_| panic!("no {theme} theme in the picker"));
        let choice_json = serde_json::to_value(&choice).unwrap();
        self.wait_until(
            "the theme picker",
            "return arguments[0].checkVisibility();",
            vec![choice_json.clone()],
        )
        .await;
        choice.click().await.expect("picking a theme");
        toggle.click().await.expect("closing the theme picker");
        self.wait_until(
            "the theme picker to close",
            "return !arguments[0].checkVisibility();",
            vec![choice_json],
        )
        .await;
        self.wait_until(
            &format!("the {theme} theme"),
            "return document.documentElement.classList.contains(arguments[0]);",
            vec![json!(theme)],
        )
        .await;
    }

    /// The block of a listing on the open page: the `<pre>` before the
    /// caption that names its file.
    pub async fn listing_block(&self, listing: &Listing) -> Element {
        let path = format!("listings/{}/src/bin/{}.rs", listing.chapter, listing.name);
        self.client
            .find(Locator::XPath(&format!(
                "//p[@class='caption'][.//code[text()='{path}']]/preceding-sibling::pre[1]"
            )))
            .await
            .unwrap_or_else(|_| panic!("no listing captioned {path}"))
    }

    /// Moves the mouse over an element (mdBook shows a listing's buttons
    /// only then).
    pub async fn hover(&self, element: &Element) {
        let mouse = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
            element: element.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client
            .perform_actions(mouse)
            .await
            .expect("moving the mouse");
    }

    /// Presses and releases one key, as a keyboard does, wherever the focus is.
    pub async fn press(&self, key: Key) {
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client
            .perform_actions(keys)
            .await
            .unwrap_or_else(|error| panic!("pressing {key:?}: {error}"));
    }

    /// The accessible name the browser computes for an element: what a
    /// screen reader announces (WebDriver's Get Computed Label).
    pub async fn accessible_name(&self, element: &Element) -> String {
        let name = self
            .client
            .issue_cmd(ComputedLabel(element.element_id().to_string()))
            .await
            .expect("reading an element's accessible name");
        name.as_str().unwrap_or_default().to_owned()
    }

    /// Runs axe-core (its source is `axe`, from [`axe_or_skip`]) on the open
    /// page, or on the part of it that `context` selects, and returns the
    /// violations it finds: each with its rule `id`, `impact`, `help`,
    /// `helpUrl` and `nodes` (`target`, a selector, `html` and
    /// `failureSummary`). Every rule but axe's experimental ones runs.
    /// An error when the page went away meanwhile (a live reload, when the
    /// book's files change): open it again and retry.
    pub async fn audit(&self, axe: &str, context: Value) -> Result<Vec<Value>, String> {
        let injected = self
            .js("return typeof window.axe === 'object';", vec![])
            .await;
        // Sent only when the page does not have it yet: 650 kB.
        let source = if injected == Value::Bool(true) {
            Value::Null
        } else {
            Value::String(axe.to_owned())
        };
        let mut timeouts = self
            .client
            .get_timeouts()
            .await
            .expect("reading the timeouts");
        timeouts.set_script(Some(Duration::from_secs(120)));
        self.client
            .update_timeouts(timeouts)
            .await
            .expect("setting the script timeout");
        let answer = self
            .client
            .execute_async(
                "const [source, context, done] = arguments;
                 if (typeof window.axe !== 'object') {
                     if (source === null) return done({ error: 'the page was reloaded' });
                     (0, eval)(source);
                 }
                 axe.run(context || document, { resultTypes: ['violations'] })
                     .then(results => done(results.violations.map(v => ({
                         id: v.id,
                         impact: v.impact,
                         help: v.help,
                         helpUrl: v.helpUrl,
                         nodes: v.nodes.map(n => ({
                             target: n.target.join(' '),
                             html: n.html.length > 300 ? n.html.slice(0, 300) + '…' : n.html,
                             failureSummary: n.failureSummary,
                         })),
                     }))))
                     .catch(error => done({ error: String(error) }));",
                vec![source, context],
            )
            .await
            .map_err(|error| format!("running axe-core: {error}"))?;
        match answer {
            Value::Array(violations) => Ok(violations),
            other => Err(format!("axe-core failed: {other}")),
        }
    }

    /// Saves a screenshot of the window.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("taking a screenshot");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        verify::run::kill_group(&mut self.driver);
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// WebDriver's Get Computed Label, which fantoccini does not offer.
#[derive(Debug)]
struct ComputedLabel(String);

impl WebDriverCompatibleCommand for ComputedLabel {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/element/{}/computedlabel",
            session_id.unwrap_or_default(),
            self.0
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}

/// chromedriver's (non-standard) command for the browser's console log.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

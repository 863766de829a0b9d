//! What the browser checks need: the book's own server (`cargo book serve`),
//! headless Chromium driven through chromedriver, and a few waits and reads
//! that WebDriver does not offer as such.
//!
//! Everything runs on 127.0.0.1; Chromium is started with every background
//! service off, because the machine may have no network at all.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use harness::cargo;
use serde_json::{Value, json};

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
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{message}\nUnder CI (CI=true) the browser tests must run: .ci/run installs both."
    );
    // Written to the real stderr: libtest captures only `print!` and
    // `eprint!`, and a passing test's captured output is never shown.
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\n{SKIPPED}: {message}\n{bar}\n",
        bar = "!".repeat(78)
    );
    None
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

pub use harness::server::BookServer;

fn signal(signal: &str, target: &str) {
    let _ = Command::new("kill").args([signal, "--", target]).status();
}

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
        let mut driver = Command::new(&tools.chromedriver)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("starting chromedriver");
        let port = harness::run::await_line(&mut driver, "chromedriver's port", |line| {
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

    /// Saves a screenshot of the window.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("taking a screenshot");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        signal("-KILL", &format!("-{}", self.driver.id()));
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
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

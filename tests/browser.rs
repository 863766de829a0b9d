//! The book in a real browser: headless Chromium, served by `cargo book
//! serve`. The checks are in tests/browser/, a crate of their own (its
//! WebDriver client stays out of this package's dev-dependencies, which
//! trybuild copies into its project); this runs them.
//!
//! They need Debian's `chromium` and `chromium-driver`, and the accessibility
//! audit axe-core (`npm install --prefix target/axe --no-save axe-core@4`).
//! Without them the checks fail under CI (`CI=true`) and are skipped, loudly,
//! elsewhere.

use std::io::Write;

use verify::cargo::cargo;
use verify::repo_root;

#[test]
fn the_book_works_in_a_browser() {
    let output = cargo(&repo_root())
        .args(["test", "--package", "book-browser-tests"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser checks failed (rerun them alone with \
         `cargo test -p book-browser-tests`):\n{stdout}\n{stderr}"
    );
    // A skip (no Chromium, no axe-core) must be seen: pass each message on
    // past libtest's capture, which hides the output of a passing test.
    let mut messages: Vec<&str> = Vec::new();
    for (at, _) in stderr.match_indices("BROWSER TESTS SKIPPED") {
        let message = &stderr[at..];
        let message = &message[..message.find("\n!!!").unwrap_or(message.len())];
        if !messages.contains(&message) {
            messages.push(message);
        }
    }
    let bar = "!".repeat(78);
    for message in messages {
        let _ = writeln!(std::io::stderr(), "\n{bar}\n{message}\n{bar}\n");
    }
}

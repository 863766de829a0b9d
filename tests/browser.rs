//! The book in a real browser: headless Chromium, served by `cargo book
//! serve`. The checks are in tests/browser/, a crate of their own (its
//! WebDriver client stays out of this package's dev-dependencies, which
//! trybuild copies into its project); this runs them.
//!
//! They need Debian's `chromium` and `chromium-driver`. Without them the
//! checks fail under CI (`CI=true`) and are skipped, loudly, elsewhere.

use std::io::Write;

use harness::cargo::cargo;
use harness::repo_root;

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
    // A skip (no Chromium) must be seen: pass its message on past libtest's
    // capture, which hides the output of a passing test.
    if let Some(at) = stderr.find("BROWSER TESTS SKIPPED") {
        let message = &stderr[at..];
        let message = &message[..message.find("\n!!!").unwrap_or(message.len())];
        let bar = "!".repeat(78);
        let _ = writeln!(std::io::stderr(), "\n{bar}\n{message}\n{bar}\n");
    }
}

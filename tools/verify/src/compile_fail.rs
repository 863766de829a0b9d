//! Running `fails` listings through trybuild, in the crate of its own in
//! `tests/compile-fail` (trybuild builds a project with the dependencies of
//! the crate that calls it; the root package's would be many).

use std::path::Path;
use std::process::{Command, Output};

use crate::cargo::cargo;

/// The package that runs trybuild.
pub const PACKAGE: &str = "book-compile-fail-tests";

/// Compiles each source file (under `listings/` or `tests/fixtures/`, which
/// that crate links to) and compares the compiler's output with the
/// `.stderr` snapshot beside it (`TRYBUILD=overwrite` rewrites the
/// snapshots). On a mismatch, returns trybuild's report.
pub fn check(root: &Path, sources: &[&Path]) -> Result<(), String> {
    outcome(command(root, sources).output())
}

/// The cargo command that runs trybuild on `sources`.
pub fn command(root: &Path, sources: &[&Path]) -> Command {
    let cases: Vec<String> = sources
        .iter()
        .map(|source| {
            let relative = source.strip_prefix(root).unwrap_or(source);
            relative.to_string_lossy().into_owned()
        })
        .collect();
    let mut command = cargo(root);
    command
        .args(["test", "--quiet", "--package", PACKAGE, "--", "--ignored"])
        .env("BOOK_COMPILE_FAIL_CASES", cases.join("\n"))
        .env("CARGO_TERM_COLOR", "never");
    command
}

/// What running [`command`] came to: trybuild's report when a case failed.
pub fn outcome(output: std::io::Result<Output>) -> Result<(), String> {
    let output = output.map_err(|e| format!("could not run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

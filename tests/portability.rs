//! `cargo book` and the test suite build on macOS and Windows too: every
//! crate of the workspace, tests included, is type-checked for those
//! systems, so that a Linux-only call (a mount, `/proc`, a Unix socket)
//! cannot come back unnoticed outside the module made for it.
//!
//! No linker for those systems is needed to type-check; mdBook's template
//! engine assembles one file (`psm`) with the target's C compiler, for which
//! clang serves every target. The targets' standard libraries come from
//! rustup (`rustup target add`, which `.ci/run` does); without them the
//! check is skipped loudly, except under CI.

use std::path::Path;
use std::process::Command;

use verify::cargo::cargo;
use verify::repo_root;

/// A Mac (Intel and Apple silicon alike: the same code is compiled) and
/// Windows with the GNU toolchain's standard library, which needs no
/// Microsoft SDK to type-check against.
const TARGETS: [&str; 2] = ["x86_64-apple-darwin", "x86_64-pc-windows-gnu"];

/// `cargo check` of `manifest_dir`'s workspace for `target`: its errors, if any.
fn type_check(manifest_dir: &Path, target: &str) -> Result<(), String> {
    let variable = target.replace('-', "_");
    let output = cargo(manifest_dir)
        .args(["check", "--workspace", "--all-targets", "--target", target])
        .args(["--message-format", "short", "--color", "never"])
        .env(format!("CC_{variable}"), "clang")
        .env(format!("CFLAGS_{variable}"), format!("--target={target}"))
        .output()
        .expect("running cargo check");
    if output.status.success() {
        return Ok(());
    }
    let errors: Vec<String> = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.contains("error"))
        .map(str::to_owned)
        .collect();
    Err(errors.join("\n"))
}

/// The targets that cannot be checked here, and why; under CI, a failure.
fn missing() -> Option<String> {
    let clang = Command::new("clang").arg("--version").output();
    if !clang.is_ok_and(|output| output.status.success()) {
        return Some("clang is not installed (Debian: apt-get install clang)".to_owned());
    }
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(repo_root())
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    let absent: Vec<&str> = TARGETS
        .into_iter()
        .filter(|target| !installed.lines().any(|line| line == *target))
        .collect();
    (!absent.is_empty()).then(|| format!("rustup target add {}", absent.join(" ")))
}

fn checkable(test: &str) -> bool {
    let Some(missing) = missing() else {
        return true;
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: cannot type-check for macOS and Windows: {missing}"
    );
    let bar = "!".repeat(78);
    eprintln!("\n{bar}\nPORTABILITY CHECK SKIPPED: {test}\nto run it: {missing}\n{bar}\n");
    false
}

#[test]
fn the_tools_and_the_tests_type_check_for_macos_and_windows() {
    if !checkable("the workspace for macOS and Windows") {
        return;
    }
    let failures: Vec<String> = TARGETS
        .into_iter()
        .filter_map(|target| {
            type_check(&repo_root(), target)
                .err()
                .map(|errors| format!("for {target}:\n{errors}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "the workspace does not build on every reader's system:\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn a_linux_only_call_is_caught() {
    if !checkable("the portability check's self-test") {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("portability-fixture");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n",
    )
    .unwrap();
    // What the playground did before it had one module per system.
    std::fs::write(
        dir.join("src/main.rs"),
        "use std::os::unix::process::CommandExt;\n\
         fn main() {\n    \
             let _ = std::process::Command::new(\"true\").process_group(0).status();\n\
         }\n",
    )
    .unwrap();
    let windows = type_check(&dir, "x86_64-pc-windows-gnu");
    let errors = windows.expect_err("a Unix-only call type-checked for Windows");
    assert!(errors.contains("unix"), "{errors}");
    type_check(&dir, "x86_64-apple-darwin").expect("the same program is fine on macOS");
}

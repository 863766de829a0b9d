//! `cargo book exercise`: a reader's attempt is held to the claims of the
//! book's solution, natively and under Miri, and told what is wrong.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use harness::cargo::cargo;
use harness::{miri, repo_root};

/// A fresh directory for attempts, named as the real one is.
fn attempts(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(test)
        .join(miri::EXERCISES_DIR);
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn exercise(attempts: &Path, args: &[&str]) -> (bool, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cargo(&repo_root())
        .args(["book", "exercise"])
        .args(args)
        .arg("--attempts")
        .arg(attempts)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    (status.success(), text)
}

fn solution(name: &str) -> String {
    fs::read_to_string(repo_root().join(format!("listings/ch17-exercises/src/bin/{name}.rs")))
        .unwrap()
}

#[test]
fn the_starter_is_written_once_and_fails_with_a_hint() {
    let dir = attempts("starter");
    let (ok, text) = exercise(&dir, &["philosophers"]);
    assert!(ok && text.contains("Wrote the starter"), "{text}");
    let starter = fs::read_to_string(dir.join("philosophers.rs")).unwrap();
    assert!(starter.contains("todo!("), "{starter}");

    // Never overwritten: the next call checks it.
    let (ok, text) = exercise(&dir, &["philosophers"]);
    assert!(!ok, "the starter passed:\n{text}");
    for expected in ["not yet implemented", "Hint:", "not solved yet"] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let (_, list) = exercise(&dir, &[]);
    assert!(
        list.lines()
            .any(|line| line.starts_with("philosophers") && line.ends_with("failing")),
        "{list}"
    );
}

#[test]
fn the_books_solution_is_solved() {
    let dir = attempts("solution");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("philosophers.rs"), solution("philosophers")).unwrap();
    let (ok, text) = exercise(&dir, &["philosophers"]);
    assert!(ok && text.contains("solved: "), "{text}");
    let (_, list) = exercise(&dir, &[]);
    assert!(
        list.lines()
            .any(|line| line.starts_with("philosophers") && line.ends_with("solved")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|line| line.starts_with("link-checker") && line.ends_with("not started")),
        "{list}"
    );
}

#[test]
fn a_solution_that_deadlocks_on_some_schedule_is_caught() {
    if let Err(missing) = miri::installed(&repo_root()) {
        assert!(std::env::var_os("CI").is_none(), "{missing}");
        eprintln!("skipped: {missing}");
        return;
    }
    let dir = attempts("deadlock");
    fs::create_dir_all(&dir).unwrap();
    // Every philosopher takes the left fork first, and thinks a moment
    // (a long while, in Miri's clock too) before reaching for the right
    // one: all five hold one fork.
    let naive = solution("philosophers")
        .replace("self.left.min(self.right)", "self.left")
        .replace("self.left.max(self.right)", "self.right")
        .replace(
            "let _first = forks[first].lock().unwrap();",
            "let _first = forks[first].lock().unwrap();\n\
             thread::sleep(Duration::from_millis(100));",
        );
    assert_ne!(naive, solution("philosophers"), "the solution changed");
    fs::write(dir.join("philosophers.rs"), naive).unwrap();
    // Miri alone, on the seed a failure names.
    let (ok, text) = exercise(&dir, &["philosophers", "--seed", "0"]);
    assert!(!ok, "a deadlock passed:\n{text}");
    for expected in [
        "seed 0",
        "Deadlocked: every thread waits for another.",
        "waits at",
        ".lock()",
        "reproduce: cargo book exercise philosophers --seed 0",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn an_unknown_exercise_or_an_unreadable_attempt_is_a_clear_error() {
    let dir = attempts("errors");
    let (ok, text) = exercise(&dir, &["philosopher"]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("there is no exercise \"philosopher\"") && text.contains("philosophers"),
        "{text}"
    );
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("philosophers.rs"), b"fn main() { \xff }").unwrap();
    let (ok, text) = exercise(&dir, &["philosophers"]);
    assert!(!ok && text.contains("is not UTF-8 text"), "{text}");
    let (ok, text) = exercise(&dir, &["philosophers", "--reset", "--force"]);
    assert!(ok && text.contains("is the starter again"), "{text}");
}

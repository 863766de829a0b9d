//! `cargo book exercise`: a reader's attempt is held to the claims of the
//! book's solution, natively and under Miri, and told what is wrong.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use verify::cargo::cargo;
use verify::{miri, repo_root};

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

/// The book's solution with `from` replaced by `to` (which must be there).
fn changed(name: &str, changes: &[(&str, &str)]) -> String {
    let mut text = solution(name);
    for (from, to) in changes {
        assert!(text.contains(from), "the solution no longer has {from:?}");
        text = text.replace(from, to);
    }
    text
}

const LOWER_FIRST: &str =
    "let first = self.left.min(self.right);\n        let second = self.left.max(self.right);";

#[test]
fn left_forks_first_deadlock_under_shuttle_with_the_cycle_named() {
    let dir = attempts("left-first");
    fs::create_dir_all(&dir).unwrap();
    let attempt = changed(
        "philosophers",
        &[(
            LOWER_FIRST,
            "let first = self.left;\n        let second = self.right;",
        )],
    );
    fs::write(dir.join("philosophers.rs"), attempt).unwrap();
    let (ok, text) = exercise(&dir, &["philosophers"]);
    assert!(!ok, "a deadlock passed:\n{text}");
    for expected in [
        "Under shuttle",
        "it deadlocked: every thread left is blocked:",
        "waits at line 32 to lock the Mutex made at line 45",
        "held by thread",
        "so they wait in a cycle: thread 1 waits for thread 2, which waits for thread 3, \
         which waits for thread 4, which waits for thread 5, which waits for thread 1",
        "replay it: SIM_REPLAY='",
        "Hint: A deadlock needs a cycle",
        "not solved yet",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn a_forgotten_drop_of_the_scribe_is_told_as_a_receiver_waiting() {
    let dir = attempts("forgot-drop");
    fs::create_dir_all(&dir).unwrap();
    let attempt = changed("philosophers", &[("        drop(scribe);\n", "")]);
    fs::write(dir.join("philosophers.rs"), attempt).unwrap();
    let (ok, text) = exercise(&dir, &["philosophers"]);
    assert!(!ok, "a hang passed:\n{text}");
    for expected in [
        "main waits at line 61 to receive on the channel made at line 46, while 1 of its \
         Senders is still alive",
        "Hint: `for idea in ideas` ends only when every `Sender`",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("to lock the Mutex"), "{text}");
}

#[test]
fn solutions_of_other_designs_are_solved() {
    let waiter = changed(
        "philosophers",
        &[
            (
                LOWER_FIRST,
                "let first = self.left;\n        let second = self.right;",
            ),
            (
                "let _first = forks[first].lock().unwrap();",
                "// One philosopher at a time picks up forks.\n\
                 static WAITER: Mutex<()> = Mutex::new(());\n\
                 let waiter = WAITER.lock().unwrap();\n\
                 let _first = forks[first].lock().unwrap();",
            ),
            (
                "let _second = forks[second].lock().unwrap();",
                "let _second = forks[second].lock().unwrap();\ndrop(waiter);",
            ),
        ],
    );
    let last_reversed = changed(
        "philosophers",
        &[(
            LOWER_FIRST,
            "let (first, second) = if self.right == 0 {\n\
             (self.right, self.left)\n\
             } else {\n\
             (self.left, self.right)\n\
             };",
        )],
    );
    // Four seats for five: one philosopher always finds both forks free.
    let four_seats = changed(
        "philosophers",
        &[
            ("use std::sync::Mutex;", "use std::sync::{Condvar, Mutex};"),
            (
                "struct Fork;",
                "struct Fork;\n\
                 static SEATS: (Mutex<usize>, Condvar) = (Mutex::new(4), Condvar::new());",
            ),
            (
                LOWER_FIRST,
                "let first = self.left;\n        let second = self.right;",
            ),
            (
                "let _first = forks[first].lock().unwrap();",
                "let (seats, freed) = (&SEATS.0, &SEATS.1);\n\
                 let mut free = freed.wait_while(seats.lock().unwrap(), |free| *free == 0).unwrap();\n\
                 *free -= 1;\n\
                 drop(free);\n\
                 let _first = forks[first].lock().unwrap();",
            ),
            (
                "thread::sleep(Duration::from_millis(1)); // eat",
                "thread::sleep(Duration::from_millis(1)); // eat\n\
                 *seats.lock().unwrap() += 1;\n\
                 freed.notify_one();",
            ),
        ],
    );
    for (name, attempt) in [
        ("waiter", waiter),
        ("last-reversed", last_reversed),
        ("four-seats", four_seats),
    ] {
        let dir = attempts(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("philosophers.rs"), attempt).unwrap();
        let (ok, text) = exercise(&dir, &["philosophers"]);
        assert!(ok && text.contains("solved: "), "{name}:\n{text}");
        assert!(text.contains("under shuttle on "), "{name}:\n{text}");
    }
}

#[test]
fn a_link_checker_that_keeps_its_sender_is_told_as_receivers_waiting() {
    let dir = attempts("link-checker-sender");
    fs::create_dir_all(&dir).unwrap();
    let attempt = changed("link-checker", &[("        drop(address_tx);\n", "")]);
    fs::write(dir.join("link-checker.rs"), attempt).unwrap();
    let (ok, text) = exercise(&dir, &["link-checker"]);
    assert!(!ok, "a hang passed:\n{text}");
    for expected in [
        "to receive on the channel made at line 70, while 1 of its Senders is still alive",
        "Hint: a worker's `recv` fails",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("wait in a cycle"), "{text}");
}

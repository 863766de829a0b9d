//! `cargo book exercise`: a reader's attempts at the exercises, checked with
//! the book's own verifiers. An attempt must compile, keep the claims of the
//! book's solution on every native run, and on every Miri seed (no
//! deadlock, data race or wrong output on any of those schedules).

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use verify::catalog::{self, Listing};
use verify::{book, claims, markdown, miri, run, schedules};

/// What `cargo book exercise` was asked to do.
pub struct Options {
    /// The exercise; none lists them all.
    pub name: Option<String>,
    /// Where attempts live (default: `<root>/exercises`, ignored by git).
    pub attempts: Option<PathBuf>,
    /// Check again on every save.
    pub watch: bool,
    /// Replace the attempt with the starter.
    pub reset: bool,
    /// Reset without asking.
    pub force: bool,
    /// Check only this Miri seed.
    pub seed: Option<u64>,
}

/// How an attempt stands.
#[derive(Debug, PartialEq, Eq)]
enum State {
    NotStarted,
    NotChecked,
    Failing,
    Solved,
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    let attempts = options
        .attempts
        .clone()
        .unwrap_or_else(|| root.join(miri::EXERCISES_DIR));
    let exercises = exercises(root)?;
    let Some(name) = &options.name else {
        return list(&exercises, &attempts);
    };
    let Some(exercise) = exercises.iter().find(|listing| &listing.name == name) else {
        bail!(
            "there is no exercise {name:?}; the exercises are: {}",
            names(&exercises)
        );
    };
    let attempt = attempts.join(format!("{name}.rs"));
    if options.reset {
        return reset(root, exercise, &attempt, options.force);
    }
    if !attempt.exists() {
        write_starter(root, exercise, &attempt)?;
        println!(
            "Wrote the starter to {}. Fill in the todo!()s, then run \
             `cargo book exercise {name}` again to check it (or add --watch to \
             check on every save).",
            shown(root, &attempt)
        );
        return Ok(());
    }
    if !options.watch {
        return match check(root, exercise, &attempt, options.seed)? {
            true => Ok(()),
            false => bail!("{name} is not solved yet"),
        };
    }
    loop {
        let changed = modified(&attempt);
        check(root, exercise, &attempt, options.seed)?;
        println!("\nWatching {} (Ctrl-C stops)...", shown(root, &attempt));
        while modified(&attempt) == changed {
            std::thread::sleep(Duration::from_millis(300));
        }
        println!();
    }
}

/// The solutions of the exercises: the listings of the `*-exercises` crate.
fn exercises(root: &Path) -> Result<Vec<Listing>> {
    let all = catalog::load(root).map_err(anyhow::Error::msg)?;
    Ok(all
        .into_iter()
        .filter(|listing| listing.chapter.ends_with("-exercises"))
        .collect())
}

fn names(exercises: &[Listing]) -> String {
    exercises
        .iter()
        .map(|listing| listing.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(exercises: &[Listing], attempts: &Path) -> Result<()> {
    println!("{:<22} state", "exercise");
    for exercise in exercises {
        let attempt = attempts.join(format!("{}.rs", exercise.name));
        let state = match state(&attempt) {
            State::NotStarted => "not started",
            State::NotChecked => "changed since its last check",
            State::Failing => "failing",
            State::Solved => "solved",
        };
        println!("{:<22} {state}", exercise.name);
    }
    println!("\nStart one with `cargo book exercise NAME`.");
    Ok(())
}

/// The verdict of the last check, kept beside the attempts with the text
/// it was about: an attempt changed since is not checked.
fn verdict_file(attempt: &Path) -> PathBuf {
    let name = attempt.file_name().unwrap_or_default().to_string_lossy();
    attempt.with_file_name(format!(".{name}.checked"))
}

fn state(attempt: &Path) -> State {
    let Ok(text) = fs::read(attempt) else {
        return State::NotStarted;
    };
    let Ok(recorded) = fs::read(verdict_file(attempt)) else {
        return State::NotChecked;
    };
    let (verdict, checked) = match recorded.iter().position(|&byte| byte == b'\n') {
        Some(at) => (&recorded[..at], &recorded[at + 1..]),
        None => return State::NotChecked,
    };
    match (verdict, checked == text.as_slice()) {
        (b"solved", true) => State::Solved,
        (b"failing", true) => State::Failing,
        _ => State::NotChecked,
    }
}

fn record(attempt: &Path, solved: bool, text: &[u8]) {
    let mut recorded = if solved {
        b"solved\n".to_vec()
    } else {
        b"failing\n".to_vec()
    };
    recorded.extend_from_slice(text);
    let _ = fs::write(verdict_file(attempt), recorded);
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|meta| meta.modified()).ok()
}

/// The page that shows an exercise's solution, as written (not expanded).
fn page(root: &Path, exercise: &Listing) -> Result<book::Chapter> {
    let source = exercise.source.canonicalize()?;
    book::chapters(root)
        .into_iter()
        .find(|chapter| {
            let dir = root.join(&chapter.path).parent().unwrap().to_path_buf();
            markdown::includes(&chapter.text)
                .iter()
                .any(|(_, include)| {
                    dir.join(&include.path).canonicalize().ok() == Some(source.clone())
                })
        })
        .with_context(|| format!("no page shows the solution of {}", exercise.name))
}

/// The starter, as the exercise's page shows it: its first `rust,ignore`
/// block, includes expanded.
fn starter(root: &Path, exercise: &Listing) -> Result<String> {
    let page = page(root, exercise)?;
    let expanded = crate::render::expanded_chapters(root)?
        .into_iter()
        .find(|(path, _)| *path == page.location)
        .map(|(_, text)| text)
        .with_context(|| format!("{} was not expanded", page.path.display()))?;
    markdown::code_blocks(&expanded)
        .into_iter()
        .find(|block| block.is_rust() && block.has("ignore"))
        .map(|block| block.content)
        .with_context(|| {
            format!(
                "{} shows no starter (a rust,ignore block)",
                page.path.display()
            )
        })
}

/// What kind of failure a check found, as the exercise pages label their
/// hints for it: `> **Hint (deadlock):**`.
fn failure_kind(problem: &str) -> Option<&'static str> {
    if problem.contains("so they wait in a cycle") {
        Some("deadlock")
    } else if problem.contains("to receive on the channel") {
        Some("a receiver waits forever")
    } else if problem.contains("deadlock") {
        Some("deadlock")
    } else {
        None
    }
}

/// The page's hint labelled `label`: a `> **LABEL:** …` paragraph.
fn hint(root: &Path, exercise: &Listing, label: &str) -> Option<String> {
    let page = page(root, exercise).ok()?;
    let opening = format!("> **{label}:**");
    let mut lines = page
        .text
        .lines()
        .skip_while(|line| !line.starts_with(&opening));
    let first = lines.next()?.trim_start_matches(&opening).trim().to_owned();
    let rest = lines
        .take_while(|line| line.starts_with('>') && line.trim() != ">")
        .map(|line| line.trim_start_matches('>').trim());
    Some(
        std::iter::once(first.as_str())
            .chain(rest)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn write_starter(root: &Path, exercise: &Listing, attempt: &Path) -> Result<()> {
    let text = starter(root, exercise)?;
    fs::create_dir_all(attempt.parent().expect("an attempt has a directory"))?;
    fs::write(attempt, text).with_context(|| format!("writing {}", attempt.display()))
}

fn reset(root: &Path, exercise: &Listing, attempt: &Path, force: bool) -> Result<()> {
    if attempt.exists() && !force {
        print!(
            "Replace {} with the starter? Your attempt will be lost. [y/N] ",
            shown(root, attempt)
        );
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Left as it is.");
            return Ok(());
        }
    }
    write_starter(root, exercise, attempt)?;
    let _ = fs::remove_file(verdict_file(attempt));
    println!("{} is the starter again.", shown(root, attempt));
    Ok(())
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Checks an attempt; prints what it found. `Ok(true)`: solved.
fn check(root: &Path, exercise: &Listing, attempt: &Path, seed: Option<u64>) -> Result<bool> {
    let bytes = fs::read(attempt).with_context(|| format!("reading {}", attempt.display()))?;
    if std::str::from_utf8(&bytes).is_err() {
        bail!(
            "{} is not UTF-8 text, so it cannot be a Rust program: fix it, or start again \
             with `cargo book exercise {} --reset`",
            shown(root, attempt),
            exercise.name
        );
    }
    let listing = exercise.attempted_in(attempt.to_path_buf());
    let verdict = verify(root, &listing, seed)?;
    let solved = verdict.is_ok();
    if seed.is_none() {
        record(attempt, solved, &bytes);
    }
    match verdict {
        Ok(summary) => println!("solved: {summary}"),
        Err(problem) => {
            println!("{problem}");
            let hint = failure_kind(&problem)
                .and_then(|kind| hint(root, exercise, &format!("Hint ({kind})")))
                .or_else(|| hint(root, exercise, "Hint"));
            if let Some(hint) = hint {
                println!("Hint: {hint}");
            }
        }
    }
    Ok(solved)
}

/// The book's verifiers on an attempt: `Ok(summary)`, or what is wrong.
fn verify(root: &Path, listing: &Listing, seed: Option<u64>) -> Result<Result<String, String>> {
    // One program per attempt file: two attempts at one exercise (in two
    // attempt directories) may be checked at the same time.
    let mut hasher = DefaultHasher::new();
    listing.source.hash(&mut hasher);
    let exe = verify::cargo::workspace_target(root)
        .join("exercises")
        .join(format!("{:016x}", hasher.finish()))
        .join(&listing.name);
    fs::create_dir_all(exe.parent().unwrap())?;
    let compiled = Command::new("rustc")
        .current_dir(root)
        .args(["--edition", "2024", "--crate-name"])
        .arg(listing.name.replace('-', "_"))
        .arg("-o")
        .arg(&exe)
        .arg(&listing.source)
        .output()
        .context("running rustc")?;
    if !compiled.status.success() {
        return Ok(Err(format!(
            "{}\n{} does not compile yet (the compiler's message is above)",
            String::from_utf8_lossy(&compiled.stderr),
            shown(root, &listing.source)
        )));
    }
    // Schedules first: a deadlock or a wait that never ends is named there,
    // with who waits for whom, where a native run only stops at its limit.
    let mut shuttle = String::new();
    if seed.is_none() && listing.schedules_exempt.is_none() {
        let group = format!("attempt-{:016x}", hasher.finish());
        let target = verify::cargo::workspace_target(root);
        match schedules::check_one(root, &target, &group, listing) {
            Ok(verdict) => shuttle = format!(", under shuttle on {verdict}"),
            Err(failure) => {
                return Ok(Err(format!(
                    "Under shuttle, which runs it on many orders of its threads' steps, it does \
                     not keep the claim of the book's solution:\n{failure}"
                )));
            }
        }
    }
    let runs = if seed.is_some() { 0 } else { listing.runs };
    for attempt in 1..=runs {
        let run = run::run(&exe, root, claims::time_limit(listing))?;
        if let Err(failure) = claims::check(listing, &run, root) {
            return Ok(Err(format!(
                "Run {attempt} of {runs} does not keep the claim of the book's solution:\n{failure}"
            )));
        }
    }
    let native = format!("it compiles and keeps its claims{shuttle}, on {runs} native runs");
    if let Err(missing) = miri::installed(root) {
        return Ok(Ok(format!(
            "{native} (Miri, which tries other schedules, is not installed: {missing})"
        )));
    }
    let seeds: Vec<u64> = match seed {
        Some(seed) => vec![seed],
        None => miri::seeds(listing).collect(),
    };
    let toolchain = miri::toolchain(root);
    for &seed in &seeds {
        let run = miri::run(root, listing, seed);
        if let Err(failure) = miri::check(listing, &run, root, &toolchain) {
            let waits = waiting_threads(&run.report, &listing.source);
            return Ok(Err(format!(
                "Under Miri, seed {seed} (one schedule of the threads), it does not keep the \
                 claim of the book's solution:\n{failure}{waits}"
            )));
        }
    }
    Ok(Ok(format!(
        "{native}, and on Miri seeds {}",
        seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// Which thread waits where, from a deadlock report of Miri's: its thread,
/// and the last line of `source` on its stack.
fn waiting_threads(report: &str, source: &Path) -> String {
    let file = source.file_name().unwrap_or_default().to_string_lossy();
    let mut summary = String::new();
    for block in report
        .split("error: the evaluated program deadlocked")
        .skip(1)
    {
        let thread = block
            .lines()
            .find_map(|line| line.trim().strip_prefix("= note: this is on thread "))
            .unwrap_or("a thread");
        let place = block
            .lines()
            .find(|line| line.trim().starts_with("at ") && line.contains(file.as_ref()))
            .map(|line| line.trim().trim_start_matches("at ").to_owned());
        if let Some(place) = place {
            // `…/philosophers.rs:31:27: 31:47`: the line is the first number.
            let code = place
                .split_once(&format!("{file}:"))
                .and_then(|(_, rest)| rest.split(':').next()?.parse::<usize>().ok())
                .and_then(|line| {
                    let text = fs::read_to_string(source).ok()?;
                    Some(text.lines().nth(line.checked_sub(1)?)?.trim().to_owned())
                })
                .unwrap_or_default();
            summary.push_str(&format!(
                "\n  thread {thread} waits at {place}\n      {code}"
            ));
        }
    }
    if summary.is_empty() {
        return summary;
    }
    format!("\nDeadlocked: every thread waits for another.{summary}")
}

//! Checking a run of a listing against what its chapter claims.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use snapbox::assert::Action;
use snapbox::{Assert, Data};

pub use crate::catalog::{HANG_AFTER, RUN_LIMIT};
use crate::catalog::{Kind, Listing};
use crate::run::{Ending, Run};

/// A claim of the book that a run of a listing showed to be false.
#[derive(Debug)]
pub struct Failure {
    /// "chapter ch06-mutex, listing counter-arc"
    pub listing: String,
    pub claim: String,
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.listing)?;
        writeln!(f, "  claim: {}", self.claim)?;
        for line in self.detail.lines() {
            writeln!(f, "  | {line}")?;
        }
        Ok(())
    }
}

/// Fails the calling test when there are failures, showing each: `doing`
/// says what the listings failed at ("under Miri").
pub fn assert_no_failures(failures: &[Failure], doing: &str) {
    assert!(
        failures.is_empty(),
        "{} listing(s) do not do {doing} what the book claims:\n\n{}",
        failures.len(),
        failures
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// How long to let one run of `listing` go before stopping it.
pub fn time_limit(listing: &Listing) -> Duration {
    listing.kind.time_limit()
}

/// Checks one run: how it ended, then what it printed.
pub fn check(listing: &Listing, run: &Run, root: &Path) -> Result<(), Failure> {
    check_ending(listing, run)?;
    check_output(listing, &run.output, root)
}

/// Writes the output file from real runs (`SNAPSHOTS=overwrite`). Each run
/// must end as claimed. The file shows the first run or, where lines may be
/// cut short, the first run that printed the most of them: the file must show
/// every line a run can print. It is a real run: the lines that vary are
/// compared through the listing's `varies` patterns, and thread ids in panic
/// messages are ignored.
pub fn record(listing: &Listing, runs: &[Run]) -> Result<(), Failure> {
    for run in runs {
        check_ending(listing, run)?;
    }
    let printed = |run: &&Run| {
        run.output
            .lines()
            .filter(|line| {
                listing
                    .cut_short
                    .iter()
                    .any(|key| line.contains(key.as_str()))
            })
            .count()
    };
    let best = runs
        .iter()
        .rev()
        .max_by_key(printed)
        .expect("at least one run");
    let path = listing.output_file();
    let text = transcript(listing, &best.output);
    std::fs::write(&path, text).map_err(|e| Failure {
        listing: listing.to_string(),
        claim: "its output file can be written".to_owned(),
        detail: format!("{}: {e}", path.display()),
    })
}

/// `thread 'main' (10014) panicked at` becomes `thread 'main' ([..]) panicked at`:
/// the id (the operating system's id of the thread) changes from run to run.
pub fn redact_thread_ids(text: &str) -> String {
    const MARK: &str = ") panicked at";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let before = &rest[..at];
        match before.rfind("' (") {
            Some(open) if before[open + 3..].bytes().all(|b| b.is_ascii_digit()) => {
                out.push_str(&before[..open + 3]);
                out.push_str("[..]");
            }
            _ => out.push_str(before),
        }
        out.push_str(MARK);
        rest = &rest[at + MARK.len()..];
    }
    out.push_str(rest);
    out
}

fn check_ending(listing: &Listing, run: &Run) -> Result<(), Failure> {
    let claim = match listing.kind {
        Kind::Runs => format!("runs to completion within {RUN_LIMIT:?} and exits with 0"),
        Kind::Panics => "panics: exits with code 101".to_owned(),
        Kind::Hangs => format!("hangs by design: still running after {HANG_AFTER:?}"),
        Kind::Fails => unreachable!("compile-fail listings are never run"),
    };
    let ended_as_claimed = match (listing.kind.exit_code(), &run.ending) {
        (Some(code), Ending::Exited(_)) => run.code() == Some(code),
        (None, Ending::StillRunning) => true,
        _ => false,
    };
    if ended_as_claimed {
        return Ok(());
    }
    let how = match &run.ending {
        Ending::Exited(status) => format!("it exited after {:?} with {status}", run.elapsed),
        Ending::StillRunning => format!("it was still running after {:?}", run.elapsed),
    };
    Err(Failure {
        listing: listing.to_string(),
        claim,
        detail: format!("{how}; its output:\n{}", run.output),
    })
}

/// Checks what a run printed against the output file (and the order claims).
pub fn check_output(listing: &Listing, printed: &str, root: &Path) -> Result<(), Failure> {
    let expected_file = listing.output_file();
    let shown = expected_file
        .strip_prefix(root)
        .unwrap_or(&expected_file)
        .display()
        .to_string();
    let fail = |claim: String, detail: String| Failure {
        listing: listing.to_string(),
        claim,
        detail,
    };
    let order = if listing.unordered {
        "the lines of (in any order)"
    } else {
        "exactly"
    };
    let output_claim = format!("prints {order} {shown}");
    let output = complete_lines(listing, printed);
    match_output(listing, output).map_err(|detail| fail(output_claim, detail))?;

    for key in &listing.in_order {
        let claim = format!("lines containing {key:?} appear in the order {shown} shows");
        match_in_order(listing, key, output).map_err(|detail| fail(claim, detail))?;
    }
    Ok(())
}

/// The output without an unfinished last line, where lines may be cut short:
/// the process can end while a thread is in the middle of printing one (once
/// `main` has returned, standard output is no longer buffered, so a line goes
/// out in pieces).
fn complete_lines<'a>(listing: &Listing, output: &'a str) -> &'a str {
    if listing.cut_short.is_empty() || output.is_empty() || output.ends_with('\n') {
        return output;
    }
    &output[..output.rfind('\n').map_or(0, |newline| newline + 1)]
}

/// An output file (a real run) as the pattern a run must match: thread ids
/// in panic messages become `[..]`, and each line that one of the listing's
/// `varies` patterns matches becomes that pattern.
pub fn as_pattern(listing: &Listing, shown: &str) -> String {
    redact_thread_ids(shown)
        .split_inclusive('\n')
        .map(|line| {
            let text = line.trim_end_matches('\n');
            match listing
                .varies
                .iter()
                .find(|pattern| line_matches(text, pattern))
            {
                Some(pattern) => format!("{pattern}{}", &line[text.len()..]),
                None => line.to_owned(),
            }
        })
        .collect()
}

/// The text a reader sees in a terminal: the command, then what it printed.
fn transcript(listing: &Listing, output: &str) -> String {
    format!("$ {}\n{output}", listing.command())
}

fn match_output(listing: &Listing, output: &str) -> Result<(), String> {
    let path = listing.output_file();
    let actual = redact_thread_ids(&transcript(listing, output));
    let expected = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e}\n(create it from a real run: SNAPSHOTS=overwrite cargo test --test listings)",
            path.display()
        )
    })?;
    let expected = as_pattern(listing, &expected);
    // Lines that may stop early are checked on their own, below.
    let without_cut_short = |text: &str| -> String {
        text.lines()
            .filter(|line| {
                !listing
                    .cut_short
                    .iter()
                    .any(|key| line.contains(key.as_str()))
            })
            .map(|line| format!("{line}\n"))
            .collect()
    };
    let mut expected_data = Data::text(without_cut_short(&expected));
    if listing.unordered {
        expected_data = expected_data.unordered();
    }
    compare(without_cut_short(&actual), expected_data).map_err(|error| {
        format!("{error}\n(if this run is right: SNAPSHOTS=overwrite cargo test --test listings)")
    })?;
    for key in &listing.cut_short {
        let lines = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|line| line.contains(key.as_str()))
                .map(|line| format!("{line}\n"))
                .collect()
        };
        let (shown, printed) = (lines(&expected), lines(&actual));
        if printed.len() > shown.len() {
            return Err(format!(
                "more lines containing {key:?} than {} shows:\n{}",
                path.display(),
                printed.concat()
            ));
        }
        compare(
            printed.concat(),
            Data::text(shown[..printed.len()].concat()),
        )
        .map_err(|error| {
            format!("lines containing {key:?} are not the first ones shown, in order:\n{error}")
        })?;
    }
    Ok(())
}

/// Whether `line` matches `pattern` (`[..]` matches any text within a line).
pub fn line_matches(line: &str, pattern: &str) -> bool {
    compare(format!("{line}\n"), Data::text(format!("{pattern}\n"))).is_ok()
}

/// snapbox's comparison: `[..]` and `...` wildcards, a readable diff.
fn compare(actual: String, expected: Data) -> Result<(), String> {
    Assert::new()
        .action(Action::Verify)
        .try_eq(Some(&"this run"), Data::text(actual), expected)
        .map_err(|error| error.to_string())
}

/// The lines that contain `key`, of the expected file and of the run, must
/// match one for one (`[..]` wildcards allowed).
fn match_in_order(listing: &Listing, key: &str, output: &str) -> Result<(), String> {
    let expected = std::fs::read_to_string(listing.output_file()).map_err(|e| e.to_string())?;
    let expected = as_pattern(listing, &expected);
    let output = &redact_thread_ids(output);
    let keep = |text: &str| -> String {
        text.lines()
            .filter(|line| line.contains(key))
            .map(|line| format!("{line}\n"))
            .collect()
    };
    compare(keep(output), Data::text(keep(&expected)))
}

/// A `fails` listing's snapshot must show the error its catalog entry (and
/// chapter) names: `error[E0382]` first, or a denied lint such as
/// `let_underscore_lock`.
pub fn check_error_claim(listing: &Listing) -> Result<(), Failure> {
    let error = listing.error.as_deref().unwrap_or_default();
    let snapshot_file = listing.stderr_file();
    let snapshot = std::fs::read_to_string(&snapshot_file).unwrap_or_default();
    let first_line = snapshot.lines().next().unwrap_or_default();
    let shown = if error.starts_with('E') && error[1..].chars().all(|c| c.is_ascii_digit()) {
        first_line.starts_with(&format!("error[{error}]"))
    } else if error.contains(' ') {
        // An error without a code, named by its message.
        first_line == format!("error: {error}")
    } else {
        first_line.starts_with("error") && snapshot.contains(&format!("#[deny({error})]"))
    };
    if shown {
        return Ok(());
    }
    Err(Failure {
        listing: listing.to_string(),
        claim: format!("fails to compile with {error}"),
        detail: format!("{} begins with:\n{first_line}", snapshot_file.display()),
    })
}

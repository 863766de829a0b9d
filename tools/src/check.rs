//! `cargo book check <chapter>/<listing>`: one listing checked again after an
//! edit, by the test suite's own verifiers and with its messages: its build
//! (or, for a `fails` listing, its compiler error against the snapshot), its
//! native runs, its schedules under shuttle, its Miri seeds, and its
//! chapter's blocks and captions.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use verify::catalog::{self, Kind, Listing, Miri};
use verify::{cargo, claims, miri, run, schedules, tidy};

/// How one step ended.
enum Outcome {
    Passed(String),
    Failed(String),
    Skipped(String),
}

pub fn run(root: &Path, wanted: &str) -> Result<()> {
    let started = Instant::now();
    if !root.join("listings").is_dir() {
        bail!(
            "{} has no listings/: is it the book's root?",
            root.display()
        );
    }
    let listings = catalog::load(root).map_err(anyhow::Error::msg)?;
    let listing = find(&listings, wanted)?;
    println!(
        "Checking {}/{} ({})",
        listing.chapter,
        listing.name,
        listing.kind.words()
    );

    let mut failed = 0;
    let mut steps = 0;
    let mut report = |step: &str, (outcome, took): (Outcome, Duration)| {
        steps += 1;
        let took = format!("{:.1} s", took.as_secs_f64());
        match outcome {
            Outcome::Passed(what) => println!("  ok      {step} ({what}, {took})"),
            Outcome::Skipped(why) => println!("  skipped {step}: {why}"),
            Outcome::Failed(message) => {
                failed += 1;
                println!("  FAILED  {step} ({took}):\n{}", message.trim_end());
            }
        }
    };

    if listing.kind == Kind::Fails {
        report("compiler error", timed(|| compile_fail(root, listing)));
    } else {
        let (built, took) = timed(|| build(root, listing));
        let exe = built.as_ref().ok().cloned();
        let built = match built {
            Ok(_) => Outcome::Passed(format!("cargo build -p {}", listing.chapter)),
            Err(problem) => Outcome::Failed(problem),
        };
        report("build", (built, took));
        let runs = match &exe {
            Some(exe) => timed(|| native_runs(root, listing, exe)),
            None => skipped("it does not build"),
        };
        let runs_passed = matches!(runs.0, Outcome::Passed(_));
        report("runs", runs);
        let schedules = if runs_passed {
            timed(|| shuttle_schedules(root, listing))
        } else {
            skipped("it does not keep its claim natively yet")
        };
        report("schedules", schedules);
        let miri = if runs_passed {
            timed(|| miri_seeds(root, listing))
        } else {
            skipped("it does not keep its claim natively yet")
        };
        report("Miri", miri);
    }
    report("page", timed(|| page(root, listing, &listings)));

    let total = started.elapsed().as_secs_f64();
    if failed > 0 {
        bail!("{failed} of {steps} steps failed ({total:.1} s)");
    }
    println!("{}/{}: ok ({total:.1} s)", listing.chapter, listing.name);
    Ok(())
}

fn timed<T>(step: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let result = step();
    (result, started.elapsed())
}

fn skipped(why: &str) -> (Outcome, Duration) {
    (Outcome::Skipped(why.to_owned()), Duration::ZERO)
}

/// `chapter/name` (the chapter may be shortened to `ch06`), or a name that
/// one chapter only has.
fn find<'a>(listings: &'a [Listing], wanted: &str) -> Result<&'a Listing> {
    let (chapter, name) = match wanted.trim_end_matches(".rs").rsplit_once('/') {
        Some((chapter, name)) => (Some(chapter), name),
        None => (None, wanted.trim_end_matches(".rs")),
    };
    let found: Vec<&Listing> = listings
        .iter()
        .filter(|listing| listing.name == name)
        .filter(|listing| chapter.is_none_or(|chapter| listing.chapter.starts_with(chapter)))
        .collect();
    let full = |listing: &Listing| format!("{}/{}", listing.chapter, listing.name);
    match found[..] {
        [listing] => Ok(listing),
        [] => {
            let mut close: Vec<(usize, String)> = listings
                .iter()
                .map(|listing| (strsim::levenshtein(&listing.name, name), full(listing)))
                .filter(|(distance, full)| {
                    *distance <= 2.max(name.len() / 3) || full.contains(name)
                })
                .collect();
            close.sort();
            let close: Vec<String> = close.into_iter().take(6).map(|(_, full)| full).collect();
            if close.is_empty() {
                bail!(
                    "there is no listing {wanted:?}: name one as chapter/listing, e.g. \
                     ch06-mutex/counter-arc (listings/*/listings.toml has them all)"
                );
            }
            bail!(
                "there is no listing {wanted:?}; close names: {}",
                close.join(", ")
            )
        }
        _ => bail!(
            "{wanted:?} is a listing of several chapters: {}; name one as chapter/listing",
            found
                .iter()
                .map(|listing| full(listing))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// As the listings layer does: its chapter's binaries in one cargo call.
fn build(root: &Path, listing: &Listing) -> Result<PathBuf, String> {
    let mut executables = cargo::build_bins(root, &[&listing.chapter])?;
    executables
        .remove(&(listing.chapter.clone(), listing.name.clone()))
        .ok_or_else(|| {
            format!(
                "{listing}: cargo built no binary {} in package {}",
                listing.name, listing.chapter
            )
        })
}

/// As the listings layer does: as many runs as its claim needs, the first
/// failing one reported. The runs of a listing that hangs by design wait out
/// their time limit, so they wait together.
fn native_runs(root: &Path, listing: &Listing, exe: &Path) -> Outcome {
    let runs = listing.runs;
    let one = |attempt: u32| -> Result<(), String> {
        let run = run::run(exe, root, claims::time_limit(listing))
            .map_err(|error| format!("{listing}: could not run it: {error}"))?;
        claims::check(listing, &run, root).map_err(|mut failure| {
            failure.detail = format!("run {attempt} of {runs}:\n{}", failure.detail);
            failure.to_string()
        })
    };
    let failure = if listing.kind == Kind::Hangs {
        thread::scope(|s| {
            let runs: Vec<_> = (1..=runs)
                .map(|attempt| s.spawn(move || one(attempt)))
                .collect();
            let results: Vec<_> = runs.into_iter().map(|run| run.join().unwrap()).collect();
            results.into_iter().find_map(Result::err)
        })
    } else {
        (1..=runs).map(one).find_map(Result::err)
    };
    match failure {
        Some(failure) => Outcome::Failed(failure),
        None => Outcome::Passed(format!("{runs} of {runs} as claimed")),
    }
}

/// As the schedule layer does: the listing under shuttle, on every
/// schedule where the search ends within its budget, else on a sample.
fn shuttle_schedules(root: &Path, listing: &Listing) -> Outcome {
    if let Some(reason) = &listing.schedules_exempt {
        return Outcome::Skipped(format!("exempt: {reason}"));
    }
    // shuttle and tests/sim are built once, in the tools' own target.
    let target = cargo::workspace_target(&verify::repo_root());
    match schedules::check_one(root, &target, "check", listing) {
        Ok(verdict) => Outcome::Passed(format!("under shuttle, as claimed on {verdict}")),
        Err(failure) => Outcome::Failed(failure.to_string()),
    }
}

/// As the Miri layer does: each seed in parallel, then the claim checked on
/// each and the `can_print` outcomes witnessed.
fn miri_seeds(root: &Path, listing: &Listing) -> Outcome {
    if let Miri::Exempt(reason) = &listing.miri {
        return Outcome::Skipped(format!("exempt: {reason}"));
    }
    if let Err(missing) = miri::installed(root) {
        return Outcome::Skipped(missing);
    }
    let kept = miri::KeptRuns::in_target(root, &cargo::workspace_target(root));
    let mut runs = miri::run_all(root, &[listing], &kept).remove(0);
    match miri::verify(root, listing, &mut runs, false) {
        Ok(()) => Outcome::Passed(format!("seeds {:?} as claimed", miri::seeds(listing))),
        Err(failure) => Outcome::Failed(failure.to_string()),
    }
}

/// As the compile-fail layer does: the error the chapter names is the
/// snapshot's, and trybuild gets exactly the snapshot from the compiler.
fn compile_fail(root: &Path, listing: &Listing) -> Outcome {
    if let Err(failure) = claims::check_error_claim(listing) {
        return Outcome::Failed(failure.to_string());
    }
    match verify::compile_fail::check(root, &[&listing.source]) {
        Ok(()) => Outcome::Passed(format!(
            "trybuild: {} as {} shows",
            listing.error.as_deref().unwrap_or("the error"),
            shown(root, &listing.stderr_file())
        )),
        Err(report) => Outcome::Failed(report),
    }
}

/// As the coverage layer does, for the listing's chapter: each block is a
/// listing marked as what it does and shown with its evidence, captions are
/// numbered in order and name the file shown; a `fails` listing builds only
/// with the `fail` feature.
fn page(root: &Path, listing: &Listing, listings: &[Listing]) -> Outcome {
    let number = listing.chapter.split('-').next().unwrap_or_default();
    let pages = format!("src/{number}");
    let ours = [
        format!("{},", listing.chapter),
        format!("listings/{}/", listing.chapter),
    ];
    let mut problems: Vec<String> = tidy::problems(root, &verify::book::chapters(root), listings)
        .into_iter()
        .filter(|problem| {
            problem.starts_with(&pages) || ours.iter().any(|ours| problem.contains(ours.as_str()))
        })
        .collect();
    match cargo::required_features(root) {
        Ok(required) => problems.extend(tidy::feature_problems(
            std::slice::from_ref(listing),
            &required,
        )),
        Err(problem) => problems.push(problem),
    }
    if problems.is_empty() {
        return Outcome::Passed(format!("blocks and captions of {pages}*.md"));
    }
    let mut message = format!("{} coverage problem(s):", problems.len());
    for problem in problems {
        let _ = write!(message, "\n{problem}");
    }
    Outcome::Failed(message)
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

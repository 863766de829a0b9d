//! Chapter 10's outcome tables: for each listing whose outcome depends on
//! the schedule or on weak memory, which outcomes Rust allows (the claim in
//! listings.toml), the first Miri seed that prints each, how many native
//! runs did, and how many of shuttle's schedules (`verify::outcomes`).
//!
//! `SNAPSHOTS=overwrite cargo test --test outcome_tables` runs the listings
//! and writes `listings/ch10-atomics/outcomes/`. Without it, each table is
//! rendered again from the recorded runs and the current claims: a table
//! that differs is stale, runs recorded of another version of the listing
//! must be done again, and no recorded run, seed or schedule may print what
//! its listing `cannot_print`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use verify::catalog::{self, Listing};
use verify::outcomes::{self, Counted, MiriRecord, Record, SeedRun, TableSpec};
use verify::repo_root;

const CHAPTER: &str = "ch10-atomics";

/// Held while the runs are recorded, so that the other tests read them
/// whole.
static RECORDING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn recorded() -> std::sync::MutexGuard<'static, ()> {
    RECORDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn chapter(root: &Path) -> (std::path::PathBuf, Vec<Listing>, String) {
    let crate_dir = root.join("listings").join(CHAPTER);
    let listings = catalog::load_crate(&crate_dir).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(root.join("src").join(format!("{CHAPTER}.md")))
        .expect("the chapter");
    (crate_dir, listings, text)
}

#[test]
fn the_outcome_tables_show_the_recorded_runs_and_the_claims() {
    let _recording = recorded();
    let root = repo_root();
    let (crate_dir, listings, text) = chapter(&root);
    if verify::overwrite_requested() {
        let started = Instant::now();
        outcomes::overwrite(&root, &crate_dir, &listings, &text).unwrap_or_else(|e| panic!("{e}"));
        let _ = writeln!(
            std::io::stderr(),
            "outcome tables: runs recorded and tables written in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let problems = outcomes::problems(&crate_dir, &listings, &text);
    assert!(
        problems.is_empty(),
        "the outcome tables of {CHAPTER}:\n{}",
        problems.join("\n")
    );
}

/// A listing of chapter 10 with a table, and its recorded runs.
fn shown(root: &Path, name: &str) -> (Listing, TableSpec, Record) {
    let _recorded = recorded();
    let (crate_dir, listings, _) = chapter(root);
    let listing = listings
        .into_iter()
        .find(|listing| listing.name == name)
        .expect("the listing");
    let spec = outcomes::load_spec(&crate_dir).unwrap()[name].clone();
    let record = outcomes::read_record(&crate_dir, name).unwrap();
    (listing, spec, record)
}

#[test]
fn a_changed_claim_changes_the_table() {
    let root = repo_root();
    let (mut listing, spec, record) = shown(&root, "store-buffering");
    let before = outcomes::render(&listing, &spec, &record).unwrap();
    assert!(before.contains("<td>yes</td>"));
    listing
        .cannot_print
        .push("a saw y: true, b saw x: true".to_owned());
    let after = outcomes::render(&listing, &spec, &record).unwrap();
    assert_ne!(
        before, after,
        "a row the claim now rules out must read `no`"
    );
    assert!(after.contains("<td>no</td>"));

    // A line the claim neither allows nor rules out is an error, not a guess.
    listing.varies.clear();
    listing.cannot_print.clear();
    let error = outcomes::render(&listing, &spec, &record).unwrap_err();
    assert!(error.contains("neither allows"), "{error}");
}

#[test]
fn different_runs_change_the_table() {
    let root = repo_root();
    let (listing, spec, mut record) = shown(&root, "lost-update");
    let before = outcomes::render(&listing, &spec, &record).unwrap();
    record.native.outputs.push(Counted {
        count: 1,
        output: "total = 999\ntotal <= 1000: true\ntotal == 1000: false\n".to_owned(),
    });
    record.native.runs += 1;
    let after = outcomes::render(&listing, &spec, &record).unwrap();
    assert_ne!(before, after);
}

#[test]
fn a_run_that_prints_what_the_listing_cannot_print_is_reported() {
    let root = repo_root();
    let (listing, _, record) = shown(&root, "store-buffering-seqcst");
    assert!(outcomes::cannot_print_problems(&listing, Some(&record)).is_empty());

    let both_false = "a saw y: false, b saw x: false\nat least one saw the other's store: false\n";
    let mut native = record.clone();
    native.native.runs += 1;
    native.native.outputs.push(Counted {
        count: 1,
        output: both_false.to_owned(),
    });
    let problems = outcomes::cannot_print_problems(&listing, Some(&native));
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("of 201 native runs")),
        "{problems:?}"
    );

    let mut miri = record.clone();
    miri.miri = MiriRecord {
        seeds: 1,
        runs: vec![SeedRun {
            seed: 7,
            command: "miri".to_owned(),
            output: both_false.to_owned(),
        }],
    };
    let problems = outcomes::cannot_print_problems(&listing, Some(&miri));
    assert!(
        problems.iter().any(|problem| problem.contains("seed 7")),
        "{problems:?}"
    );

    let mut searched = record;
    if let Some(schedules) = &mut searched.schedules {
        schedules.outputs.push(Counted {
            count: 3,
            output: both_false.to_owned(),
        });
    }
    let problems = outcomes::cannot_print_problems(&listing, Some(&searched));
    assert!(
        problems.iter().any(|problem| problem.contains("schedules")),
        "{problems:?}"
    );
}

#[test]
fn runs_of_another_version_of_the_listing_are_stale() {
    let root = repo_root();
    let (crate_dir, listings, text) = chapter(&root);
    // The same listings, with fence's source read from an edited copy.
    let copy = std::env::temp_dir().join(format!("outcomes-fence-{}.rs", std::process::id()));
    let source = std::fs::read_to_string(crate_dir.join("src/bin/fence.rs")).unwrap();
    std::fs::write(&copy, source.replace("123", "124")).unwrap();
    let edited: Vec<Listing> = listings
        .into_iter()
        .map(|listing| {
            if listing.name == "fence" {
                listing.attempted_in(copy.clone())
            } else {
                listing
            }
        })
        .collect();
    let problems = {
        let _recorded = recorded();
        outcomes::problems(&crate_dir, &edited, &text)
    };
    let _ = std::fs::remove_file(&copy);
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("listing fence changed")
                && problem.contains("SNAPSHOTS=overwrite")),
        "{problems:?}"
    );
}

#[test]
fn an_outcome_no_tool_produces_says_so() {
    let root = repo_root();
    let (crate_dir, ..) = chapter(&root);
    let spec = outcomes::load_spec(&crate_dir).unwrap();
    let html = outcomes::render_unproduced("load-buffering", &spec["load-buffering"]).unwrap();
    assert!(html.contains("cannot produce it"));
    // No count that would read as evidence.
    assert!(!html.contains("0 of"), "{html}");
}

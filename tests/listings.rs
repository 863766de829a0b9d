//! Layer 1: every listing that runs (or panics, or hangs by design) is built
//! once, run, and must do what its chapter says, as many times as its claim
//! needs (nondeterministic listings at least 20).

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use verify::catalog::{self, Kind, Listing};
use verify::claims::{self, Failure};
use verify::{cargo, repo_root, run};

#[test]
fn every_listing_does_what_its_chapter_claims() {
    let root = repo_root();
    let mut listings: Vec<Listing> = catalog::load_selected(&root)
        .unwrap()
        .into_iter()
        .filter(|listing| listing.kind != Kind::Fails)
        .collect();
    // Hanging listings wait out their time limit: start them first, so the
    // others run meanwhile.
    listings.sort_by_key(|listing| listing.kind != Kind::Hangs);
    let mut packages: Vec<&str> = listings.iter().map(|l| l.chapter.as_str()).collect();
    packages.sort();
    packages.dedup();
    let executables = cargo::build_bins(&root, &packages).unwrap_or_else(|e| panic!("{e}"));
    let overwrite = verify::overwrite_requested();

    // Listings mostly sleep or wait on each other, so run several at once.
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::<Failure>::new());
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                while let Some(listing) = listings.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let exe = &executables[&(listing.chapter.clone(), listing.name.clone())];
                    let result = if overwrite {
                        record(listing, exe, &root)
                    } else {
                        verify(listing, exe, &root)
                    };
                    if let Err(failure) = result {
                        failures.lock().unwrap().push(failure);
                    }
                }
            });
        }
    });

    claims::assert_no_failures(&failures.into_inner().unwrap(), "when run natively");
}

/// Runs it as often as its claim needs; the first failing run is reported.
fn verify(listing: &Listing, exe: &Path, root: &Path) -> Result<(), Failure> {
    for attempt in 1..=listing.runs {
        let run = run_once(listing, exe, root);
        claims::check(listing, &run, root).map_err(|mut failure| {
            failure.detail = format!("run {attempt} of {}:\n{}", listing.runs, failure.detail);
            failure
        })?;
    }
    Ok(())
}

/// `SNAPSHOTS=overwrite`: writes the output file from real runs (many, where
/// lines may be cut short, to find a run that printed them all), unless the
/// file it has still matches every run: regenerating changes only what is
/// wrong, and keeps the wildcards someone wrote by hand.
fn record(listing: &Listing, exe: &Path, root: &Path) -> Result<(), Failure> {
    let count = if listing.cut_short.is_empty() {
        listing.runs.max(1)
    } else {
        200
    };
    let runs: Vec<run::Run> = (0..count).map(|_| run_once(listing, exe, root)).collect();
    if runs
        .iter()
        .all(|run| claims::check(listing, run, root).is_ok())
    {
        return Ok(());
    }
    claims::record(listing, &runs)
}

fn run_once(listing: &Listing, exe: &Path, root: &Path) -> run::Run {
    run::run(exe, root, claims::time_limit(listing))
        .unwrap_or_else(|e| panic!("{listing}: could not run it: {e}"))
}

//! Layer 1: every listing that runs (or panics, or hangs by design) is built
//! once, run, and must do what its chapter says, as many times as its claim
//! needs (nondeterministic listings at least 20).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use harness::catalog::{self, Kind, Listing};
use harness::claims::{self, Failure};
use harness::{cargo, repo_root, run};

#[test]
fn every_listing_does_what_its_chapter_claims() {
    let root = repo_root();
    let listings: Vec<Listing> = catalog::load_selected(&root)
        .unwrap()
        .into_iter()
        .filter(|listing| listing.kind != Kind::Fails)
        .collect();
    let mut packages: Vec<&str> = listings.iter().map(|l| l.chapter.as_str()).collect();
    packages.dedup();
    let executables = cargo::build_bins(&root, &packages).unwrap_or_else(|e| panic!("{e}"));
    let overwrite = harness::overwrite_requested();

    // Listings mostly sleep or wait on each other, so run several at once.
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::<Failure>::new());
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                while let Some(listing) = listings.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let exe = &executables[&(listing.chapter.clone(), listing.name.clone())];
                    // Rewrite an output file from one run only.
                    let runs = if overwrite { 1 } else { listing.runs };
                    for attempt in 1..=runs {
                        let run = run::run(exe, &root, claims::time_limit(listing))
                            .unwrap_or_else(|e| panic!("{listing}: could not run it: {e}"));
                        if let Err(mut failure) = claims::check(listing, &run, &root, overwrite) {
                            failure.detail =
                                format!("run {attempt} of {runs}:\n{}", failure.detail);
                            failures.lock().unwrap().push(failure);
                            break;
                        }
                    }
                }
            });
        }
    });

    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} listing(s) do not do what the book claims:\n\n{}",
        failures.len(),
        failures
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

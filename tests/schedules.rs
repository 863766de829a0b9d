//! Layer 3: every listing that runs, panics or hangs by design, and every
//! solution of the exercises, is run under shuttle on many schedules of its
//! threads: all of them where a depth-first search ends within its budget,
//! otherwise a sample of random and PCT schedules. On each one it must end
//! as its kind says (a hang: shuttle reports a deadlock) and print what its
//! output file shows; each outcome it `can_print` must happen on some
//! schedule. A failure names the listing, the claim, and the command that
//! replays the schedule. A listing shuttle cannot model says why in its
//! listings.toml (`schedules = "…"`). A search is not repeated while the
//! listing stays the same (`schedules::KeptSearches`).

use std::io::Write;
use std::time::Instant;

use verify::catalog::{self, Listing};
use verify::claims::{self, Failure};
use verify::repo_root;
use verify::schedules::{self, KeptSearches, Programs};

#[test]
fn every_listing_keeps_its_claim_on_every_schedule_explored() {
    let started = Instant::now();
    let root = repo_root();
    let listings: Vec<Listing> = catalog::load_selected(&root).unwrap();
    let problems = schedules::exemption_problems(&listings);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let (checked, exempt): (Vec<&Listing>, Vec<&Listing>) = listings
        .iter()
        .filter(|listing| listing.kind != catalog::Kind::Fails)
        .partition(|listing| schedules::checks(listing));
    let target = verify::cargo::target_dir();
    let programs = Programs::new(&root, &target, "book");
    let kept = KeptSearches::in_target(&root, &target);
    let reports = schedules::search_all(&root, &programs, &checked, &kept);

    let overwrite = verify::overwrite_requested();
    let mut verdicts = Vec::new();
    let mut failures: Vec<Failure> = Vec::new();
    let mut summary = String::new();
    let (mut every, mut bounded, mut sampled) = (0, 0, 0);
    for (listing, report) in checked.iter().zip(&reports) {
        match report {
            Ok(report) => {
                match report.verdict() {
                    schedules::Verdict::Every(_) => every += 1,
                    schedules::Verdict::Bounded { .. } => bounded += 1,
                    schedules::Verdict::Sampled { .. } => sampled += 1,
                }
                summary.push_str(&format!("\n  {listing}: {}", report.verdict()));
                if let Err(failure) = schedules::verify(&root, &programs, listing, report) {
                    failures.push(failure);
                } else if !overwrite
                    && let Err(failure) =
                        schedules::check_recorded_verdict(listing, &report.verdict())
                {
                    failures.push(failure);
                }
                verdicts.push((*listing, report.verdict()));
            }
            Err(problem) => failures.push(Failure {
                listing: listing.to_string(),
                claim: "runs under shuttle".to_owned(),
                detail: problem.clone(),
            }),
        }
    }
    if overwrite {
        schedules::record_verdicts(&verdicts).unwrap();
    }
    for listing in &exempt {
        if let Some(reason) = &listing.schedules_exempt {
            summary.push_str(&format!("\n  exempt: {listing}: {reason}"));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "shuttle: {} listings checked ({every} on every schedule, {bounded} on every schedule \
         with few preemptions and a sample, {sampled} on a sample), {} exempt, in {:.1} \
         s{summary}",
        checked.len(),
        exempt.len(),
        started.elapsed().as_secs_f64()
    );
    claims::assert_no_failures(&failures, "on every schedule shuttle explored");
}

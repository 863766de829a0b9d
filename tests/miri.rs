//! Layer 2: every listing that runs, panics or hangs by design is run under
//! Miri on a fixed range of seeds (a schedule each). On every seed it must
//! end as its kind says (a hang: Miri reports a deadlock), print what its
//! output file shows, and cause no undefined behaviour, data race or leak;
//! each outcome it `can_print` must happen on some seed, and the chapter
//! shows that run (its witness file).
//!
//! Needs the toolchain named in Cargo.toml's `[workspace.metadata.miri]`,
//! with Miri. Without it the layer fails under CI (`CI=true`) and is skipped,
//! loudly, elsewhere. `MIRI_SEEDS=N` tries more seeds. A run is not
//! repeated while the listing stays the same (`miri::KeptRuns`).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use harness::catalog::{self, Kind, Listing, Miri};
use harness::claims::{self, Failure};
use harness::miri::{self, MiriRun};
use harness::repo_root;

#[test]
fn every_listing_keeps_its_claim_on_every_seed() {
    let root = repo_root();
    if let Err(missing) = miri::installed(&root) {
        assert!(std::env::var_os("CI").is_none(), "{missing}");
        let bar = "!".repeat(78);
        let _ = writeln!(
            std::io::stderr(),
            "\n{bar}\nMIRI LAYER SKIPPED: {missing}\n{bar}\n"
        );
        return;
    }
    let listings: Vec<Listing> = catalog::load_selected(&root)
        .unwrap()
        .into_iter()
        .filter(|listing| listing.kind != Kind::Fails)
        .collect();
    let (checked, exempt): (Vec<&Listing>, Vec<&Listing>) = listings
        .iter()
        .partition(|listing| matches!(listing.miri, Miri::Checked { .. }));

    // One job per (listing, seed); Miri interprets on one core per run.
    let kept = miri::KeptRuns::new(&root, harness::cargo::target_dir().join("miri-runs"));
    let jobs: Vec<(usize, u64)> = checked
        .iter()
        .enumerate()
        .flat_map(|(index, listing)| miri::seeds(listing).map(move |seed| (index, seed)))
        .collect();
    let next = AtomicUsize::new(0);
    let runs = Mutex::new(BTreeMap::<usize, Vec<MiriRun>>::new());
    let workers = thread::available_parallelism().map_or(2, |n| n.get());
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some(&(index, seed)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let run = kept.run(&root, checked[index], seed);
                    runs.lock().unwrap().entry(index).or_default().push(run);
                }
            });
        }
    });

    let overwrite = harness::overwrite_requested();
    let failures: Vec<Failure> = runs
        .into_inner()
        .unwrap()
        .into_iter()
        .filter_map(|(index, mut runs)| {
            miri::verify(&root, checked[index], &mut runs, overwrite).err()
        })
        .collect();

    let seeds = 0..miri::default_seeds();
    let mut summary = format!(
        "Miri: {} listings checked on seeds {seeds:?} (or more where a listing asks), \
         {} runs; {} exempt",
        checked.len(),
        jobs.len(),
        exempt.len()
    );
    for listing in &exempt {
        if let Miri::Exempt(reason) = &listing.miri {
            summary.push_str(&format!("\n  exempt: {listing}: {reason}"));
        }
    }
    let _ = writeln!(std::io::stderr(), "{summary}");
    claims::assert_no_failures(&failures, "under Miri");
}

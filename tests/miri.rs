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

use std::io::Write;

use verify::catalog::{self, Kind, Listing, Miri};
use verify::claims::{self, Failure};
use verify::miri;
use verify::repo_root;

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

    let kept = miri::KeptRuns::in_target(&root, &verify::cargo::target_dir());
    let runs = miri::run_all(&root, &checked, &kept);
    let jobs: usize = runs.iter().map(Vec::len).sum();

    let overwrite = verify::overwrite_requested();
    let failures: Vec<Failure> = checked
        .iter()
        .zip(runs)
        .filter_map(|(listing, mut runs)| miri::verify(&root, listing, &mut runs, overwrite).err())
        .collect();

    let seeds = 0..miri::default_seeds();
    let mut summary = format!(
        "Miri: {} listings checked on seeds {seeds:?} (or more where a listing asks), \
         {} runs; {} exempt",
        checked.len(),
        jobs,
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

//! Layer 2: every listing shown as failing to compile fails with exactly the
//! compiler output its chapter includes (trybuild, all cases in one batch,
//! on the pinned toolchain).

use harness::catalog::{self, Kind};
use harness::repo_root;

#[test]
fn compile_fail_listings_fail_with_the_error_shown() {
    let root = repo_root();
    let listings: Vec<_> = catalog::load_selected(&root)
        .unwrap()
        .into_iter()
        .filter(|listing| listing.kind == Kind::Fails)
        .collect();

    let cases = trybuild::TestCases::new();
    for listing in &listings {
        // Relative, so the snapshots show the paths a reader's cargo prints.
        cases.compile_fail(listing.source.strip_prefix(&root).unwrap());
    }
    drop(cases); // runs them

    // The error the text names must be the one in the snapshot, so that a
    // regenerated snapshot cannot quietly change what the chapter explains.
    let wrong: Vec<String> = listings
        .iter()
        .filter_map(|listing| harness::claims::check_error_claim(listing).err())
        .map(|failure| failure.to_string())
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

//! Layer 2: every listing shown as failing to compile fails with exactly the
//! compiler output its chapter includes (trybuild, all cases in one batch,
//! on the pinned toolchain, in the crate in tests/compile-fail).

use verify::catalog::{self, Kind};
use verify::{compile_fail, repo_root};

#[test]
fn compile_fail_listings_fail_with_the_error_shown() {
    let root = repo_root();
    let listings = catalog::load_selected(&root).unwrap();
    let fails: Vec<_> = listings
        .iter()
        .filter(|listing| listing.kind == Kind::Fails)
        .collect();
    let sources: Vec<_> = fails
        .iter()
        .map(|listing| listing.source.as_path())
        .collect();

    if let Err(report) = compile_fail::check(&root, &sources) {
        panic!("a compile-fail listing's output is not its snapshot:\n{report}");
    }

    // The error the text names must be the one in the snapshot, so that a
    // regenerated snapshot cannot quietly change what the chapter explains.
    let wrong: Vec<String> = fails
        .iter()
        .filter_map(|listing| verify::claims::check_error_claim(listing).err())
        .map(|failure| failure.to_string())
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

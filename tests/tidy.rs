//! Layer 4: coverage is total. Every Rust block of a chapter is a listing
//! whose claim the other layers check, every listing is shown with what it
//! does, and every block is marked as what its listing does.

use harness::{catalog, repo_root, tidy};

#[test]
fn every_block_is_a_checked_listing_and_every_listing_is_shown() {
    let root = repo_root();
    let listings = catalog::load(&root).unwrap();
    let problems = tidy::problems(&root, &tidy::chapters(&root), &listings);
    assert!(
        problems.is_empty(),
        "{} coverage problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

//! Layer 4: coverage is total. Every Rust block of a chapter is a listing
//! whose claim the other layers check, every listing is shown with what it
//! does, and every block is marked as what its listing does.

use verify::{book, cargo, catalog, manifests, proof, repo_root, tidy};

#[test]
fn every_block_is_a_checked_listing_and_every_listing_is_shown() {
    let root = repo_root();
    let listings = catalog::load(&root).unwrap();
    let problems = tidy::problems(&root, &book::chapters(&root), &listings);
    assert!(
        problems.is_empty(),
        "{} coverage problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn compile_fail_listings_build_only_with_the_fail_feature() {
    let root = repo_root();
    let listings = catalog::load(&root).unwrap();
    let required = cargo::required_features(&root).unwrap_or_else(|e| panic!("{e}"));
    let problems = tidy::feature_problems(&listings, &required);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A code block is compiled with the crates its listing was checked with:
/// tests/snippets (skeptic) and tests/compile-fail (trybuild) ask for each
/// dependency of a listing crate exactly what that crate asks for.
#[test]
fn code_blocks_see_the_dependencies_of_the_listings() {
    let problems = manifests::problems(&repo_root());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The table of what was verified for each listing is generated from the
/// catalog; the committed one must be up to date.
#[test]
fn the_table_of_checked_listings_is_up_to_date() {
    let root = repo_root();
    let listings = catalog::load(&root).unwrap();
    let table = proof::table(&root, &book::chapters(&root), &listings);
    let path = root.join(proof::TABLE);
    if verify::overwrite_requested() {
        std::fs::write(&path, &table).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == table,
        "{} is out of date with listings/*/listings.toml: regenerate it with \
         SNAPSHOTS=overwrite cargo test --test tidy",
        proof::TABLE
    );
}

/// The theme labels each kind of block as the catalog names it.
#[test]
fn the_theme_labels_each_kind_of_listing() {
    let problems = catalog::theme_label_problems(&repo_root());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The sleep rule (tidy::sleep_problems) catches each way of breaking it,
/// on a real listing given a bad claim or a bad source.
#[test]
fn a_sleep_that_could_decide_the_output_is_caught() {
    let root = repo_root();
    let listings = catalog::load(&root).unwrap();
    let listing = listings
        .iter()
        .find(|listing| listing.name == "wait-timeout")
        .expect("chapter 9 has wait-timeout");
    let source = std::fs::read_to_string(&listing.source).unwrap();
    let check = |sleep: Option<&str>, unordered: bool, source: &str| {
        let claim = catalog::Listing {
            sleep: sleep.map(str::to_owned),
            unordered,
            ..listing.clone()
        };
        tidy::sleep_problems(&claim, source)
    };
    let fixed = "main's first wait ends before `start.send(())` lets the worker begin";

    // The listing as it is: a reason that quotes the code fixing the order.
    assert_eq!(check(Some(fixed), false, &source), Vec::<String>::new());
    // Sleeping with lines matched in order, and no reason.
    let missing = check(None, false, &source);
    assert!(missing.len() == 1 && missing[0].contains("must not decide an order"));
    // Lines that may come in any order need no reason.
    assert!(check(None, true, &source).is_empty());
    // A reason that quotes nothing, quotes code that is not there, quotes the
    // sleep, quotes code that orders nothing, or quotes a comment.
    for reason in [
        "the worker is slow",
        "`rx.recv()` waits for the worker",
        "`thread::sleep(Duration::from_millis(50))` is long enough",
        "`let answer = Mutex::new(None)` holds the answer",
    ] {
        let problems = check(Some(reason), false, &source);
        assert!(
            problems.len() == 1 && problems[0].contains("must quote"),
            "{reason:?} was not caught: {problems:?}"
        );
    }
    // A quote found only in a comment.
    let commented = source.replace("start.send(())", "go()") + "// start.send(())\n";
    assert!(!check(Some(fixed), false, &commented).is_empty());
    // A reason left behind when the sleep is gone.
    let no_sleep: String = source
        .lines()
        .filter(|line| !line.contains("sleep("))
        .map(|line| format!("{line}\n"))
        .collect();
    let stale = check(Some(fixed), false, &no_sleep);
    assert!(stale.len() == 1 && stale[0].contains("calls no sleep"));
}

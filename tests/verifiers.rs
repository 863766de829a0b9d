//! Each verifier catches a false claim. The listings in tests/fixtures/ch99-wrong
//! claim wrong things on purpose; every check must reject them with a message
//! that names the chapter, the listing and the claim.

use std::path::{Path, PathBuf};
use std::process::Command;

use verify::catalog::{self, Listing};
use verify::claims::{self, Failure};
use verify::{book, compile_fail, miri, repo_root, run, snippets, tidy};

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/ch99-wrong")
}

fn fixture(name: &str) -> Listing {
    catalog::load_crate(&fixtures())
        .unwrap()
        .into_iter()
        .find(|listing| listing.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

/// Compiles a fixture with rustc, runs it once and checks its claim.
fn check_fixture(name: &str) -> Failure {
    run_fixture(name).expect_err("a false claim must be rejected")
}

fn run_fixture(name: &str) -> Result<(), Failure> {
    let listing = fixture(name);
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fixture-{name}"));
    let status = Command::new("rustc")
        .args(["--edition", "2024", "-o"])
        .arg(&exe)
        .arg(&listing.source)
        .status()
        .unwrap();
    assert!(status.success(), "fixture {name} should compile");
    let run = run::run(&exe, &repo_root(), claims::time_limit(&listing)).unwrap();
    claims::check(&listing, &run, &repo_root())
}

fn assert_names(failure: &Failure, listing: &str, claim: &str) {
    let message = failure.to_string();
    for expected in ["chapter ch99-wrong", &format!("listing {listing}"), claim] {
        assert!(
            message.contains(expected),
            "{expected:?} missing from:\n{message}"
        );
    }
}

#[test]
fn a_wrong_expected_output_is_caught() {
    let failure = check_fixture("wrong-output");
    assert_names(&failure, "wrong-output", "prints exactly");
    assert!(failure.detail.contains("Result: 11") && failure.detail.contains("Result: 10"));
}

#[test]
fn a_listing_that_panics_instead_of_running_is_caught() {
    let failure = check_fixture("panics-instead");
    assert_names(&failure, "panics-instead", "exits with 0");
}

#[test]
fn a_should_panic_listing_that_does_not_panic_is_caught() {
    let failure = check_fixture("no-panic");
    assert_names(&failure, "no-panic", "panics");
}

#[test]
fn a_hanging_listing_that_exits_is_caught() {
    let failure = check_fixture("exits");
    assert_names(&failure, "exits", "hangs by design");
}

#[test]
fn lines_out_of_their_thread_order_are_caught() {
    let failure = check_fixture("out-of-order");
    assert_names(&failure, "out-of-order", "in the order");
}

#[test]
fn a_snapshot_naming_another_error_than_the_text_is_caught() {
    let failure = claims::check_error_claim(&fixture("misnamed-error")).unwrap_err();
    assert_names(&failure, "misnamed-error", "fails to compile with E0277");
}

#[test]
fn a_snapshot_with_another_error_message_than_the_text_is_caught() {
    let listing = Listing {
        error: Some("future cannot be sent between threads safely".to_owned()),
        ..fixture("misnamed-error")
    };
    let failure = claims::check_error_claim(&listing).unwrap_err();
    assert_names(
        &failure,
        "misnamed-error",
        "fails to compile with future cannot be sent between threads safely",
    );
}

/// A dependency of a listing crate that the code blocks (tests/snippets) or
/// trybuild (tests/compile-fail) would see in another version is caught.
#[test]
fn a_dependency_the_code_blocks_see_differently_is_caught() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("manifests-drift");
    let _ = std::fs::remove_dir_all(&root);
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "listings/ch98-deps/Cargo.toml",
        "[dependencies]\nrayon = \"1.12\"\ntokio = { version = \"1.54\", features = [\"rt\"] }\n",
    );
    write(
        "tests/snippets/Cargo.toml",
        "[build-dependencies]\nskeptic = \"0.14\"\n[dev-dependencies]\nskeptic = \"0.14\"\n\
         rayon = \"1.11\"\nunused = \"1\"\n",
    );
    write(
        "tests/compile-fail/Cargo.toml",
        "[dev-dependencies]\ntokio = { version = \"1.54\", features = [\"rt\", \"time\"] }\n",
    );
    let problems = verify::manifests::problems(&root).join("\n");
    for expected in [
        "asks for rayon with version = \"1.11\", but listings/ch98-deps with version = \"1.12\"",
        "listings/ch98-deps uses tokio, but the chapters' code blocks cannot",
        "ask for tokio with version = \"1.54\", features = [\"rt\", \"time\"]",
        "offers unused to the code blocks, but no listing crate uses it",
    ] {
        assert!(
            problems.contains(expected),
            "{expected:?} missing from:\n{problems}"
        );
    }
    assert!(!problems.contains("skeptic"), "{problems}");
}

/// trybuild fails a listing that compiles and one whose error is not its
/// snapshot (with `TRYBUILD=overwrite` removed, which would rewrite the
/// wrong snapshot).
#[test]
fn trybuild_rejects_a_listing_that_compiles_or_whose_error_changed() {
    let root = repo_root();
    let fixtures = root.join("tests/fixtures/ch99-wrong/src/bin");
    let (compiles, changed) = (
        fixtures.join("compiles.rs"),
        fixtures.join("changed-error.rs"),
    );
    let mut command = compile_fail::command(&root, &[&compiles, &changed]);
    let report = compile_fail::outcome(command.env_remove("TRYBUILD").output())
        .expect_err("trybuild passed false claims");
    let text = without_colors(&report);
    let verdict = text
        .split("test tests/fixtures/ch99-wrong/src/bin/")
        .find(|part| part.starts_with("compiles.rs"))
        .unwrap_or_else(|| panic!("no verdict on compiles.rs:\n{text}"));
    assert!(verdict.contains("error"), "{text}");
    assert!(text.contains("changed-error.rs ... mismatch"), "{text}");
    assert!(text.contains("2 of 2 tests failed"), "{text}");
}

/// trybuild colours its report even into a pipe.
fn without_colors(text: &str) -> String {
    let mut plain = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('\x1b') {
        plain.push_str(&rest[..start]);
        rest = &rest[start..];
        rest = rest.find('m').map_or("", |end| &rest[end + 1..]);
    }
    plain.push_str(rest);
    plain
}

fn chapter_6() -> book::Chapter {
    book::chapters(&repo_root())
        .into_iter()
        .find(|chapter| chapter.path.ends_with("ch06-mutex.md"))
        .unwrap()
}

fn tidy_problems_with(chapter: book::Chapter) -> String {
    let root = repo_root();
    let mut chapters = book::chapters(&root);
    for existing in &mut chapters {
        if existing.path == chapter.path {
            *existing = chapter.clone();
        }
    }
    tidy::problems(&root, &chapters, &catalog::load(&root).unwrap()).join("\n")
}

#[test]
fn an_unbacked_rust_block_is_caught() {
    let mut chapter = chapter_6();
    chapter.text.push_str("\n```rust\nfn main() {}\n```\n");
    let problems = tidy_problems_with(chapter);
    assert!(problems.contains("src/ch06-mutex.md:"), "{problems}");
    assert!(problems.contains("unbacked Rust block"), "{problems}");
}

#[test]
fn a_compile_fail_listing_shown_as_runnable_is_caught() {
    let mut chapter = chapter_6();
    chapter.text = chapter.text.replacen("```rust,compile_fail", "```rust", 1);
    let problems = tidy_problems_with(chapter);
    assert!(
        problems.contains("fails to compile, so its block opens with ```rust,compile_fail"),
        "{problems}"
    );
}

#[test]
fn a_listing_no_chapter_shows_is_caught() {
    let mut chapter = chapter_6();
    let line = "{{#rustdoc_include ../listings/ch06-mutex/src/bin/counter-scoped.rs}}";
    assert!(chapter.text.contains(line));
    chapter.text = chapter.text.replace(line, "");
    let problems = tidy_problems_with(chapter);
    assert!(
        problems.contains("listing counter-scoped is not shown in any chapter"),
        "{problems}"
    );
}

#[test]
fn a_compile_fail_block_that_differs_from_its_listing_is_caught() {
    let root = repo_root();
    let chapter = chapter_6();
    // What mdBook would show, with one line of the counter-rc listing changed.
    let listings = catalog::load(&root).unwrap();
    let mut expanded = chapter.text.clone();
    for (_, include) in verify::markdown::includes(&chapter.text) {
        let path = root.join("src").join(&include.path);
        let mut content = std::fs::read_to_string(&path).unwrap();
        if include.path.ends_with("counter-rc.rs") {
            content = content.replace("Rc::new", "std::sync::Arc::new");
        }
        let directive = format!(
            "{{{{#{} {}}}}}",
            if include.rustdoc {
                "rustdoc_include"
            } else {
                "include"
            },
            include.path
        );
        expanded = expanded.replace(&directive, content.trim_end());
    }
    let problems = snippets::for_skeptic(&root, &chapter, &expanded, &listings).unwrap_err();
    assert!(
        problems
            .join("\n")
            .contains("counter-rc.rs, which trybuild checks"),
        "{problems:?}"
    );
}

#[test]
fn lines_cut_short_must_still_be_the_first_ones() {
    let failure = check_fixture("skips-a-line");
    assert_names(&failure, "skips-a-line", "prints the lines of");
    assert!(
        failure.detail.contains("not the first ones shown"),
        "{failure}"
    );
}

#[test]
fn thread_ids_are_ignored_when_comparing() {
    let panic = "before\nthread 'parser' (31337) panicked at src/bin/x.rs:3:5:\nboom\n";
    assert_eq!(
        claims::redact_thread_ids(panic),
        "before\nthread 'parser' ([..]) panicked at src/bin/x.rs:3:5:\nboom\n"
    );
}

#[test]
fn a_page_that_does_not_show_the_verified_output_is_caught() {
    let root = repo_root();
    let chapter = chapter_6();
    let output =
        std::fs::read_to_string(root.join("listings/ch06-mutex/output/counter-arc.txt")).unwrap();
    let page = format!(
        "<pre><code>{}</code></pre>",
        output.replace("Result: 10", "Result: 9")
    );
    let problems = verify::html::page_problems(&root, &chapter, &page).join("\n");
    assert!(
        problems.contains("does not show ../listings/ch06-mutex/output/counter-arc.txt"),
        "{problems}"
    );
    let unexpanded = verify::html::page_problems(&root, &chapter, "{{#include x.txt}}").join("\n");
    assert!(unexpanded.contains("unexpanded"), "{unexpanded}");
}

/// An explorer's graph is held by the page as it is, in a script's data;
/// a page whose copy differs (an older graph) is caught.
#[test]
fn a_page_that_does_not_hold_the_explored_graph_is_caught() {
    let root = repo_root();
    let chapter = verify::book::chapters(&root)
        .into_iter()
        .find(|chapter| chapter.path.ends_with("ch10-atomics.md"))
        .expect("chapter 10");
    let graph =
        std::fs::read_to_string(root.join("listings/ch10-atomics/explored/lost-update-two.json"))
            .unwrap();
    let page = |data: &str| format!(r#"<script type="application/json">{data}</script>"#);
    let problems = |page: &str| verify::html::page_problems(&root, &chapter, page).join("\n");
    let missing = "does not hold ../listings/ch10-atomics/explored/lost-update-two.json";
    assert!(!problems(&page(&graph)).contains(missing));
    let older = graph.replace("total = 1", "total = 0");
    assert!(
        problems(&page(&older)).contains(missing),
        "{}",
        problems(&page(&older))
    );
}

#[test]
fn a_line_cut_mid_way_is_accepted_only_where_lines_may_be_cut_short() {
    assert!(run_fixture("ends-mid-line").is_ok());
    let mut listing = fixture("ends-mid-line");
    listing.cut_short.clear();
    let run = verify::run::Run {
        ending: verify::run::Ending::StillRunning,
        output: "spawned 1\nmain 1\nspawned ".to_owned(),
        elapsed: std::time::Duration::ZERO,
    };
    listing.kind = catalog::Kind::Hangs;
    assert!(claims::check(&listing, &run, &repo_root()).is_err());
}

/// Runs a fixture under Miri on its seeds and checks it as the Miri layer
/// does; `None` where Miri is not installed (a failure under CI).
fn miri_verdict(name: &str) -> Option<Result<(), Failure>> {
    let root = repo_root();
    if let Err(missing) = miri::installed(&root) {
        assert!(std::env::var_os("CI").is_none(), "{missing}");
        eprintln!("skipped: {missing}");
        return None;
    }
    let listing = fixture(name);
    let mut runs = miri::run_seeds(&root, &listing);
    Some(miri::verify(&root, &listing, &mut runs, false))
}

fn miri_failure(name: &str) -> Option<Failure> {
    let failure = miri_verdict(name)?.expect_err("Miri must reject a false claim");
    let message = failure.to_string();
    assert!(
        message.contains("seed"),
        "the seed is missing from:\n{message}"
    );
    Some(failure)
}

#[test]
fn miri_catches_output_that_differs_on_some_seed() {
    // A native run usually passes (not always: so it is not asserted here).
    let Some(failure) = miri_failure("order-varies") else {
        return;
    };
    assert_names(&failure, "order-varies", "prints exactly");
    assert!(
        failure.detail.contains("reproduce: ") && failure.detail.contains("-Zmiri-seed="),
        "{failure}"
    );
}

#[test]
fn miri_catches_a_hang_that_only_sleeps() {
    // Natively it is still running after a second, like a deadlock.
    assert!(run_fixture("sleeps").is_ok());
    let Some(failure) = miri_failure("sleeps") else {
        return;
    };
    assert_names(&failure, "sleeps", "Miri reports it deadlocked");
}

#[test]
fn miri_catches_an_ordering_weakened_to_relaxed() {
    let Some(failure) = miri_failure("relaxed-publish") else {
        return;
    };
    assert_names(&failure, "relaxed-publish", "prints exactly");
    assert!(failure.detail.contains("data = 0"), "{failure}");
}

#[test]
fn miri_catches_a_deadlock_listing_without_its_second_lock() {
    let Some(failure) = miri_failure("one-lock") else {
        return;
    };
    assert_names(&failure, "one-lock", "Miri reports it deadlocked");
    assert!(failure.detail.contains("exited with 0"), "{failure}");
}

#[test]
fn miri_catches_an_outcome_never_witnessed() {
    let Some(failure) = miri_failure("never-witnessed") else {
        return;
    };
    assert_names(&failure, "never-witnessed", "can print \"total = 5\"");
}

#[test]
fn a_miri_exemption_without_a_reason_is_caught() {
    let mut listing = fixture("wrong-output");
    listing.miri = catalog::Miri::Exempt("  ".to_owned());
    let problems = tidy::problems(&repo_root(), &[], &[listing]).join("\n");
    assert!(
        problems.contains("listing wrong-output: miri needs a reason"),
        "{problems}"
    );
}

#[test]
fn a_varying_line_matches_only_its_pattern() {
    let mut listing = fixture("wrong-output");
    listing.varies = vec!["Result: [..]".to_owned()];
    let shown = "$ cargo run\nResult: 7\nthread 'main' (12) panicked at x.rs:1:1:\n";
    assert_eq!(
        claims::as_pattern(&listing, shown),
        "$ cargo run\nResult: [..]\nthread 'main' ([..]) panicked at x.rs:1:1:\n"
    );
    listing.varies.clear();
    assert!(claims::as_pattern(&listing, shown).contains("Result: 7"));
}

#[test]
fn captions_out_of_order_or_naming_another_file_are_caught() {
    let mut chapter = chapter_6();
    chapter.text = chapter
        .text
        .replacen("Listing 6-2:", "Listing 6-3:", 1)
        .replacen(
            "<code>listings/ch06-mutex/src/bin/counter-arc.rs</code>",
            "<code>listings/ch06-mutex/src/bin/counter-rc.rs</code>",
            1,
        );
    let problems = tidy::caption_problems(&[chapter]).join("\n");
    assert!(
        problems.contains("Listing 6-3 should be Listing 6-2"),
        "{problems}"
    );
    assert!(
        problems.contains("the caption names listings/ch06-mutex/src/bin/counter-rc.rs"),
        "{problems}"
    );
}

#[test]
fn a_compile_fail_listing_without_the_fail_feature_is_caught() {
    let listing = fixture("compiles");
    let mut required = std::collections::HashMap::new();
    required.insert((listing.chapter.clone(), listing.name.clone()), Vec::new());
    let problems = tidy::feature_problems(&[listing], &required).join("\n");
    assert!(
        problems.contains("required-features = [\"fail\"]"),
        "{problems}"
    );
}

#[test]
fn a_miri_button_on_a_listing_miri_does_not_run_is_caught() {
    let mut chapter = chapter_6();
    chapter.text = chapter
        .text
        .replacen("```rust,compile_fail", "```rust,compile_fail,miri", 1);
    let problems = tidy_problems_with(chapter);
    assert!(
        problems.contains("is marked `miri` (a Run under Miri button)"),
        "{problems}"
    );
}

/// A theme whose label for a kind of block is not the catalog's is caught.
#[test]
fn a_theme_label_other_than_the_kinds_is_caught() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("theme-labels");
    std::fs::create_dir_all(root.join("theme")).unwrap();
    let css = std::fs::read_to_string(repo_root().join("theme/listings.css")).unwrap();
    let wrong = css.replacen("content: \"Panics\"", "content: \"Crashes\"", 1);
    assert_ne!(wrong, css, "the theme labels panicking blocks \"Panics\"");
    std::fs::write(root.join("theme/listings.css"), wrong).unwrap();
    let problems = catalog::theme_label_problems(&root).join("\n");
    assert!(
        problems.contains("must be labelled \"Panics\"") && problems.contains("Crashes"),
        "{problems}"
    );
    assert!(!problems.contains("Hangs by design\" ("), "{problems}");
}

/// Searches a fixture's schedules under shuttle and checks it as the
/// schedule layer does.
fn schedules_verdict(name: &str) -> Result<verify::schedules::Verdict, Failure> {
    let root = repo_root();
    let target = verify::cargo::target_dir();
    verify::schedules::check_one(&root, &target, "fixtures", &fixture(name))
}

#[test]
fn shuttle_finds_a_deadlock_of_rare_schedules_and_names_the_cycle() {
    // Natively it finishes (almost always: so it is not asserted here).
    let failure = schedules_verdict("left-first").expect_err("a deadlock passed");
    assert_names(
        &failure,
        "left-first",
        "runs to completion (under shuttle, on ",
    );
    let message = failure.to_string();
    for expected in [
        "it deadlocked: every thread left is blocked:",
        "waits at line 15 to lock the Mutex made at line 9",
        ", held by thread ",
        "replay it: SIM_REPLAY='",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing from:\n{message}"
        );
    }
    // The replay command shows that schedule again.
    let command = message
        .lines()
        .find_map(|line| line.split("replay it: ").nth(1))
        .unwrap();
    let replay = Command::new("sh")
        .args(["-c", command])
        .current_dir(repo_root())
        .output()
        .unwrap();
    let told = String::from_utf8_lossy(&replay.stderr);
    assert_eq!(replay.status.code(), Some(2), "{told}");
    assert!(told.contains("held by thread"), "{told}");
}

#[test]
fn shuttle_catches_an_outcome_never_witnessed() {
    let failure = schedules_verdict("never-witnessed").expect_err("an outcome never printed");
    assert_names(
        &failure,
        "never-witnessed",
        "can print \"total = 5\" (witnessed under shuttle on some schedule)",
    );
}

#[test]
fn a_schedules_exemption_without_a_reason_is_caught() {
    let mut listing = fixture("wrong-output");
    listing.schedules_exempt = Some(" ".to_owned());
    let problems = verify::schedules::exemption_problems(&[listing]).join("\n");
    assert!(
        problems.contains("listing wrong-output: schedules needs a reason"),
        "{problems}"
    );
}

//! `cargo book check`: one listing checked again by the suite's own
//! verifiers, with their messages, on small books of one chapter
//! (tests/fixtures/ch99-wrong's wrong-output, and a right one beside it) and
//! on a compile-fail listing of the book.

use std::fs;
use std::path::{Path, PathBuf};

use verify::cargo::cargo;
use verify::{miri, repo_root};

/// A book of one chapter, `ch99-wrong`, with two listings: `good`, which
/// prints what its output file shows, and the fixture `wrong-output`, which
/// does not; `second_caption` is the number the page gives the second one.
fn book(name: &str, second_caption: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(root.join("src"));
    let _ = fs::remove_dir_all(root.join("listings"));
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    let fixture = |path: &str| {
        fs::read_to_string(repo_root().join("tests/fixtures/ch99-wrong").join(path)).unwrap()
    };
    write(
        "Cargo.toml",
        &format!(
            "[workspace]\nmembers = [\"listings/*\"]\nresolver = \"3\"\n\n\
             [workspace.metadata.miri]\ntoolchain = \"{}\"\n",
            miri::toolchain(&repo_root())
        ),
    );
    write(
        "listings/ch99-wrong/Cargo.toml",
        "[package]\nname = \"ch99-wrong\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
         publish = false\n",
    );
    write(
        "listings/ch99-wrong/listings.toml",
        "[good]\nkind = \"runs\"\nruns = 2\nmiri = \"the Miri layer is tested on the book\"\n\n\
         [wrong-output]\nkind = \"runs\"\n",
    );
    let program = fixture("src/bin/wrong-output.rs");
    write("listings/ch99-wrong/src/bin/good.rs", &program);
    write(
        "listings/ch99-wrong/output/good.txt",
        "$ cargo run -p ch99-wrong --bin good\nResult: 10\n",
    );
    write("listings/ch99-wrong/src/bin/wrong-output.rs", &program);
    write(
        "listings/ch99-wrong/output/wrong-output.txt",
        &fixture("output/wrong-output.txt"),
    );
    let shown = |listing: &str, caption: &str| {
        format!(
            "```rust\n{{{{#rustdoc_include ../listings/ch99-wrong/src/bin/{listing}.rs}}}}\n```\n\n\
             <p class=\"caption\">Listing {caption}: A sum \
             (<code>listings/ch99-wrong/src/bin/{listing}.rs</code>)</p>\n\n\
             ```console\n{{{{#include ../listings/ch99-wrong/output/{listing}.txt}}}}\n```\n\n"
        )
    };
    write("src/SUMMARY.md", "# Summary\n\n- [Wrong](ch99-wrong.md)\n");
    write(
        "src/ch99-wrong.md",
        &format!(
            "# Wrong\n\n{}{}",
            shown("good", "99-1"),
            shown("wrong-output", second_caption)
        ),
    );
    root
}

/// `cargo book check` on `listing` of the book at `root`: whether it
/// passed, and what it printed.
fn check(root: &Path, listing: &str) -> (bool, String) {
    let output = cargo(&repo_root())
        .args(["book", "check", listing, "--root"])
        .arg(root)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn assert_contains(text: &str, expected: &[&str]) {
    for expected in expected {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn a_listing_that_keeps_its_claim_passes() {
    let root = book("check-good", "99-2");
    let (ok, text) = check(&root, "ch99-wrong/good");
    assert!(ok, "{text}");
    assert_contains(
        &text,
        &[
            "ok      build",
            "ok      runs (2 of 2 as claimed",
            "ok      schedules (under shuttle, as claimed on its only schedule",
            "skipped Miri: exempt: the Miri layer is tested on the book",
            "ok      page",
            "ch99-wrong/good: ok (",
        ],
    );
    // A name without its chapter, where one chapter has it.
    let (ok, text) = check(&root, "good");
    assert!(ok, "{text}");
}

/// The compile-fail layer's check, on the book itself: its trybuild case
/// and the error its chapter names.
#[test]
fn a_listing_that_fails_as_its_snapshot_shows_passes() {
    let output = cargo(&repo_root())
        .args(["book", "check", "counter-move"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_contains(
        &text,
        &[
            "Checking ch06-mutex/counter-move (fails to compile)",
            "ok      compiler error (trybuild: E0382 as \
             listings/ch06-mutex/src/bin/counter-move.stderr shows",
        ],
    );
}

#[test]
fn an_unknown_name_is_an_error_that_lists_close_names() {
    let root = book("check-unknown", "99-2");
    let (ok, text) = check(&root, "ch99-wrong/wrong-outptu");
    assert!(!ok, "{text}");
    assert_contains(
        &text,
        &["there is no listing \"ch99-wrong/wrong-outptu\"; close names: ch99-wrong/wrong-output"],
    );
    assert!(!text.contains("ch99-wrong/good"), "{text}");
}

#[test]
fn a_wrong_output_and_a_misnumbered_caption_are_caught() {
    let root = book("check-wrong", "99-3");
    let (ok, text) = check(&root, "ch99-wrong/wrong-output");
    assert!(!ok, "{text}");
    assert_contains(
        &text,
        &[
            // The listings layer's message.
            "FAILED  runs",
            "chapter ch99-wrong, listing wrong-output",
            "claim: prints exactly listings/ch99-wrong/output/wrong-output.txt",
            "run 1 of 20:",
            "skipped schedules: it does not keep its claim natively yet",
            "skipped Miri: it does not keep its claim natively yet",
            // The coverage layer's.
            "FAILED  page",
            "Listing 99-3 should be Listing 99-2",
            "2 of 5 steps failed",
        ],
    );
}

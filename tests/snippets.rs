//! Layer 3: every Rust block, as the reader sees it after mdBook expands its
//! includes, compiles and runs (skeptic, in a crate and target directory of
//! its own: tests/snippets/).

use std::fs;
use std::path::Path;

use verify::cargo::{cargo, target_dir};
use verify::{book, catalog, repo_root, snippets};

#[test]
fn every_block_compiles_and_runs_as_the_reader_sees_it() {
    let root = repo_root();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("snippets");
    let expanded = work.join("expanded");
    let input = work.join("skeptic-input");

    let status = cargo(&root)
        .args(["book", "expand"])
        .arg(&expanded)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "expanding the chapters failed (see above)"
    );

    let listings = catalog::load(&root).unwrap();
    let mut problems = Vec::new();
    let _ = fs::remove_dir_all(&input);
    fs::create_dir_all(&input).unwrap();
    for chapter in book::chapters(&root) {
        let relative = &chapter.location;
        let shown = fs::read_to_string(expanded.join(relative)).unwrap();
        match snippets::for_skeptic(&root, &chapter, &shown, &listings) {
            Ok(blocks) if blocks.is_empty() => {}
            Ok(blocks) => {
                let name = relative.to_string_lossy().replace('/', "-");
                fs::write(input.join(name), blocks).unwrap();
            }
            Err(found) => problems.extend(found),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Blocks that must fail, proving this layer can.
    fs::copy(
        root.join("tests/fixtures/skeptic-selftest.md"),
        input.join("skeptic-selftest.md"),
    )
    .unwrap();

    let output = cargo(&root)
        .args(["test", "--package", "book-snippets", "--target-dir"])
        .arg(target_dir().join("snippets"))
        .env("BOOK_SNIPPETS_DIR", &input)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    let failed: Vec<&str> = report
        .lines()
        .filter_map(|line| line.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .collect();
    let (expected, unexpected): (Vec<&str>, Vec<&str>) = failed
        .iter()
        .partition(|name| name.starts_with("skeptic_selftest_"));
    assert!(
        unexpected.is_empty(),
        "a Rust block of the book does not compile or run as shown (tests are named \
         <chapter>_sect_<listing>_line_<n>): {unexpected:?}\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        expected.len(),
        2,
        "the blocks of tests/fixtures/skeptic-selftest.md must both fail:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

//! Layer 3: every Rust block, as the reader sees it after mdBook expands its
//! includes, compiles and runs (skeptic, in a crate and target directory of
//! its own: tests/snippets/).

use std::fs;
use std::path::Path;

use harness::cargo::{cargo, target_dir};
use harness::{catalog, repo_root, snippets, tidy};

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
    for chapter in tidy::chapters(&root) {
        let Ok(relative) = chapter.path.strip_prefix("src") else {
            continue;
        };
        // Drafts and SUMMARY.md are not expanded chapters.
        let Ok(shown) = fs::read_to_string(expanded.join(relative)) else {
            continue;
        };
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

    let output = cargo(&root)
        .args([
            "test",
            "--quiet",
            "--package",
            "book-snippets",
            "--target-dir",
        ])
        .arg(target_dir().join("snippets"))
        .env("BOOK_SNIPPETS_DIR", &input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "a Rust block of the book does not compile or run as shown; the failing \
         test is named after its chapter and listing:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

//! Generates one skeptic test per Rust block of the expanded chapters found
//! in `$BOOK_SNIPPETS_DIR` (written by the root crate's `tests/snippets.rs`).

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=BOOK_SNIPPETS_DIR");
    let Some(dir) = env::var_os("BOOK_SNIPPETS_DIR") else {
        // Built on its own (e.g. `cargo test --workspace`): say how to run it
        // instead of passing with no test.
        let out = Path::new(&env::var("OUT_DIR").unwrap()).join("skeptic-tests.rs");
        fs::write(
            out,
            "#[test] fn chapters_were_expanded_first() { panic!(\"run the snippet \
             tests from the repository root: cargo test --test snippets\"); }\n",
        )
        .unwrap();
        return;
    };
    let dir = dir.to_str().expect("BOOK_SNIPPETS_DIR is UTF-8");
    println!("cargo:rerun-if-changed={dir}");
    let chapters = skeptic::markdown_files_of_directory(dir);
    assert!(!chapters.is_empty(), "no chapter found in {dir}");
    skeptic::generate_doc_tests(&chapters);
}

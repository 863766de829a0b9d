//! Everything that needs the mdBook library: building the HTML book and
//! expanding the chapters' `{{#include}}` directives.

mod diagnostics;
mod render;

pub use diagnostics::Diagnostics;
pub use render::{build_html, expand_chapters};

use std::path::PathBuf;

/// The repository root, where `book.toml` is.
pub fn book_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ sits in the repository root")
        .to_path_buf()
}

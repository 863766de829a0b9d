//! The book's tools: building the HTML book with the mdBook library,
//! expanding the chapters' includes for the snippet tests, and serving the
//! book with live reload and a local playground for its Run buttons.

pub mod check;
mod diagnostics;
pub mod exercise;
pub mod links;
pub mod playground;
mod render;
pub mod server;
mod site;

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

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

/// The repository root, where `book.toml` is: the engine's, one notion of
/// it for the tools and the tests.
pub fn book_root() -> PathBuf {
    verify::repo_root()
}

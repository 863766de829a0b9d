//! What the book's checks share: the catalog of listings and their claims,
//! running a listing, matching its output, reading chapters, calling cargo.
//!
//! The checks themselves are the files in `tests/`, one per verification layer.

pub mod book;
pub mod cargo;
pub mod catalog;
pub mod claims;
pub mod compile_fail;
pub mod html;
pub mod manifests;
pub mod markdown;
pub mod miri;
pub mod proof;
pub mod run;
pub mod schedules;
pub mod server;
pub mod snippets;
pub mod tidy;

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `SNAPSHOTS=overwrite` rewrites expected outputs from real runs instead of
/// comparing (review the diff afterwards, like code).
pub fn overwrite_requested() -> bool {
    std::env::var("SNAPSHOTS").is_ok_and(|value| value == "overwrite")
}

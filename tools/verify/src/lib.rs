//! The book's verification engine: the one model of the book (its chapters,
//! the catalog of listings and their claims) and what checks the claims:
//! running a listing, matching its output, calling cargo, trybuild, Miri and
//! the schedule search, and the proof table.
//!
//! The checks themselves are the files in `tests/`, one per verification
//! layer; `cargo book check` and `cargo book exercise` (tools/) use the same
//! runners and messages.

pub mod book;
pub mod cargo;
pub mod catalog;
pub mod claims;
pub mod compile_fail;
pub mod explorer;
pub mod html;
pub mod manifests;
pub mod markdown;
pub mod miri;
pub mod outcomes;
pub mod proof;
pub mod questions;
pub mod run;
pub mod schedules;
pub mod server;
pub mod snippets;
pub mod tidy;

use std::path::{Path, PathBuf};

/// The repository root (this crate is `tools/verify` in it).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .expect("tools/verify is two levels below the root")
        .to_path_buf()
}

/// `SNAPSHOTS=overwrite` rewrites expected outputs from real runs instead of
/// comparing (review the diff afterwards, like code).
pub fn overwrite_requested() -> bool {
    std::env::var("SNAPSHOTS").is_ok_and(|value| value == "overwrite")
}

//! A local stand-in for the two requests mdBook's Run button makes to the
//! public playground (`meta/crates` and `evaluate.json`), running code with
//! the toolchain pinned in `rust-toolchain.toml`.
//!
//! A click ([`wire`], [`control`]) is answered in [`evaluate`]: the program
//! comes from the cache ([`cache`]) or is compiled ([`compile`]) with the
//! pinned `rustc` ([`toolchain`]) and the listings' libraries ([`deps`]),
//! then runs, and [`outcome`] says how it ended; [`miri`] does the same for
//! "Run under Miri". It runs whatever code a page sends, so every compile and
//! every run is contained ([`sandbox`], [`contain`], one backend per system) and held to
//! the limits in [`limits`].

mod cache;
#[cfg(target_os = "linux")]
mod cgroups;
mod compile;
mod contain;
mod control;
mod deps;
mod evaluate;
pub mod limits;
mod miri;
mod outcome;
mod sandbox;
mod sweep;
mod toolchain;
mod wire;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

use cache::Cache;
pub use contain::main as wrapper_main;
pub use control::Control;
pub use limits::{LIMITS, PAGE_TIMEOUT, ProcessLimits};
pub use miri::{MiriMeta, MiriRequest, MiriTools};
pub use sandbox::Containment;
use sandbox::Sandbox;
pub use sweep::sweep_stale;
pub use wire::{Crate, Request, Response};

/// The answer to a click.
pub struct Evaluation {
    pub response: Response,
    /// The program came from the cache.
    pub cached: bool,
    /// The cache key of the compilation.
    pub key: String,
}

pub struct Playground {
    rustc: PathBuf,
    rustc_version: String,
    crates: Vec<Crate>,
    deps: deps::Deps,
    cache: Cache,
    jobs_dir: PathBuf,
    sandbox: Sandbox,
    /// Set when the server stops: every job ends now.
    stopping: AtomicBool,
}

/// The environment of what a job runs. On Unix, enough to find `cc` and the
/// tools a program may start; on Windows a program, and the linker rustc
/// starts, need the system's variables (`SystemRoot`, the Visual Studio
/// ones), so there it is the server's.
fn program_env() -> Vec<(String, String)> {
    if cfg!(windows) {
        std::env::vars().collect()
    } else {
        vec![("PATH".to_owned(), "/usr/bin:/bin".to_owned())]
    }
}

/// The compiled program's file name (Windows runs only `.exe` files).
fn program_file() -> String {
    format!("playground{}", std::env::consts::EXE_SUFFIX)
}

impl Playground {
    /// Finds the pinned `rustc`, builds the listings' dependencies and finds
    /// out how this system contains jobs. `workspace` is the repository root;
    /// `dir` holds the cache and the jobs' directories; `wrapper` is the
    /// `book-tools` executable, which contains each job.
    pub fn new(workspace: &Path, dir: &Path, wrapper: &Path) -> Result<Self> {
        let (rustc, rustc_version) = toolchain::pinned_rustc(workspace)?;
        fs::create_dir_all(dir)?;
        sweep_stale(dir, "jobs-");
        let (crates, deps) = deps::build(workspace, dir)?;
        let bound = std::env::var("BOOK_PLAYGROUND_CACHE_BYTES")
            .ok()
            .and_then(|bytes| bytes.parse().ok())
            .unwrap_or(LIMITS.cache_bytes);
        let cache = Cache::new(dir.join("cache"), bound)?;
        let jobs_dir = dir.join(format!("jobs-{}", std::process::id()));
        fs::create_dir_all(&jobs_dir)?;
        let scratch = tempfile::Builder::new()
            .prefix("probe-")
            .tempdir_in(&jobs_dir)?;
        let sandbox =
            Sandbox::detect(wrapper, scratch.path()).context("finding how to contain programs")?;
        Ok(Playground {
            rustc,
            rustc_version,
            crates,
            deps,
            cache,
            jobs_dir,
            sandbox,
            stopping: AtomicBool::new(false),
        })
    }

    pub fn crates(&self) -> &[Crate] {
        &self.crates
    }

    /// Where this server's jobs keep their (temporary) files.
    pub fn jobs_dir(&self) -> &Path {
        &self.jobs_dir
    }

    pub fn containment(&self) -> &Containment {
        &self.sandbox.containment
    }

    /// Ends every job now, and refuses new ones.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    /// Whether a job should stop now: its client went away, or the server
    /// is stopping.
    fn cancelled(&self, control: &Control) -> bool {
        control.cancel.load(Ordering::Relaxed) || self.stopping.load(Ordering::Relaxed)
    }

    /// A fresh directory for one job (`prefix` and a random name), removed
    /// when dropped.
    fn job_dir(&self, prefix: &str) -> Result<tempfile::TempDir> {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(&self.jobs_dir)
            .context("creating the job directory")
    }
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.jobs_dir);
    }
}

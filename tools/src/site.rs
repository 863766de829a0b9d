//! The book being served: built into a fresh directory on every change, and
//! swapped in only when the build succeeds, so a reader never sees a
//! half-written book. A failed build leaves the last good book up and says
//! what went wrong, in the terminal and on every page.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};
use tokio::sync::broadcast;

use crate::Diagnostics;
use crate::render;

/// What is being served now.
#[derive(Default)]
pub struct Current {
    /// The last good build, if any.
    pub dir: Option<PathBuf>,
    /// Why the latest build failed, if it did.
    pub error: Option<String>,
    /// Counts the builds attempted.
    pub generation: u64,
}

pub struct Site {
    root: PathBuf,
    builds: PathBuf,
    diagnostics: Diagnostics,
    pub current: RwLock<Current>,
    /// Tells open pages to reload.
    pub reload: broadcast::Sender<()>,
}

impl Site {
    /// `builds` is a directory of this server's own, removed when it stops.
    pub fn new(root: &Path, builds: PathBuf, diagnostics: Diagnostics) -> Arc<Self> {
        Arc::new(Site {
            root: root.to_path_buf(),
            builds,
            diagnostics,
            current: RwLock::default(),
            reload: broadcast::channel(16).0,
        })
    }

    /// Builds the book into a new directory and serves it if the build is clean.
    pub fn rebuild(&self) {
        let generation = self.current.read().unwrap().generation + 1;
        let dest = self.builds.join(generation.to_string());
        let before = self.diagnostics.count();
        let outcome = render::build_html_for_serving(&self.root, &dest);
        let problems = self.diagnostics.messages_since(before);

        let mut current = self.current.write().unwrap();
        current.generation = generation;
        match outcome {
            Ok(()) if problems.is_empty() => {
                let previous = current.dir.replace(dest);
                current.error = None;
                drop(current);
                eprintln!("Book rebuilt (build {generation}).");
                if let Some(previous) = previous {
                    // Pages already being sent from it have their files open.
                    let _ = fs::remove_dir_all(previous);
                }
            }
            outcome => {
                let mut error = problems.join("\n");
                if let Err(failure) = outcome {
                    error = format!("{error}\n{failure:#}").trim().to_owned();
                }
                eprintln!(
                    "The book did not build (build {generation}); still serving the last good one.\n{error}"
                );
                current.error = Some(error);
                drop(current);
                let _ = fs::remove_dir_all(&dest);
            }
        }
        let _ = self.reload.send(());
    }

    /// Rebuilds whenever the book's sources change, until the process ends.
    pub fn watch(self: Arc<Self>) -> Result<()> {
        let (events, changes) = mpsc::channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if event.is_ok_and(|event| !event.kind.is_access()) {
                    let _ = events.send(());
                }
            })?;
        for (path, mode) in [
            ("src", RecursiveMode::Recursive),
            ("listings", RecursiveMode::Recursive),
            ("theme", RecursiveMode::Recursive),
            ("book.toml", RecursiveMode::NonRecursive),
        ] {
            let path = self.root.join(path);
            if path.exists() {
                watcher
                    .watch(&path, mode)
                    .with_context(|| format!("watching {}", path.display()))?;
            }
        }
        std::thread::spawn(move || {
            let _watcher = watcher; // dropping it would stop the events
            while changes.recv().is_ok() {
                // An editor saves in several steps: wait for a quiet moment.
                while changes.recv_timeout(Duration::from_millis(250)).is_ok() {}
                self.rebuild();
            }
        });
        Ok(())
    }

    /// Removes every build this server made.
    pub fn clean_up(&self) {
        let _ = fs::remove_dir_all(&self.builds);
    }
}

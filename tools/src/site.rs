//! The book being served: built into a fresh directory on every change, and
//! swapped in only when the build succeeds, so a reader never sees a
//! half-written book. A failed build leaves the last good book up and says
//! what went wrong, in the terminal and on every page.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
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
    current: RwLock<Current>,
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

    /// What is served now. (A rebuild that panicked is reported, not fatal.)
    pub fn current(&self) -> RwLockReadGuard<'_, Current> {
        self.current.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn current_mut(&self) -> RwLockWriteGuard<'_, Current> {
        self.current.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Builds the book into a new directory and serves it if the build is
    /// clean. A panic in mdBook is caught: it is reported like a failed
    /// build, and the next change rebuilds again.
    pub fn rebuild(&self) {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.try_rebuild())) {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            let error = format!("The rebuild panicked: {message}");
            eprintln!("{error}\nStill serving the last good book; the next change rebuilds it.");
            self.current_mut().error = Some(error);
            let _ = self.reload.send(());
        }
    }

    fn try_rebuild(&self) {
        let generation = self.current().generation + 1;
        if generation > 1 && fault("rebuild-panic") {
            self.current_mut().generation = generation;
            panic!("injected for a test (BOOK_SERVE_FAULTS=rebuild-panic)");
        }
        let dest = self.builds.join(generation.to_string());
        let before = self.diagnostics.count();
        let outcome = render::build_html_for_serving(&self.root, &dest);
        let problems = self.diagnostics.messages_since(before);

        let mut current = self.current_mut();
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
    /// The watcher's errors are reported and do not stop it.
    pub fn watch(self: Arc<Self>) -> Result<()> {
        let (events, changes) = mpsc::channel::<notify::Result<()>>();
        if fault("watcher-error") {
            let _ = events.send(Err(notify::Error::generic("injected for a test")));
        }
        let sender = events.clone();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
                Ok(event) if event.kind.is_access() => {}
                Ok(_) => {
                    let _ = sender.send(Ok(()));
                }
                Err(error) => {
                    let _ = sender.send(Err(error));
                }
            })?;
        drop(events);
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
            while let Ok(change) = changes.recv() {
                if let Err(error) = change {
                    eprintln!(
                        "warning: watching the book's files: {error}; rebuilds go on, \
                         restart `cargo book` if changes stop showing"
                    );
                    continue;
                }
                // An editor saves in several steps: wait for a quiet moment.
                while changes
                    .recv_timeout(Duration::from_millis(250))
                    .is_ok_and(|change| change.is_ok())
                {}
                self.rebuild();
            }
            eprintln!("warning: the book's files are no longer watched; live reload stopped");
        });
        Ok(())
    }

    /// Removes every build this server made.
    pub fn clean_up(&self) {
        let _ = fs::remove_dir_all(&self.builds);
    }
}

/// A fault the tests inject (`BOOK_SERVE_FAULTS=rebuild-panic,watcher-error`),
/// each at most once.
fn fault(name: &str) -> bool {
    use std::sync::Mutex;
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let wanted = std::env::var("BOOK_SERVE_FAULTS")
        .is_ok_and(|faults| faults.split(',').any(|fault| fault == name));
    let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    if !wanted || seen.iter().any(|s| s == name) {
        return false;
    }
    seen.push(name.to_owned());
    true
}

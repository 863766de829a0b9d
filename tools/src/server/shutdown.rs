//! Stopping: the signals that stop the server, and what it does before it exits.

use std::sync::Arc;

#[cfg(unix)]
use tokio::signal::unix::{Signal, SignalKind, signal};
#[cfg(windows)]
use tokio::signal::windows::{CtrlC, CtrlClose, ctrl_c, ctrl_close};

use super::App;
use crate::playground::{LIMITS, PAGE_TIMEOUT};
use crate::site::Site;

/// SIGINT (Ctrl-C) and SIGTERM, listened for from the moment this is made:
/// made before the server says where it serves, a signal sent as soon as a
/// caller reads that line is not lost (nor, where the signal was ignored,
/// as for a program started in the background by a script, dropped).
#[cfg(unix)]
pub(super) struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

/// On Windows: Ctrl-C, and the console window being closed.
#[cfg(windows)]
pub(super) struct StopSignals {
    interrupt: CtrlC,
    terminate: CtrlClose,
}

#[cfg(windows)]
impl StopSignals {
    pub(super) fn listen() -> std::io::Result<StopSignals> {
        Ok(StopSignals {
            interrupt: ctrl_c()?,
            terminate: ctrl_close()?,
        })
    }

    /// Until one of them arrives.
    pub(super) async fn received(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

#[cfg(unix)]
impl StopSignals {
    pub(super) fn listen() -> std::io::Result<StopSignals> {
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Until one of them arrives.
    pub(super) async fn received(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// Waits (briefly) for running jobs to end, then removes this server's
/// files: its builds of the book and its jobs' directories.
pub(super) async fn finish(app: &Arc<App>, site: &Site) {
    if app.playground.is_some() {
        let jobs = Arc::clone(&app.jobs);
        let all = u32::try_from(LIMITS.jobs).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(PAGE_TIMEOUT, jobs.acquire_many(all)).await;
    }
    site.clean_up();
    if let Some(playground) = &app.playground {
        let _ = std::fs::remove_dir_all(playground.jobs_dir());
    }
}

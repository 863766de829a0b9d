//! Stopping: the signals that stop the server, and what it does before it exits.

use std::sync::Arc;

use super::App;
use crate::playground::{LIMITS, PAGE_TIMEOUT};
use crate::site::Site;

/// SIGINT (Ctrl-C) or SIGTERM.
pub(super) async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
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

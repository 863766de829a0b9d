//! A playground job as a request sees it: a slot, held until its processes are gone.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;

use super::{App, refuse};
use crate::playground::{Control, LIMITS};

/// Cancels a job when the request that started it is dropped: its client
/// went away (book.js never does before its 6 s; a closed tab, a script).
struct CancelOnDrop(Control);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Which kind of job asks for a slot.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Run,
    /// Also takes the one Miri slot first.
    Miri,
}

/// Runs one job of the playground: it waits for a slot, holds it until the
/// job and all it started are gone, and is cancelled if its client goes away.
pub(super) async fn run_job<T: Send + 'static>(
    app: &Arc<App>,
    slot: Slot,
    job: impl FnOnce(&App, &Control) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let control = Control::new();
    let busy = |what: String| {
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("The local playground is busy ({what}); try again in a moment."),
        )
    };
    let waited = tokio::time::Instant::now() + LIMITS.queue_wait;
    let miri_permit = match slot {
        Slot::Run => None,
        Slot::Miri => {
            let permit =
                tokio::time::timeout_at(waited, Arc::clone(&app.miri_jobs).acquire_owned()).await;
            let Ok(Ok(permit)) = permit else {
                return Err(busy(format!("{} Miri run at once", LIMITS.miri_jobs)));
            };
            Some(permit)
        }
    };
    let permit = tokio::time::timeout_at(waited, Arc::clone(&app.jobs).acquire_owned()).await;
    let Ok(Ok(permit)) = permit else {
        return Err(busy(format!("{} programs at once", LIMITS.jobs)));
    };
    let _cancel = CancelOnDrop(control.clone());
    let app = Arc::clone(app);
    let done = tokio::task::spawn_blocking(move || {
        // The slot goes back only once the job and all it started are gone.
        let _permits = (permit, miri_permit);
        job(&app, &control)
    });
    match done.await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(error)) => Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The local playground failed: {error:#}"),
        )),
        Err(_) => Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The local playground failed.".to_owned(),
        )),
    }
}

//! One click's job as the server sees it: its deadline, and cancelling it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::limits::{LIMITS, PAGE_TIMEOUT};

/// One click's job, as the server sees it: when the page stops waiting, and
/// whether to stop now (the client went away).
#[derive(Clone)]
pub struct Control {
    arrived: Instant,
    pub(super) cancel: Arc<AtomicBool>,
}

impl Control {
    /// A click that arrived now.
    pub fn new() -> Control {
        Control {
            arrived: Instant::now(),
            cancel: Arc::default(),
        }
    }

    /// Stops the job (and everything it started) as soon as it can.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// When the answer must be sent for the page to still read it.
    pub(super) fn deadline(&self) -> Instant {
        self.arrived + PAGE_TIMEOUT - LIMITS.answer_margin
    }
}

impl Default for Control {
    fn default() -> Self {
        Control::new()
    }
}

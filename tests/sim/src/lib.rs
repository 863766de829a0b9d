//! std, as shuttle runs it: the schedule layer (tests/harness/schedules.rs)
//! compiles a listing with each `std::` path read as `sim::` (three letters
//! for three, so that every line and column stays where the chapter shows
//! it). Threads, locks, channels and atomics are shuttle's; the rest is
//! std's. What the listing prints goes into a buffer, one per execution,
//! and [`explore`] runs the listing's `main` on many schedules and writes
//! what each distinct schedule printed, and how it ended, as JSON.

pub use std::*;

mod explore;
mod out;
pub mod sync;
pub mod thread;
mod waits;

pub use explore::{Ending, Outcome, Report, explore};
pub use out::{line, text};
/// For the `thread_local!` of a listing: shuttle's keeps one value per
/// shuttle thread (std's would be one per OS thread, shared by all of them).
pub use shuttle;

/// `std::hint` with shuttle's `spin_loop`, which lets other threads run:
/// a spin loop is a wait shuttle can see.
pub mod hint {
    pub use std::hint::*;

    pub use shuttle::hint::spin_loop;
}

//! std, as shuttle runs it: the schedule layer (tools/verify/src/schedules.rs)
//! compiles a listing with each `std::` path read as `sim::` (three letters
//! for three, so that every line and column stays where the chapter shows
//! it). Threads, locks, channels and atomics are shuttle's; the rest is
//! std's. What the listing prints goes into a buffer, one per execution,
//! and [`explore`] runs the listing's `main` on many schedules and writes
//! what each distinct schedule printed, and how it ended, as JSON.

pub use std::*;

mod bounded;
mod explore;
mod graph;
mod out;
pub mod sync;
pub mod thread;
mod trace;
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

/// A listing's `static`, made again for each schedule: shuttle runs every
/// schedule in one process, where a `static` would keep what the schedule
/// before left in it. The schedule layer writes `static NAME: T = EXPR;`
/// as `static NAME: sim::Fresh<T> = sim::Fresh::new(|| EXPR);`.
pub struct Fresh<T: 'static> {
    init: fn() -> T,
    /// The value of the current schedule (by its number), kept to the end
    /// of the process like a `static`'s.
    value: std::sync::Mutex<Option<(u64, &'static T)>>,
}

impl<T: 'static> Fresh<T> {
    pub const fn new(init: fn() -> T) -> Fresh<T> {
        Fresh {
            init,
            value: std::sync::Mutex::new(None),
        }
    }
}

impl<T: 'static> std::ops::Deref for Fresh<T> {
    type Target = T;

    fn deref(&self) -> &T {
        let schedule = explore::schedule_number();
        let mut value = self.value.lock().unwrap();
        match *value {
            Some((made_in, value)) if made_in == schedule => value,
            _ => {
                // A `static`'s initializer is a constant: it cannot block.
                let made: &'static T = Box::leak(Box::new((self.init)()));
                *value = Some((schedule, made));
                made
            }
        }
    }
}

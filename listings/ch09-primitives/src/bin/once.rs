use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

static SETUP: Once = Once::new();
static RUNS: AtomicUsize = AtomicUsize::new(0);

/// Stands for setting up something global: a logger, or a C library.
fn set_up() {
    RUNS.fetch_add(1, Ordering::Relaxed);
}

fn main() {
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| SETUP.call_once(set_up));
        }
    });
    println!("times set_up ran: {}", RUNS.load(Ordering::Relaxed));
    println!("completed: {}", SETUP.is_completed());
}

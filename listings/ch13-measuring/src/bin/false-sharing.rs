use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Two counters side by side: 16 bytes, aligned so that they never
/// straddle two cache lines.
#[repr(align(16))]
#[derive(Default)]
struct Adjacent {
    a: AtomicU64,
    b: AtomicU64,
}

/// The same two counters, each alone in its own 128 bytes.
#[repr(align(128))]
#[derive(Default)]
struct Alone(AtomicU64);

#[derive(Default)]
struct Padded {
    a: Alone,
    b: Alone,
}

/// Two threads each add 1 to their own counter `rounds` times.
fn race(a: &AtomicU64, b: &AtomicU64, rounds: u64) -> Duration {
    let start = Instant::now();
    thread::scope(|s| {
        for counter in [a, b] {
            s.spawn(move || {
                for _ in 0..rounds {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    start.elapsed()
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--full");
    // Without --full, a small workload that only shows the program works.
    let rounds = if full { 50_000_000 } else { 100_000 };

    let adjacent = Adjacent::default();
    let padded = Padded::default();
    let together = race(&adjacent.a, &adjacent.b, rounds);
    let apart = race(&padded.a.0, &padded.b.0, rounds);

    println!("{rounds} additions per counter, one thread per counter");
    println!("size of Adjacent: {} bytes", size_of::<Adjacent>());
    println!("size of Padded: {} bytes", size_of::<Padded>());
    println!("adjacent counters: {together:?}");
    println!("padded counters: {apart:?}");
    let counters = [&adjacent.a, &adjacent.b, &padded.a.0, &padded.b.0];
    let done = counters.iter().all(|c| c.load(Ordering::Relaxed) == rounds);
    println!("every counter reached {rounds}: {done}");
}

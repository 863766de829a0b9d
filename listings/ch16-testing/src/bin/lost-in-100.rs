use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// Two threads each add 1, in two steps: a load, then a store.
fn race_once() -> u64 {
    let counter = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let seen = counter.load(Ordering::SeqCst);
                counter.store(seen + 1, Ordering::SeqCst);
            });
        }
    });
    counter.into_inner()
}

fn main() {
    let lost = (0..100).filter(|_| race_once() != 2).count();
    println!("runs that lost an update: {lost} of 100");
    println!("every run ended with 2: {}", lost == 0);
}

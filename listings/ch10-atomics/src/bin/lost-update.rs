use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

fn main() {
    let counter = AtomicUsize::new(0);

    thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                for _ in 0..100 {
                    // Two atomic operations, not one: another thread can
                    // store between the load and the store.
                    let seen = counter.load(Ordering::Relaxed);
                    counter.store(seen + 1, Ordering::Relaxed);
                }
            });
        }
    });

    let total = counter.load(Ordering::Relaxed);
    println!("total = {total}");
    println!("total <= 1000: {}", total <= 1000);
    println!("total == 1000: {}", total == 1000);
}

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

fn main() {
    let counter = AtomicUsize::new(0);

    thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                for _ in 0..100 {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });

    println!("Result: {}", counter.load(Ordering::Relaxed));
}

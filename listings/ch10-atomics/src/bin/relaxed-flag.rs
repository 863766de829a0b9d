use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread;

fn main() {
    let data = AtomicU32::new(0);
    let ready = AtomicBool::new(false);

    thread::scope(|s| {
        s.spawn(|| {
            data.store(123, Ordering::Relaxed);
            ready.store(true, Ordering::Relaxed); // wrong: publishes nothing
        });

        while !ready.load(Ordering::Relaxed) {
            thread::yield_now();
        }
        println!("data = {}", data.load(Ordering::Relaxed));
    });
}

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering, fence};
use std::thread;

fn main() {
    let data = AtomicU32::new(0);
    let ready = AtomicBool::new(false);

    thread::scope(|s| {
        s.spawn(|| {
            data.store(123, Ordering::Relaxed);
            ready.store(true, Ordering::Release);
        });

        while !ready.load(Ordering::Relaxed) {
            thread::yield_now();
        }
        fence(Ordering::Acquire); // makes the Relaxed load above an acquire
        println!("data = {}", data.load(Ordering::Relaxed)); // always 123
    });
}

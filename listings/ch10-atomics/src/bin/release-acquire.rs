use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread;

fn main() {
    let data = AtomicU32::new(0);
    let ready = AtomicBool::new(false);

    thread::scope(|s| {
        s.spawn(|| {
            data.store(123, Ordering::Relaxed);
            ready.store(true, Ordering::Release); // publishes what came before
        });

        while !ready.load(Ordering::Acquire) {
            thread::yield_now();
        }
        println!("data = {}", data.load(Ordering::Relaxed)); // always 123
    });
}

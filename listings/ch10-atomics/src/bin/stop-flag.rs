use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

fn main() {
    let stop = AtomicBool::new(false);

    let rounds = thread::scope(|s| {
        let worker = s.spawn(|| {
            let mut rounds = 0;
            while !stop.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(1)); // one round of work
                rounds += 1;
            }
            rounds
        });

        thread::sleep(Duration::from_millis(20));
        stop.store(true, Ordering::Relaxed);
        worker.join().unwrap()
    });

    println!("the worker stopped after {rounds} rounds");
}

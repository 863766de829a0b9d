use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

fn main() {
    let go = AtomicBool::new(false);

    thread::scope(|s| {
        let worker = s.spawn(|| {
            // `park` may return without an `unpark` (a spurious wakeup),
            // so check the flag each time it returns.
            while !go.load(Ordering::Acquire) {
                thread::park();
            }
            println!("worker: the flag is set, going on");
        });

        thread::sleep(Duration::from_millis(10));
        println!("main: setting the flag and unparking the worker");
        go.store(true, Ordering::Release);
        worker.thread().unpark();
    });

    println!("main: the worker has finished");
}

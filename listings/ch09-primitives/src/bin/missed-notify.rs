use std::sync::{Condvar, Mutex};
use std::thread;

fn main() {
    let ready = Mutex::new(false);
    let changed = Condvar::new();

    thread::scope(|s| {
        // main holds the lock while it spawns the worker, so that the
        // worker is still waiting for the lock when main notifies.
        let mut flag = ready.lock().unwrap();
        s.spawn(|| {
            let flag = ready.lock().unwrap();
            // Waits without first checking the flag.
            let _flag = changed.wait(flag).unwrap();
            println!("the worker woke up"); // never printed
        });
        *flag = true;
        changed.notify_one(); // no thread waits on `changed` yet
        drop(flag);
        println!("main set the flag and notified");
    }); // waits for the worker: forever
}

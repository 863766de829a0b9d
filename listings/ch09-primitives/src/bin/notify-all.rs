use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Duration;

fn main() {
    let open = Mutex::new(false);
    let opened = Condvar::new();

    thread::scope(|s| {
        let runners: Vec<_> = (1..=3)
            .map(|id| {
                let (open, opened) = (&open, &opened);
                s.spawn(move || {
                    let guard = opened.wait_while(open.lock().unwrap(), |open| !*open);
                    drop(guard);
                    format!("runner {id} is off")
                })
            })
            .collect();

        thread::sleep(Duration::from_millis(10));
        *open.lock().unwrap() = true;
        // Every runner waits for the same change: wake them all.
        opened.notify_all();

        for runner in runners {
            println!("{}", runner.join().unwrap());
        }
    });
}

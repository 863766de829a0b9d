use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use parking_lot::Mutex;

fn main() {
    let log = Mutex::new(Vec::new());
    let (locked, has_lock) = mpsc::channel();

    thread::scope(|s| {
        s.spawn(|| {
            let mut entries = log.lock();
            locked.send(()).unwrap();
            // Holds the lock for 200 ms: a slow critical section.
            thread::sleep(Duration::from_millis(200));
            entries.push("written by the slow thread");
        });
        has_lock.recv().unwrap();

        match log.try_lock_for(Duration::from_millis(20)) {
            Some(_) => println!("got the lock within 20 ms"),
            None => println!("gave up after 20 ms: the lock is still taken"),
        }
        match log.try_lock_for(Duration::from_secs(1)) {
            Some(entries) => println!("got the lock within 1 s: {entries:?}"),
            None => println!("gave up after 1 s"),
        }
    });
}

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use parking_lot::Mutex;

fn main() {
    let log = Mutex::new(Vec::new());
    let (locked, has_lock) = mpsc::channel();
    let (gave_up, main_gave_up) = mpsc::channel();

    thread::scope(|s| {
        let log = &log;
        s.spawn(move || {
            let mut entries = log.lock();
            locked.send(()).unwrap();
            // Hold the lock until main has given up once, then a bit longer.
            main_gave_up.recv().unwrap();
            thread::sleep(Duration::from_millis(50));
            entries.push("written by the slow thread");
        });
        has_lock.recv().unwrap();

        match log.try_lock_for(Duration::from_millis(20)) {
            Some(_) => println!("got the lock within 20 ms"),
            None => println!("gave up after 20 ms: the lock is still taken"),
        }
        gave_up.send(()).unwrap();
        match log.try_lock_for(Duration::from_secs(1)) {
            Some(entries) => println!("got the lock within 1 s: {entries:?}"),
            None => println!("gave up after 1 s"),
        }
    });
}

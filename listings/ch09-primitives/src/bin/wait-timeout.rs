use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Duration;

fn main() {
    let answer = Mutex::new(None);
    let answered = Condvar::new();

    thread::scope(|s| {
        s.spawn(|| {
            thread::sleep(Duration::from_millis(100)); // a slow computation
            *answer.lock().unwrap() = Some(42);
            answered.notify_one();
        });

        for limit in [Duration::from_millis(10), Duration::from_secs(2)] {
            let (guard, waited) = answered
                .wait_timeout_while(answer.lock().unwrap(), limit, |a| a.is_none())
                .unwrap();
            let (value, timed_out) = (*guard, waited.timed_out());
            drop(guard);
            println!("waited up to {limit:?}: timed out {timed_out}, answer {value:?}");
        }
    });
}

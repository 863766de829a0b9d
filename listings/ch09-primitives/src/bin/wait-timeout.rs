use std::sync::{Condvar, Mutex, mpsc};
use std::thread;
use std::time::Duration;

fn main() {
    let answer = Mutex::new(None);
    let answered = Condvar::new();
    let (start, started) = mpsc::channel();

    thread::scope(|s| {
        let (answer, answered) = (&answer, &answered);
        s.spawn(move || {
            started.recv().unwrap(); // the computation starts when main says so
            thread::sleep(Duration::from_millis(50)); // and takes a while
            *answer.lock().unwrap() = Some(42);
            answered.notify_one();
        });

        let wait = |limit| {
            let (guard, waited) = answered
                .wait_timeout_while(answer.lock().unwrap(), limit, |a| a.is_none())
                .unwrap();
            let (value, timed_out) = (*guard, waited.timed_out());
            drop(guard);
            println!("waited up to {limit:?}: timed out {timed_out}, answer {value:?}");
        };
        wait(Duration::from_millis(10)); // nothing is computing yet
        start.send(()).unwrap();
        wait(Duration::from_secs(2));
    });
}

use std::cell::Cell;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

thread_local! {
    /// Each thread has its own counter, starting at 0.
    static HANDLED: Cell<u32> = const { Cell::new(0) };
}

/// A job, somewhere deep in the code: it counts itself on its own thread.
fn handle(n: u32) -> u32 {
    HANDLED.set(HANDLED.get() + 1);
    thread::sleep(Duration::from_millis(5)); // the work itself
    n * n
}

fn worker(jobs: &Mutex<Receiver<u32>>) -> u32 {
    loop {
        let next = jobs.lock().unwrap().recv();
        match next {
            Ok(n) => {
                handle(n);
            }
            Err(_) => return HANDLED.get(), // this thread's count
        }
    }
}

fn main() {
    let (tx, rx) = mpsc::channel();
    let rx = Arc::new(Mutex::new(rx));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let rx = Arc::clone(&rx);
            thread::spawn(move || worker(&rx))
        })
        .collect();
    for n in 1..=8 {
        tx.send(n).unwrap();
    }
    drop(tx);

    let mut counts: Vec<u32> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    counts.sort();
    println!("jobs per worker: {counts:?}");
    println!("jobs in all: {}", counts.iter().sum::<u32>());
    println!("main's own count: {}", HANDLED.get());
}

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

type Job = Box<dyn FnOnce() + Send + 'static>;

const WORKERS: usize = 3;
const JOBS: usize = 6;

// ANCHOR: here
/// How many jobs are running now, and the most that ever ran at once.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST_AT_ONCE: AtomicUsize = AtomicUsize::new(0);

/// A job that notes how many jobs are running while it starts.
fn counted_job() {
    // Relaxed: each count only has to be exact, and it is, since every
    // atomic operation is indivisible whatever its ordering.
    let now = RUNNING.fetch_add(1, Ordering::Relaxed) + 1;
    MOST_AT_ONCE.fetch_max(now, Ordering::Relaxed);
    thread::sleep(Duration::from_millis(10));
    RUNNING.fetch_sub(1, Ordering::Relaxed);
}

fn worker(jobs: &Mutex<Receiver<Job>>) {
    // The guard lives until the end of each pass of the loop.
    while let Ok(job) = jobs.lock().unwrap().recv() {
        job();
    }
}
// ANCHOR_END: here

fn main() {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));

    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let rx = Arc::clone(&rx);
            thread::spawn(move || worker(&rx))
        })
        .collect();

    for _ in 0..JOBS {
        tx.send(Box::new(counted_job)).unwrap();
    }
    drop(tx);

    for handle in workers {
        handle.join().unwrap();
    }
    println!("{JOBS} jobs on {WORKERS} workers");
    let most = MOST_AT_ONCE.load(Ordering::Relaxed);
    println!("most jobs running at once: {most}");
}

use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

const WORKERS: u32 = 4;
const WORK: Duration = Duration::from_millis(25);

/// Stands for any slow computation: a parse, a hash, a request.
fn slow_square(n: u32) -> u32 {
    thread::sleep(WORK);
    n * n
}

fn main() {
    let total = Mutex::new(0);
    let start = Instant::now();
    thread::scope(|s| {
        for n in 1..=WORKERS {
            let total = &total;
            s.spawn(move || {
                let mut sum = total.lock().unwrap();
                *sum += slow_square(n); // slow work while holding the lock
            });
        }
    });
    let elapsed = start.elapsed();
    println!("holding the lock: total = {}", total.into_inner().unwrap());
    println!(
        "  took at least {WORKERS} x {WORK:?}: {}",
        elapsed >= WORK * WORKERS
    );

    let total = Mutex::new(0);
    thread::scope(|s| {
        for n in 1..=WORKERS {
            let total = &total;
            s.spawn(move || {
                let square = slow_square(n); // slow work, no lock held
                *total.lock().unwrap() += square;
            });
        }
    });
    println!("locking to add:   total = {}", total.into_inner().unwrap());
}

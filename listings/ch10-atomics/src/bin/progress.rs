use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

const ITEMS: usize = 40;

fn main() {
    let done = AtomicUsize::new(0);

    let reports = thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..ITEMS / 4 {
                    thread::sleep(Duration::from_millis(1)); // one item of work
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }

        // `main` reports progress until every item is done.
        let mut reports = Vec::new();
        loop {
            let n = done.load(Ordering::Relaxed);
            reports.push(n);
            if n == ITEMS {
                break reports;
            }
            thread::sleep(Duration::from_millis(2));
        }
    });

    println!("reports: {reports:?}");
    println!("never went down: {}", reports.is_sorted());
    println!("last: {}/{ITEMS}", reports.last().unwrap());
}

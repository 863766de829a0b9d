use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use crossbeam::utils::CachePadded;

fn main() {
    // One counter per thread, each in a cache line (or two) of its own.
    let counters: [CachePadded<AtomicU64>; 4] = Default::default();

    thread::scope(|s| {
        for counter in &counters {
            s.spawn(move || {
                for _ in 0..1000 {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });

    let totals: Vec<u64> = counters.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    println!("counters: {totals:?}");
    println!(
        "size of CachePadded<AtomicU64>: {} bytes",
        size_of::<CachePadded<AtomicU64>>()
    );
    let first = &raw const counters[0] as usize;
    let second = &raw const counters[1] as usize;
    println!("distance between two counters: {} bytes", second - first);
}

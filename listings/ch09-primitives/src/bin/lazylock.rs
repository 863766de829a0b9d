use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

static BUILDS: AtomicUsize = AtomicUsize::new(0);

// ANCHOR: static
static PRICES: LazyLock<HashMap<&str, u32>> = LazyLock::new(|| {
    println!("building the price table");
    BUILDS.fetch_add(1, Ordering::Relaxed);
    // A slow start, so that the other threads arrive while it runs.
    thread::sleep(Duration::from_millis(50));
    HashMap::from([("tea", 3), ("coffee", 4)])
});
// ANCHOR_END: static

fn main() {
    let prices_seen: Vec<u32> = thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| PRICES["tea"])).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    println!("tea prices seen by the 8 threads: {prices_seen:?}");
    println!(
        "times the table was built: {}",
        BUILDS.load(Ordering::Relaxed)
    );
}

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread;

static KEY: AtomicU64 = AtomicU64::new(0); // 0: no key yet
static KEYS_MADE: AtomicUsize = AtomicUsize::new(0);

// ANCHOR: key
/// The key, made by whichever thread asks first.
fn key(make: impl FnOnce() -> u64) -> u64 {
    let key = KEY.load(Ordering::Relaxed);
    if key != 0 {
        return key;
    }
    let new = make(); // several threads may get here at once
    match KEY.compare_exchange(0, new, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => new,          // ours is the key
        Err(winner) => winner, // another thread was first: use its key
    }
}
// ANCHOR_END: key

fn main() {
    let keys: Vec<u64> = thread::scope(|s| {
        let threads: Vec<_> = (1..=4)
            .map(|id| {
                s.spawn(move || {
                    key(|| {
                        KEYS_MADE.fetch_add(1, Ordering::Relaxed);
                        1000 + id
                    })
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });

    println!("keys made: {}", KEYS_MADE.load(Ordering::Relaxed));
    println!(
        "all threads got the same key: {}",
        keys.iter().all(|&k| k == keys[0])
    );
}

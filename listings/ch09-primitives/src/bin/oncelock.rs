use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

static LEADER: OnceLock<usize> = OnceLock::new();

fn main() {
    let wins = AtomicUsize::new(0);

    thread::scope(|s| {
        for id in 0..8 {
            let wins = &wins;
            s.spawn(move || {
                // Every thread tries; `set` succeeds for exactly one of them.
                if LEADER.set(id).is_ok() {
                    wins.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });

    println!("successful set calls: {}", wins.load(Ordering::Relaxed));
    let leader = LEADER.get().unwrap();
    println!("the leader is one of threads 0 to 7: {}", *leader < 8);
}

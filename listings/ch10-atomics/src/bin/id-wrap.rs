use std::sync::atomic::{AtomicU8, Ordering};
use std::thread;

static NEXT_ID: AtomicU8 = AtomicU8::new(0);

fn new_id() -> u8 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed) // 255 + 1 wraps around to 0
}

fn main() {
    let ids: Vec<u8> = thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| s.spawn(|| (0..100).map(|_| new_id()).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });

    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    println!("ids handed out: {}", ids.len());
    println!("distinct ids: {}", distinct.len());
}

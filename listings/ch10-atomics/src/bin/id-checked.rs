use std::sync::atomic::{AtomicU8, Ordering};
use std::thread;

static NEXT_ID: AtomicU8 = AtomicU8::new(0);

// ANCHOR: new_id
/// A fresh id, or `None` once they have run out.
fn new_id() -> Option<u8> {
    NEXT_ID
        .try_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
            next.checked_add(1) // None at 255: leave the counter as it is
        })
        .ok()
}
// ANCHOR_END: new_id

fn main() {
    let ids: Vec<Option<u8>> = thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| s.spawn(|| (0..100).map(|_| new_id()).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });

    let given: Vec<u8> = ids.iter().flatten().copied().collect();
    let mut distinct = given.clone();
    distinct.sort();
    distinct.dedup();
    println!("ids handed out: {}", given.len());
    println!("distinct ids: {}", distinct.len());
    println!("refused: {}", ids.len() - given.len());
}

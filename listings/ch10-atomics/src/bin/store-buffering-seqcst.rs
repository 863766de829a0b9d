use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

fn main() {
    let x = AtomicBool::new(false);
    let y = AtomicBool::new(false);

    let (a, b) = thread::scope(|s| {
        let a = s.spawn(|| {
            x.store(true, Ordering::SeqCst);
            y.load(Ordering::SeqCst)
        });
        let b = s.spawn(|| {
            y.store(true, Ordering::SeqCst);
            x.load(Ordering::SeqCst)
        });
        (a.join().unwrap(), b.join().unwrap())
    });

    println!("a saw y: {a}, b saw x: {b}");
    println!("at least one saw the other's store: {}", a || b);
}

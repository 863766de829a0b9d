use std::sync::Mutex;
use std::thread;

fn main() {
    let counter = Mutex::new(0);

    // Every thread spawned in the scope is joined before `scope` returns,
    // so the threads may borrow `counter` instead of owning a handle to it.
    thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                let mut count = counter.lock().unwrap();
                *count += 1;
            });
        }
    });

    println!("Result: {}", counter.into_inner().unwrap());
}

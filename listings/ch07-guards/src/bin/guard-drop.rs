use std::sync::{Mutex, TryLockError};

/// Whether a guard of `m` is alive at this moment. `try_lock` never waits: if
/// the lock is taken, even by the calling thread, it returns `WouldBlock`.
fn is_locked<T>(m: &Mutex<T>) -> bool {
    matches!(m.try_lock(), Err(TryLockError::WouldBlock))
}

fn main() {
    let scores = Mutex::new(vec![3, 5]);

    {
        let mut guard = scores.lock().unwrap();
        guard.push(8);
        println!("inside the block: locked = {}", is_locked(&scores));
    } // `guard` goes out of scope here.
    println!("after the block:  locked = {}", is_locked(&scores));

    let mut guard = scores.lock().unwrap();
    guard.push(13);
    drop(guard);
    println!("after drop:       locked = {}", is_locked(&scores));

    let total: i32 = scores.lock().unwrap().iter().sum();
    println!("after the let:    locked = {}", is_locked(&scores));
    println!("total = {total}");
}

use std::sync::{Mutex, TryLockError};

// ANCHOR: try
fn add_interest(balance: &Mutex<u64>) {
    match balance.try_lock() {
        Ok(mut balance) => *balance += *balance / 10,
        Err(TryLockError::WouldBlock) => println!("add_interest: WouldBlock, the lock is taken"),
        Err(TryLockError::Poisoned(_)) => println!("add_interest: the lock is poisoned"),
    }
}
// ANCHOR_END: try

fn main() {
    let balance = Mutex::new(100);

    let mut guard = balance.lock().unwrap();
    *guard += 50;
    println!("deposited 50, balance is {}", *guard);

    add_interest(&balance); // `guard` still holds the lock
    println!("with interest: {}", *guard);
}

use std::sync::Mutex;

fn add_interest(balance: &Mutex<u64>) {
    // Waits until the lock is free: here, forever.
    let mut balance = balance.lock().unwrap();
    *balance += *balance / 10;
}

fn main() {
    let balance = Mutex::new(100);

    let mut guard = balance.lock().unwrap();
    *guard += 50;
    println!("deposited 50, balance is {}", *guard);

    add_interest(&balance); // `guard` still holds the lock
    println!("with interest: {}", *guard); // never printed
}

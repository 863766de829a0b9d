use std::sync::Mutex;

/// Works on a balance that the caller has already locked.
fn add_interest(balance: &mut u64) {
    *balance += *balance / 10;
}

fn main() {
    let balance = Mutex::new(100);

    let mut guard = balance.lock().unwrap();
    *guard += 50;
    println!("deposited 50, balance is {}", *guard);

    add_interest(&mut guard); // a `&mut u64` borrowed through the guard
    println!("with interest: {}", *guard);
}

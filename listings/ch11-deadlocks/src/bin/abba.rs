use std::sync::{Barrier, Mutex};
use std::thread;

fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, amount: i64, both_started: &Barrier) {
    let mut from_balance = from.lock().unwrap();
    // Wait until the other transfer has locked its first account too.
    both_started.wait();
    let mut to_balance = to.lock().unwrap();
    *from_balance -= amount;
    *to_balance += amount;
}

fn main() {
    let alice = Mutex::new(100);
    let bob = Mutex::new(100);
    // Three threads meet at the barrier: the two transfers and main.
    let both_started = Barrier::new(3);

    thread::scope(|s| {
        s.spawn(|| transfer(&alice, &bob, 10, &both_started));
        s.spawn(|| transfer(&bob, &alice, 20, &both_started));

        both_started.wait();
        println!("transfer 1 holds alice's lock and waits for bob's");
        println!("transfer 2 holds bob's lock and waits for alice's");
    }); // the scope waits for both transfers: forever

    println!("never printed");
}

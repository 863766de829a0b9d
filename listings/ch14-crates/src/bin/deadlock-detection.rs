use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use parking_lot::{Mutex, deadlock};

fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, amount: i64, both_started: &Barrier) {
    let mut from_balance = from.lock();
    // Wait until the other transfer has locked its first account too.
    both_started.wait();
    let mut to_balance = to.lock();
    *from_balance -= amount;
    *to_balance += amount;
}

fn main() {
    let alice = Arc::new(Mutex::new(100));
    let bob = Arc::new(Mutex::new(100));
    let both_started = Arc::new(Barrier::new(2));

    for (from, to, amount) in [(&alice, &bob, 10), (&bob, &alice, 20)] {
        let (from, to) = (Arc::clone(from), Arc::clone(to));
        let both_started = Arc::clone(&both_started);
        thread::spawn(move || transfer(&from, &to, amount, &both_started));
    }

    // What a watchdog thread of a long-running program would do.
    let cycles = loop {
        thread::sleep(Duration::from_millis(10));
        let cycles = deadlock::check_deadlock();
        if !cycles.is_empty() {
            break cycles;
        }
    };
    println!("deadlocks found: {}", cycles.len());
    for (i, threads) in cycles.iter().enumerate() {
        println!(
            "deadlock {i}: {} threads wait for each other",
            threads.len()
        );
    }
    // main returns, and the process ends with the two threads still stuck.
}

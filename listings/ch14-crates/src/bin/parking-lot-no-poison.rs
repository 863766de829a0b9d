use std::thread;

use parking_lot::Mutex;

#[derive(Debug)]
struct Accounts {
    alice: i32,
    bob: i32,
}

/// Moves `amount` from Alice to Bob in two steps; the second one fails.
fn transfer(accounts: &mut Accounts, amount: i32) {
    accounts.alice -= amount;
    deposit(&mut accounts.bob, amount);
}

/// Stands for any bug or failure that panics halfway through an update.
fn deposit(_balance: &mut i32, amount: i32) {
    panic!("the deposit of {amount} failed");
}

fn main() {
    let accounts = Mutex::new(Accounts { alice: 100, bob: 0 });

    thread::scope(|s| {
        let worker = s.spawn(|| transfer(&mut accounts.lock(), 30));
        println!("the thread panicked: {}", worker.join().is_err());
    });

    // No Result to unwrap: parking_lot's lock() returns the guard itself,
    // and nothing tells this thread that the update stopped halfway.
    let guard = accounts.lock();
    println!("lock() gives the data: {:?}", *guard);
}

use std::sync::Mutex;
use std::thread;

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
        let worker = s.spawn(|| {
            let mut guard = accounts.lock().unwrap();
            transfer(&mut guard, 30);
        });
        println!("the thread panicked: {}", worker.join().is_err());
    });
    println!("poisoned: {}", accounts.is_poisoned());

    match accounts.lock() {
        Ok(guard) => println!("lock() is Ok: {:?}", *guard),
        Err(poisoned) => {
            let mut guard = poisoned.into_inner();
            println!("lock() is Err, the data: {:?}", *guard);
            // Undo the half-done transfer: Alice gets her money back.
            guard.alice = 100 - guard.bob;
            println!("repaired: {:?}", *guard);
        }
    }
    accounts.clear_poison();
    println!("after clear_poison: poisoned: {}", accounts.is_poisoned());
    println!("lock() is Ok: {}", accounts.lock().is_ok());
}

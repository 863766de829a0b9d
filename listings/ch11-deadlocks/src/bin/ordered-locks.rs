use std::sync::Mutex;
use std::thread;

struct Account {
    id: u32,
    balance: Mutex<i64>,
}

// ANCHOR: transfer
fn transfer(from: &Account, to: &Account, amount: i64) {
    assert_ne!(from.id, to.id, "a transfer needs two different accounts");
    // Every thread locks the account with the lower id first.
    let (mut from_balance, mut to_balance);
    if from.id < to.id {
        from_balance = from.balance.lock().unwrap();
        to_balance = to.balance.lock().unwrap();
    } else {
        to_balance = to.balance.lock().unwrap();
        from_balance = from.balance.lock().unwrap();
    }
    *from_balance -= amount;
    *to_balance += amount;
}
// ANCHOR_END: transfer

fn main() {
    let alice = Account {
        id: 1,
        balance: Mutex::new(100),
    };
    let bob = Account {
        id: 2,
        balance: Mutex::new(100),
    };

    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..1_000 {
                transfer(&alice, &bob, 1);
            }
        });
        s.spawn(|| {
            for _ in 0..1_000 {
                transfer(&bob, &alice, 1);
            }
        });
    });

    let alice = alice.balance.into_inner().unwrap();
    let bob = bob.balance.into_inner().unwrap();
    println!("2000 transfers done: alice has {alice}, bob has {bob}");
}

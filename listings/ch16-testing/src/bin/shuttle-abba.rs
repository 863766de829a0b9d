use shuttle::sync::Mutex;
use shuttle::thread;
use std::sync::Arc;

/// Two transfers between two accounts, each locking the account it takes
/// from first: Listing 11-4's deadlock, with shuttle's `Mutex` and `thread`.
fn transfers() {
    let checking = Arc::new(Mutex::new(100));
    let savings = Arc::new(Mutex::new(100));
    let other = {
        let (checking, savings) = (Arc::clone(&checking), Arc::clone(&savings));
        thread::spawn(move || {
            let mut from = checking.lock().unwrap();
            let mut to = savings.lock().unwrap();
            *from -= 10;
            *to += 10;
        })
    };
    let mut from = savings.lock().unwrap();
    let mut to = checking.lock().unwrap();
    *from -= 10;
    *to += 10;
    drop((from, to));
    other.join().unwrap();
}

fn main() {
    // 100 random schedules, from a fixed seed: every run tries the same ones.
    shuttle::check_random_with_seed(transfers, 1, 100);
}

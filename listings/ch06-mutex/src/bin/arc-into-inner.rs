use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let words = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = ["one", "two", "three"]
        .into_iter()
        .map(|word| {
            let words = Arc::clone(&words);
            thread::spawn(move || words.lock().unwrap().push(word))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }

    // While another owner is left, try_unwrap hands the Arc back.
    let other = Arc::clone(&words);
    let words = Arc::try_unwrap(words).expect_err("another owner is left");
    println!("try_unwrap with {} owners: Err", Arc::strong_count(&words));
    drop(other);

    // The last owner gets the Mutex itself.
    let mut mutex = Arc::into_inner(words).expect("no other owner is left");
    // A &mut Mutex proves that no other thread can lock it: no locking needed.
    let list = mutex.get_mut().unwrap();
    list.sort();
    println!("words: {list:?}");
}

use std::sync::{RwLock, TryLockError};
use std::thread;

fn main() {
    let menu = RwLock::new(vec!["soup", "bread"]);

    thread::scope(|s| {
        let mine = menu.read().unwrap();
        println!("main reads {} dishes", mine.len());

        // While main holds its read guard, another thread can read too...
        s.spawn(|| {
            let theirs = menu.read().unwrap();
            println!("a second reader reads {} dishes", theirs.len());
        })
        .join()
        .unwrap();

        // ...but no thread can write.
        match menu.try_write() {
            Err(TryLockError::WouldBlock) => println!("a writer would have to wait"),
            Err(TryLockError::Poisoned(_)) => println!("a writer panicked"),
            Ok(_) => println!("a writer got in"),
        }
    }); // `mine` was dropped at the end of the closure

    menu.write().unwrap().push("salad");
    println!("menu = {:?}", menu.read().unwrap());
}

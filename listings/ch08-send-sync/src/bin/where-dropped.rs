use std::fmt;
use std::sync::{Arc, mpsc};
use std::thread;

/// Says on which thread it is dropped.
struct Parcel(&'static str);

impl Drop for Parcel {
    fn drop(&mut self) {
        let thread = thread::current();
        println!("{self} dropped on thread '{}'", thread.name().unwrap());
    }
}

impl fmt::Display for Parcel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

fn main() {
    // Moved into a thread: dropped there, when the closure ends.
    let letter = Parcel("letter");
    thread::Builder::new()
        .name("courier".into())
        .spawn(move || println!("courier has the {letter}"))
        .unwrap()
        .join()
        .unwrap();

    // Returned through `join`: dropped by `main`.
    let reply = thread::Builder::new()
        .name("clerk".into())
        .spawn(|| Parcel("reply"))
        .unwrap()
        .join()
        .unwrap();
    drop(reply);

    // Shared through `Arc`: dropped by whichever owner is the last to go.
    let (go, wait) = mpsc::channel();
    let shared = Arc::new(Parcel("shared"));
    let theirs = Arc::clone(&shared);
    let keeper = thread::Builder::new()
        .name("keeper".into())
        .spawn(move || {
            wait.recv().unwrap(); // until `main` has dropped its `Arc`
            drop(theirs);
        })
        .unwrap();
    drop(shared);
    println!("main dropped its Arc");
    go.send(()).unwrap();
    keeper.join().unwrap();
}

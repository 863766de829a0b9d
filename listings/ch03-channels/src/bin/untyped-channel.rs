use std::sync::mpsc;
use std::thread;

fn main() {
    let (tx, rx) = mpsc::channel();

    thread::spawn(move || {
        // Work to do here; sending the result comes later.
        drop(tx);
    });

    match rx.recv() {
        Ok(_) => println!("got a result"),
        Err(_) => println!("the worker hung up without sending anything"),
    }
}

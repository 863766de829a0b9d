use std::sync::mpsc;
use std::thread;

fn main() {
    let (tx, rx) = mpsc::channel();

    thread::spawn(move || {
        let note = String::from("hello from the spawned thread");
        tx.send(note).unwrap();
    });

    let received = rx.recv().unwrap();
    println!("main received: {received}");
}

use std::sync::mpsc;
use std::thread;

fn main() {
    let (tx, rx) = mpsc::channel();

    let worker_tx = tx.clone();
    thread::spawn(move || worker_tx.send("done").unwrap());

    for message in rx {
        println!("got: {message}");
    }
    println!("the loop ended"); // never printed
}

use std::sync::mpsc;
use std::thread;

fn main() {
    let (tx, rx) = mpsc::channel();

    thread::scope(|s| {
        for id in 1..=3 {
            // A shared reference to the one Sender: no clone needed.
            let tx = &tx;
            s.spawn(move || tx.send(id * 10).unwrap());
        }
    });
    drop(tx);

    let mut received: Vec<i32> = rx.iter().collect();
    received.sort();
    println!("received: {received:?}");
}

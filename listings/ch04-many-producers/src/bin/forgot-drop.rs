use std::sync::mpsc;
use std::thread;

fn main() {
    let (tx, rx) = mpsc::channel();

    for id in 0..3 {
        let tx = tx.clone();
        thread::spawn(move || tx.send(id).unwrap());
    }

    let mut ids = Vec::new();
    for id in rx {
        ids.push(id);
        println!("replies so far: {}", ids.len());
    }

    ids.sort();
    println!("all replies: {ids:?}");
}

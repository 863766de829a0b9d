use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

fn station(name: &'static str, tx: Sender<String>) {
    for reading in 1..=3 {
        tx.send(format!("{name} reading {reading}")).unwrap();
        thread::sleep(Duration::from_millis(5));
    }
}

fn main() {
    let (tx, rx) = mpsc::channel();

    let tx_north = tx.clone();
    thread::spawn(move || station("north", tx_north));
    thread::spawn(move || station("south", tx));

    let mut count = 0;
    for message in rx {
        println!("{message}");
        count += 1;
    }
    println!("{count} messages, then north and south both hung up");
}

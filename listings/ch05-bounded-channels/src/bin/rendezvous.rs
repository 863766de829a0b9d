use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    // Capacity 0: no buffer at all.
    let (tx, rx) = mpsc::sync_channel(0);
    let start = Instant::now();

    let sender = thread::spawn(move || {
        tx.send("handshake").unwrap();
        Instant::now() // when `send` returned
    });

    // The receiver shows up 50 ms late.
    thread::sleep(Duration::from_millis(50));
    println!("received {:?}", rx.recv().unwrap());

    let send_returned = sender.join().unwrap();
    let waited = send_returned - start >= Duration::from_millis(50);
    println!("send returned 50 ms or more after the start: {waited}");
}

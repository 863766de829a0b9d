use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    // Room for two messages that are sent but not yet received.
    let (tx, rx) = mpsc::sync_channel(2);

    let producer = thread::spawn(move || {
        let start = Instant::now();
        for n in 1..=6 {
            tx.send(n).unwrap();
            println!("sent {n}");
        }
        start.elapsed()
    });

    // A slow consumer: 10 ms per message.
    for n in rx {
        println!("received {n}");
        thread::sleep(Duration::from_millis(10));
    }

    let busy = producer.join().unwrap();
    let held_back = busy >= Duration::from_millis(30);
    println!("all sent and received; the producer was held back 30 ms or more: {held_back}");
}

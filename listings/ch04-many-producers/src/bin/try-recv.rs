use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    let (tx, rx) = mpsc::channel();

    // Nothing has been sent: `try_recv` returns at once.
    println!("try_recv:     {:?}", rx.try_recv());

    // `recv_timeout` waits, but only so long.
    let start = Instant::now();
    let result = rx.recv_timeout(Duration::from_millis(50));
    println!("recv_timeout: {result:?}");
    let waited = start.elapsed() >= Duration::from_millis(50);
    println!("waited at least 50 ms: {waited}");

    // The worker sends one message, then ends, dropping the only `Sender`.
    let worker = thread::spawn(move || tx.send("report ready").unwrap());
    worker.join().unwrap();

    println!("try_recv:     {:?}", rx.try_recv());
    println!("try_recv:     {:?}", rx.try_recv());
}

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() {
    let (tx, rx) = mpsc::channel();

    thread::spawn(move || {
        for stage in ["fetch", "build", "test", "package"] {
            tx.send(stage).unwrap();
            thread::sleep(Duration::from_millis(20));
        }
        // The thread ends here, and `tx` is dropped with it.
    });

    for stage in rx {
        println!("finished stage: {stage}");
    }
    println!("the worker has hung up");
}

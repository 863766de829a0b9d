use std::thread;
use std::time::Duration;

fn main() {
    let handle = thread::spawn(|| {
        for i in 1..=9 {
            println!("spawned thread counts {i}");
            thread::sleep(Duration::from_millis(1));
        }
    });

    handle.join().unwrap();

    for i in 1..=4 {
        println!("main thread counts {i}");
        thread::sleep(Duration::from_millis(2));
    }
}

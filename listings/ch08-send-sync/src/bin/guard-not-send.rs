use std::sync::Mutex;
use std::thread;

fn main() {
    let log = Mutex::new(vec!["opened"]);

    let mut guard = log.lock().unwrap();
    guard.push("checked by main");
    thread::scope(|s| {
        s.spawn(move || {
            guard.push("checked by a helper");
        });
    });

    println!("{:?}", log.lock().unwrap());
}

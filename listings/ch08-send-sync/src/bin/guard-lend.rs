use std::sync::Mutex;
use std::thread;

fn main() {
    let log = Mutex::new(vec!["opened"]);

    let mut guard = log.lock().unwrap();
    guard.push("checked by main");
    let entries: &mut Vec<&str> = &mut guard;
    // The lock stays held while the helper runs: fine here, since no other
    // thread wants the log (see the text).
    thread::scope(|s| {
        s.spawn(move || {
            entries.push("checked by a helper");
        });
    });
    drop(guard); // main unlocks: the lock never left this thread

    println!("{:?}", log.lock().unwrap());
}

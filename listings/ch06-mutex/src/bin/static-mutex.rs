use std::sync::Mutex;
use std::thread;

// Mutex::new and Vec::new are const fns: a static needs no LazyLock.
static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn log(line: String) {
    LOG.lock().unwrap().push(line);
}

fn main() {
    let handles: Vec<_> = (1..=3)
        .map(|id| thread::spawn(move || log(format!("thread {id} was here"))))
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }

    let mut lines = LOG.lock().unwrap().clone();
    lines.sort();
    for line in lines {
        println!("{line}");
    }
}

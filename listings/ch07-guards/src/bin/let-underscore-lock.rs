use std::sync::Mutex;
use std::thread;

// Held while a report is printed, so that two reports never interleave.
static PRINTING: Mutex<()> = Mutex::new(());

fn report(name: &str, lines: &[&str]) {
    let _ = PRINTING.lock().unwrap();
    println!("report from {name}:");
    for line in lines {
        println!("  {line}");
    }
}

fn main() {
    thread::scope(|s| {
        s.spawn(|| report("north", &["12 orders", "3 returns"]));
        s.spawn(|| report("south", &["8 orders", "0 returns"]));
    });
}

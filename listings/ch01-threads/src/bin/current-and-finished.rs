use std::thread;
use std::time::Duration;

fn main() {
    let main_id = thread::current().id();

    let worker = thread::Builder::new()
        .name("worker".to_owned())
        .spawn(move || {
            let me = thread::current();
            thread::sleep(Duration::from_millis(50));
            format!(
                "{:?}, another thread than main: {}",
                me.name(),
                me.id() != main_id
            )
        })
        .unwrap();

    println!("finished right after spawn: {}", worker.is_finished());
    let mut checks = 0;
    while !worker.is_finished() {
        checks += 1; // a real program would do other work here
        thread::sleep(Duration::from_millis(10));
    }
    println!("finished after some checks: {}", checks > 0);
    // It has finished, so join returns at once.
    println!("worker: {}", worker.join().unwrap());
}

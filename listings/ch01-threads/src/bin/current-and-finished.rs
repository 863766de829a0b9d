use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() {
    let main_id = thread::current().id();
    // A channel (chapter 3) through which main tells the worker to finish.
    let (go, wait_for_go) = mpsc::channel::<()>();

    let worker = thread::Builder::new()
        .name("worker".to_owned())
        .spawn(move || {
            let me = thread::current();
            wait_for_go.recv().unwrap(); // it cannot finish before main says so
            format!(
                "{:?}, another thread than main: {}",
                me.name(),
                me.id() != main_id
            )
        })
        .unwrap();

    println!("finished before main said go: {}", worker.is_finished());
    go.send(()).unwrap();
    while !worker.is_finished() {
        // a real program would do other work here
        thread::sleep(Duration::from_millis(1));
    }
    println!("finished after the loop: {}", worker.is_finished());
    // It has finished, so join returns at once.
    println!("worker: {}", worker.join().unwrap());
}

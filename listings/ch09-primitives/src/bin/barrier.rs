use std::sync::Barrier;
use std::thread;
use std::time::Duration;

fn main() {
    let barrier = Barrier::new(3);

    thread::scope(|s| {
        for id in 0..3 {
            let barrier = &barrier;
            s.spawn(move || {
                // Workers take different times to get ready.
                thread::sleep(Duration::from_millis(10 * (3 - id)));
                println!("worker {id}: before the barrier");
                barrier.wait();
                println!("worker {id}: after the barrier");
            });
        }
    });
}

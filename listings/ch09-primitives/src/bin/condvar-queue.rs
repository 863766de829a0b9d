use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Duration;

struct Queue {
    items: VecDeque<u32>,
    closed: bool,
}

fn main() {
    let queue = Mutex::new(Queue {
        items: VecDeque::new(),
        closed: false,
    });
    let changed = Condvar::new();

    thread::scope(|s| {
        // ANCHOR: consumer
        s.spawn(|| {
            loop {
                let guard = queue.lock().unwrap();
                // Sleeps (without the lock) until the queue has an item or is
                // closed; a wakeup with nothing to do just sleeps again.
                let mut q = changed
                    .wait_while(guard, |q| q.items.is_empty() && !q.closed)
                    .unwrap();
                let next = q.items.pop_front();
                drop(q); // unlock before printing
                match next {
                    Some(item) => println!("consumer: got {item}"),
                    None => break, // empty and closed
                }
            }
            println!("consumer: the queue is closed, done");
        });
        // ANCHOR_END: consumer

        // ANCHOR: producer
        for item in 1..=4 {
            thread::sleep(Duration::from_millis(5));
            queue.lock().unwrap().items.push_back(item);
            changed.notify_one();
        }
        queue.lock().unwrap().closed = true;
        changed.notify_one();
        // ANCHOR_END: producer
    });
}

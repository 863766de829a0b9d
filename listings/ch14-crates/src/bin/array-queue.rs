use std::thread;

use crossbeam::queue::ArrayQueue;

fn main() {
    let queue = ArrayQueue::new(2);
    println!("push 1: {:?}", queue.push(1));
    println!("push 2: {:?}", queue.push(2));
    println!("push 3: {:?}", queue.push(3)); // full: the value comes back
    println!("pop: {:?}", queue.pop());
    println!("pop: {:?}", queue.pop());
    println!("pop: {:?}", queue.pop()); // empty: None, at once

    // Four producers share one queue with no lock; it holds all 100 values.
    let queue = ArrayQueue::new(100);
    thread::scope(|s| {
        for t in 0..4 {
            let queue = &queue;
            s.spawn(move || {
                for n in 0..25 {
                    queue.push(t * 25 + n).unwrap();
                }
            });
        }
    });
    let mut sum = 0;
    while let Some(n) = queue.pop() {
        sum += n;
    }
    println!("values pushed by four threads add up to {sum}");
}

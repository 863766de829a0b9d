use std::time::{Duration, Instant};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();

    // A hundred tasks, each waiting 100 ms, as a request waits for a reply.
    let tasks: Vec<_> = (0..100)
        .map(|id| {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                id
            })
        })
        .collect();

    let mut sum = 0;
    for task in tasks {
        sum += task.await.unwrap();
    }
    println!("100 tasks waited 100 ms each, on one thread; their ids add up to {sum}");
    println!("time taken: {} ms", start.elapsed().as_millis());
}

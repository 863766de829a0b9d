use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Stands for work that keeps a thread busy for 200 ms: a computation, or a
/// call that blocks, such as reading a file with std::fs.
fn slow_sum() -> u64 {
    thread::sleep(Duration::from_millis(200));
    (1..=100).sum()
}

/// Prints three ticks, 5 ms apart.
async fn ticker() {
    for i in 1..=3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        println!("  tick {i}");
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("slow_sum inside a task:");
    let ticks = tokio::spawn(ticker());
    // The task prints the sum before it gives the thread back.
    let sum = tokio::spawn(async { println!("  sum: {}", slow_sum()) });
    sum.await.unwrap();
    ticks.await.unwrap();

    println!("slow_sum with spawn_blocking:");
    let (done, ticked) = mpsc::channel();
    let ticks = tokio::spawn(async move {
        ticker().await;
        done.send(()).unwrap();
    });
    let sum = tokio::task::spawn_blocking(move || {
        let sum = slow_sum();
        // Hand the sum over only once the ticker is done, so that the order
        // of the lines never rests on 15 ms being less than 200 ms.
        ticked.recv().unwrap();
        sum
    });
    println!("  sum: {}", sum.await.unwrap());
    ticks.await.unwrap();
}

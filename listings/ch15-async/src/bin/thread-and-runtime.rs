use std::thread;

use tokio::sync::mpsc;

#[tokio::main]
async fn main() {
    let (requests, mut incoming) = mpsc::channel::<u64>(2);
    let (replies, mut answers) = mpsc::channel::<u64>(2);

    // An ordinary thread, outside the runtime: it may block, so it uses
    // the blocking_ methods.
    let client = thread::spawn(move || {
        for n in 1..=3 {
            requests.blocking_send(n).unwrap();
            let square = answers.blocking_recv().unwrap();
            println!("thread: {n} squared is {square}");
        }
        // Dropping `requests` closes the channel.
    });

    // main's body, which the runtime runs with block_on: it awaits.
    while let Some(n) = incoming.recv().await {
        replies.send(n * n).await.unwrap();
    }
    println!("runtime: the thread has hung up");

    // The thread has ended, so this join does not block the runtime.
    client.join().unwrap();
}

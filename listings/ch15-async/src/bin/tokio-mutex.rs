use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

/// Stands for a connection whose every write waits for the network.
struct Connection {
    sent: Vec<String>,
}

impl Connection {
    async fn send(&mut self, line: String) {
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.sent.push(line);
    }
}

#[tokio::main]
async fn main() {
    let connection = Arc::new(Mutex::new(Connection { sent: Vec::new() }));

    let tasks: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let connection = Arc::clone(&connection);
            tokio::spawn(async move {
                // The guard is held across both writes: no other task's
                // line can come between them.
                let mut connection = connection.lock().await;
                connection.send(format!("{name}: hello")).await;
                connection.send(format!("{name}: goodbye")).await;
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    let sent = &connection.lock().await.sent;
    let together = sent.chunks(2).all(|pair| pair[0][..1] == pair[1][..1]);
    println!("lines sent: {}", sent.len());
    println!("each task's two lines went out together: {together}");
}

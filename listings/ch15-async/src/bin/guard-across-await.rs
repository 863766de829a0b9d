use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::main]
async fn main() {
    let visits = Arc::new(Mutex::new(Vec::new()));

    let task = tokio::spawn({
        let visits = Arc::clone(&visits);
        async move {
            let mut guard = visits.lock().unwrap();
            guard.push(1);
            tokio::time::sleep(Duration::from_millis(10)).await;
            guard.push(10);
        }
    });
    task.await.unwrap();
}

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The guard lives only inside this function, which has no `.await`.
fn record(visits: &Mutex<Vec<u32>>, id: u32) {
    visits.lock().unwrap().push(id);
}

#[tokio::main]
async fn main() {
    let visits = Arc::new(Mutex::new(Vec::new()));

    let tasks: Vec<_> = (1..=3)
        .map(|id| {
            let visits = Arc::clone(&visits);
            tokio::spawn(async move {
                record(&visits, id);
                tokio::time::sleep(Duration::from_millis(10)).await;
                record(&visits, id * 10);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    let mut visits = visits.lock().unwrap().clone();
    visits.sort();
    println!("visits: {visits:?}");
}

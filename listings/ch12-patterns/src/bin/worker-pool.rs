use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

type Job = Box<dyn FnOnce() + Send + 'static>;

const WORKERS: usize = 3;

fn main() {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));

    let workers: Vec<_> = (0..WORKERS)
        .map(|id| {
            let rx = Arc::clone(&rx);
            thread::spawn(move || worker(id, &rx))
        })
        .collect();

    for n in 1..=8_u64 {
        let job: Job = Box::new(move || {
            thread::sleep(Duration::from_millis(5));
            println!("job {n}: {n} squared is {}", n * n);
        });
        tx.send(job).unwrap();
    }
    drop(tx);

    for handle in workers {
        handle.join().unwrap();
    }
    println!("all workers have stopped");
}

fn worker(id: usize, jobs: &Mutex<Receiver<Job>>) {
    loop {
        // The guard is a temporary of this statement: the lock is released
        // before the job runs, so other workers can take jobs meanwhile.
        let next = jobs.lock().unwrap().recv();
        match next {
            Ok(job) => job(),
            Err(_) => break, // the channel is empty and every Sender is gone
        }
    }
    println!("worker {id}: no more jobs");
}

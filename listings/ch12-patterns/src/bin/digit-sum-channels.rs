use std::sync::mpsc;
use std::thread;

// Four on any machine, so that the output is the same everywhere.
const THREADS: usize = 4;

fn main() {
    // The numbers 1 to 1000 written one after another: "123456789101112…1000".
    let digits: String = (1..=1000).map(|n| n.to_string()).collect();
    let chunk_len = digits.len().div_ceil(THREADS);

    let (tx, rx) = mpsc::channel();
    let mut workers = Vec::new();
    for (index, chunk) in digits.as_bytes().chunks(chunk_len).enumerate() {
        let chunk = chunk.to_vec(); // each thread gets its own copy
        let tx = tx.clone();
        workers.push(thread::spawn(move || {
            let sum: u64 = chunk.iter().map(|digit| u64::from(digit - b'0')).sum();
            tx.send((index, sum)).unwrap();
        }));
    }
    drop(tx);

    let mut total = 0;
    for (index, sum) in rx {
        println!("chunk {index}: {sum}");
        total += sum;
    }
    // A thread that panicked sent nothing; joining turns that into an error.
    for worker in workers {
        worker.join().unwrap();
    }
    println!("sum of the digits: {total}");
}

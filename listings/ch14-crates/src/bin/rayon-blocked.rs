use std::sync::mpsc;

use rayon::prelude::*;

fn main() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();

    // Two jobs that wait for input, as a job waiting on a file or a socket
    // would. Each of them blocks one of the pool's two threads.
    let mut inputs = Vec::new();
    for job in 0..2 {
        let (tx, rx) = mpsc::channel::<String>();
        inputs.push(tx);
        pool.spawn(move || {
            let line = rx.recv().unwrap();
            println!("job {job} got {line:?}");
        });
    }
    println!("two jobs wait for their input on the pool's two threads");

    // No thread of the pool is free to run this: it waits for ever,
    // and so the input below is never sent.
    let sum: u64 = pool.install(|| (1..=100_u64).into_par_iter().sum());
    println!("sum: {sum}");
    for tx in inputs {
        tx.send("hello".to_owned()).unwrap();
    }
}

use std::thread;

use crossbeam_channel::bounded;

const WORKERS: usize = 3;

fn main() {
    let (numbers_tx, numbers) = bounded::<u64>(4);
    let (squares_tx, squares) = bounded::<u64>(4);

    thread::scope(|s| {
        // Stage 1: one source.
        s.spawn(move || {
            for n in 1..=10 {
                numbers_tx.send(n).unwrap();
            }
        }); // numbers_tx is dropped: the channel closes once it is empty

        // Stage 2, fanned out: the workers share one channel, each number
        // going to one of them.
        for _ in 0..WORKERS {
            let (numbers, squares_tx) = (numbers.clone(), squares_tx.clone());
            s.spawn(move || {
                for n in numbers {
                    squares_tx.send(n * n).unwrap();
                }
            });
        }
        // main's own `squares_tx` would keep the collector below waiting for
        // ever. Its spare `numbers` would not, but without it a source whose
        // workers had all stopped gets an error from `send` instead of waiting.
        drop((numbers, squares_tx));

        // Stage 3, fanned in: main collects from every worker.
        let (mut count, mut sum) = (0, 0);
        for square in squares {
            count += 1;
            sum += square;
        }
        println!("squares received: {count}");
        println!("sum of the squares of 1 to 10: {sum}");
    });
}

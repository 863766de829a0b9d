use std::thread;

// Four on any machine, so that the output is the same everywhere.
const THREADS: usize = 4;

fn digit_sum(digits: &[u8]) -> u64 {
    digits.iter().map(|digit| u64::from(digit - b'0')).sum()
}

fn main() {
    let digits: String = (1..=1000).map(|n| n.to_string()).collect();
    let chunk_len = digits.len().div_ceil(THREADS);

    let sums: Vec<u64> = thread::scope(|s| {
        let handles: Vec<_> = digits
            .as_bytes()
            .chunks(chunk_len)
            .map(|chunk| s.spawn(move || digit_sum(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });

    println!("sums of the chunks: {sums:?}");
    println!("sum of the digits: {}", sums.iter().sum::<u64>());
}

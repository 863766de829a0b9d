// ANCHOR: solution
// ANCHOR: starter
use std::ops::Range;
use std::thread;

/// Splits `0..len` into exactly `parts` ranges, one after the other, whose
/// lengths differ by at most one.
fn split_evenly(len: usize, parts: usize) -> Vec<Range<usize>> {
    // ANCHOR_END: starter
    let (base, extra) = (len / parts, len % parts);
    let mut start = 0;
    (0..parts)
        .map(|part| {
            // The first `extra` parts take one element more.
            let end = start + base + usize::from(part < extra);
            let range = start..end;
            start = end;
            range
        })
        .collect()
}

// ANCHOR: sum
/// Sums the digits of `digits` on exactly `threads` threads, and returns
/// the partial sum of each thread, in the order of the input.
fn digit_sum(digits: &str, threads: usize) -> Vec<u64> {
    // ANCHOR_END: sum
    let bytes = digits.as_bytes();
    thread::scope(|s| {
        let handles: Vec<_> = split_evenly(bytes.len(), threads)
            .into_iter()
            .map(|range| {
                let chunk = &bytes[range];
                s.spawn(move || chunk.iter().map(|digit| u64::from(digit - b'0')).sum())
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    })
}

// ANCHOR: main
fn main() {
    let digits: String = (1..=1000).map(|n| n.to_string()).collect();
    for threads in [1, 4, 7, 59] {
        let sums = digit_sum(&digits, threads);
        let total: u64 = sums.iter().sum();
        let partial = sums.len();
        println!("threads: {threads:2}, partial sums: {partial:2}, total: {total}");
    }
    // Fewer digits than threads: some threads have nothing to add.
    println!("9876 on 6 threads: {:?}", digit_sum("9876", 6));
}
// ANCHOR_END: main
// ANCHOR_END: solution

// ANCHOR: solution
// ANCHOR: starter
use std::num::NonZeroUsize;
use std::ops::Range;
use std::thread;

/// Splits `0..len` into exactly `parts` ranges, one after the other, whose
/// lengths differ by at most one; `None` if `parts` is 0.
fn split_evenly(len: usize, parts: usize) -> Option<Vec<Range<usize>>> {
    // ANCHOR_END: starter
    // `checked_div` and `checked_rem` return `None` instead of dividing by 0.
    let base = len.checked_div(parts)?;
    let extra = len.checked_rem(parts)?;
    let mut start = 0;
    let ranges = (0..parts)
        .map(|part| {
            // The first `extra` parts take one element more.
            let end = start + base + usize::from(part < extra);
            let range = start..end;
            start = end;
            range
        })
        .collect();
    Some(ranges)
}

// ANCHOR: sum
/// Sums the digits of `digits` on exactly `threads` threads, and returns
/// the partial sum of each thread, in the order of the input; `None` if
/// `threads` is 0, since then no thread could do the work.
fn digit_sum(digits: &str, threads: usize) -> Option<Vec<u64>> {
    // ANCHOR_END: sum
    let bytes = digits.as_bytes();
    let ranges = split_evenly(bytes.len(), threads)?;
    let sums = thread::scope(|s| {
        let handles: Vec<_> = ranges
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
    });
    Some(sums)
}

// ANCHOR: main
fn main() {
    let digits: String = (1..=1000).map(|n| n.to_string()).collect();
    for threads in [1, 4, 7, 59] {
        let sums = digit_sum(&digits, threads).unwrap();
        let total: u64 = sums.iter().sum();
        let partial = sums.len();
        println!("threads: {threads:2}, partial sums: {partial:2}, total: {total}");
    }
    // Fewer digits than threads: some threads have nothing to add.
    println!("9876 on 6 threads: {:?}", digit_sum("9876", 6));
    println!("no digits on 4 threads: {:?}", digit_sum("", 4));
    println!("9876 on 0 threads: {:?}", digit_sum("9876", 0));

    // As many threads as this machine runs at once; the count differs from
    // machine to machine, the total does not.
    let threads = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let total: u64 = digit_sum(&digits, threads).unwrap().iter().sum();
    println!("on every thread this machine offers: total {total}");
}
// ANCHOR_END: main
// ANCHOR_END: solution

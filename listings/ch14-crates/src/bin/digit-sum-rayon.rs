use rayon::prelude::*;

fn main() {
    let digits: String = (1..=1000).map(|n| n.to_string()).collect();

    let sum: u64 = digits
        .as_bytes()
        .par_iter()
        .map(|digit| u64::from(digit - b'0'))
        .sum();

    println!("sum of the digits: {sum}");
    println!("threads in rayon's pool: {}", rayon::current_num_threads());
}

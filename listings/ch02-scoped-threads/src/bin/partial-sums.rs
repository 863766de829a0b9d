use std::thread;

fn main() {
    let numbers = [1, 2, 3, 4, 5, 6];
    let (left, right) = numbers.split_at(3);

    let total: i32 = thread::scope(|s| {
        let left_sum = s.spawn(|| left.iter().sum::<i32>());
        let right_sum = s.spawn(|| right.iter().sum::<i32>());
        left_sum.join().unwrap() + right_sum.join().unwrap()
    });

    println!("total = {total}");
}

use std::thread;

fn main() {
    let numbers = [1, 2, 3, 4, 5, 6];
    let (left, right) = numbers.split_at(3);
    let mut total = 0;

    thread::scope(|s| {
        s.spawn(|| {
            for n in left {
                total += n;
            }
        });
        s.spawn(|| {
            for n in right {
                total += n;
            }
        });
    });

    println!("total = {total}");
}

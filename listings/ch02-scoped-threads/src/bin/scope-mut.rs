use std::thread;

fn main() {
    let numbers = [1, 2, 3];
    let mut total = 0;
    let mut visitors = Vec::new();

    thread::scope(|s| {
        s.spawn(|| {
            for n in &numbers {
                total += n;
            }
        });
        s.spawn(|| {
            visitors.push("the second thread");
        });
    });

    println!("total = {total}");
    println!("visitors = {visitors:?}");
}

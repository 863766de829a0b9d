use std::thread;

fn main() {
    let groceries = vec!["bread", "milk", "eggs"];

    let handle = thread::spawn(move || {
        println!("{} things to buy: {groceries:?}", groceries.len());
    });

    handle.join().unwrap();
}

use std::thread;

fn main() {
    let adder = thread::spawn(|| (1..=100).sum::<u32>());
    let parser = thread::Builder::new()
        .name("parser".to_string())
        .spawn(|| "forty-two".parse::<u32>().unwrap())
        .expect("the operating system could not start a thread");

    // Both threads are running; now wait for each of them.
    let sum = adder.join().unwrap();
    let parsed = parser.join();

    println!("the adder thread returned {sum}");
    match parsed {
        Ok(number) => println!("the parser thread returned {number}"),
        Err(_) => println!("the parser thread panicked, and main carries on"),
    }
}

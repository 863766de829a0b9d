use std::thread;

fn main() {
    let adder = thread::spawn(|| (1..=100).sum::<u32>());
    let sum = adder.join().unwrap();
    println!("the adder thread returned {sum}");

    let parser = thread::Builder::new()
        .name("parser".to_string())
        .spawn(|| "forty-two".parse::<u32>().unwrap())
        .expect("the operating system could not start a thread");

    match parser.join() {
        Ok(number) => println!("the parser thread returned {number}"),
        Err(_) => println!("the parser thread panicked, and main carries on"),
    }
}

use std::thread;

fn main() {
    let text = String::from("a scope waits for every thread it spawned");

    let count = thread::spawn(|| text.split_whitespace().count());
    let longest = thread::spawn(|| text.split_whitespace().map(str::len).max().unwrap_or(0));
    let (count, longest) = (count.join().unwrap(), longest.join().unwrap());

    println!("{count} words, the longest has {longest} letters");
    println!("main still owns the text: {text:?}");
}

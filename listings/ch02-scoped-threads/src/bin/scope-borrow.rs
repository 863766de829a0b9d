use std::thread;

fn main() {
    let text = String::from("a scope waits for every thread it spawned");

    let (count, longest) = thread::scope(|s| {
        let count = s.spawn(|| text.split_whitespace().count());
        let longest = s.spawn(|| text.split_whitespace().map(str::len).max().unwrap_or(0));
        (count.join().unwrap(), longest.join().unwrap())
    });

    println!("{count} words, the longest has {longest} letters");
    println!("main still owns the text: {text:?}");
}

use std::thread;

struct Config {
    greeting: String,
    repeat: usize,
}

fn main() {
    // Built at run time, then leaked: it is never freed, so a reference to
    // it is valid for the rest of the program, 'static.
    let config: &'static Config = Box::leak(Box::new(Config {
        greeting: ["hel", "lo"].concat(),
        repeat: 2,
    }));

    let handles: Vec<_> = (1..=2)
        .map(|id| {
            thread::spawn(move || format!("thread {id}: {}", config.greeting.repeat(config.repeat)))
        })
        .collect();
    for handle in handles {
        println!("{}", handle.join().unwrap());
    }
}

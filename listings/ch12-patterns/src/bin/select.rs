use std::thread;
use std::time::Duration;

use crossbeam_channel::{never, select, unbounded};

fn main() {
    let (letters_tx, mut letters) = unbounded();
    let (numbers_tx, mut numbers) = unbounded();

    let letter_producer = thread::spawn(move || {
        for letter in ['a', 'b', 'c'] {
            letters_tx.send(letter).unwrap();
            thread::sleep(Duration::from_millis(3));
        }
    });
    let number_producer = thread::spawn(move || {
        for number in [1, 2, 3, 4] {
            numbers_tx.send(number).unwrap();
            thread::sleep(Duration::from_millis(2));
        }
    });

    let mut open = 2;
    while open > 0 {
        select! {
            recv(letters) -> message => match message {
                Ok(letter) => println!("letter: {letter}"),
                Err(_) => {
                    println!("the letters channel is closed");
                    letters = never();
                    open -= 1;
                }
            },
            recv(numbers) -> message => match message {
                Ok(number) => println!("number: {number}"),
                Err(_) => {
                    println!("the numbers channel is closed");
                    numbers = never();
                    open -= 1;
                }
            },
        }
    }
    // A producer that panicked closed its channel too: join to find out.
    letter_producer.join().unwrap();
    number_producer.join().unwrap();
}

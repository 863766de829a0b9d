use std::sync::{Barrier, Mutex};
use std::thread;

const SEATS: usize = 5;

fn main() {
    let forks: Vec<Mutex<()>> = (0..SEATS).map(|_| Mutex::new(())).collect();
    // The philosophers and main.
    let all_hold_left = Barrier::new(SEATS + 1);

    thread::scope(|s| {
        for seat in 0..SEATS {
            let left = &forks[seat];
            let right = &forks[(seat + 1) % SEATS];
            let all_hold_left = &all_hold_left;
            s.spawn(move || {
                let _left = left.lock().unwrap();
                // Make the unlucky timing certain: every philosopher
                // picks up a left fork before anyone reaches for a right one.
                all_hold_left.wait();
                let _right = right.lock().unwrap();
                println!("philosopher {seat} eats"); // never printed
            });
        }

        all_hold_left.wait();
        println!("{SEATS} philosophers each hold their left fork");
        println!("each one waits for the right fork, held by the next one");
    }); // waits for the philosophers: forever
}

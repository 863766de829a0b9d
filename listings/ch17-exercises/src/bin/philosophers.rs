// ANCHOR: solution
// ANCHOR: starter
use std::sync::Mutex;
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

/// How many times each philosopher eats.
const MEALS: u32 = 3;

struct Fork;

struct Philosopher {
    name: &'static str,
    /// Where the fork on the philosopher's left lies in the slice of forks.
    left: usize,
    /// Where the fork on the philosopher's right lies.
    right: usize,
}

impl Philosopher {
    fn dine(&self, forks: &[Mutex<Fork>], scribe: &Sender<String>) {
        // ANCHOR_END: starter
        // Every philosopher takes the lower-numbered fork first, so no
        // cycle of philosophers can each hold one fork and wait for the next.
        let first = self.left.min(self.right);
        let second = self.left.max(self.right);
        for meal in 1..=MEALS {
            thread::sleep(Duration::from_millis(1)); // think
            {
                let _first = forks[first].lock().unwrap();
                let _second = forks[second].lock().unwrap();
                thread::sleep(Duration::from_millis(1)); // eat
            } // both forks are put back here, before the philosopher writes
            let idea = format!("{}: Eureka! (idea {meal})", self.name);
            scribe.send(idea).unwrap();
        }
    }
}

// ANCHOR: main
fn main() {
    let names = ["Mozi", "Avicenna", "Anscombe", "Spinoza", "Arendt"];
    // ANCHOR_END: main
    let forks: Vec<Mutex<Fork>> = names.iter().map(|_| Mutex::new(Fork)).collect();
    let (scribe, ideas) = mpsc::channel();

    let mut written = 0;
    thread::scope(|s| {
        for (seat, name) in names.into_iter().enumerate() {
            let philosopher = Philosopher {
                name,
                left: seat,
                right: (seat + 1) % names.len(),
            };
            let (forks, scribe) = (&forks, scribe.clone());
            s.spawn(move || philosopher.dine(forks, &scribe));
        }
        // Only the philosophers' clones are left: when the last one has
        // finished, `ideas` ends.
        drop(scribe);
        for idea in ideas {
            println!("{idea}");
            written += 1;
        }
    });
    println!("the scribe wrote down {written} ideas");
}
// ANCHOR_END: solution

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

const BOLD: u32 = 0b01;
const ITALIC: u32 = 0b10;

fn main() {
    // A number. Each read-modify-write returns the value it replaced.
    let n = AtomicU32::new(5);
    n.store(7, Relaxed);
    println!("load: {}", n.load(Relaxed));
    println!(
        "swap(1) returned {}, now {}",
        n.swap(1, Relaxed),
        n.load(Relaxed)
    );
    let old = n.fetch_add(10, Relaxed);
    println!("fetch_add(10) returned {old}, now {}", n.load(Relaxed));
    let old = n.fetch_sub(3, Relaxed);
    println!("fetch_sub(3) returned {old}, now {}", n.load(Relaxed));

    // A set of flags, one bit each.
    let style = AtomicU32::new(0);
    style.fetch_or(BOLD | ITALIC, Relaxed); // set both bits
    let before = style.fetch_and(!BOLD, Relaxed); // clear one
    println!("was bold: {}", before & BOLD != 0);
    println!("is bold: {}", style.load(Relaxed) & BOLD != 0);
    println!("is italic: {}", style.load(Relaxed) & ITALIC != 0);

    // Owned or borrowed `&mut`, no other thread can be looking.
    let mut n = n;
    *n.get_mut() += 100;
    println!("into_inner: {}", n.into_inner());
}

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

const SEATS: usize = 250;

// ANCHOR: take_seat
/// Takes a seat if one is left. Returns whether it got one.
fn take_seat(sold: &AtomicUsize) -> bool {
    let mut seen = sold.load(Ordering::Relaxed);
    loop {
        if seen == SEATS {
            return false;
        }
        // Store seen + 1 only if the counter still holds `seen`.
        match sold.compare_exchange_weak(seen, seen + 1, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(now) => seen = now, // changed, or a spurious failure: retry
        }
    }
}
// ANCHOR_END: take_seat

fn main() {
    let sold = AtomicUsize::new(0);
    let booked = AtomicUsize::new(0);

    thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                for _ in 0..100 {
                    if take_seat(&sold) {
                        booked.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });

    println!("seats sold: {}", sold.load(Ordering::Relaxed));
    println!("successful bookings: {}", booked.load(Ordering::Relaxed));
}

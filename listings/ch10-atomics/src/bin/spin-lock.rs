use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

// ANCHOR: lock
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock lets one thread at a time reach the value, so threads
// that share the lock only pass the value from one to the next. That is
// sound when `T` may move between threads (`T: Send`), as for `Mutex<T>`.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub const fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    pub fn lock(&self) -> Guard<'_, T> {
        // Acquire: see everything the previous holder wrote before it unlocked.
        while self.locked.swap(true, Ordering::Acquire) {
            // Someone else holds it: wait with plain loads, which do not
            // write, until it looks free, then try the swap again.
            while self.locked.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        }
        Guard { lock: self }
    }
}
// ANCHOR_END: lock

// ANCHOR: guard
/// Proof that the lock is held, until the guard is dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct Guard<'a, T> {
    lock: &'a SpinLock<T>,
}

// SAFETY: threads that share a guard all get `&T` from it at once, which
// needs `T: Sync`. (Left to itself, the compiler would make the guard
// `Sync` whenever the lock is, which asks only for `T: Send`.)
unsafe impl<T: Sync> Sync for Guard<'_, T> {}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: while the guard lives, the lock is held, so no other guard
        // exists to touch the value; `&T` cannot outlive the guard.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this the only borrow
        // of the value through the guard.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        // Release: the next holder sees what this one wrote.
        self.lock.locked.store(false, Ordering::Release);
    }
}
// ANCHOR_END: guard

fn main() {
    let counter = SpinLock::new(0);

    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..100 {
                    *counter.lock() += 1;
                }
            });
        }
    });

    println!("Result: {}", *counter.lock());
}

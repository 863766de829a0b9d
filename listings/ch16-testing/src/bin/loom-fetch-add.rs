use std::sync::atomic::AtomicUsize as StdAtomicUsize;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicU64, Ordering};
use loom::thread;

/// How many executions loom ran (a std atomic: loom does not model it).
static EXECUTIONS: StdAtomicUsize = StdAtomicUsize::new(0);

fn main() {
    loom::model(|| {
        EXECUTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let counter = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(counter.load(Ordering::SeqCst), 2, "an update was lost");
    });
    let executions = EXECUTIONS.load(std::sync::atomic::Ordering::Relaxed);
    println!("loom ran {executions} executions; the counter ended at 2 in every one");
}

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};

/// Compiles only if `T` may be moved to another thread.
fn assert_send<T: Send>() {}

/// Compiles only if `&T` may be shared between threads.
fn assert_sync<T: Sync>() {}

fn main() {
    assert_send::<Arc<Mutex<Vec<String>>>>();
    assert_sync::<Arc<Mutex<Vec<String>>>>();
    assert_sync::<AtomicUsize>();

    assert_send::<Cell<i32>>();
    assert_send::<RefCell<i32>>();

    assert_sync::<MutexGuard<'static, i32>>();

    assert_send::<Rc<i32>>();
}

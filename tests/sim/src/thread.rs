//! `std::thread` with shuttle's threads. A spawned thread that panics is,
//! to shuttle, a failed test; to std, an `Err` from `join`. So `spawn`
//! catches the panic in the thread and `join` returns it, as std's does.
//! The main thread is called `main`, as std calls it.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe, Location};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub use std::thread::*;

pub use shuttle::thread::{AccessError, LocalKey, ThreadId, park, park_timeout, sleep, yield_now};

use crate::{trace, waits};

/// Notes for the explorer that the running thread spawned `thread`, at `at`.
fn spawned_event(thread: &shuttle::thread::Thread, at: &Location<'_>) -> usize {
    let child = usize::from(thread.id());
    trace::spawned(child, at);
    trace::event(
        format!("{} spawns {}", trace::me(), trace::thread_name(child)),
        Some(at),
    );
    child
}

/// Joins a spawned thread (`join` waits for it), noting for the deadlock
/// report and the explorer whom the running thread waits for, and at `at`.
fn join_thread<T>(
    thread: &Thread,
    finished: &AtomicBool,
    spawned: &Location<'_>,
    at: &Location<'_>,
    join: impl FnOnce() -> Result<T>,
) -> Result<T> {
    waits::wait(
        usize::MAX - spawned.line() as usize,
        format!("join the thread spawned at line {}", spawned.line()),
        at,
    );
    let name = trace::thread_name(usize::from(thread.id()));
    if !finished.load(Ordering::SeqCst) {
        trace::event(
            format!("{} waits for {name} to finish", trace::me()),
            Some(at),
        );
        trace::blocked(format!("waits for {name} to finish"));
    }
    let result = join();
    waits::done();
    trace::event(format!("{} joins {name}", trace::me()), Some(at));
    result
}

type Caught<T> = std::result::Result<T, Box<dyn Any + Send + 'static>>;

/// std's `Thread`: shuttle's, with the main thread named `main`.
#[derive(Clone, Debug)]
pub struct Thread {
    inner: shuttle::thread::Thread,
    name: Option<String>,
}

impl Thread {
    fn new(inner: shuttle::thread::Thread) -> Thread {
        let name = match inner.name() {
            Some("main-thread") => Some("main".to_owned()),
            name => name.map(str::to_owned),
        };
        Thread { inner, name }
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn id(&self) -> ThreadId {
        self.inner.id()
    }

    pub fn unpark(&self) {
        self.inner.unpark();
    }
}

/// The running thread.
pub fn current() -> Thread {
    Thread::new(shuttle::thread::current())
}

/// A spawned thread, as std's `JoinHandle`.
#[derive(Debug)]
pub struct JoinHandle<T> {
    inner: shuttle::thread::JoinHandle<Caught<T>>,
    thread: Thread,
    finished: Arc<AtomicBool>,
    spawned: &'static Location<'static>,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread: its value, or the payload of its panic.
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let inner = self.inner;
        join_thread(
            &self.thread,
            &self.finished,
            self.spawned,
            Location::caller(),
            || inner.join().and_then(|caught| caught),
        )
    }

    pub fn thread(&self) -> &Thread {
        &self.thread
    }

    /// Whether the thread has finished; asking lets the others run (a
    /// loop that asks is a wait shuttle can see).
    pub fn is_finished(&self) -> bool {
        shuttle::thread::yield_now();
        self.finished.load(Ordering::SeqCst)
    }
}

/// The body of a spawned thread: `f`, its panic caught, unless the panic
/// is shuttle's own report of a deadlock.
fn body<F: FnOnce() -> T, T>(
    f: F,
    finished: &AtomicBool,
    spawned: &'static Location<'static>,
) -> Caught<T> {
    waits::spawned(spawned);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    if let Err(payload) = &result
        && crate::explore::is_deadlock(payload.as_ref())
    {
        panic::resume_unwind(result.err().expect("an error"));
    }
    finished.store(true, Ordering::SeqCst);
    trace::event(format!("{} finishes", trace::me()), None);
    trace::finished();
    result
}

/// `std::thread::spawn`, on shuttle.
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new().spawn(f).expect("shuttle spawns")
}

/// std's `Scope`, on shuttle's: a panic in a scoped thread goes to its
/// `join`, or, where no one joins it, to the end of the scope.
#[derive(Debug)]
pub struct Scope<'scope, 'env: 'scope> {
    inner: &'scope shuttle::thread::Scope<'scope, 'env>,
    /// Scoped threads that panicked, less those whose panic `join` returned.
    panicked: Arc<AtomicUsize>,
    /// Each scoped thread, and whether it has finished: the scope's end
    /// waits for them.
    threads: std::sync::Mutex<Vec<(usize, Arc<AtomicBool>)>>,
}

/// std's `ScopedJoinHandle`.
#[derive(Debug)]
pub struct ScopedJoinHandle<'scope, T> {
    inner: shuttle::thread::ScopedJoinHandle<'scope, Caught<T>>,
    thread: Thread,
    finished: Arc<AtomicBool>,
    panicked: Arc<AtomicUsize>,
    spawned: &'static Location<'static>,
}

/// `std::thread::scope`, on shuttle.
#[track_caller]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let at = Location::caller();
    let panicked = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&panicked);
    let result = shuttle::thread::scope(move |inner| {
        // One small allocation per scope, kept to the end of the process.
        let scope: &Scope<'_, 'env> = Box::leak(Box::new(Scope {
            inner,
            panicked: count,
            threads: std::sync::Mutex::new(Vec::new()),
        }));
        let result = f(scope);
        let running: Vec<String> = scope
            .threads
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, finished)| !finished.load(Ordering::SeqCst))
            .map(|(thread, _)| trace::thread_name(*thread))
            .collect();
        if !running.is_empty() {
            let running = running.join(", ");
            trace::event(
                format!(
                    "{} waits at the end of the scope for {running}",
                    trace::me()
                ),
                Some(at),
            );
            trace::blocked(format!("waits at the end of the scope for {running}"));
        }
        result
    });
    trace::event(format!("{} leaves the scope", trace::me()), Some(at));
    if panicked.load(Ordering::SeqCst) > 0 {
        panic!("a scoped thread panicked");
    }
    result
}

impl<'scope> Scope<'scope, '_> {
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let spawned = Location::caller();
        let finished = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&finished);
        let panicked = Arc::clone(&self.panicked);
        let inner = self.inner.spawn(move || {
            let result = body(f, &done, spawned);
            if result.is_err() {
                panicked.fetch_add(1, Ordering::SeqCst);
            }
            result
        });
        let child = spawned_event(inner.thread(), spawned);
        self.threads
            .lock()
            .unwrap()
            .push((child, Arc::clone(&finished)));
        ScopedJoinHandle {
            thread: Thread::new(inner.thread().clone()),
            inner,
            finished,
            panicked: Arc::clone(&self.panicked),
            spawned,
        }
    }
}

impl<T> ScopedJoinHandle<'_, T> {
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let inner = self.inner;
        let result = join_thread(
            &self.thread,
            &self.finished,
            self.spawned,
            Location::caller(),
            || inner.join().and_then(|caught| caught),
        );
        if result.is_err() {
            self.panicked.fetch_sub(1, Ordering::SeqCst);
        }
        result
    }

    pub fn thread(&self) -> &Thread {
        &self.thread
    }

    /// Whether the thread has finished; asking lets the others run.
    pub fn is_finished(&self) -> bool {
        shuttle::thread::yield_now();
        self.finished.load(Ordering::SeqCst)
    }
}

/// `std::thread::Builder`, on shuttle.
#[derive(Debug, Default)]
pub struct Builder(shuttle::thread::Builder);

impl Builder {
    pub fn new() -> Builder {
        Builder(shuttle::thread::Builder::new())
    }

    pub fn name(self, name: String) -> Builder {
        Builder(self.0.name(name))
    }

    pub fn stack_size(self, size: usize) -> Builder {
        Builder(self.0.stack_size(size))
    }

    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> std::io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let spawned = Location::caller();
        let finished = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&finished);
        let inner = self.0.spawn(move || body(f, &done, spawned))?;
        spawned_event(inner.thread(), spawned);
        Ok(JoinHandle {
            thread: Thread::new(inner.thread().clone()),
            inner,
            finished,
            spawned,
        })
    }
}

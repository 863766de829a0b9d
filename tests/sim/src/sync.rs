//! `std::sync` with shuttle's locks, condition variables, barriers, `Once`,
//! channels and atomics, and `OnceLock` and `LazyLock` that wait on
//! shuttle's locks. `Arc`, `Weak` and the error types stay std's. `Mutex`, `Condvar` and the channels are
//! shuttle's behind a thin layer that notes who waits for what
//! ([`crate::waits`]), for the report of a deadlock.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use std::sync::*;

pub use shuttle::sync::{
    BarrierWaitResult, Once, OnceState, RwLock, RwLockReadGuard, RwLockWriteGuard,
    WaitTimeoutResult,
};

use crate::{trace, waits};

/// std's `OnceLock`: its value is set once, and a thread that comes while
/// another one initializes it waits on a shuttle lock (std's would block
/// the one thread of the system that all of shuttle's threads run on).
#[derive(Debug)]
pub struct OnceLock<T> {
    value: std::sync::OnceLock<T>,
    setting: shuttle::sync::Mutex<()>,
}

impl<T> Default for OnceLock<T> {
    fn default() -> OnceLock<T> {
        OnceLock::new()
    }
}

impl<T> OnceLock<T> {
    pub const fn new() -> OnceLock<T> {
        OnceLock {
            value: std::sync::OnceLock::new(),
            setting: shuttle::sync::Mutex::new(()),
        }
    }

    pub fn get(&self) -> Option<&T> {
        // Reading it is a point where threads meet.
        shuttle::thread::yield_now();
        self.value.get()
    }

    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    pub fn set(&self, value: T) -> Result<(), T> {
        let _setting = self.setting.lock().unwrap_or_else(PoisonError::into_inner);
        self.value.set(value)
    }

    pub fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        if let Some(value) = self.get() {
            return value;
        }
        let _setting = self.setting.lock().unwrap_or_else(PoisonError::into_inner);
        self.value.get_or_init(init)
    }

    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    pub fn take(&mut self) -> Option<T> {
        self.value.take()
    }
}

/// std's `LazyLock`, on [`OnceLock`]: the first thread to use it runs the
/// initializer, the others wait for it on a shuttle lock.
pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    init: F,
}

impl<T, F: Fn() -> T> LazyLock<T, F> {
    pub const fn new(init: F) -> LazyLock<T, F> {
        LazyLock {
            cell: OnceLock::new(),
            init,
        }
    }

    pub fn force(this: &LazyLock<T, F>) -> &T {
        this.cell.get_or_init(&this.init)
    }
}

impl<T, F: Fn() -> T> Deref for LazyLock<T, F> {
    type Target = T;
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyLock")
            .field("value", &self.cell.value.get())
            .finish()
    }
}

/// std's `Barrier`, on shuttle's, noting each arrival for the explorer.
pub struct Barrier {
    inner: shuttle::sync::Barrier,
    created: &'static Location<'static>,
    count: usize,
    /// How many threads wait at it now.
    there: std::sync::Mutex<usize>,
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Barrier { .. }")
    }
}

impl Barrier {
    #[track_caller]
    pub fn new(count: usize) -> Barrier {
        Barrier {
            inner: shuttle::sync::Barrier::new(count),
            created: Location::caller(),
            count,
            there: std::sync::Mutex::new(0),
        }
    }

    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        let count = self.count;
        let arrived = {
            let mut there = self.there.lock().unwrap();
            *there += 1;
            let arrived = *there;
            if arrived >= count {
                *there = 0;
            }
            arrived
        };
        let now = if arrived >= count { 0 } else { arrived };
        let name = trace::object(
            std::ptr::from_ref(self) as usize,
            "Barrier",
            self.created,
            format!("0 of {count} there"),
            format!("{now} of {count} there"),
        );
        let me = trace::me();
        if arrived >= count {
            trace::event(
                format!("{me} arrives at {name} ({arrived} of {count}): all go on"),
                Some(Location::caller()),
            );
        } else {
            trace::event(
                format!("{me} arrives at {name} ({arrived} of {count}): waits"),
                Some(Location::caller()),
            );
            trace::blocked(format!("waits at {name} for {} more", count - arrived));
        }
        self.inner.wait()
    }
}

/// std's `Mutex`, on shuttle's.
pub struct Mutex<T: ?Sized> {
    created: &'static Location<'static>,
    poisoned: AtomicBool,
    inner: shuttle::sync::Mutex<T>,
}

/// std's `MutexGuard`, on shuttle's.
pub struct MutexGuard<'a, T: ?Sized> {
    inner: Option<shuttle::sync::MutexGuard<'a, T>>,
    lock: &'a Mutex<T>,
}

fn map_lock<'a, T: ?Sized>(
    lock: &'a Mutex<T>,
    result: LockResult<shuttle::sync::MutexGuard<'a, T>>,
) -> LockResult<MutexGuard<'a, T>> {
    let wrap = |guard| MutexGuard {
        inner: Some(guard),
        lock,
    };
    match result {
        Ok(guard) => Ok(wrap(guard)),
        Err(poisoned) => Err(PoisonError::new(wrap(poisoned.into_inner()))),
    }
}

impl<T> Mutex<T> {
    #[track_caller]
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            created: Location::caller(),
            poisoned: AtomicBool::new(false),
            inner: shuttle::sync::Mutex::new(value),
        }
    }

    pub fn into_inner(self) -> LockResult<T> {
        let poisoned = self.poisoned.load(Ordering::SeqCst);
        let value = match self.inner.into_inner() {
            Ok(value) => value,
            Err(error) => error.into_inner(),
        };
        if poisoned {
            Err(PoisonError::new(value))
        } else {
            Ok(value)
        }
    }
}

impl<T: ?Sized> Mutex<T> {
    fn id(&self) -> usize {
        std::ptr::from_ref(self).cast::<()>() as usize
    }

    /// Notes it for the explorer as `held by <thread>` or `free`.
    fn traced(&self, holder: Option<usize>) -> String {
        let value = holder.map_or("free".to_owned(), |thread| {
            format!("held by {}", trace::thread_name(thread))
        });
        trace::object(self.id(), "Mutex", self.created, "free".to_owned(), value)
    }

    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        let me = waits::me();
        if let Some(holder) = waits::holder(self.id()).filter(|holder| *holder != me) {
            let name = self.traced(Some(holder));
            let holder = trace::thread_name(holder);
            trace::event(
                format!(
                    "{} tries to lock {name}, held by {holder}: waits",
                    trace::me()
                ),
                Some(at),
            );
            trace::blocked(format!("waits to lock {name}, held by {holder}"));
        }
        waits::made(self.id(), self.created.line());
        waits::wait(
            self.id(),
            format!("lock the Mutex made at line {}", self.created.line()),
            at,
        );
        let result = self.inner.lock();
        waits::took(self.id(), at);
        let name = self.traced(Some(me));
        trace::event(format!("{} locks {name}", trace::me()), Some(at));
        self.poisoned_or(map_lock(self, result))
    }

    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        match self.inner.try_lock() {
            Ok(guard) => {
                waits::took(self.id(), at);
                let name = self.traced(Some(waits::me()));
                trace::event(format!("{} locks {name} (try_lock)", trace::me()), Some(at));
                self.poisoned_or(map_lock(self, Ok(guard)))
                    .map_err(TryLockError::Poisoned)
            }
            Err(TryLockError::WouldBlock) => {
                let holder = waits::holder(self.id());
                let name = self.traced(holder);
                let holder = holder.map_or("another thread".to_owned(), trace::thread_name);
                trace::event(
                    format!(
                        "{} tries to lock {name}, held by {holder}: try_lock gives up",
                        trace::me()
                    ),
                    Some(at),
                );
                Err(TryLockError::WouldBlock)
            }
            Err(TryLockError::Poisoned(poisoned)) => {
                waits::took(self.id(), at);
                let guard = map_lock(self, Ok(poisoned.into_inner()));
                Err(TryLockError::Poisoned(PoisonError::new(
                    guard.unwrap_or_else(PoisonError::into_inner),
                )))
            }
        }
    }

    fn poisoned_or<'a>(
        &self,
        result: LockResult<MutexGuard<'a, T>>,
    ) -> LockResult<MutexGuard<'a, T>> {
        let guard = result.unwrap_or_else(PoisonError::into_inner);
        if self.poisoned.load(Ordering::SeqCst) {
            Err(PoisonError::new(guard))
        } else {
            Ok(guard)
        }
    }

    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::SeqCst)
    }

    pub fn clear_poison(&self) {
        self.inner.clear_poison();
        self.poisoned.store(false, Ordering::SeqCst);
    }

    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        let poisoned = self.poisoned.load(Ordering::SeqCst);
        let value = match self.inner.get_mut() {
            Ok(value) => value,
            Err(error) => error.into_inner(),
        };
        if poisoned {
            Err(PoisonError::new(value))
        } else {
            Ok(value)
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_ref().expect("a guard holds its lock")
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect("a guard holds its lock")
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if self.inner.is_some() {
            if std::thread::panicking() {
                self.lock.poisoned.store(true, Ordering::SeqCst);
            }
            waits::released(self.lock.id());
            let name = self.lock.traced(None);
            trace::event(format!("{} unlocks {name}", trace::me()), None);
        }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// std's `Condvar`, on shuttle's.
pub struct Condvar {
    created: &'static Location<'static>,
    inner: shuttle::sync::Condvar,
    /// How many threads wait on it now, for the explorer.
    waiting: std::sync::atomic::AtomicUsize,
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Condvar { .. }")
    }
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Condvar {
        Condvar::new()
    }
}

impl Condvar {
    #[track_caller]
    pub const fn new() -> Condvar {
        Condvar {
            created: Location::caller(),
            inner: shuttle::sync::Condvar::new(),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Notes it for the explorer, with `change` threads more waiting;
    /// returns its name and how many wait now.
    fn traced(&self, change: isize) -> (String, usize) {
        let waiting = if change >= 0 {
            self.waiting
                .fetch_add(change.unsigned_abs(), Ordering::SeqCst)
                + change.unsigned_abs()
        } else {
            self.waiting
                .fetch_sub(change.unsigned_abs(), Ordering::SeqCst)
                - change.unsigned_abs()
        };
        let name = trace::object(
            std::ptr::from_ref(self) as usize,
            "Condvar",
            self.created,
            "0 waiting".to_owned(),
            format!("{waiting} waiting"),
        );
        (name, waiting)
    }

    /// Waits with the guard's lock let go, noting the wait; the guard
    /// comes back holding the lock again.
    fn around<'a, T, R>(
        &self,
        mut guard: MutexGuard<'a, T>,
        at: &'static Location<'static>,
        wait: impl FnOnce(shuttle::sync::MutexGuard<'a, T>) -> (shuttle::sync::MutexGuard<'a, T>, R),
    ) -> (MutexGuard<'a, T>, R) {
        let lock = guard.lock;
        let inner = guard.inner.take().expect("a guard holds its lock");
        waits::released(lock.id());
        let mutex = lock.traced(None);
        let (name, _) = self.traced(1);
        trace::event(
            format!("{} waits on {name}, unlocking {mutex}", trace::me()),
            Some(at),
        );
        trace::blocked(format!("waits on {name} for a notification"));
        waits::wait(
            std::ptr::from_ref(self) as usize,
            format!(
                "be woken through the Condvar made at line {}",
                self.created.line()
            ),
            at,
        );
        let (inner, result) = wait(inner);
        waits::took(lock.id(), at);
        let (name, _) = self.traced(-1);
        let mutex = lock.traced(Some(waits::me()));
        trace::event(
            format!("{} wakes from {name} and locks {mutex} again", trace::me()),
            Some(at),
        );
        (
            MutexGuard {
                inner: Some(inner),
                lock,
            },
            result,
        )
    }

    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let lock = guard.lock;
        let (guard, ()) = self.around(guard, Location::caller(), |inner| {
            (
                self.inner
                    .wait(inner)
                    .unwrap_or_else(PoisonError::into_inner),
                (),
            )
        });
        lock.poisoned_or(Ok(guard))
    }

    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = Location::caller();
        while condition(&mut *guard) {
            let (again, ()) = self.around(guard, at, |inner| {
                (
                    self.inner
                        .wait(inner)
                        .unwrap_or_else(PoisonError::into_inner),
                    (),
                )
            });
            guard = again;
        }
        let lock = guard.lock;
        lock.poisoned_or(Ok(guard))
    }

    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let lock = guard.lock;
        let (guard, timed_out) = self.around(guard, Location::caller(), |inner| {
            self.inner
                .wait_timeout(inner, timeout)
                .unwrap_or_else(PoisonError::into_inner)
        });
        match lock.poisoned_or(Ok(guard)) {
            Ok(guard) => Ok((guard, timed_out)),
            Err(error) => Err(PoisonError::new((error.into_inner(), timed_out))),
        }
    }

    #[track_caller]
    pub fn wait_timeout_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
        condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let lock = guard.lock;
        let (guard, timed_out) = self.around(guard, Location::caller(), |inner| {
            self.inner
                .wait_timeout_while(inner, timeout, condition)
                .unwrap_or_else(PoisonError::into_inner)
        });
        match lock.poisoned_or(Ok(guard)) {
            Ok(guard) => Ok((guard, timed_out)),
            Err(error) => Err(PoisonError::new((error.into_inner(), timed_out))),
        }
    }

    #[track_caller]
    pub fn notify_one(&self) {
        self.inner.notify_one();
        self.notified("one thread", Location::caller());
    }

    #[track_caller]
    pub fn notify_all(&self) {
        self.inner.notify_all();
        self.notified("every thread", Location::caller());
    }

    fn notified(&self, whom: &str, at: &Location<'_>) {
        let (name, waiting) = self.traced(0);
        let words = match waiting {
            0 => format!("notifies {name}, but no thread waits on it: the notification is lost"),
            _ => format!("notifies {whom} waiting on {name}"),
        };
        trace::event(format!("{} {words}", trace::me()), Some(at));
    }
}

/// shuttle's channels, noting who waits in `recv` and which `Sender`s
/// still keep such a wait going.
pub mod mpsc {
    use std::panic::Location;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    pub use shuttle::sync::mpsc::{
        RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError,
    };

    use crate::{trace, waits};

    static NEXT: AtomicUsize = AtomicUsize::new(1);

    /// What a channel's ends know of it.
    #[derive(Debug)]
    struct Channel {
        created: &'static Location<'static>,
        id: usize,
        /// Messages in it and Senders alive, for the explorer.
        queued: AtomicUsize,
        senders: AtomicUsize,
    }

    impl Channel {
        fn new(created: &'static Location<'static>) -> Arc<Channel> {
            let channel = Arc::new(Channel {
                created,
                id: NEXT.fetch_add(1, Ordering::Relaxed),
                queued: AtomicUsize::new(0),
                senders: AtomicUsize::new(0),
            });
            channel.traced();
            channel
        }

        /// Notes it for the explorer; returns its name.
        fn traced(&self) -> String {
            let queued = self.queued.load(Ordering::SeqCst);
            let senders = self.senders.load(Ordering::SeqCst);
            let plural = if senders == 1 { "" } else { "s" };
            let name = trace::object(
                self.id,
                "channel",
                self.created,
                "0 queued, 1 Sender alive".to_owned(),
                format!("{queued} queued, {senders} Sender{plural} alive"),
            );
            if name.starts_with('`') {
                format!("the channel {name}")
            } else {
                name
            }
        }

        /// The running thread did `what` to it (`{}`: the channel's name).
        fn event(&self, what: &str, at: Option<&Location<'_>>) {
            let name = self.traced();
            trace::event(format!("{} {}", trace::me(), what.replace("{}", &name)), at);
        }

        fn sent(&self, at: &Location<'_>) {
            self.queued.fetch_add(1, Ordering::SeqCst);
            self.event("sends a message on {}", Some(at));
        }
    }

    #[derive(Debug)]
    pub struct Sender<T> {
        inner: shuttle::sync::mpsc::Sender<T>,
        channel: Arc<Channel>,
        id: usize,
    }

    #[derive(Debug)]
    pub struct SyncSender<T> {
        inner: shuttle::sync::mpsc::SyncSender<T>,
        channel: Arc<Channel>,
        id: usize,
    }

    #[derive(Debug)]
    pub struct Receiver<T> {
        inner: shuttle::sync::mpsc::Receiver<T>,
        channel: Arc<Channel>,
    }

    fn sender_id(channel: &Channel, at: &Location<'_>) -> usize {
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        waits::keeps(channel.id, id, at);
        channel.senders.fetch_add(1, Ordering::SeqCst);
        id
    }

    fn sender_gone(channel: &Channel, id: usize) {
        waits::gone(channel.id, id);
        channel.senders.fetch_sub(1, Ordering::SeqCst);
        channel.event("drops a Sender of {}", None);
    }

    #[track_caller]
    pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
        let at = Location::caller();
        let channel = Channel::new(at);
        let (tx, rx) = shuttle::sync::mpsc::channel();
        let id = sender_id(&channel, at);
        (
            Sender {
                inner: tx,
                channel: Arc::clone(&channel),
                id,
            },
            Receiver { inner: rx, channel },
        )
    }

    #[track_caller]
    pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
        let at = Location::caller();
        let channel = Channel::new(at);
        let (tx, rx) = shuttle::sync::mpsc::sync_channel(bound);
        let id = sender_id(&channel, at);
        (
            SyncSender {
                inner: tx,
                channel: Arc::clone(&channel),
                id,
            },
            Receiver { inner: rx, channel },
        )
    }

    impl<T> Sender<T> {
        #[track_caller]
        pub fn send(&self, value: T) -> Result<(), SendError<T>> {
            let result = self.inner.send(value);
            if result.is_ok() {
                self.channel.sent(Location::caller());
            }
            result
        }
    }

    impl<T> Clone for Sender<T> {
        #[track_caller]
        fn clone(&self) -> Sender<T> {
            let id = sender_id(&self.channel, Location::caller());
            self.channel
                .event("clones a Sender of {}", Some(Location::caller()));
            Sender {
                inner: self.inner.clone(),
                channel: Arc::clone(&self.channel),
                id,
            }
        }
    }

    impl<T> Drop for Sender<T> {
        fn drop(&mut self) {
            sender_gone(&self.channel, self.id);
        }
    }

    impl<T> SyncSender<T> {
        #[track_caller]
        pub fn send(&self, value: T) -> Result<(), SendError<T>> {
            waits::wait(
                self.channel.id + (1 << 40),
                format!(
                    "send on the channel made at line {} (it is full)",
                    self.channel.created.line()
                ),
                Location::caller(),
            );
            let result = self.inner.send(value);
            waits::done();
            if result.is_ok() {
                self.channel.sent(Location::caller());
            }
            result
        }

        pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
            self.inner.try_send(value)
        }
    }

    impl<T> Clone for SyncSender<T> {
        #[track_caller]
        fn clone(&self) -> SyncSender<T> {
            SyncSender {
                inner: self.inner.clone(),
                channel: Arc::clone(&self.channel),
                id: sender_id(&self.channel, Location::caller()),
            }
        }
    }

    impl<T> Drop for SyncSender<T> {
        fn drop(&mut self) {
            sender_gone(&self.channel, self.id);
        }
    }

    impl<T> Receiver<T> {
        fn recv_at(&self, at: &Location<'_>) -> Result<T, RecvError> {
            let channel = &self.channel;
            if channel.queued.load(Ordering::SeqCst) == 0 {
                channel.event("waits to receive on {}: it is empty", Some(at));
                let senders = channel.senders.load(Ordering::SeqCst);
                trace::blocked(format!(
                    "waits to receive on {}, which is empty, while {senders} Sender{} alive",
                    channel.traced(),
                    if senders == 1 { " is" } else { "s are" }
                ));
            }
            waits::wait(
                self.channel.id,
                format!(
                    "receive on the channel made at line {}",
                    self.channel.created.line()
                ),
                at,
            );
            let result = self.inner.recv();
            waits::done();
            match &result {
                Ok(_) => {
                    channel.queued.fetch_sub(1, Ordering::SeqCst);
                    channel.event("receives a message from {}", Some(at));
                }
                Err(_) => channel.event(
                    "finds {} empty with every Sender gone: the receiving ends",
                    Some(at),
                ),
            }
            result
        }

        #[track_caller]
        pub fn recv(&self) -> Result<T, RecvError> {
            self.recv_at(Location::caller())
        }

        #[track_caller]
        pub fn try_recv(&self) -> Result<T, TryRecvError> {
            let result = self.inner.try_recv();
            self.took(result.is_ok(), Location::caller());
            result
        }

        #[track_caller]
        pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
            let result = self.inner.recv_timeout(timeout);
            self.took(result.is_ok(), Location::caller());
            result
        }

        /// Notes a message taken without waiting, if one was.
        fn took(&self, taken: bool, at: &Location<'_>) {
            if taken {
                self.channel.queued.fetch_sub(1, Ordering::SeqCst);
                self.channel.event("receives a message from {}", Some(at));
            }
        }

        #[track_caller]
        pub fn iter(&self) -> Iter<'_, T> {
            Iter {
                rx: self,
                at: Location::caller(),
            }
        }

        pub fn try_iter(&self) -> TryIter<'_, T> {
            TryIter { rx: self }
        }
    }

    #[derive(Debug)]
    pub struct Iter<'a, T> {
        rx: &'a Receiver<T>,
        at: &'static Location<'static>,
    }

    impl<T> Iterator for Iter<'_, T> {
        type Item = T;
        fn next(&mut self) -> Option<T> {
            self.rx.recv_at(self.at).ok()
        }
    }

    #[derive(Debug)]
    pub struct TryIter<'a, T> {
        rx: &'a Receiver<T>,
    }

    impl<T> Iterator for TryIter<'_, T> {
        type Item = T;
        fn next(&mut self) -> Option<T> {
            self.rx.try_recv().ok()
        }
    }

    #[derive(Debug)]
    pub struct IntoIter<T> {
        rx: Receiver<T>,
        at: &'static Location<'static>,
    }

    impl<T> Iterator for IntoIter<T> {
        type Item = T;
        fn next(&mut self) -> Option<T> {
            self.rx.recv_at(self.at).ok()
        }
    }

    impl<'a, T> IntoIterator for &'a Receiver<T> {
        type Item = T;
        type IntoIter = Iter<'a, T>;
        #[track_caller]
        fn into_iter(self) -> Iter<'a, T> {
            self.iter()
        }
    }

    impl<T> IntoIterator for Receiver<T> {
        type Item = T;
        type IntoIter = IntoIter<T>;
        #[track_caller]
        fn into_iter(self) -> IntoIter<T> {
            IntoIter {
                rx: self,
                at: Location::caller(),
            }
        }
    }
}

/// shuttle's atomics: every access is a point where shuttle may switch
/// threads. It runs every ordering as `SeqCst`.
/// std's atomics: shuttle's, with the operations a reader steps through
/// in the explorer noted (a load, a store, a swap, an add or a subtract, a
/// compare-exchange) and the value they leave shown. Other operations are
/// shuttle's own, through `Deref`, and are not noted.
pub mod atomic {
    pub use shuttle::sync::atomic::*;

    use std::fmt;
    use std::ops::Deref;
    use std::panic::Location;

    use crate::trace;

    macro_rules! traced_atomic {
        ($name:ident, $value:ty $(, $int:ident)?) => {
            pub struct $name {
                inner: shuttle::sync::atomic::$name,
                created: &'static Location<'static>,
                /// The value it was made with: shown until it is first used.
                initial: $value,
            }

            impl $name {
                #[track_caller]
                pub const fn new(value: $value) -> $name {
                    $name {
                        inner: shuttle::sync::atomic::$name::new(value),
                        created: Location::caller(),
                        initial: value,
                    }
                }

                /// Notes it, holding `value` now; returns its name.
                fn traced(&self, value: $value) -> String {
                    let address = std::ptr::from_ref(self) as usize;
                    trace::object(
                        address,
                        stringify!($name),
                        self.created,
                        format!("{:?}", self.initial),
                        format!("{value:?}"),
                    )
                }

                #[track_caller]
                pub fn load(&self, order: Ordering) -> $value {
                    let value = self.inner.load(order);
                    let name = self.traced(value);
                    trace::event(
                        format!("{} loads {name}: {value:?}", trace::me()),
                        Some(Location::caller()),
                    );
                    value
                }

                #[track_caller]
                pub fn store(&self, value: $value, order: Ordering) {
                    self.inner.store(value, order);
                    let name = self.traced(value);
                    trace::event(
                        format!("{} stores {value:?} in {name}", trace::me()),
                        Some(Location::caller()),
                    );
                }

                #[track_caller]
                pub fn swap(&self, value: $value, order: Ordering) -> $value {
                    let old = self.inner.swap(value, order);
                    let name = self.traced(value);
                    trace::event(
                        format!("{} swaps {value:?} into {name}, taking out {old:?}", trace::me()),
                        Some(Location::caller()),
                    );
                    old
                }

                traced_atomic!(@exchange $value, compare_exchange);
                traced_atomic!(@exchange $value, compare_exchange_weak);

                fn exchanged(
                    &self,
                    current: $value,
                    new: $value,
                    result: Result<$value, $value>,
                    at: &Location<'_>,
                ) {
                    let (now, words) = match result {
                        Ok(_) => (new, format!("finds {current:?}, puts {new:?}")),
                        Err(seen) => (seen, format!("expects {current:?} but finds {seen:?}: fails")),
                    };
                    let name = self.traced(now);
                    trace::event(
                        format!("{} compare-exchanges {name}: {words}", trace::me()),
                        Some(at),
                    );
                }

                pub fn get_mut(&mut self) -> &mut $value {
                    self.inner.get_mut()
                }

                pub fn into_inner(self) -> $value {
                    self.inner.into_inner()
                }

                $(traced_atomic!(@$int $value);)?
            }

            impl Deref for $name {
                type Target = shuttle::sync::atomic::$name;
                fn deref(&self) -> &Self::Target {
                    &self.inner
                }
            }

            impl Default for $name {
                #[track_caller]
                fn default() -> $name {
                    $name::new(<$value>::default())
                }
            }

            impl From<$value> for $name {
                #[track_caller]
                fn from(value: $value) -> $name {
                    $name::new(value)
                }
            }

            impl fmt::Debug for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::Debug::fmt(&self.inner, f)
                }
            }
        };
        (@exchange $value:ty, $method:ident) => {
            #[track_caller]
            pub fn $method(
                &self,
                current: $value,
                new: $value,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$value, $value> {
                let result = self.inner.$method(current, new, success, failure);
                self.exchanged(current, new, result, Location::caller());
                result
            }
        };
        (@int $value:ty) => {
            traced_atomic!(@add $value, fetch_add, wrapping_add, "adds {:?} to {} (it was {:?})");
            traced_atomic!(@add $value, fetch_sub, wrapping_sub, "subtracts {:?} from {} (it was {:?})");
        };
        (@add $value:ty, $method:ident, $wrapping:ident, $words:literal) => {
            #[track_caller]
            pub fn $method(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.$method(value, order);
                let name = self.traced(old.$wrapping(value));
                trace::event(
                    format!(concat!("{} ", $words), trace::me(), value, name, old),
                    Some(Location::caller()),
                );
                old
            }
        };
    }

    traced_atomic!(AtomicBool, bool);
    traced_atomic!(AtomicUsize, usize, int);
    traced_atomic!(AtomicIsize, isize, int);
    traced_atomic!(AtomicU64, u64, int);
    traced_atomic!(AtomicI64, i64, int);
    traced_atomic!(AtomicU32, u32, int);
    traced_atomic!(AtomicI32, i32, int);
}

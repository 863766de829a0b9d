//! Who waits for what, and who holds it: the stand-ins for std's locks,
//! channels and handles note each wait (with the line of the listing it
//! is at) and each lock taken, so that a deadlock can be told as a cycle.

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::Mutex;

#[derive(Default)]
struct Registry {
    /// What each waiting thread waits for, and the line it waits at.
    waiting: BTreeMap<usize, (usize, String, u32)>,
    /// Which thread holds each lock, and the line it took it at.
    held: BTreeMap<usize, (usize, u32)>,
    /// Where each thread was spawned.
    spawned: BTreeMap<usize, u32>,
    /// What else keeps a wait going, by resource: "a Sender (line 12)".
    others: BTreeMap<usize, Vec<(usize, u32)>>,
    /// The line each lock was made at, by resource.
    made: BTreeMap<usize, u32>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

/// A deadlock described when it was found, before unwinding let go of
/// the locks it names.
static DESCRIBED: Mutex<Option<String>> = Mutex::new(None);

fn with<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let mut registry = REGISTRY.lock().unwrap();
    f(registry.get_or_insert_with(Registry::default))
}

/// The running shuttle thread's number (0: main).
pub(crate) fn me() -> usize {
    shuttle::current::try_get_current_task().map_or(0, usize::from)
}

/// Forgets the execution before.
pub(crate) fn reset() {
    *REGISTRY.lock().unwrap() = None;
    *DESCRIBED.lock().unwrap() = None;
}

/// Notes the deadlock `report` now, while every lock is still held.
pub(crate) fn found(report: &str) {
    let text = describe(report);
    *DESCRIBED.lock().unwrap() = Some(text);
}

/// The deadlock as it was when found, or as it is now.
pub(crate) fn described(report: &str) -> String {
    let found = DESCRIBED.lock().unwrap().take();
    found.unwrap_or_else(|| describe(report))
}

/// A lock, made at `line`, is known by that line, and by its rank among
/// the locks made there (by address: the order of a `Vec`'s elements).
pub(crate) fn made(resource: usize, line: u32) {
    with(|r| r.made.insert(resource, line));
}

fn lock_name(registry: &Registry, resource: usize, line: u32) -> String {
    let same: Vec<usize> = registry
        .made
        .iter()
        .filter(|(_, made)| **made == line)
        .map(|(id, _)| *id)
        .collect();
    match same.iter().position(|id| *id == resource) {
        Some(rank) if same.len() > 1 => format!(
            "the Mutex made at line {line} (number {} of the {} made there that were locked)",
            rank + 1,
            same.len()
        ),
        _ => format!("the Mutex made at line {line}"),
    }
}

/// The thread starts waiting for `resource` (`what`, in words) at `at`.
pub(crate) fn wait(resource: usize, what: String, at: &Location<'_>) {
    let me = me();
    with(|r| r.waiting.insert(me, (resource, what, at.line())));
}

/// The thread waits no more.
pub(crate) fn done() {
    let me = me();
    with(|r| r.waiting.remove(&me));
}

/// The thread took the lock `resource` at `at`.
pub(crate) fn took(resource: usize, at: &Location<'_>) {
    let me = me();
    with(|r| {
        r.waiting.remove(&me);
        r.held.insert(resource, (me, at.line()))
    });
}

/// Which thread holds the lock `resource`, if one does.
pub(crate) fn holder(resource: usize) -> Option<usize> {
    let registry = REGISTRY.lock().unwrap();
    registry
        .as_ref()?
        .held
        .get(&resource)
        .map(|(holder, _)| *holder)
}

/// The lock `resource` is free again.
pub(crate) fn released(resource: usize) {
    with(|r| r.held.remove(&resource));
}

/// The running thread was spawned at `at`.
pub(crate) fn spawned(at: &Location<'_>) {
    let me = me();
    with(|r| r.spawned.insert(me, at.line()));
}

/// Something (`id`, made at `at`) that keeps a wait for `resource` going,
/// such as a `Sender` of a channel a thread receives from.
pub(crate) fn keeps(resource: usize, id: usize, at: &Location<'_>) {
    with(|r| r.others.entry(resource).or_default().push((id, at.line())));
}

/// It is gone.
pub(crate) fn gone(resource: usize, id: usize) {
    with(|r| {
        if let Some(list) = r.others.get_mut(&resource) {
            list.retain(|(other, _)| *other != id);
        }
    });
}

/// A thread, as a reader knows it.
fn name(registry: &Registry, thread: usize) -> String {
    match (thread, registry.spawned.get(&thread)) {
        (0, _) => "main".to_owned(),
        (_, Some(line)) => format!("thread {thread} (spawned at line {line})"),
        (_, None) => format!("thread {thread}"),
    }
}

/// The deadlock, in words: each waiting thread, what it waits for at which
/// line, and who holds that. `report` is shuttle's own message.
pub(crate) fn describe(report: &str) -> String {
    let registry = REGISTRY.lock().unwrap();
    let Some(registry) = registry.as_ref() else {
        return report.to_owned();
    };
    if registry.waiting.is_empty() {
        return report.to_owned();
    }
    let mut text = String::from("every thread left is blocked:");
    let cycle = lock_cycle(registry);
    for (thread, (resource, what, line)) in &registry.waiting {
        let what = match registry.made.get(resource) {
            Some(made) => what.replace(
                &format!("the Mutex made at line {made}"),
                &lock_name(registry, *resource, *made),
            ),
            None => what.clone(),
        };
        text.push_str(&format!(
            "\n  {} waits at line {line} to {what}",
            name(registry, *thread)
        ));
        if let Some((holder, took)) = registry.held.get(resource) {
            let holder = if holder == thread {
                "itself".to_owned()
            } else {
                name(registry, *holder)
            };
            text.push_str(&format!(", held by {holder} since line {took}"));
        }
        if let Some(others) = registry
            .others
            .get(resource)
            .filter(|list| !list.is_empty())
        {
            let lines: Vec<String> = others.iter().map(|(_, line)| line.to_string()).collect();
            text.push_str(&format!(
                ", while {} of its Senders {} still alive (made at line {})",
                others.len(),
                if others.len() == 1 { "is" } else { "are" },
                lines.join(", ")
            ));
        }
    }
    if let Some(cycle) = cycle {
        let short = |thread: usize| match thread {
            0 => "main".to_owned(),
            _ => format!("thread {thread}"),
        };
        let mut words = format!("\n  so they wait in a cycle: {}", short(cycle[0]));
        for thread in cycle.iter().skip(1).chain(std::iter::once(&cycle[0])) {
            words.push_str(&format!(" waits for {}", short(*thread)));
            if *thread != cycle[0] {
                words.push_str(", which");
            }
        }
        text.push_str(&words);
    }
    text
}

/// Threads that each wait for a lock the next one holds, the last for one
/// the first holds, if there are such threads.
fn lock_cycle(registry: &Registry) -> Option<Vec<usize>> {
    let waits_for = |thread: usize| -> Option<usize> {
        let (resource, _, _) = registry.waiting.get(&thread)?;
        registry.held.get(resource).map(|(holder, _)| *holder)
    };
    for &start in registry.waiting.keys() {
        let mut path = vec![start];
        let mut next = waits_for(start);
        while let Some(thread) = next {
            if let Some(at) = path.iter().position(|t| *t == thread) {
                return Some(path[at..].to_vec());
            }
            path.push(thread);
            next = waits_for(thread);
        }
    }
    None
}

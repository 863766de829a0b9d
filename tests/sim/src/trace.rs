//! The steps of one execution, for the schedule explorer
//! (tools/verify/src/explorer.rs): the stand-ins for std's threads, locks,
//! atomics and barriers note each thing a thread does that another can see
//! ("t1 locks `alice`"), and the scheduler cuts those notes into steps
//! where it chooses a thread: one step is what the chosen thread does until
//! the next choice. After each step the state a reader sees is kept: each
//! thread's place, each shared object's value, the output so far.
//!
//! Off unless `SIM_GRAPH` is set: the search of every listing does not pay
//! for it.

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use serde::Serialize;

static ON: AtomicBool = AtomicBool::new(false);

/// The listing's lines, to name an object by the variable it is bound to.
static SOURCE: OnceLock<Vec<String>> = OnceLock::new();

pub(crate) fn start(source_path: &str) {
    ON.store(true, Ordering::SeqCst);
    let text = std::fs::read_to_string(source_path).unwrap_or_default();
    let _ = SOURCE.set(text.lines().map(str::to_owned).collect());
}

fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// What a thread is doing, as the reader sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct ThreadView {
    pub status: &'static str,
    pub line: Option<u32>,
    pub doing: Option<String>,
}

/// A shared object: what it is and the line that made it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub(crate) struct Object {
    pub name: String,
    pub what: String,
    pub line: u32,
    /// What it holds before any thread uses it.
    #[serde(skip)]
    pub initial: String,
}

/// The state after a step.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Snapshot {
    pub threads: BTreeMap<usize, ThreadView>,
    pub objects: BTreeMap<Object, String>,
    pub output: String,
}

/// One step: what one thread did between two choices of the scheduler.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub thread: usize,
    pub line: Option<u32>,
    pub label: String,
    pub after: Snapshot,
}

#[derive(Default)]
struct Trace {
    /// The state before the first step.
    start: Option<Snapshot>,
    steps: Vec<Step>,
    /// The events of the step being run: thread, line, words.
    open: Vec<(usize, Option<u32>, String)>,
    threads: BTreeMap<usize, ThreadView>,
    /// By address: the object and its value now.
    objects: BTreeMap<usize, (Object, String)>,
}

static TRACE: Mutex<Option<Trace>> = Mutex::new(None);

fn with(f: impl FnOnce(&mut Trace)) {
    if !on() {
        return;
    }
    let mut trace = TRACE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(trace.get_or_insert_with(Trace::default));
}

/// The line each thread was first seen spawned at, over all executions.
static SPAWNED: Mutex<BTreeMap<usize, u32>> = Mutex::new(BTreeMap::new());

/// The running thread spawned `thread` at `at`.
pub(crate) fn spawned(thread: usize, at: &Location<'_>) {
    if let (true, Some(line)) = (on(), line_of(at)) {
        let mut spawned = SPAWNED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        spawned.entry(thread).or_insert(line);
    }
}

/// The line `thread` was spawned at, if it was spawned in the listing.
pub(crate) fn spawn_line(thread: usize) -> Option<u32> {
    let spawned = SPAWNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    spawned.get(&thread).copied()
}

/// A thread's short name: `main`, `t1`.
pub(crate) fn thread_name(thread: usize) -> String {
    match thread {
        0 => "main".to_owned(),
        n => format!("t{n}"),
    }
}

/// The running thread's short name.
pub(crate) fn me() -> String {
    thread_name(crate::waits::me())
}

/// The line of the listing at `at`, if it is in the listing.
pub(crate) fn line_of(at: &Location<'_>) -> Option<u32> {
    at.file().ends_with(".listing.rs").then(|| at.line())
}

/// The name a reader knows the object made at `line` by, if its line
/// binds a variable (`let alice = Mutex::new(100);`).
fn name_at(line: u32) -> Option<String> {
    let text = SOURCE
        .get()
        .and_then(|lines| lines.get(line as usize - 1))
        .map_or("", |text| text.trim());
    let words = text
        .strip_prefix("let mut ")
        .or_else(|| text.strip_prefix("let "))
        .or_else(|| text.strip_prefix("static "))
        .or_else(|| text.strip_prefix("pub static "));
    let bound = words.map(|rest| {
        // `let (tx, rx) = …` binds a tuple: it is known by the whole pattern.
        let end = if rest.starts_with('(') {
            rest.find(')').map_or(rest.len(), |end| end + 1)
        } else {
            rest.find([' ', ':', '=']).unwrap_or(rest.len())
        };
        rest[..end].to_owned()
    });
    bound.filter(|name| !name.is_empty())
}

/// Notes the object at `address`, made at `made` (a `Location` in the
/// listing) holding `initial`, with its value now; returns how the steps
/// call it: its variable in backquotes, or "the Mutex made at line 14".
pub(crate) fn object(
    address: usize,
    what: &str,
    made: &Location<'_>,
    initial: String,
    value: String,
) -> String {
    let line = made.line();
    let bound = name_at(line);
    let name = bound
        .clone()
        .unwrap_or_else(|| format!("the {what} made at line {line}"));
    with(|trace| {
        let object = Object {
            name: name.clone(),
            what: what.to_owned(),
            line,
            initial,
        };
        trace.objects.insert(address, (object, value));
    });
    match bound {
        Some(name) => format!("`{name}`"),
        None => name,
    }
}

/// Something the running thread did that others can see, at `at`.
pub(crate) fn event(words: String, at: Option<&Location<'_>>) {
    let thread = crate::waits::me();
    let line = at.and_then(line_of);
    with(|trace| {
        let view = trace.threads.entry(thread).or_insert(ThreadView {
            status: "ready",
            line: None,
            doing: None,
        });
        view.status = "ready";
        view.doing = None;
        if line.is_some() {
            view.line = line;
        }
        trace.open.push((thread, line, words));
    });
}

/// The running thread now waits: `doing` says for what.
pub(crate) fn blocked(doing: String) {
    let thread = crate::waits::me();
    with(|trace| {
        if let Some(view) = trace.threads.get_mut(&thread) {
            view.status = "blocked";
            view.doing = Some(doing);
        }
    });
}

/// The running thread has finished.
pub(crate) fn finished() {
    let thread = crate::waits::me();
    with(|trace| {
        if let Some(view) = trace.threads.get_mut(&thread) {
            view.status = "done";
            view.doing = None;
        }
    });
}

fn snapshot(trace: &Trace, output: &str) -> Snapshot {
    Snapshot {
        threads: trace.threads.clone(),
        objects: trace.objects.values().cloned().collect(),
        output: output.to_owned(),
    }
}

/// The scheduler chooses a thread: the step run since the last choice ends.
pub(crate) fn choice() {
    with(|trace| {
        if trace.start.is_none() {
            trace.threads.entry(0).or_insert(ThreadView {
                status: "ready",
                line: None,
                doing: None,
            });
            trace.start = Some(snapshot(trace, ""));
        }
        close(trace, &crate::out::peek());
    });
}

/// Ends the step being run; `output` is what the program has printed.
fn close(trace: &mut Trace, output: &str) {
    let open = std::mem::take(&mut trace.open);
    let mut events = open.into_iter().peekable();
    while let Some((thread, line, words)) = events.next() {
        let mut label = words;
        let mut first_line = line;
        while let Some((_, line, words)) = events.next_if(|(next, _, _)| *next == thread) {
            label.push_str("; ");
            label.push_str(&words);
            first_line = first_line.or(line);
        }
        let after = snapshot(trace, output);
        trace.steps.push(Step {
            thread,
            line: first_line,
            label,
            after,
        });
    }
}

/// Forgets the execution before.
pub(crate) fn reset() {
    if on() {
        *TRACE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// The execution's start and steps, its last step closed: `output` is
/// all it printed. A `main` that is not blocked has returned.
pub(crate) fn take(output: &str) -> Option<(Snapshot, Vec<Step>)> {
    if !on() {
        return None;
    }
    let mut trace = TRACE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut trace = trace.take()?;
    close(&mut trace, output);
    // The last step may have been closed when the program had already
    // handed its output over: the end state shows all of it.
    if let Some(last) = trace.steps.last_mut() {
        last.after.output = output.to_owned();
        if let Some(main) = last.after.threads.get_mut(&0)
            && main.status != "blocked"
        {
            main.status = "done";
        }
    }
    let start = trace.start.take()?;
    Some((start, trace.steps))
}

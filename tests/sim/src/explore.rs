//! Running a listing's `main` on many schedules: every schedule, by
//! depth-first search, where that ends within the budget; otherwise a
//! sample of random and of PCT schedules (PCT: a few priority changes,
//! placed at random, which finds bugs that need few preemptions often).
//!
//! A deadlocked execution is, to shuttle, a failed test that ends the
//! search. Here it is one more outcome: the search goes on with the same
//! scheduler, so a listing that hangs by design can be checked to hang on
//! every schedule.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use shuttle::scheduler::{DfsScheduler, PctScheduler, RandomScheduler, ReplayScheduler};
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};
use shuttle_engine::scheduler::serialization::serialize_schedule;

use crate::bounded::BoundedDfs;
use crate::graph::Tree;
use crate::out;

/// How an execution ended.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ending {
    /// `main` returned.
    Exited,
    /// `main` panicked (a process would exit with 101).
    Panicked,
    /// Every thread left waits for another: shuttle's report.
    Deadlocked(String),
    /// Another failure of shuttle's: a step bound, or a scoped thread's panic.
    Failed(String),
}

/// One distinct way the listing ran: how it ended and what it printed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Outcome {
    pub ending: Ending,
    pub output: String,
    /// How many schedules ended this way.
    pub count: u64,
    /// The first schedule that did, as `shuttle::replay` reads it.
    pub schedule: String,
}

/// What a search found.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// Schedules run by depth-first search.
    pub dfs: u64,
    /// Whether that search ran every schedule there is.
    pub dfs_complete: bool,
    /// Schedules with at most `preemptions` preemptions, run by a
    /// depth-first search where the search of all did not end.
    pub bounded: u64,
    /// Whether that search ran every such schedule.
    pub bounded_complete: bool,
    pub preemptions: usize,
    /// Random schedules, run where the search of all did not end.
    pub random: u64,
    /// PCT schedules, and their depth.
    pub pct: u64,
    pub pct_depth: usize,
    pub outcomes: Vec<Outcome>,
}

/// The budget: `SIM_DFS` schedules or `SIM_SECONDS` for the search of all
/// schedules, then `SIM_BOUNDED` for those with at most `SIM_PREEMPTIONS`
/// preemptions, then `SIM_SAMPLES` random and as many PCT schedules of
/// depth `SIM_PCT_DEPTH`.
struct Budget {
    dfs: u64,
    preemptions: usize,
    bounded: u64,
    seconds: f64,
    samples: u64,
    pct_depth: usize,
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// The entry point of a listing compiled for the schedule layer. With
/// `SIM_REPLAY=<schedule>`: runs that one schedule, printing what the
/// listing prints and how it ended. Otherwise: searches, and writes the
/// [`Report`] to the file `SIM_OUT` names.
pub fn explore(source: &'static str, main: fn()) {
    if let Ok(schedule) = std::env::var("SIM_REPLAY") {
        replay(source, main, &schedule);
        return;
    }
    let budget = Budget {
        dfs: env("SIM_DFS", 20_000),
        preemptions: env("SIM_PREEMPTIONS", 2),
        bounded: env("SIM_BOUNDED", 5_000),
        seconds: env("SIM_SECONDS", 60.0),
        samples: env("SIM_SAMPLES", 1000),
        pct_depth: env("SIM_PCT_DEPTH", 3),
    };
    let graph = std::env::var("SIM_GRAPH").ok();
    if graph.is_some() {
        crate::trace::start(source);
    }
    let mut search = Search::new(source, main);
    if graph.is_some() {
        search.store.borrow_mut().tree = Some(Tree::default());
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(budget.seconds);
    let dfs = search.run(DfsScheduler::new(None, false), budget.dfs, Some(deadline));
    let mut report = Report {
        dfs: dfs.executions,
        dfs_complete: dfs.exhausted && !dfs.spun,
        ..Report::default()
    };
    if let Some(path) = &graph {
        // Only a search of every schedule makes a graph a reader can trust.
        let tree = search.store.borrow_mut().tree.take();
        if let (true, Some(tree)) = (report.dfs_complete, tree) {
            std::fs::write(path, tree.to_json()).expect("SIM_GRAPH is writable");
        }
    }
    if !report.dfs_complete {
        // A search cut short proves nothing: search the schedules with few
        // preemptions instead, then sample, from the start.
        search.store = Rc::default();
        let deadline = Instant::now() + Duration::from_secs_f64(budget.seconds);
        let bounded = search.run(
            BoundedDfs::new(budget.preemptions),
            budget.bounded,
            Some(deadline),
        );
        report.bounded = bounded.executions;
        report.bounded_complete = bounded.exhausted && !bounded.spun;
        report.preemptions = budget.preemptions;
        report.random = search
            .run(
                RandomScheduler::new_from_seed(1, usize::MAX),
                budget.samples,
                None,
            )
            .executions;
        report.pct = search
            .run(
                PctScheduler::new_from_seed(2, budget.pct_depth, usize::MAX),
                budget.samples,
                None,
            )
            .executions;
        report.pct_depth = budget.pct_depth;
    }
    let store = search.store.borrow();
    report.outcomes = store
        .order
        .iter()
        .map(|key| store.outcomes[key].clone())
        .collect();
    let json = serde_json::to_string(&report).expect("a report is JSON");
    match std::env::var("SIM_OUT") {
        Ok(path) => std::fs::write(&path, json).expect("SIM_OUT is writable"),
        Err(_) => println!("{json}"),
    }
}

fn config() -> Config {
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    config.max_steps = MaxSteps::FailAfter(env("SIM_MAX_STEPS", 200_000));
    config.stack_size = 1 << 20;
    config.silence_warnings = true;
    config
}

/// One schedule, as a reader replays it: the output on stdout, the ending
/// on stderr, and the exit code a process would have (2: deadlocked).
fn replay(source: &'static str, main: fn(), schedule: &str) {
    out::capture_panics(source);
    let runner = Runner::new(ReplayScheduler::new_from_encoded(schedule), config());
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        runner.run(move || {
            let _ = body(main);
        })
    }));
    let ending = match result {
        Ok(_) => ending_of_last_run(),
        Err(payload) => failure(payload.as_ref()),
    };
    print!("{}", out::take());
    match ending {
        Ending::Exited => {}
        Ending::Panicked => std::process::exit(101),
        Ending::Deadlocked(report) => {
            eprintln!("{report}");
            std::process::exit(2)
        }
        Ending::Failed(report) => {
            eprintln!("{report}");
            std::process::exit(3)
        }
    }
}

thread_local! {
    static LAST_ENDING: RefCell<Option<Ending>> = const { RefCell::new(None) };
}

fn ending_of_last_run() -> Ending {
    LAST_ENDING.with(|last| last.borrow_mut().take().unwrap_or(Ending::Exited))
}

/// How many executions have started in this process.
static SCHEDULE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The number of the execution that runs now.
pub(crate) fn schedule_number() -> u64 {
    SCHEDULE.load(std::sync::atomic::Ordering::SeqCst)
}

/// One execution: the listing's `main`, its output kept apart.
fn body(main: fn()) -> Ending {
    SCHEDULE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    out::reset();
    crate::waits::reset();
    let ending = match panic::catch_unwind(main) {
        Ok(()) => Ending::Exited,
        Err(payload) if is_deadlock(payload.as_ref()) => {
            Ending::Deadlocked(crate::waits::described(&message(payload.as_ref())))
        }
        Err(_) => Ending::Panicked,
    };
    LAST_ENDING.with(|last| *last.borrow_mut() = Some(ending.clone()));
    ending
}

/// A panic's message.
pub(crate) fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_else(|| "Box<dyn Any>".to_owned())
}

/// Whether a panic is shuttle's report of a deadlock (every thread blocked,
/// or a thread locking a `Mutex` it holds).
pub(crate) fn is_deadlock(payload: &(dyn std::any::Any + Send)) -> bool {
    message(payload).starts_with("deadlock!")
}

/// How a failed execution ended, from shuttle's panic.
fn failure(payload: &(dyn std::any::Any + Send)) -> Ending {
    let message = message(payload);
    if is_deadlock(payload) {
        Ending::Deadlocked(crate::waits::described(&message))
    } else {
        Ending::Failed(message)
    }
}

/// The outcomes of every execution so far, each kept once, in the order
/// they were first seen.
#[derive(Default)]
struct Store {
    outcomes: HashMap<(Ending, String), Outcome>,
    order: Vec<(Ending, String)>,
    /// Every execution's steps, where the explorer's graph is wanted.
    tree: Option<Tree>,
}

impl Store {
    fn record(&mut self, ending: Ending, output: String, schedule: Option<&Schedule>) {
        if let (Some(tree), Some((start, steps))) =
            (self.tree.as_mut(), crate::trace::take(&output))
        {
            tree.add(start, steps, &ending, &output);
        }
        let key = (ending.clone(), output.clone());
        let order = &mut self.order;
        let outcome = self.outcomes.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            Outcome {
                ending,
                output,
                count: 0,
                schedule: schedule.map(serialize_schedule).unwrap_or_default(),
            }
        });
        outcome.count += 1;
    }
}

/// How the execution that just ended ended, and what it printed: kept
/// until the scheduler, starting the next one, knows its whole schedule.
static ENDED: Mutex<Option<(Ending, String)>> = Mutex::new(None);

struct Search {
    main: fn(),
    store: Rc<RefCell<Store>>,
}

/// What one run of a scheduler did.
struct Ran {
    executions: u64,
    /// The scheduler had no schedule left.
    exhausted: bool,
    /// An execution ran past the step bound: a spin loop, which a
    /// depth-first search can follow forever.
    spun: bool,
}

/// A scheduler that keeps the schedule it is choosing and the outcome of
/// each execution, and stops at a count or a time.
struct Recording<S> {
    inner: Rc<RefCell<S>>,
    track: Rc<RefCell<Track>>,
    store: Rc<RefCell<Store>>,
}

struct Track {
    current: Option<Schedule>,
    executions: u64,
    limit: u64,
    deadline: Option<Instant>,
    exhausted: bool,
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        let mut track = self.track.borrow_mut();
        let finished = track.current.take();
        if let Some((ending, output)) = ENDED.lock().unwrap().take() {
            self.store
                .borrow_mut()
                .record(ending, output, finished.as_ref());
        }
        crate::trace::reset();
        if track.executions >= track.limit || track.deadline.is_some_and(|at| Instant::now() > at) {
            return None;
        }
        let Some(schedule) = self.inner.borrow_mut().new_execution() else {
            track.exhausted = true;
            return None;
        };
        track.executions += 1;
        track.current = Some(schedule.clone());
        Some(schedule)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let next = self
            .inner
            .borrow_mut()
            .next_task(runnable, current, is_yielding)?;
        crate::trace::choice();
        if let Some(schedule) = self.track.borrow_mut().current.as_mut() {
            schedule.push_task(next);
        }
        Some(next)
    }

    fn next_u64(&mut self) -> u64 {
        if let Some(schedule) = self.track.borrow_mut().current.as_mut() {
            schedule.push_random();
        }
        self.inner.borrow_mut().next_u64()
    }
}

impl Search {
    fn new(source: &'static str, main: fn()) -> Search {
        out::capture_panics(source);
        Search {
            main,
            store: Rc::default(),
        }
    }

    /// Runs `scheduler` for at most `limit` executions (and until
    /// `deadline`), going on after each failed one.
    fn run<S: Scheduler + 'static>(
        &mut self,
        scheduler: S,
        limit: u64,
        deadline: Option<Instant>,
    ) -> Ran {
        let inner = Rc::new(RefCell::new(scheduler));
        let track = Rc::new(RefCell::new(Track {
            current: None,
            executions: 0,
            limit,
            deadline,
            exhausted: false,
        }));
        let mut spun = false;
        loop {
            let recording = Recording {
                inner: Rc::clone(&inner),
                track: Rc::clone(&track),
                store: Rc::clone(&self.store),
            };
            let main = self.main;
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                Runner::new(recording, config()).run(move || {
                    let ending = body(main);
                    *ENDED.lock().unwrap() = Some((ending, out::take()));
                })
            }));
            let Err(payload) = result else {
                break;
            };
            let ending = failure(payload.as_ref());
            let schedule = track.borrow_mut().current.take();
            if matches!(&ending, Ending::Failed(message) if message.contains("max_steps")) {
                spun = true;
                if deadline.is_some() {
                    // A depth-first search cannot get past a spin loop.
                    break;
                }
            }
            self.store
                .borrow_mut()
                .record(ending, out::take(), schedule.as_ref());
        }
        let track = track.borrow();
        Ran {
            executions: track.executions,
            exhausted: track.exhausted,
            spun,
        }
    }
}

//! Every schedule with at most a given number of preemptions, depth first.
//!
//! A preemption is a switch away from a thread that could have gone on:
//! at a point where threads meet, the running thread is still runnable and
//! did not yield, and another one is chosen. Switches at a thread that
//! blocks, ends or yields are free. Most concurrency bugs need few
//! preemptions to show (the observation behind context bounding, in
//! Musuvathi and Qadeer's CHESS), and the schedules with few preemptions
//! are far fewer than all of them, so a search of those ends where a
//! search of all does not.

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

/// One point of choice of the current execution.
struct Level {
    /// The threads that may go next, the running one first.
    options: Vec<TaskId>,
    chosen: usize,
    /// Preemptions before this choice.
    before: usize,
    /// The running thread, where it could go on without a preemption.
    running: Option<TaskId>,
}

impl Level {
    fn after(&self) -> usize {
        let preempted = self
            .running
            .is_some_and(|running| self.options[self.chosen] != running);
        self.before + usize::from(preempted)
    }
}

pub(crate) struct BoundedDfs {
    bound: usize,
    levels: Vec<Level>,
    step: usize,
    started: bool,
    random: u64,
}

impl BoundedDfs {
    pub(crate) fn new(bound: usize) -> BoundedDfs {
        BoundedDfs {
            bound,
            levels: Vec::new(),
            step: 0,
            started: false,
            random: 0,
        }
    }
}

impl Scheduler for BoundedDfs {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started {
            // The next schedule: the deepest choice that has another option.
            while let Some(level) = self.levels.last_mut() {
                if level.chosen + 1 < level.options.len() {
                    level.chosen += 1;
                    break;
                }
                self.levels.pop();
            }
            if self.levels.is_empty() {
                return None;
            }
        }
        self.started = true;
        self.step = 0;
        self.random = 0x2545_f491_4f6c_dd1d;
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        if self.step == self.levels.len() {
            let before = self.levels.last().map_or(0, Level::after);
            let running = current
                .filter(|current| !is_yielding && runnable.iter().any(|t| t.id() == *current));
            let options: Vec<TaskId> = match running {
                Some(running) if before >= self.bound => vec![running],
                Some(running) => std::iter::once(running)
                    .chain(runnable.iter().map(|t| t.id()).filter(|id| *id != running))
                    .collect(),
                None => runnable.iter().map(|t| t.id()).collect(),
            };
            self.levels.push(Level {
                options,
                chosen: 0,
                before,
                running,
            });
        }
        let level = &self.levels[self.step];
        self.step += 1;
        Some(level.options[level.chosen])
    }

    fn next_u64(&mut self) -> u64 {
        // The same values in every execution, as a search needs.
        self.random ^= self.random << 13;
        self.random ^= self.random >> 7;
        self.random ^= self.random << 17;
        self.random
    }
}

//! Every execution of a search, as one graph for the schedule explorer:
//! the executions' steps (crate::trace) merged where they begin alike, so
//! that a state's steps are the threads a reader can pick there, then
//! states whose whole future is the same made one. The format is the one
//! tools/verify/src/explorer.rs describes, less what the engine adds.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::explore::Ending;
use crate::trace::{Object, Snapshot, Step, ThreadView};

/// A state of the tree of executions.
struct Node {
    state: Snapshot,
    /// By the step's thread and words: its line and the next node.
    children: BTreeMap<(usize, String), (Option<u32>, usize)>,
    end: Option<(Ending, String)>,
}

/// The tree of every execution recorded so far.
#[derive(Default)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    /// Per distinct ending and output: how many executions, and the nodes
    /// of the first one.
    ends: Vec<((Ending, String), u64, Vec<usize>)>,
}

impl Tree {
    pub(crate) fn add(&mut self, start: Snapshot, steps: Vec<Step>, ending: &Ending, output: &str) {
        if self.nodes.is_empty() {
            self.nodes.push(Node {
                state: start,
                children: BTreeMap::new(),
                end: None,
            });
        }
        let mut at = 0;
        let mut path = vec![0];
        for step in steps {
            let key = (step.thread, step.label);
            at = match self.nodes[at].children.get(&key) {
                Some(&(_, next)) => next,
                None => {
                    let next = self.nodes.len();
                    self.nodes.push(Node {
                        state: step.after,
                        children: BTreeMap::new(),
                        end: None,
                    });
                    self.nodes[at].children.insert(key, (step.line, next));
                    next
                }
            };
            path.push(at);
        }
        self.nodes[at].end = Some((ending.clone(), output.to_owned()));
        let outcome = (ending.clone(), output.to_owned());
        match self.ends.iter_mut().find(|(seen, _, _)| *seen == outcome) {
            Some((_, count, _)) => *count += 1,
            None => self.ends.push((outcome, 1, path)),
        }
    }

    /// The graph, as JSON.
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(&self.graph()).expect("a graph is JSON")
    }

    fn graph(&self) -> Graph {
        // Who and what appear anywhere, in a fixed order.
        let mut threads = BTreeSet::new();
        let mut objects = BTreeSet::new();
        for node in &self.nodes {
            threads.extend(node.state.threads.keys().copied());
            objects.extend(node.state.objects.keys().cloned());
        }
        let threads: Vec<usize> = (0..=threads.last().copied().unwrap_or(0)).collect();
        let objects: Vec<Object> = objects.into_iter().collect();

        // States, children first, each made once per distinct future.
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut states: Vec<State> = Vec::new();
        let mut canonical = vec![usize::MAX; self.nodes.len()];
        for index in self.post_order() {
            let node = &self.nodes[index];
            let steps: Vec<StepOut> = node
                .children
                .iter()
                .map(|((thread, label), (line, next))| StepOut {
                    thread: *thread,
                    line: *line,
                    label: label.clone(),
                    to: canonical[*next],
                })
                .collect();
            let views = threads
                .iter()
                .map(|thread| {
                    let step = steps.iter().find(|step| step.thread == *thread);
                    match (node.state.threads.get(thread), step) {
                        (_, Some(step)) => ThreadView {
                            status: "ready",
                            line: step
                                .line
                                .or(node.state.threads.get(thread).and_then(|v| v.line)),
                            doing: None,
                        },
                        (Some(view), None) => view.clone(),
                        (None, None) => ThreadView {
                            status: "unborn",
                            line: None,
                            doing: None,
                        },
                    }
                })
                .collect();
            let shared = objects
                .iter()
                .map(|object| {
                    node.state
                        .objects
                        .get(object)
                        .unwrap_or(&object.initial)
                        .clone()
                })
                .collect();
            let state = State {
                threads: views,
                shared,
                output: node.state.output.clone(),
                steps,
                end: node.end.as_ref().map(|(ending, _)| End::of(ending)),
            };
            let key = serde_json::to_string(&state).expect("a state is JSON");
            let id = *ids.entry(key).or_insert_with(|| {
                states.push(state);
                states.len() - 1
            });
            canonical[index] = id;
        }
        // Numbered from the start, as a reader meets them.
        let order = renumber(&states, canonical[0]);
        let states: Vec<State> = {
            let mut by_new: Vec<Option<State>> = (0..states.len()).map(|_| None).collect();
            for (old, state) in states.into_iter().enumerate() {
                let mut state = state;
                for step in &mut state.steps {
                    step.to = order[step.to];
                }
                by_new[order[old]] = Some(state);
            }
            by_new
                .into_iter()
                .map(|state| state.expect("every state is reached"))
                .collect()
        };
        let ends = self
            .ends
            .iter()
            .map(|((ending, output), count, path)| EndOut {
                kind: End::of(ending).kind,
                output: output.clone(),
                schedules: *count,
                path: path.iter().map(|node| order[canonical[*node]]).collect(),
            })
            .collect();
        Graph {
            threads: threads
                .iter()
                .map(|thread| ThreadOut {
                    name: crate::trace::thread_name(*thread),
                    spawned_at: crate::trace::spawn_line(*thread),
                })
                .collect(),
            objects,
            states,
            ends,
        }
    }

    /// The nodes, each after all of its children.
    fn post_order(&self) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![(0, false)];
        while let Some((node, expanded)) = stack.pop() {
            if expanded {
                order.push(node);
                continue;
            }
            stack.push((node, true));
            for (_, next) in self.nodes[node].children.values() {
                stack.push((*next, false));
            }
        }
        order
    }
}

/// New numbers for the states, breadth first from `start` (0).
fn renumber(states: &[State], start: usize) -> Vec<usize> {
    let mut order = vec![usize::MAX; states.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    let mut next = 0;
    order[start] = next;
    while let Some(state) = queue.pop_front() {
        for step in &states[state].steps {
            if order[step.to] == usize::MAX {
                next += 1;
                order[step.to] = next;
                queue.push_back(step.to);
            }
        }
    }
    order
}

#[derive(Serialize)]
struct Graph {
    threads: Vec<ThreadOut>,
    objects: Vec<Object>,
    states: Vec<State>,
    ends: Vec<EndOut>,
}

#[derive(Serialize)]
struct ThreadOut {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    spawned_at: Option<u32>,
}

#[derive(Serialize)]
struct State {
    threads: Vec<ThreadView>,
    shared: Vec<String>,
    output: String,
    steps: Vec<StepOut>,
    end: Option<End>,
}

#[derive(Serialize)]
struct StepOut {
    thread: usize,
    line: Option<u32>,
    label: String,
    to: usize,
}

#[derive(Serialize)]
struct End {
    kind: &'static str,
    text: String,
}

impl End {
    fn of(ending: &Ending) -> End {
        match ending {
            Ending::Exited => End {
                kind: "exited",
                text: String::new(),
            },
            Ending::Panicked => End {
                kind: "panicked",
                text: String::new(),
            },
            Ending::Deadlocked(report) => End {
                kind: "deadlock",
                text: report.clone(),
            },
            Ending::Failed(report) => End {
                kind: "failed",
                text: report.clone(),
            },
        }
    }
}

#[derive(Serialize)]
struct EndOut {
    kind: &'static str,
    output: String,
    schedules: u64,
    path: Vec<usize>,
}

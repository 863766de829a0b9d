//! The schedule explorer's graphs: every schedule of a small listing, as the
//! schedule layer's search ran them, recorded as a graph of states and the
//! steps between them, which `theme/explorer.js` lets a reader walk.
//!
//! A listing gets one with `explore = true` in its `listings.toml`; the
//! graph is `listings/<chapter>/explored/<name>.json`, one line of JSON that
//! the chapter includes inside
//!
//! ```html
//! <div class="explorer" data-listing="ch10-atomics/lost-update-two">
//! <script type="application/json">
//! {{#include ../listings/ch10-atomics/explored/lost-update-two.json}}
//! </script>
//! </div>
//! ```
//!
//! The format (`<`, `>` and `&` are written `\u003c`, `\u003e`, `\u0026`):
//!
//! ```text
//! {
//!   "listing": "ch10-atomics/lost-update-two",  // package/bin
//!   "search": "all 6 schedules",                // the schedule layer's verdict
//!   "source": ["use std::…", …],                 // the listing's lines, line 1 first
//!   "threads": [{"name": "main"}, {"name": "t1", "spawned_at": 9}, …],
//!   "objects": [{"name": "counter", "what": "AtomicUsize", "line": 5}, …],
//!   "states": [                                 // state 0 is the start
//!     {
//!       "threads": [                            // one per entry of "threads"
//!         {"status": "ready" | "blocked" | "done" | "unborn",
//!          "line": 12 | null,                   // the line it is at
//!          "doing": "waits to lock `bob`, held by t2" | null}
//!       ],
//!       "shared": ["0", "held by t1", …],       // one per entry of "objects"
//!       "output": "total = 1\n",                // printed so far
//!       "steps": [                              // the threads the reader may pick
//!         {"thread": 1, "line": 12, "label": "t1 loads `counter`: 0", "to": 4}
//!       ],
//!       "end": null | {"kind": "exited" | "deadlock" | "panicked",
//!                      "text": "…"}             // a deadlock: the cycle, in words
//!     }
//!   ],
//!   "ends": [                                   // one per distinct outcome
//!     {"kind": "exited", "output": "total = 1\n", "schedules": 2,
//!      "path": [0, 1, 3, 5, 9]}                 // states from the start to it
//!   ]
//! }
//! ```
//!
//! The graph comes from the program the schedule layer builds for the
//! listing (tools/verify/src/schedules.rs), run with `SIM_GRAPH`: its
//! depth-first search notes each step (tests/sim/src/trace.rs) and merges
//! the executions (tests/sim/src/graph.rs). `SNAPSHOTS=overwrite cargo test
//! --test explorer` writes the files; `cargo test` fails where one is stale.

use std::path::Path;
use std::process::Command;

use crate::catalog::Listing;
use crate::run::{self, Ending};
use crate::schedules::{self, Programs, Verdict};

/// The graph of `listing`'s schedules, as the chapter includes it, from a
/// search that covered every one of them (`verdict`).
pub fn graph(
    root: &Path,
    programs: &Programs,
    listing: &Listing,
    verdict: &Verdict,
) -> Result<String, String> {
    if !matches!(verdict, Verdict::Every(_)) {
        return Err(format!(
            "{listing}: the explorer needs every schedule, and the search ran {verdict}: \
             make the listing smaller, or take `explore = true` off"
        ));
    }
    let built = programs.build(&[listing])?;
    let exe = built
        .into_values()
        .next()
        .ok_or_else(|| format!("{listing}: cargo built no program for it"))??;
    let out = exe.with_extension(format!("graph.{}.json", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let mut command = Command::new(&exe);
    command
        .current_dir(root)
        .env("SIM_GRAPH", &out)
        .env("SIM_DFS", schedules::DFS_LIMIT.to_string());
    let ran = run::run_command(command, schedules::SEARCH_LIMIT)
        .map_err(|e| format!("{listing}: could not run {}: {e}", exe.display()))?;
    let text = std::fs::read_to_string(&out);
    let _ = std::fs::remove_file(&out);
    let body = match (&ran.ending, text) {
        (Ending::Exited(status), Ok(text)) if status.success() => text,
        _ => {
            return Err(format!(
                "{listing}: the search wrote no graph ({:?}):\n{}",
                ran.ending, ran.output
            ));
        }
    };
    let source = std::fs::read_to_string(&listing.source)
        .map_err(|e| format!("{}: {e}", listing.source.display()))?;
    let lines: Vec<&str> = source.lines().collect();
    let head = serde_json::json!({
        "listing": format!("{}/{}", listing.chapter, listing.name),
        "search": verdict.to_string(),
        "source": lines,
    })
    .to_string();
    // The search's own fields follow the engine's, in one object.
    let body = body
        .strip_prefix('{')
        .ok_or_else(|| format!("{listing}: the graph is not a JSON object"))?;
    let json = format!("{},{body}", head.strip_suffix('}').expect("an object"));
    Ok(escape_for_html(&json) + "\n")
}

/// JSON that a `<script>` element and a Markdown HTML block keep as it is.
fn escape_for_html(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// What a graph holds, for the closing numbers of a check: states, steps.
pub fn size(graph: &str) -> (usize, usize) {
    let value: serde_json::Value = serde_json::from_str(graph).unwrap_or_default();
    let states = value["states"].as_array().map_or(0, Vec::len);
    let steps = value["states"].as_array().map_or(0, |states| {
        states
            .iter()
            .map(|state| state["steps"].as_array().map_or(0, Vec::len))
            .sum()
    });
    (states, steps)
}

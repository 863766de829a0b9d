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

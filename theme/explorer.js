// The schedule explorer: see tools/verify/src/explorer.rs for the graph it reads.
//
// On a listing small enough for the schedule layer to search every one of its
// schedules, the chapter embeds that search as a graph of states, inside
//     <div class="explorer" data-listing="chapter/name">
//       <script type="application/json">{…}</script>
//     </div>
// and this script turns the div into a panel where the reader plays the
// scheduler: it shows the listing with the line each thread is at, the
// threads, the shared objects and the output so far, and one button per
// thread that may take the next step. Back, Restart and "Show me a schedule
// that ends here" walk the paths the search found. Native buttons and a
// select only, so a keyboard alone works; each step is announced in a live
// region. No network: the graph is in the page, so it works from file:// too.
(function () {
    "use strict";

    var STATUS_WORDS = {
        ready: "ready",
        blocked: "blocked",
        done: "finished",
        unborn: "not spawned yet"
    };
    var made = 0;

    function start() {
        var panels = document.querySelectorAll("div.explorer");
        for (var i = 0; i < panels.length; i++) {
            var root = panels[i];
            if (root.getAttribute("data-explorer-ready")) {
                continue;
            }
            var script = root.querySelector('script[type="application/json"]');
            var graph = null;
            try {
                graph = JSON.parse(script ? script.textContent : "");
            } catch (error) {
                graph = null;
            }
            if (!graph || !graph.states || !graph.states.length) {
                // Loud, so that the book's browser checks see it as a console error.
                console.error("schedule explorer " + root.getAttribute("data-listing") +
                    ": no readable graph in its script element");
                continue;
            }
            root.setAttribute("data-explorer-ready", "1");
            made += 1;
            explorer(root, graph, "explorer-" + made);
        }
    }

    // Builds an element: el("p", {className: "x"}, [child or text, …]).
    function el(tag, props, children) {
        var node = document.createElement(tag);
        var key;
        for (key in props || {}) {
            if (key === "className" || key === "textContent" || key === "id" || key === "type") {
                node[key] = props[key];
            } else {
                node.setAttribute(key, props[key]);
            }
        }
        (children || []).forEach(function (child) {
            node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
        });
        return node;
    }

    // A table with a caption and column headers; its rows go in `rows`.
    function table(className, caption, headers, rows) {
        return el("table", { className: className }, [
            el("caption", {}, [caption]),
            el("thead", {}, [el("tr", {}, headers.map(function (header) {
                return el("th", { scope: "col" }, [header]);
            }))]),
            rows
        ]);
    }

    function clear(node) {
        while (node.firstChild) {
            node.removeChild(node.firstChild);
        }
    }

    // Text with `code` in backticks: the code in the book's monospace font,
    // its backticks kept in the text (textContent is the label as given) but
    // neither shown nor read out.
    function words(parent, text) {
        var parts = String(text).split("`");
        parts.forEach(function (part, i) {
            if (i % 2 === 1 && i < parts.length - 1) {
                parent.appendChild(el("span", { className: "explorer-code" }, [
                    el("span", { className: "explorer-tick", "aria-hidden": "true" }, ["`"]),
                    part,
                    el("span", { className: "explorer-tick", "aria-hidden": "true" }, ["`"])
                ]));
            } else {
                parent.appendChild(document.createTextNode((i > 0 && i % 2 === 1 ? "`" : "") + part));
            }
        });
        return parent;
    }

    // What the reader picks an end by: the last line of its output ("total =
    // 1"), or more lines where the last one does not tell two ends apart;
    // "deadlock" or "panic" for those kinds.
    function endNames(ends) {
        var lines = ends.map(function (end) {
            return String(end.output || "").split("\n").filter(function (line) {
                return line !== "";
            });
        });
        var longest = Math.max.apply(null, [1].concat(lines.map(function (l) { return l.length; })));
        var names = [];
        for (var take = 1; take <= longest; take++) {
            names = ends.map(nameOf(take));
            if (distinct(names)) {
                return names;
            }
        }
        // Ends of one kind that the output does not tell apart (two
        // deadlocks, after the same output): numbered.
        return names.map(function (name, i) {
            var before = names.slice(0, i).filter(function (other) { return other === name; }).length;
            return before ? name + " (" + (before + 1) + ")" : name;
        });

        function nameOf(take) {
            return function (end, i) {
                var shown = lines[i].slice(-take).join(" / ");
                if (end.kind === "deadlock" || end.kind === "panicked") {
                    var kind = end.kind === "deadlock" ? "deadlock" : "panic";
                    return take > 1 && shown ? kind + " after \u201c" + shown + "\u201d" : kind;
                }
                return shown === "" ? "exits printing nothing" : shown;
            };
        }
    }

    function distinct(list) {
        return list.every(function (item, i) { return list.indexOf(item) === i; });
    }

    function plural(n, one, many) {
        return n + " " + (n === 1 ? one : many);
    }

    function explorer(root, graph, id) {
        var threads = graph.threads || [];
        var objects = graph.objects || [];
        var ends = graph.ends || [];
        var names = endNames(ends);
        var history = [0];
        var listing = graph.listing || root.getAttribute("data-listing") || "";

        root.setAttribute("role", "region");
        root.setAttribute("aria-label", "Schedule explorer: " + listing);

        var intro = el("p", { className: "explorer-intro" }, [
            el("strong", {}, ["Schedule explorer."]),
            " You are the scheduler: pick which thread takes the next step of " +
            listing + ", and watch what each thread does. "
        ]);
        if (graph.search) {
            intro.appendChild(document.createTextNode(
                "The steps you can pick are those of the schedules the search ran: " +
                graph.search + "."));
        }

        // The listing, one line per row, with the threads' places marked.
        var codeLines = [];
        var code = el("pre", { className: "explorer-source" });
        (graph.source || []).forEach(function (text, i) {
            var who = el("span", { className: "explorer-who" });
            var line = el("span", { className: "explorer-line" }, [
                el("span", { className: "explorer-number" }, [String(i + 1)]),
                who,
                // The newline in the line's own box: copied, never shown.
                el("span", { className: "explorer-text" }, [text + "\n"])
            ]);
            codeLines.push({ line: line, who: who });
            code.appendChild(line);
        });

        var stepsLabel = el("p", { className: "explorer-label", id: id + "-steps-label" },
            ["Pick the thread that takes the next step:"]);
        var steps = el("div", { className: "explorer-steps", role: "group", "aria-labelledby": id + "-steps-label" });
        var end = el("div", {
            className: "explorer-end", tabindex: "-1", hidden: "hidden",
            role: "group", "aria-labelledby": id + "-end-title"
        });

        var threadRows = el("tbody");
        var threadTable = table("explorer-threads", "Threads", ["Thread", "Status", "Line", "Doing"], threadRows);
        var objectRows = el("tbody");
        var objectTable = table("explorer-objects", "Shared state", ["Name", "Type", "Value"], objectRows);

        var outputLabel = el("p", { className: "explorer-label" }, ["Output so far:"]);
        var output = el("pre", { className: "explorer-output" });

        var back = el("button", { type: "button", className: "explorer-back" }, ["Back"]);
        var restart = el("button", { type: "button", className: "explorer-restart" }, ["Restart"]);
        var controls = el("div", { className: "explorer-controls" }, [back, " ", restart]);

        var select = el("select", { className: "explorer-ends", id: id + "-ends" });
        ends.forEach(function (item, i) {
            var count = typeof item.schedules === "number"
                ? " (" + plural(item.schedules, "schedule", "schedules") + ")" : "";
            select.appendChild(el("option", { value: String(i) }, [names[i] + count]));
        });
        var show = el("button", { type: "button", className: "explorer-show" },
            ["Show me a schedule that ends here"]);
        var showMe = el("div", { className: "explorer-show-me" }, [
            el("label", { "for": id + "-ends" }, ["Ends the search found: "]),
            select, " ", show
        ]);
        if (!ends.length) {
            showMe.hidden = true;
        }

        var status = el("p", { className: "explorer-status", role: "status", "aria-live": "polite" });

        var state = el("div", { className: "explorer-state" }, [
            stepsLabel, steps, end, controls, threadTable, objectTable, outputLabel, output, showMe
        ]);
        var body = el("div", { className: "explorer-body" }, [
            el("div", { className: "explorer-listing" }, [code]),
            state
        ]);
        root.appendChild(intro);
        root.appendChild(body);
        root.appendChild(status);

        function current() {
            return graph.states[history[history.length - 1]];
        }

        function threadName(i) {
            return threads[i] && threads[i].name ? threads[i].name : "thread " + i;
        }

        function render() {
            var now = current();
            var here = {};
            (now.threads || []).forEach(function (t, i) {
                if (t && t.line && t.status !== "done" && t.status !== "unborn") {
                    (here[t.line] = here[t.line] || []).push(threadName(i));
                }
            });
            codeLines.forEach(function (row, i) {
                var at = here[i + 1];
                row.line.className = "explorer-line" + (at ? " explorer-here" : "");
                clear(row.who);
                if (at) {
                    row.who.appendChild(document.createTextNode(at.join(", ") + " "));
                    row.who.appendChild(el("span", { "aria-hidden": "true" }, ["\u25b8"]));
                }
            });

            clear(threadRows);
            threads.forEach(function (thread, i) {
                var t = (now.threads || [])[i] || {};
                var name = threadName(i) + (thread.spawned_at ? " (spawned at line " + thread.spawned_at + ")" : "");
                threadRows.appendChild(el("tr", { className: "explorer-thread-" + (t.status || "unknown") }, [
                    el("td", {}, [name]),
                    el("td", {}, [STATUS_WORDS[t.status] || String(t.status || "")]),
                    el("td", {}, [t.line ? String(t.line) : ""]),
                    words(el("td"), t.doing || "")
                ]));
            });

            clear(objectRows);
            objects.forEach(function (object, i) {
                objectRows.appendChild(el("tr", {}, [
                    el("td", {}, [object.name + (object.line ? " (line " + object.line + ")" : "")]),
                    words(el("td"), object.what ? "`" + object.what + "`" : ""),
                    words(el("td"), (now.shared || [])[i] || "")
                ]));
            });
            objectTable.hidden = objects.length === 0;

            output.textContent = now.output || "";
            output.setAttribute("data-empty", now.output ? "false" : "true");

            clear(steps);
            (now.steps || []).forEach(function (step, i) {
                var button = words(el("button", {
                    type: "button",
                    className: "explorer-step",
                    "data-step": String(i),
                    "data-to": String(step.to)
                }), step.label);
                button.addEventListener("click", function () { take(step); });
                steps.appendChild(button);
            });
            var stepping = (now.steps || []).length > 0;
            stepsLabel.hidden = !stepping;
            steps.hidden = !stepping;

            clear(end);
            end.hidden = stepping;
            if (!stepping) {
                showEnd(now.end);
            }

            back.setAttribute("aria-disabled", history.length > 1 ? "false" : "true");
            restart.setAttribute("aria-disabled", history.length > 1 ? "false" : "true");
            root.setAttribute("data-state", String(history[history.length - 1]));
        }

        function showEnd(ending) {
            if (!ending) {
                end.appendChild(el("p", { id: id + "-end-title" }, ["No step of this state was recorded."]));
                return;
            }
            var text = ending.text || "";
            if (ending.kind === "exited") {
                var printed = current().output || text || endOutput();
                end.appendChild(el("p", { className: "explorer-end-title", id: id + "-end-title" },
                    [printed ? "The program exited. It printed:" : "The program exited, printing nothing."]));
                if (printed) {
                    end.appendChild(el("pre", { className: "explorer-final" }, [printed]));
                }
            } else if (ending.kind === "deadlock") {
                end.appendChild(el("p", { className: "explorer-end-title", id: id + "-end-title" },
                    ["Deadlock: the program never ends."]));
                end.appendChild(el("pre", { className: "explorer-deadlock" }, [text]));
            } else {
                end.appendChild(el("p", { className: "explorer-end-title", id: id + "-end-title" }, ["The program panicked."]));
                if (text) {
                    end.appendChild(el("pre", { className: "explorer-panic" }, [text]));
                }
            }
        }

        // What an end printed, from "ends", where the state itself has no output.
        function endOutput() {
            var here = history[history.length - 1];
            for (var i = 0; i < ends.length; i++) {
                var path = ends[i].path || [];
                if (path[path.length - 1] === here && ends[i].output) {
                    return ends[i].output;
                }
            }
            return "";
        }

        function endSummary() {
            var ending = current().end;
            if (!ending) {
                return "";
            }
            if (ending.kind === "exited") {
                return " The program exited.";
            }
            if (ending.kind === "deadlock") {
                return " Deadlock: the program never ends.";
            }
            return " The program panicked.";
        }

        // After a step the focus goes where the next key press is useful:
        // the first step of the new state, or the end when there is none.
        function focusNext() {
            var first = steps.querySelector("button");
            if (first && !steps.hidden) {
                first.focus();
            } else {
                end.focus();
            }
        }

        function take(step) {
            history.push(step.to);
            render();
            status.textContent = "Step " + (history.length - 1) + ": " +
                step.label.replace(/`/g, "") + "." + endSummary();
            focusNext();
        }

        back.addEventListener("click", function () {
            if (history.length < 2) {
                status.textContent = "This is the start: there is no step to go back from.";
                return;
            }
            history.pop();
            render();
            status.textContent = history.length > 1
                ? "Back to step " + (history.length - 1) + "." : "Back to the start.";
        });

        restart.addEventListener("click", function () {
            history = [0];
            render();
            status.textContent = "Restarted: back to the start.";
            focusNext();
        });

        show.addEventListener("click", function () {
            var i = parseInt(select.value, 10);
            var path = ends[i] && ends[i].path;
            if (!path || !path.length) {
                return;
            }
            history = path[0] === 0 ? path.slice() : [0].concat(path);
            render();
            status.textContent = "A schedule that ends in " + names[i] + ", " +
                plural(history.length - 1, "step", "steps") + ": Back goes back along it." + endSummary();
            focusNext();
        });

        render();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();

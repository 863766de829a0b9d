//! `cargo book serve`: the real server on an ephemeral port serves the book,
//! runs listings through its local playground with the verified results,
//! enforces its limits, and rebuilds on change without ever serving a broken
//! book.
//!
//! Requests are written by hand on purpose (tools/verify/src/server.rs): the
//! point is to send what a browser would not (a foreign Host, a huge or
//! malformed body). The playground's containment has its own layer,
//! tests/playground.rs.

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use verify::catalog::{self, Listing};
use verify::server::{BookServer, Reply, evaluate_body, request, send_only};
use verify::{cargo, repo_root};

fn jobs_dir(server: &BookServer) -> PathBuf {
    cargo::target_dir().join(format!("playground/jobs-{}", server.pid()))
}

fn builds_dir(server: &BookServer) -> PathBuf {
    cargo::target_dir().join(format!("book-serve-{}", server.pid()))
}

fn listing(chapter: &str, name: &str) -> Listing {
    catalog::load(&repo_root())
        .unwrap()
        .into_iter()
        .find(|listing| listing.chapter == chapter && listing.name == name)
        .unwrap()
}

fn source(listing: &Listing) -> String {
    std::fs::read_to_string(&listing.source).unwrap()
}

#[test]
fn the_server_runs_listings_offline_within_its_limits() {
    let server = BookServer::start(&repo_root());

    // The book, with the script that sends Run requests to this server.
    let page = server.get("/ch06-mutex.html");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("x-book-playground"),
        "theme/head.hbs is missing"
    );
    // head.hbs's probe (a GET), then book.js's request (a POST with the
    // page's Origin, JSON).
    let origin = server.origin();
    let probe: &[(&str, &str)] = &[];
    let book_js: &[(&str, &str)] = &[("Origin", &origin), ("Content-Type", "application/json")];
    for (method, headers) in [("GET", probe), ("POST", book_js)] {
        let crates = server.send(method, "/playground/meta/crates", headers, b"");
        assert_eq!(crates.status, 200);
        assert_eq!(crates.header("x-book-playground"), Some("1"));
        assert!(crates.body.starts_with("{\"crates\":["), "{crates:?}");
    }

    // A runnable listing gives its verified output; the second click is cached.
    let counter = listing("ch06-mutex", "counter-arc");
    let expected = std::fs::read_to_string(counter.output_file()).unwrap();
    let expected = expected.split_once('\n').unwrap().1; // after the `$ cargo run` line
    let first = server.run_code(&source(&counter), "2024");
    assert_eq!(first.result(), expected, "{first:?}");
    let second = server.run_code(&source(&counter), "2024");
    assert_eq!(second.result(), expected);
    assert_eq!(second.header("x-playground-cache"), Some("hit"));

    // A compile-fail listing gives the error its snapshot shows.
    let failing = listing("ch06-mutex", "counter-rc");
    let snapshot = std::fs::read_to_string(failing.stderr_file()).unwrap();
    let error = snapshot.lines().next().unwrap();
    assert!(
        server
            .run_code(&source(&failing), "2024")
            .result()
            .contains(error)
    );

    // Programs that never end (a deadlock; a loop that started a child
    // process) are stopped, with all they started. Both at once: each waits
    // out the whole time limit.
    let endless = [
        "use std::sync::Mutex;\n\
         fn main() { let m = Mutex::new(0); let _a = m.lock().unwrap(); let _b = m.lock().unwrap(); }",
        "fn main() {\n\
             std::process::Command::new(\"sleep\").arg(\"3171\").spawn().unwrap();\n\
             println!(\"started a child\");\n\
             loop { std::thread::sleep(std::time::Duration::from_millis(10)); }\n\
         }",
    ];
    let started = Instant::now();
    let replies: Vec<Reply> = thread::scope(|s| {
        let handles: Vec<_> = endless
            .iter()
            .map(|code| s.spawn(|| server.run_code(code, "2021")))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for reply in &replies {
        assert!(reply.result().contains("timed out after 4 s"), "{reply:?}");
    }
    assert!(
        replies[1].result().starts_with("started a child"),
        "partial output is kept"
    );
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(
        !processes()
            .iter()
            .any(|cmdline| cmdline == "sleep\x003171\0"),
        "a process started by a stopped program is still running"
    );
    let jobs = jobs_dir(&server);
    assert_eq!(
        std::fs::read_dir(&jobs).unwrap().count(),
        0,
        "job files left in {}",
        jobs.display()
    );

    // Refusals, each with a message the page can show.
    let foreign_host = request(
        server.port,
        "GET",
        "/",
        &[("Host", "attacker.example".into())],
        b"",
    );
    assert_eq!(foreign_host.status, 421);
    assert!(foreign_host.result().contains("answers only to"));
    let origin = server.origin();
    let page = [
        ("Origin", origin.as_str()),
        ("Content-Type", "application/json"),
    ];
    let foreign_origin = server.send(
        "POST",
        "/playground/evaluate.json",
        &[("Origin", "http://attacker.example"), page[1]],
        b"{\"code\":\"fn main() {}\"}",
    );
    assert_eq!(foreign_origin.status, 403);
    let huge = serde_json::json!({ "code": "x".repeat(70 * 1024) }).to_string();
    let too_big = server.send("POST", "/playground/evaluate.json", &page, huge.as_bytes());
    assert_eq!(too_big.status, 413, "{too_big:?}");
    let malformed = server.send("POST", "/playground/evaluate.json", &page, b"{\"code\": ");
    assert_eq!(malformed.status, 400);
    assert!(malformed.result().contains("not what the Run button sends"));

    // A burst of clicks: each is answered (run or "busy"), and the server lives on.
    let replies: Vec<Reply> = thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let server = &server;
                s.spawn(move || {
                    server.run_code(&format!("fn main() {{ println!(\"{i}\"); }}"), "2021")
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, reply) in replies.iter().enumerate() {
        match reply.status {
            200 => assert_eq!(reply.result(), format!("{i}\n")),
            503 => assert!(reply.result().contains("busy")),
            other => panic!("unexpected {other}: {reply:?}"),
        }
    }
    assert_eq!(server.get("/").status, 200);

    server.stop();
    assert!(!jobs.exists(), "the server left {}", jobs.display());
}

/// The command lines of the running processes.
#[test]
fn no_path_is_redirected_off_the_site() {
    let server = BookServer::start(&repo_root());
    // `//css/` is a link to the host named `css`.
    for path in ["//css", "//css/", "///css", "//fonts?x=1"] {
        let reply = server.get(path);
        let location = reply.header("location").unwrap_or_default();
        assert!(
            !location.starts_with("//") && !location.contains("://"),
            "{path} is redirected to {location}: {reply:?}"
        );
    }
    assert_eq!(server.get("//css").header("location"), Some("/css/"));
    server.stop();
}

fn processes() -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("cmdline")).ok())
        .collect()
}

#[test]
fn the_server_rebuilds_on_change_and_keeps_the_last_good_book() {
    let copy = book_copy("book-copy");
    let chapter = copy.join("src/ch06-mutex.md");
    let original = std::fs::read_to_string(&chapter).unwrap();
    let server = BookServer::start(&copy);
    assert!(
        server
            .get("/ch06-mutex.html")
            .body
            .contains("one thread at a time")
    );

    let edited = original.replacen(
        "# Mutex: one thread at a time",
        "# Mutex: one thread at a time\n\nEDITED-MARKER",
        1,
    );
    std::fs::write(&chapter, &edited).unwrap();
    let page = wait_for(&server, "/ch06-mutex.html", |body| {
        body.contains("EDITED-MARKER")
    });
    assert!(!page.contains("book-build-error"));

    // A broken include: the last good book stays up, with the error on top.
    std::fs::write(
        &chapter,
        format!("{edited}\n{{{{#include missing-file.txt}}}}\n"),
    )
    .unwrap();
    let page = wait_for(&server, "/ch06-mutex.html", |body| {
        body.contains("book-build-error")
    });
    assert!(
        page.contains("EDITED-MARKER"),
        "the last good page is still served"
    );
    assert!(
        page.contains("missing-file.txt"),
        "the error names the problem"
    );
    // A browser that has the page cached asks whether it changed: the page
    // with the banner is not the cached one.
    let revalidated = server.send(
        "GET",
        "/ch06-mutex.html",
        &[
            ("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"),
            ("If-None-Match", "*"),
        ],
        b"",
    );
    assert_eq!(revalidated.status, 200, "{}", revalidated.head);
    assert!(revalidated.body.contains("book-build-error"));
    assert!(revalidated.header("last-modified").is_none());
    assert_eq!(revalidated.header("cache-control"), Some("no-store"));

    std::fs::write(&chapter, &original).unwrap();
    let page = wait_for(&server, "/ch06-mutex.html", |body| {
        !body.contains("EDITED-MARKER")
    });
    assert!(!page.contains("book-build-error"));

    // A missing page is the book's own 404 page.
    let missing = server.get("/no-such-chapter.html");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Document not found (404)"),
        "{missing:?}"
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&copy);
}

/// A copy of the book to edit, under a directory of the calling test's own.
fn book_copy(name: &str) -> PathBuf {
    let copy = tempfile_dir(name);
    let root = repo_root();
    for part in ["book.toml", "src", "listings", "theme"] {
        copy_tree(&root.join(part), &copy.join(part));
    }
    copy
}

#[test]
fn a_panic_in_a_rebuild_or_a_watcher_error_is_logged_and_rebuilds_go_on() {
    let copy = book_copy("book-faults");
    let chapter = copy.join("src/ch06-mutex.md");
    let original = std::fs::read_to_string(&chapter).unwrap();
    // Faults injected for this test: the first rebuild after a change
    // panics, and the watcher reports an error once.
    let server = BookServer::start_with(
        &copy,
        &[("BOOK_SERVE_FAULTS", Some("rebuild-panic,watcher-error"))],
    );
    std::fs::write(&chapter, format!("{original}\nFIRST-EDIT\n")).unwrap();
    let page = wait_for(&server, "/ch06-mutex.html", |body| {
        body.contains("book-build-error")
    });
    assert!(page.contains("panicked"), "the banner says what happened");
    std::fs::write(&chapter, format!("{original}\nSECOND-EDIT\n")).unwrap();
    let page = wait_for(&server, "/ch06-mutex.html", |body| {
        body.contains("SECOND-EDIT")
    });
    assert!(!page.contains("book-build-error"));
    let log = server.log();
    assert!(log.contains("The rebuild panicked"), "{log}");
    assert!(log.contains("watching the book's files: injected"), "{log}");
    server.stop();
    let _ = std::fs::remove_dir_all(&copy);
}

#[test]
fn the_book_is_served_when_the_playground_cannot_start() {
    // No rustc and no cargo on this PATH.
    let server = BookServer::start_with(
        &repo_root(),
        &[("PATH", Some("/usr/bin:/bin")), ("CARGO", None)],
    );
    assert_eq!(server.get("/ch06-mutex.html").status, 200);
    // The page's probe finds no local playground, so book.js goes on to the
    // public one, as on any static host.
    let probe = server.get("/playground/meta/crates");
    assert_eq!(probe.header("x-book-playground"), None, "{probe:?}");
    let log = server.log();
    assert!(
        log.contains("The local playground could not start"),
        "{log}"
    );
    server.stop();
}

#[test]
fn sigterm_and_sigint_stop_programs_and_remove_the_servers_files() {
    for signal in ["TERM", "INT"] {
        let server = BookServer::start_with(&repo_root(), &[]);
        let marker = 7_900_000 + std::process::id() % 10_000 * 10 + u32::from(signal == "INT");
        let code = format!(
            "fn main() {{\n\
                 let _child = std::process::Command::new(\"sleep\").arg(\"{marker}\").spawn().unwrap();\n\
                 for _ in 0..1000 {{ std::thread::sleep(std::time::Duration::from_millis(10)); }}\n\
             }}"
        );
        let headers = [
            ("Host", server.host()),
            ("Origin", server.origin()),
            ("Content-Type", "application/json".to_owned()),
        ];
        let body = evaluate_body(&code, "2021");
        let _client = send_only(
            server.port,
            "POST",
            "/playground/evaluate.json",
            &headers,
            body.as_bytes(),
        );
        let running = || {
            let wanted = format!("sleep\0{marker}\0");
            std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
                std::fs::read(entry.path().join("cmdline"))
                    .is_ok_and(|cmdline| cmdline == wanted.as_bytes())
            })
        };
        let started = Instant::now();
        while !running() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "the program never started"
            );
            thread::sleep(Duration::from_millis(20));
        }
        let (jobs, builds) = (jobs_dir(&server), builds_dir(&server));
        assert!(jobs.exists() && builds.exists());
        server.stop_with(signal);
        let stopped = Instant::now();
        while running() && stopped.elapsed() < Duration::from_secs(1) {
            thread::sleep(Duration::from_millis(20));
        }
        assert!(!running(), "SIG{signal}: the program outlived the server");
        assert!(!jobs.exists(), "SIG{signal}: {} is left", jobs.display());
        assert!(
            !builds.exists(),
            "SIG{signal}: {} is left",
            builds.display()
        );
    }
}

#[test]
fn stale_directories_of_a_killed_server_are_swept_at_start() {
    // No process has this id: it is above the kernel's largest pid_max.
    let dead = 4_194_399;
    let target = cargo::target_dir();
    let stale = [
        target.join(format!("playground/jobs-{dead}/job-x")),
        target.join(format!("book-serve-{dead}/1")),
    ];
    for dir in &stale {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("left.txt"), "left by a killed server").unwrap();
    }
    let server = BookServer::start(&repo_root());
    for dir in &stale {
        let top = dir.parent().unwrap();
        assert!(!top.exists(), "{} was not swept", top.display());
    }
    server.stop();
}

fn wait_for(server: &BookServer, path: &str, ready: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let body = server.get(path).body;
        if ready(&body) {
            return body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the page never changed:\n{body}"
        );
        thread::sleep(Duration::from_millis(100));
    }
}

fn tempfile_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else if from.is_file() {
        std::fs::copy(from, to).unwrap();
    }
}

//! `cargo book serve`: the real server on an ephemeral port serves the book,
//! runs listings through its local playground with the verified results,
//! enforces its limits, and rebuilds on change without ever serving a broken
//! book.
//!
//! Requests are written by hand on purpose: the point is to send what a
//! browser would not (a foreign Host, a huge or malformed body).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use harness::catalog::{self, Listing};
use harness::server::BookServer;
use harness::{cargo, repo_root};

/// The server, with the requests a page (or an attacker) sends it.
struct Server {
    book: BookServer,
    port: u16,
}

impl Server {
    fn start(root: &Path) -> Server {
        let book = BookServer::start(root);
        Server {
            port: book.port,
            book,
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], b"")
    }

    /// A Run click: the page's own origin, a JSON body.
    fn run_code(&self, code: &str, edition: &str) -> Reply {
        let body = serde_json::json!({
            "version": "stable", "optimize": "0", "code": code, "edition": edition,
        });
        let origin = format!("http://{}", self.host());
        self.send(
            "POST",
            "/playground/evaluate.json",
            &[("Origin", &origin), ("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut all = vec![("Host", self.host())];
        all.extend(
            headers
                .iter()
                .map(|(name, value)| (*name, value.to_string())),
        );
        raw_request(self.port, method, path, &all, body)
    }

    fn stop(self) {
        self.book.stop();
    }

    fn jobs_dir(&self) -> PathBuf {
        cargo::target_dir().join(format!("playground/jobs-{}", self.book.pid()))
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    /// The `result` book.js shows.
    fn result(&self) -> String {
        let json: serde_json::Value =
            serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"));
        json["result"].as_str().unwrap_or_default().to_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then_some(value.trim())
        })
    }
}

fn raw_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    // The server may answer (413) before reading a huge body.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"));
    Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
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
    let server = Server::start(&repo_root());

    // The book, with the script that sends Run requests to this server.
    let page = server.get("/ch06-mutex.html");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("x-book-playground"),
        "theme/head.hbs is missing"
    );
    for method in ["GET", "POST"] {
        let crates = server.send(method, "/playground/meta/crates", &[], b"");
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
    let jobs = server.jobs_dir();
    assert_eq!(
        std::fs::read_dir(&jobs).unwrap().count(),
        0,
        "job files left in {}",
        jobs.display()
    );

    // Refusals, each with a message the page can show.
    let foreign_host = raw_request(
        server.port,
        "GET",
        "/",
        &[("Host", "attacker.example".into())],
        b"",
    );
    assert_eq!(foreign_host.status, 421);
    assert!(foreign_host.result().contains("answers only to"));
    let foreign_origin = server.send(
        "POST",
        "/playground/evaluate.json",
        &[("Origin", "http://attacker.example")],
        b"{\"code\":\"fn main() {}\"}",
    );
    assert_eq!(foreign_origin.status, 403);
    let huge = serde_json::json!({ "code": "x".repeat(70 * 1024) }).to_string();
    let too_big = server.send("POST", "/playground/evaluate.json", &[], huge.as_bytes());
    assert_eq!(too_big.status, 413, "{too_big:?}");
    let malformed = server.send("POST", "/playground/evaluate.json", &[], b"{\"code\": ");
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
fn processes() -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("cmdline")).ok())
        .collect()
}

#[test]
fn the_server_rebuilds_on_change_and_keeps_the_last_good_book() {
    // A copy of the book to edit.
    let copy = tempfile_dir("book-copy");
    let root = repo_root();
    for part in ["book.toml", "src", "listings", "theme"] {
        copy_tree(&root.join(part), &copy.join(part));
    }
    let chapter = copy.join("src/ch06-mutex.md");
    let original = std::fs::read_to_string(&chapter).unwrap();
    let server = Server::start(&copy);
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

    std::fs::write(&chapter, &original).unwrap();
    let page = wait_for(&server, "/ch06-mutex.html", |body| {
        !body.contains("EDITED-MARKER")
    });
    assert!(!page.contains("book-build-error"));
    server.stop();
    let _ = std::fs::remove_dir_all(&copy);
}

fn wait_for(server: &Server, path: &str, ready: impl Fn(&str) -> bool) -> String {
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

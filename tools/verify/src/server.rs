//! The book's own server (`book-tools serve`), started for a test on a free
//! port and stopped with Ctrl-C (SIGINT), as a reader stops it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::run;
use crate::{cargo, repo_root};

pub struct BookServer {
    child: Child,
    pub port: u16,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    /// What it printed, stdout and stderr, when started with [`BookServer::start_with`].
    log: Arc<Mutex<String>>,
}

/// The `book-tools` executable, built if needed.
pub fn executable() -> PathBuf {
    cargo::build_bins(&repo_root(), &["book-tools"]).unwrap_or_else(|error| panic!("{error}"))
        [&("book-tools".to_owned(), "book-tools".to_owned())]
        .clone()
}

impl BookServer {
    /// Serves the book whose root (book.toml) is `root`.
    pub fn start(root: &Path) -> BookServer {
        let mut child = Command::new(executable())
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .current_dir(repo_root())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting book-tools serve");
        let url = run::await_line(&mut child, "book-tools serve's address", |line| {
            line.strip_prefix("Serving the book at ").map(str::to_owned)
        });
        BookServer::at(child, url, Arc::default())
    }

    /// Like [`BookServer::start`], with environment variables set (`Some`) or
    /// removed (`None`), keeping what it prints (see [`BookServer::log`]).
    pub fn start_with(root: &Path, env: &[(&str, Option<&str>)]) -> BookServer {
        let mut command = Command::new(executable());
        for (name, value) in env {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        BookServer::start_command(command, root)
    }

    /// Like [`BookServer::start_with`], with `terminal` (a pseudo-terminal's
    /// other end) as its controlling terminal and standard input, as when a
    /// reader starts it from a shell: `setsid --ctty` (util-linux) runs it
    /// in a session of its own with that terminal.
    pub fn start_on_terminal(root: &Path, terminal: std::fs::File) -> BookServer {
        let mut command = Command::new("setsid");
        command.arg("--ctty").arg(executable()).stdin(terminal);
        BookServer::start_command(command, root)
    }

    /// Starts `command` (book-tools, or a program that runs it) as the server.
    fn start_command(mut command: Command, root: &Path) -> BookServer {
        command
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .current_dir(repo_root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("starting book-tools serve");
        let log = Arc::new(Mutex::new(String::new()));
        keep_lines(child.stderr.take().expect("stderr is piped"), &log);
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let url = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.wait();
                thread::sleep(Duration::from_millis(100));
                panic!(
                    "book-tools serve exited before printing its address:\n{}",
                    log.lock().unwrap()
                );
            }
            log.lock().unwrap().push_str(&line);
            if let Some(url) = line.trim_end().strip_prefix("Serving the book at ") {
                break url.to_owned();
            }
        };
        keep_lines(stdout, &log);
        BookServer::at(child, url, log)
    }

    fn at(child: Child, url: String, log: Arc<Mutex<String>>) -> BookServer {
        let port = url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches('/')
            .parse()
            .expect("the address has a port");
        BookServer {
            child,
            port,
            url,
            log,
        }
    }

    /// The absolute address of a page of the book.
    pub fn page(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `127.0.0.1:PORT`, its `Host`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT`, the `Origin` of its pages.
    pub fn origin(&self) -> String {
        format!("http://{}", self.host())
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], b"")
    }

    /// A request with the right `Host` and the given headers.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut all = vec![("Host", self.host())];
        all.extend(
            headers
                .iter()
                .map(|(name, value)| (*name, value.to_string())),
        );
        request(self.port, method, path, &all, body)
    }

    /// A Run click as the book's page sends it: its own `Origin`, a JSON body.
    pub fn run_code(&self, code: &str, edition: &str) -> Reply {
        let origin = self.origin();
        self.send(
            "POST",
            "/playground/evaluate.json",
            &[("Origin", &origin), ("Content-Type", "application/json")],
            evaluate_body(code, edition).as_bytes(),
        )
    }

    /// Everything it printed so far (only when started with `start_with`).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Stops it as Ctrl-C does and waits for it to exit.
    pub fn stop(self) {
        self.stop_with("INT");
    }

    /// Stops it with `kill -SIGNAL` (`INT`, `TERM`, `KILL`) and waits for it
    /// to exit, for at most 10 s.
    pub fn stop_with(mut self, signal: &str) {
        send(&mut self.child, signal);
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the server ignored SIG{signal}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Appends what `stream` prints to `log`, and passes it on to the test's
/// output (shown when the test fails).
fn keep_lines(stream: impl Read + Send + 'static, log: &Arc<Mutex<String>>) {
    let log = Arc::clone(log);
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            eprintln!("[server] {line}");
            log.lock().unwrap().push_str(&format!("{line}\n"));
        }
    });
}

impl Drop for BookServer {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            send(&mut self.child, "INT");
            let _ = self.child.wait();
        }
    }
}

/// Sends the signal named `INT`, `TERM` or `KILL`.
#[cfg(unix)]
fn send(child: &mut Child, signal: &str) {
    use run::Signal;
    let signal = match signal {
        "INT" => Signal::INT,
        "TERM" => Signal::TERM,
        "KILL" => Signal::KILL,
        other => panic!("no signal SIG{other} here"),
    };
    run::send_signal(child.id(), signal);
}

/// Windows has no signals to send to another program: it is ended at once.
#[cfg(windows)]
fn send(child: &mut Child, _signal: &str) {
    let _ = child.kill();
}

/// The body book.js sends to `evaluate.json`.
pub fn evaluate_body(code: &str, edition: &str) -> String {
    serde_json::json!({
        "version": "stable", "optimize": "0", "code": code, "edition": edition,
    })
    .to_string()
}

/// An HTTP answer, read to its end.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    /// The `result` book.js shows.
    pub fn result(&self) -> String {
        let json: serde_json::Value =
            serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"));
        json["result"].as_str().unwrap_or_default().to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then_some(value.trim())
        })
    }
}

/// Sends one request, written by hand (so that it can be what a browser
/// would not send: a foreign Host, a huge or malformed body).
pub fn request(
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
    stream
        .write_all(&head(method, path, headers, body.len()))
        .unwrap();
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

/// Sends a request and returns the open connection without reading the
/// answer: dropping it is a client that goes away.
pub fn send_only(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(&head(method, path, headers, body.len()))
        .unwrap();
    stream.write_all(body).unwrap();
    stream
}

fn head(method: &str, path: &str, headers: &[(&str, String)], length: usize) -> Vec<u8> {
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {length}\r\n\r\n"));
    request.into_bytes()
}

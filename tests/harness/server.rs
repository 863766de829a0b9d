//! The book's own server (`book-tools serve`), started for a test on a free
//! port and stopped with Ctrl-C (SIGINT), as a reader stops it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{cargo, repo_root, run};

pub struct BookServer {
    child: Child,
    pub port: u16,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
}

impl BookServer {
    /// Serves the book whose root (book.toml) is `root`.
    pub fn start(root: &Path) -> BookServer {
        let exe = cargo::build_bins(&repo_root(), &["book-tools"])
            .unwrap_or_else(|error| panic!("{error}"))
            [&("book-tools".to_owned(), "book-tools".to_owned())]
            .clone();
        let mut child = Command::new(exe)
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .current_dir(repo_root())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting book-tools serve");
        let url = run::await_line(&mut child, "book-tools serve's address", |line| {
            line.strip_prefix("Serving the book at ").map(str::to_owned)
        });
        let port = url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches('/')
            .parse()
            .expect("the address has a port");
        BookServer { child, port, url }
    }

    /// The absolute address of a page of the book.
    pub fn page(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops it as Ctrl-C does and waits for it to exit.
    pub fn stop(mut self) {
        interrupt(&self.child);
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the server ignored Ctrl-C"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for BookServer {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            interrupt(&self.child);
            let _ = self.child.wait();
        }
    }
}

fn interrupt(child: &Child) {
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
}

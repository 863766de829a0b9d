//! Running a listing: stdout and stderr merged in the order they were
//! written (as a terminal shows them), stopped at a time limit.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub enum Ending {
    Exited(ExitStatus),
    /// Still running at the time limit, then killed.
    StillRunning,
}

#[derive(Debug)]
pub struct Run {
    pub ending: Ending,
    /// stdout and stderr together, as one pipe received them.
    pub output: String,
    pub elapsed: Duration,
}

impl Run {
    /// The exit code, if it exited normally.
    pub fn code(&self) -> Option<i32> {
        match &self.ending {
            Ending::Exited(status) => status.code(),
            Ending::StillRunning => None,
        }
    }
}

/// Runs `exe` in `dir` (so panic locations print as they do for a reader in
/// the repository root), killing it if it is still running after `limit`.
pub fn run(exe: &Path, dir: &Path, limit: Duration) -> std::io::Result<Run> {
    let mut command = Command::new(exe);
    command.current_dir(dir);
    run_command(command, limit)
}

/// Runs `command` (a listing, or cargo running one), stopped at `limit`.
pub fn run_command(mut command: Command, limit: Duration) -> std::io::Result<Run> {
    let (mut reader, writer) = std::io::pipe()?;
    // Its own process group, so that stopping it stops what it started too.
    let mut child = command
        .process_group(0)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .spawn()?;
    // The command holds the pipe's writing ends: drop it, or the reader
    // below never sees the end of the output.
    drop(command);
    let started = Instant::now();

    // Read while it runs: a full pipe would otherwise block the listing.
    let collector = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        bytes
    });

    let ending = loop {
        if let Some(status) = child.try_wait()? {
            break Ending::Exited(status);
        }
        if started.elapsed() >= limit {
            kill_group(&child);
            child.wait()?;
            break Ending::StillRunning;
        }
        thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    let bytes = collector.join().expect("the output reader does not panic");
    Ok(Run {
        ending,
        output: String::from_utf8_lossy(&bytes).into_owned(),
        elapsed,
    })
}

/// Kills `child` and every process in its group.
fn kill_group(child: &std::process::Child) {
    if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Reads a child's stdout until `find` recognizes a line (a server printing
/// its address, say) and returns what it found; the rest of the output is
/// drained in the background, so the child never blocks on a full pipe.
pub fn await_line<T>(
    child: &mut std::process::Child,
    what: &str,
    find: impl Fn(&str) -> Option<T>,
) -> T {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let found = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("{what}: exited before printing it (see above)"))
            .expect("stdout is readable");
        if let Some(found) = find(&line) {
            break found;
        }
    };
    thread::spawn(move || lines.for_each(drop));
    found
}

//! Running a listing: stdout and stderr merged in the order they were
//! written (as a terminal shows them), stopped at a time limit. The pieces
//! ([`wait_until`], [`kill_group`], [`Collector`]) also bound the local
//! playground's processes.

use std::io::{self, Read};
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

#[cfg(unix)]
pub use rustix::process::Signal;
#[cfg(unix)]
use rustix::process::{Pid, kill_process, kill_process_group};

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
pub fn run(exe: &Path, dir: &Path, limit: Duration) -> io::Result<Run> {
    let mut command = Command::new(exe);
    command.current_dir(dir);
    run_command(command, limit)
}

/// Runs `command` (a listing, or cargo running one), stopped at `limit`.
pub fn run_command(mut command: Command, limit: Duration) -> io::Result<Run> {
    let (reader, writer) = io::pipe()?;
    // Its own process group, so that stopping it stops what it started too.
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command
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
    let output = Collector::start(reader, usize::MAX);
    let (status, stopped) = wait_until(&mut child, started + limit, |left| {
        thread::sleep(left.min(Duration::from_millis(2)));
        Ok(false)
    })?;
    let elapsed = started.elapsed();
    let (bytes, _) = output.finish(None);
    Ok(Run {
        ending: match stopped {
            None => Ending::Exited(status),
            Some(_) => Ending::StillRunning,
        },
        output: String::from_utf8_lossy(&bytes).into_owned(),
        elapsed,
    })
}

/// Why [`wait_until`] stopped a child before it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The deadline came.
    Deadline,
    /// `pause` asked.
    Asked,
}

/// Waits for `child` to end, until `deadline`. In between, `pause(left)`
/// waits (for at most `left`, the time to the deadline) and says whether to
/// stop now. At the deadline, or when asked, `child` is killed with its
/// process group ([`kill_group`]) and waited for.
pub fn wait_until(
    child: &mut Child,
    deadline: Instant,
    mut pause: impl FnMut(Duration) -> io::Result<bool>,
) -> io::Result<(ExitStatus, Option<Stop>)> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, None));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let stop = if left.is_zero() {
            Some(Stop::Deadline)
        } else if pause(left)? {
            Some(Stop::Asked)
        } else {
            None
        };
        if let Some(stop) = stop {
            kill_group(child);
            return Ok((child.wait()?, Some(stop)));
        }
    }
}

/// Kills `child` and, where it leads a process group (it was started with
/// `process_group(0)`), every process in that group. Call it before `child`
/// is waited for, while its process ID is still its own.
#[cfg(unix)]
pub fn kill_group(child: &mut Child) {
    let pid = Pid::from_child(child);
    let _ = kill_process(pid, Signal::KILL);
    let _ = kill_process_group(pid, Signal::KILL);
}

/// Kills `child`. Windows has no process groups to kill with it: what must
/// die with a process is put in a Job Object (the playground's wrapper does).
#[cfg(windows)]
pub fn kill_group(child: &mut Child) {
    let _ = child.kill();
}

/// Sends `signal` to the process `pid`, with no `kill` command in between.
#[cfg(unix)]
pub fn send_signal(pid: u32, signal: Signal) {
    if let Some(pid) = Pid::from_raw(pid as i32) {
        let _ = kill_process(pid, signal);
    }
}

/// Reads a pipe to its end on a thread of its own (a full pipe would block
/// the writer), keeping the first `cap` bytes.
pub struct Collector {
    read: Arc<Mutex<(Vec<u8>, bool)>>,
    thread: thread::JoinHandle<()>,
}

impl Collector {
    pub fn start(mut reader: io::PipeReader, cap: usize) -> Collector {
        let read = Arc::new(Mutex::new((Vec::new(), false)));
        let thread = {
            let read = Arc::clone(&read);
            thread::spawn(move || {
                let mut buffer = [0; 8192];
                loop {
                    let count = match reader.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(count) => count,
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    };
                    let mut read = read.lock().unwrap();
                    let room = cap.saturating_sub(read.0.len());
                    read.0.extend_from_slice(&buffer[..count.min(room)]);
                    if count > room {
                        read.1 = true;
                    }
                }
            })
        };
        Collector { read, thread }
    }

    /// What it read, and whether it had to cut, once the pipe has ended
    /// (every process that could write to it is gone) or, if there is one,
    /// once `deadline` has passed.
    pub fn finish(self, deadline: Option<Instant>) -> (Vec<u8>, bool) {
        match deadline {
            None => {
                let _ = self.thread.join();
            }
            Some(deadline) => {
                while !self.thread.is_finished() && Instant::now() < deadline {
                    thread::sleep(Duration::from_millis(2));
                }
            }
        }
        std::mem::take(&mut *self.read.lock().unwrap())
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

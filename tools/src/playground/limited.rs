//! Running a command with a time limit and an output cap, in a process group
//! of its own so that a timeout stops everything it started.

use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process_group};

#[derive(Debug)]
pub struct Limited {
    /// None when it was stopped at the time limit.
    pub status: Option<ExitStatus>,
    /// stdout and stderr together, in the order they were written.
    pub output: String,
    pub truncated: bool,
    pub timed_out: bool,
}

/// Runs `command` for at most `limit`, keeping the first `cap` bytes of its
/// merged output.
pub fn run_limited(mut command: Command, limit: Duration, cap: usize) -> io::Result<Limited> {
    let (reader, writer) = io::pipe()?;
    command
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .process_group(0);
    let mut child = command.spawn()?;
    // Our copies of the write end must go, or the reader never sees EOF.
    drop(command);
    let group = Pid::from_child(&child);

    let output = Arc::new(Mutex::new((Vec::new(), false)));
    let collector = {
        let output = Arc::clone(&output);
        thread::spawn(move || collect(reader, &output, cap))
    };

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() >= limit {
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    // Whether it timed out or exited, nothing it started may outlive it.
    let _ = kill_process_group(group, Signal::KILL);
    if status.is_none() {
        child.wait()?;
    }
    // The pipe closes once every process of the group is gone; don't wait
    // forever for one that escaped the group.
    let deadline = Instant::now() + Duration::from_millis(500);
    while !collector.is_finished() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }

    let (bytes, truncated) = std::mem::take(&mut *output.lock().unwrap());
    Ok(Limited {
        status,
        output: String::from_utf8_lossy(&bytes).into_owned(),
        truncated,
        timed_out: status.is_none(),
    })
}

/// Reads everything (a full pipe would block the program), keeps `cap` bytes.
fn collect(mut reader: io::PipeReader, output: &Mutex<(Vec<u8>, bool)>, cap: usize) {
    let mut buffer = [0; 8192];
    while let Ok(read) = reader.read(&mut buffer) {
        if read == 0 {
            break;
        }
        let mut output = output.lock().unwrap();
        let room = cap.saturating_sub(output.0.len());
        output.0.extend_from_slice(&buffer[..read.min(room)]);
        if read > room {
            output.1 = true;
        }
    }
}

//! The wrapper on macOS, and on any Unix but Linux: what such a system
//! allows without privileges. It starts a session of its own (no
//! controlling terminal), sets its rlimits (memory and address space where
//! the kernel honours them, file size, open files, CPU time), runs the
//! program in a process group of its own in the job's directory, and kills
//! that group when the program ends or is stopped. What it cannot do is
//! said at start (`Sandbox::detect`): no process cap (`RLIMIT_NPROC` counts
//! all of the user's processes), the network, the user's files and a
//! process that leaves the group (`setsid`) are not contained.

use std::io;
use std::os::unix::process::CommandExt;
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process_group};

use super::unix::{set_limits, wait};
use super::{Report, Spec, context, copy_program, start_program};

pub fn contain(spec: &Spec) -> io::Result<Report> {
    rustix::process::setsid().map_err(|e| context(e.into(), "starting a session"))?;
    if !copy_program(spec)? {
        return Ok(Report::program_changed());
    }
    let mut report = Report::default();
    let work = &spec.dir;
    set_limits(&spec.limits, None)?;
    let mut child = start_program(spec, work, |command| {
        command.process_group(0);
    })?;
    let group = Pid::from_child(&child);
    let (ended, stopped) = wait(&mut child, Duration::from_millis(spec.wall_ms))?;
    // What the program started and left running in its group.
    let _ = kill_process_group(group, Signal::KILL);
    report.ended = Some(ended);
    report.stopped = stopped;
    Ok(report)
}

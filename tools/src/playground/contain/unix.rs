//! What the wrapper does the same way on every Unix: its rlimits, and
//! waiting for the program within its time limit while listening to the
//! server.

use std::io;
use std::process::Child;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{Resource, Rlimit, setrlimit};
use verify::run::{self, Stop};

use super::{Ended, Stopped};
use crate::playground::limits::ProcessLimits;

/// Sets the rlimits, which everything the wrapper starts inherits:
/// memory, address space, file size, open files, no core files, CPU time,
/// and `processes` where given (`RLIMIT_NPROC` counts all of the user's).
pub fn set_limits(limits: &ProcessLimits, processes: Option<u64>) -> io::Result<()> {
    let exactly = |value: u64| Rlimit {
        current: Some(value),
        maximum: Some(value),
    };
    setrlimit(Resource::Data, exactly(limits.memory_bytes))?;
    setrlimit(Resource::As, exactly(limits.address_space_bytes))?;
    setrlimit(Resource::Fsize, exactly(limits.file_bytes))?;
    setrlimit(Resource::Nofile, exactly(limits.open_files))?;
    setrlimit(Resource::Core, exactly(0))?;
    // SIGXCPU at the limit, SIGKILL a second later.
    setrlimit(
        Resource::Cpu,
        Rlimit {
            current: Some(limits.cpu_seconds),
            maximum: Some(limits.cpu_seconds + 1),
        },
    )?;
    if let Some(processes) = processes {
        setrlimit(Resource::Nproc, exactly(processes))?;
    }
    Ok(())
}

/// Waits for `child` for at most `limit`, or until standard input closes
/// (the server asks); then kills it with its process group.
pub fn wait(child: &mut Child, limit: Duration) -> io::Result<(Ended, Option<Stopped>)> {
    // Where a pidfd says when the child ends (Linux 5.3 and later), wait on
    // it; else look again every 5 ms.
    #[cfg(target_os = "linux")]
    let pidfd = rustix::process::pidfd_open(
        rustix::process::Pid::from_child(child),
        rustix::process::PidfdFlags::empty(),
    )
    .ok();
    #[cfg(not(target_os = "linux"))]
    let pidfd: Option<std::os::fd::OwnedFd> = None;
    let stdin = io::stdin();
    let (status, stop) = run::wait_until(child, Instant::now() + limit, |left| {
        let step = if pidfd.is_some() {
            left
        } else {
            left.min(Duration::from_millis(5))
        };
        let timeout = Timespec::try_from(step).map_err(io::Error::other)?;
        let mut fds = vec![PollFd::new(&stdin, PollFlags::IN)];
        if let Some(pidfd) = &pidfd {
            fds.push(PollFd::new(pidfd, PollFlags::IN));
        }
        match poll(&mut fds, Some(&timeout)) {
            Ok(_) | Err(Errno::INTR) => {}
            Err(error) => return Err(error.into()),
        }
        Ok(!fds[0].revents().is_empty())
    })?;
    let stopped = stop.map(|stop| match stop {
        Stop::Deadline => Stopped::Time,
        Stop::Asked => Stopped::Asked,
    });
    Ok((ended(status), stopped))
}

pub fn ended(status: std::process::ExitStatus) -> Ended {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ended::Exit(code),
        (None, Some(signal)) => Ended::Signal(signal),
        (None, None) => Ended::Exit(-1),
    }
}

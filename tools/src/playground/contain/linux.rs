//! The wrapper on Linux. In order, it
//! 1. starts a session of its own (`setsid`): the job has no controlling
//!    terminal, so nothing it runs can open the server's (`/dev/tty`), read
//!    what the reader types there or push input into it (`TIOCSTI`);
//! 2. joins the job's cgroups, where the server made them (the memory limit,
//!    and the process cap for root, which `RLIMIT_NPROC` does not bind);
//! 3. forbids gaining privileges (`PR_SET_NO_NEW_PRIVS`: setuid programs and
//!    file capabilities do nothing);
//! 4. where the kernel allows it, enters new user, PID, network, mount and
//!    IPC namespaces and assembles the job's root from an allowlist
//!    ([`mounts`]): no network, only its own processes, the system's
//!    programs and libraries read-only, a minimal `/dev`, and its job
//!    directory, seen as `/tmp`; otherwise it becomes a child subreaper, so
//!    that every descendant that loses its parent (a `setsid` daemon, a
//!    double fork) becomes its child;
//! 5. copies in the program to run, checking its SHA-256 on the way;
//! 6. sets its rlimits (memory, address space, file size, open files, CPU
//!    time, processes), which everything it starts inherits, and where no
//!    memory cgroup counts shared memory, refuses it ([`shared_memory`]);
//! 7. starts the program (in namespaces, through `book-tools __init`, the
//!    first process of the new PID namespace, which moves into the job's
//!    root, cannot be inspected by the program (not dumpable) and drops
//!    every capability); stops it at its time limit, or as soon as its
//!    standard input (a pipe from the server) closes: the client went away,
//!    the server stopped, or the server died;
//! 8. kills whatever is left (in namespaces the kernel does it: when the
//!    namespace's first process ends, all the others are killed) and reports,
//!    as one JSON line on its standard output. The server reads what the
//!    cgroups counted, and empties them.
//!

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::process::{
    Pid, Signal, WaitOptions, WaitStatus, getpid, kill_process, kill_process_group,
    set_child_subreaper, set_parent_process_death_signal,
};
use serde::{Deserialize, Serialize};

use super::unix::{self, wait};
use super::{Ended, Nproc, Report, Spec, context, copy_verified, output, start_program};
use crate::playground::limits::ProcessLimits;

pub mod mounts;
mod shared_memory;

pub fn contain(spec: &Spec) -> io::Result<Report> {
    // The server starts the wrapper as a process of its own group, so this
    // cannot fail for being a group leader already.
    rustix::process::setsid().map_err(|e| context(e.into(), "starting a session"))?;
    for cgroup in &spec.cgroups {
        fs::write(
            cgroup.join("cgroup.procs"),
            getpid().as_raw_nonzero().to_string(),
        )
        .map_err(|e| context(e, "joining the job's cgroup"))?;
    }
    rustix::thread::set_no_new_privs(true)?;
    // Opened before the namespaces hide anything.
    let copy_in = match &spec.copy_in {
        Some(copy) => Some((
            File::open(&copy.source).map_err(|e| context(e, "opening the program"))?,
            copy,
        )),
        None => None,
    };

    let work = if spec.namespaces {
        mounts::enter(spec)?
    } else {
        set_child_subreaper(Some(getpid()))?;
        spec.dir.clone()
    };

    let mut report = Report::default();
    if let Some((mut source, copy)) = copy_in {
        let target = work.join(&copy.name);
        if !copy_verified(&mut source, &target, &copy.sha256)? {
            return Ok(Report::program_changed());
        }
    }
    set_limits(&spec.limits, spec.nproc)?;
    if spec.refuse_shared_memory {
        shared_memory::refuse().map_err(|e| context(e, "refusing shared memory (seccomp)"))?;
    }

    let (mut child, status) = if spec.namespaces {
        let (status_reader, status_writer) = io::pipe()?;
        // As the program will see them, once in the job's root.
        let init = Init {
            program: Path::new(super::WORK).join(&spec.program),
            args: spec.args.clone(),
            env: spec.env.clone(),
            dir: PathBuf::from(super::WORK),
        };
        let child = Command::new("/proc/self/exe")
            .arg("__init")
            .arg(serde_json::to_string(&init)?)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(status_writer)
            .stderr(output()?)
            .spawn()
            .map_err(|e| context(e, "starting the namespace's first process"))?;
        (child, Some(status_reader))
    } else {
        let child = start_program(spec, &work, |command| {
            command.process_group(0);
        })?;
        (child, None)
    };

    let (ended, stopped) = wait(&mut child, Duration::from_millis(spec.wall_ms))?;
    report.stopped = stopped;
    match status {
        // The first process of the namespace says how the program ended;
        // once it is gone, so is everything else in the namespace.
        Some(mut reader) if stopped.is_none() => {
            let mut lines = String::new();
            reader.read_to_string(&mut lines)?;
            // Only the first process writes here; its last line is its report.
            let line = lines.lines().last().unwrap_or_default();
            let init: InitReport = serde_json::from_str(line.trim()).map_err(|e| {
                io::Error::other(format!(
                    "the namespace's first process ended with {ended:?}: {e}: {line}"
                ))
            })?;
            if let Some(error) = init.error {
                return Err(io::Error::other(error));
            }
            report.ended = init.ended;
            report.fresh_proc = init.fresh_proc;
        }
        Some(_) => {}
        None => {
            report.ended = Some(ended);
            kill_descendants(child.id());
        }
    }
    Ok(report)
}

fn set_limits(limits: &ProcessLimits, nproc: Nproc) -> io::Result<()> {
    let processes = match nproc {
        Nproc::InNamespace(count) => Some(count),
        Nproc::AboveCurrent(count) => Some(tasks_of(rustix::process::getuid().as_raw()) + count),
        Nproc::Unset => None,
    };
    unix::set_limits(limits, processes)
}

/// The processes and threads the user `uid` has now.
fn tasks_of(uid: u32) -> u64 {
    let Ok(entries) = fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|entry| fs::read_to_string(entry.path().join("status")).ok())
        .filter(|status| {
            status.lines().any(|line| {
                line.strip_prefix("Uid:")
                    .and_then(|ids| ids.split_whitespace().next())
                    .is_some_and(|real| real == uid.to_string())
            })
        })
        .filter_map(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Threads:")?.trim().parse::<u64>().ok())
        })
        .sum()
}

/// Kills every process that has become the wrapper's child (a subreaper
/// inherits the orphans of its descendants) until none is left.
fn kill_descendants(program: u32) {
    let me = std::process::id();
    let started = Instant::now();
    loop {
        if let Some(group) = Pid::from_raw(program as i32) {
            let _ = kill_process_group(group, Signal::KILL);
        }
        for pid in children_of(me) {
            if let Some(pid) = Pid::from_raw(pid as i32) {
                let _ = kill_process(pid, Signal::KILL);
            }
        }
        // Reap what died; ECHILD: no child is left.
        loop {
            match rustix::process::wait(WaitOptions::NOHANG) {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(Errno::INTR) => continue,
                Err(_) => return,
            }
        }
        if started.elapsed() > Duration::from_secs(5) {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
            let ppid: u32 = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (ppid == parent).then_some(pid)
        })
        .collect()
}

/// What `__init` runs.
#[derive(Serialize, Deserialize)]
struct Init {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    dir: PathBuf,
}

#[derive(Default, Serialize, Deserialize)]
struct InitReport {
    ended: Option<Ended>,
    fresh_proc: bool,
    error: Option<String>,
}

/// `__init`: the first process of the job's PID namespace. Makes itself not
/// dumpable (the program, the same user, cannot open its `/proc/1/fd` and
/// write a report of its own), mounts a `/proc` that shows only the job's
/// processes and moves into the job's root, drops every capability, starts
/// the program, reaps whatever is orphaned until the program ends, reports
/// on its standard output, and ends (and with it every other process of the
/// namespace).
pub fn init(spec: &str) -> ExitCode {
    let mut report = InitReport::default();
    if let Err(error) = run_init(spec, &mut report) {
        report.error = Some(error.to_string());
    }
    let line = serde_json::to_string(&report).expect("a report serializes");
    let _ = writeln!(io::stdout(), "{line}");
    ExitCode::SUCCESS
}

fn run_init(spec: &str, report: &mut InitReport) -> io::Result<()> {
    // If the wrapper is killed, so is the namespace.
    set_parent_process_death_signal(Some(Signal::KILL))?;
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)?;
    let init: Init = serde_json::from_str(spec).map_err(io::Error::other)?;
    report.fresh_proc = mounts::pivot()?;
    mounts::drop_capabilities()?;
    let child = Command::new(&init.program)
        .args(&init.args)
        .env_clear()
        .envs(init.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&init.dir)
        .stdin(Stdio::null())
        .stdout(output()?)
        .stderr(output()?)
        .spawn()
        .map_err(|e| context(e, &format!("starting {}", init.program.display())))?;
    let program = Pid::from_child(&child);
    loop {
        match rustix::process::wait(WaitOptions::empty()) {
            Ok(Some((pid, status))) if pid == program => {
                report.ended = Some(from_wait_status(status));
                return Ok(());
            }
            Ok(_) | Err(Errno::INTR) => {}
            Err(error) => return Err(error.into()),
        }
    }
}

fn from_wait_status(status: WaitStatus) -> Ended {
    match (status.exit_status(), status.terminating_signal()) {
        (Some(code), _) => Ended::Exit(code),
        (None, Some(signal)) => Ended::Signal(signal),
        (None, None) => Ended::Exit(-1),
    }
}

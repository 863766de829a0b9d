//! The wrapper each compile and each run goes through: `book-tools` run
//! again as `book-tools __contain SPEC`, so that the limits and namespaces
//! are set up in a process of its own, without `unsafe` code between fork
//! and exec.
//!
//! In order, the wrapper
//! 1. starts a session of its own (`setsid`): the job has no controlling
//!    terminal, so nothing it runs can open the server's (`/dev/tty`), read
//!    what the reader types there or push input into it (`TIOCSTI`);
//! 2. joins the job's cgroups, where the server made them (the memory limit,
//!    and the process cap for root, which `RLIMIT_NPROC` does not bind);
//! 3. forbids gaining privileges (`PR_SET_NO_NEW_PRIVS`: setuid programs and
//!    file capabilities do nothing);
//! 4. where the kernel allows it, enters new user, PID, network, mount and
//!    IPC namespaces and assembles the job's root from an allowlist
//!    ([`super::mounts`]): no network, only its own processes, the system's
//!    programs and libraries read-only, a minimal `/dev`, and its job
//!    directory, seen as `/tmp`; otherwise it becomes a child subreaper, so
//!    that every descendant that loses its parent (a `setsid` daemon, a
//!    double fork) becomes its child;
//! 5. copies in the program to run, checking its SHA-256 on the way;
//! 6. sets its rlimits (memory, address space, file size, open files, CPU
//!    time, processes), which everything it starts inherits, and where no
//!    memory cgroup counts shared memory, refuses it ([`super::shared_memory`]);
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
//! The program's output goes to the wrapper's standard error, a pipe the
//! server reads.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use harness::run::{self, Stop};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{
    Pid, PidfdFlags, Resource, Rlimit, Signal, WaitOptions, WaitStatus, getpid, kill_process,
    kill_process_group, pidfd_open, set_child_subreaper, set_parent_process_death_signal,
    setrlimit,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::limits::ProcessLimits;
use super::mounts;

/// What the server asks the wrapper to run, and how.
#[derive(Debug, Serialize, Deserialize)]
pub struct Spec {
    /// Absolute, or relative to the work directory.
    pub program: PathBuf,
    pub args: Vec<String>,
    /// The program's whole environment.
    pub env: Vec<(String, String)>,
    /// The job's directory (on the host).
    pub dir: PathBuf,
    /// In namespaces, give the program an empty private directory of at most
    /// `limits.disk_bytes` instead of the job's directory.
    pub private_dir: bool,
    /// Host directories shown read-only inside the work directory, by name.
    pub show: Vec<(PathBuf, String)>,
    /// Host directories shown read-only at their own path (a toolchain).
    pub read_only: Vec<PathBuf>,
    pub copy_in: Option<CopyIn>,
    pub limits: ProcessLimits,
    pub wall_ms: u64,
    pub namespaces: bool,
    /// The job's cgroups (with `pids.max`, or a memory limit), to join first.
    pub cgroups: Vec<PathBuf>,
    pub nproc: Nproc,
    /// No memory cgroup counts shared memory: refuse it to the program.
    pub refuse_shared_memory: bool,
}

/// A file to copy into the work directory before the program starts,
/// refused unless its SHA-256 is the expected one.
#[derive(Debug, Serialize, Deserialize)]
pub struct CopyIn {
    pub source: PathBuf,
    pub sha256: String,
    pub name: String,
}

/// How to set `RLIMIT_NPROC`, which counts processes and threads per user
/// and does not bind root.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub enum Nproc {
    /// In a new user namespace the count starts from zero.
    InNamespace(u64),
    /// Without one, it counts all of this user's processes: allow this many
    /// more than there are now.
    AboveCurrent(u64),
    Unset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ended {
    Exit(i32),
    Signal(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stopped {
    /// At its time limit.
    Time,
    /// Its standard input closed: the server asked.
    Asked,
}

/// What the wrapper reports, as one JSON line.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Report {
    pub ended: Option<Ended>,
    pub stopped: Option<Stopped>,
    /// The job's cgroup refused a new process at least once (filled in by
    /// the server).
    pub process_cap_hit: bool,
    /// A cgroup counted the processes, so `process_cap_hit` is exact.
    pub process_cap_counted: bool,
    /// The job's memory cgroup stopped it at its limit (filled in by the
    /// server).
    pub memory_cap_hit: bool,
    /// The program to copy in was not the expected one; nothing ran.
    pub digest_mismatch: bool,
    /// A fresh `/proc` for the new PID namespace was mounted.
    pub fresh_proc: bool,
    /// Setting up failed; nothing ran.
    pub error: Option<String>,
}

/// `book-tools __contain SPEC`, `__init SPEC` and `__probe`.
pub fn main(command: &str, spec: Option<&str>) -> ExitCode {
    match command {
        "__probe" => ExitCode::SUCCESS,
        "__init" => init(spec.unwrap_or_default()),
        _ => {
            let report = match serde_json::from_str::<Spec>(spec.unwrap_or_default()) {
                Ok(spec) => contain(&spec).unwrap_or_else(|error| Report {
                    error: Some(error.to_string()),
                    ..Report::default()
                }),
                Err(error) => Report {
                    error: Some(format!("not a job: {error}")),
                    ..Report::default()
                },
            };
            let line = serde_json::to_string(&report).expect("a report serializes");
            let _ = writeln!(io::stdout(), "{line}");
            ExitCode::SUCCESS
        }
    }
}

fn contain(spec: &Spec) -> io::Result<Report> {
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
            report.digest_mismatch = true;
            return Ok(report);
        }
    }
    set_limits(&spec.limits, spec.nproc)?;
    if spec.refuse_shared_memory {
        super::shared_memory::refuse()
            .map_err(|e| context(e, "refusing shared memory (seccomp)"))?;
    }

    let program = work.join(&spec.program);
    let output = || -> io::Result<Stdio> { Ok(io::stderr().as_fd().try_clone_to_owned()?.into()) };
    let (mut child, status) = if spec.namespaces {
        let (status_reader, status_writer) = io::pipe()?;
        // As the program will see them, once in the job's root.
        let init = Init {
            program: Path::new(mounts::WORK).join(&spec.program),
            args: spec.args.clone(),
            env: spec.env.clone(),
            dir: PathBuf::from(mounts::WORK),
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
        let child = Command::new(&program)
            .args(&spec.args)
            .env_clear()
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&work)
            .stdin(Stdio::null())
            .stdout(output()?)
            .stderr(output()?)
            .process_group(0)
            .spawn()
            .map_err(|e| context(e, &format!("starting {}", program.display())))?;
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

fn context(error: io::Error, what: &str) -> io::Error {
    io::Error::new(error.kind(), format!("{what}: {error}"))
}

/// Copies `source` to `target` (executable), and says whether its SHA-256
/// was `expected`; if not, the copy is removed.
fn copy_verified(source: &mut File, target: &Path, expected: &str) -> io::Result<bool> {
    let mut copy = File::create(target).map_err(|e| context(e, "copying the program in"))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let read = source.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        copy.write_all(&buffer[..read])?;
    }
    drop(copy);
    if hex(&hasher.finalize()) != expected {
        fs::remove_file(target)?;
        return Ok(false);
    }
    fs::set_permissions(target, fs::Permissions::from_mode(0o755))?;
    Ok(true)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn set_limits(limits: &ProcessLimits, nproc: Nproc) -> io::Result<()> {
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
    let processes = match nproc {
        Nproc::InNamespace(count) => Some(count),
        Nproc::AboveCurrent(count) => Some(tasks_of(rustix::process::getuid().as_raw()) + count),
        Nproc::Unset => None,
    };
    if let Some(processes) = processes {
        setrlimit(Resource::Nproc, exactly(processes))?;
    }
    Ok(())
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

/// Waits for `child` for at most `limit`, or until standard input closes;
/// then kills it. The whole namespace goes with its first process; without
/// one, the program's group goes first, then everything else.
fn wait(child: &mut Child, limit: Duration) -> io::Result<(Ended, Option<Stopped>)> {
    let pidfd = pidfd_open(Pid::from_child(child), PidfdFlags::empty()).ok();
    let stdin = io::stdin();
    let (status, stop) = run::wait_until(child, Instant::now() + limit, |left| {
        // Without a pidfd (before Linux 5.3), look again every 5 ms.
        let step = if pidfd.is_some() {
            left
        } else {
            left.min(Duration::from_millis(5))
        };
        let timeout = Timespec {
            tv_sec: step.as_secs() as i64,
            tv_nsec: i64::from(step.subsec_nanos()),
        };
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

fn ended(status: std::process::ExitStatus) -> Ended {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ended::Exit(code),
        (None, Some(signal)) => Ended::Signal(signal),
        (None, None) => Ended::Exit(-1),
    }
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
fn init(spec: &str) -> ExitCode {
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
    let output = || -> io::Result<Stdio> { Ok(io::stderr().as_fd().try_clone_to_owned()?.into()) };
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

//! The wrapper each compile and each run goes through: `book-tools` run
//! again as `book-tools __contain SPEC`, so that the limits and the
//! containment are set up in a process of its own, without `unsafe` code
//! between fork and exec (the server is multi-threaded).
//!
//! What the server asks ([`Spec`]) and what the wrapper reports ([`Report`])
//! are the same everywhere; how a job is contained is each system's own,
//! done as far as that system allows without privileges:
//! - [`linux`]: a session of its own, cgroups, namespaces and a root built
//!   from an allowlist, rlimits, a seccomp filter where no memory cgroup is;
//! - [`macos`] (and any other Unix): a session of its own, rlimits, a
//!   process group killed as a whole;
//! - [`windows`]: a Job Object (memory, CPU time, active processes, and every
//!   process dies with the job), no console.
//!
//! The program's output goes to the wrapper's standard error, a pipe the
//! server reads; the report is one JSON line on its standard output.

#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "linux")]
use linux as system;
#[cfg(all(unix, not(target_os = "linux")))]
mod macos;
#[cfg(all(unix, not(target_os = "linux")))]
use macos as system;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as system;

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::limits::ProcessLimits;

/// Where the job's directory is, inside a root of its own (Linux, in
/// namespaces).
pub const WORK: &str = "/tmp";

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

impl Report {
    /// The program to copy in was not the expected one: nothing ran.
    fn program_changed() -> Report {
        Report {
            digest_mismatch: true,
            ..Report::default()
        }
    }
}

impl Ended {
    /// As the standard library says how a process ended (an end that is
    /// not known: exit status 255, or -1 on Windows).
    pub fn exit_status(ended: Option<Ended>) -> std::process::ExitStatus {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            match ended {
                Some(Ended::Exit(code)) => ExitStatusExt::from_raw((code & 0xff) << 8),
                Some(Ended::Signal(signal)) => ExitStatusExt::from_raw(signal),
                None => ExitStatusExt::from_raw(0xff << 8),
            }
        }
        #[cfg(windows)]
        {
            use std::os::windows::process::ExitStatusExt;
            match ended {
                Some(Ended::Exit(code)) => ExitStatusExt::from_raw(code as u32),
                _ => ExitStatusExt::from_raw(u32::MAX),
            }
        }
    }
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
        #[cfg(target_os = "linux")]
        "__init" => linux::init(spec.unwrap_or_default()),
        _ => {
            let report = match serde_json::from_str::<Spec>(spec.unwrap_or_default()) {
                Ok(spec) => system::contain(&spec).unwrap_or_else(|error| Report {
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

pub(crate) fn context(error: io::Error, what: &str) -> io::Error {
    io::Error::new(error.kind(), format!("{what}: {error}"))
}

/// Copies `source` to `target` (executable), and says whether its SHA-256
/// was `expected`; if not, the copy is removed.
pub(crate) fn copy_verified(source: &mut File, target: &Path, expected: &str) -> io::Result<bool> {
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
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(target, fs::Permissions::from_mode(0o755))?;
    }
    Ok(true)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Starts `spec`'s program in `work` (outside Linux's namespaces): its
/// arguments, its whole environment, no input, its output to the server.
/// `setup` adds what the system needs (a process group, no console).
fn start_program(
    spec: &Spec,
    work: &Path,
    setup: impl FnOnce(&mut std::process::Command),
) -> io::Result<std::process::Child> {
    let program = work.join(&spec.program);
    let mut command = std::process::Command::new(&program);
    command
        .args(&spec.args)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .current_dir(work)
        .stdin(Stdio::null())
        .stdout(output()?)
        .stderr(output()?);
    setup(&mut command);
    command
        .spawn()
        .map_err(|e| context(e, &format!("starting {}", program.display())))
}

/// Copies in the program `spec` names, if any, into its directory; false
/// if it was not the expected one (then nothing may run).
#[cfg(not(target_os = "linux"))]
fn copy_program(spec: &Spec) -> io::Result<bool> {
    let Some(copy) = &spec.copy_in else {
        return Ok(true);
    };
    let mut source = File::open(&copy.source).map_err(|e| context(e, "opening the program"))?;
    copy_verified(&mut source, &spec.dir.join(&copy.name), &copy.sha256)
}

/// The wrapper's standard error, for the program's output.
#[cfg(unix)]
fn output() -> io::Result<Stdio> {
    use std::os::fd::AsFd;
    Ok(io::stderr().as_fd().try_clone_to_owned()?.into())
}

/// The wrapper's standard error, for the program's output.
#[cfg(windows)]
fn output() -> io::Result<Stdio> {
    use std::os::windows::io::AsHandle;
    Ok(io::stderr().as_handle().try_clone_to_owned()?.into())
}

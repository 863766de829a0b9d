//! The server's side of containment: what this system allows (found once,
//! at start), and running one contained command through the wrapper
//! ([`super::contain`]) with its output capped, stopping it when the job is
//! cancelled.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
#[cfg(target_os = "linux")]
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use verify::run::{Collector, wait_until};

#[cfg(target_os = "linux")]
use super::cgroups::{Cgroups, event_count};
use super::contain::{CopyIn, Nproc, Report, Spec};
use super::limits::{LIMITS, ProcessLimits};

/// What contains the jobs on this system.
#[derive(Debug, Clone, Serialize)]
pub struct Containment {
    /// User, PID, network, mount and IPC namespaces.
    pub namespaces: bool,
    /// Why not, when not.
    pub namespaces_missing: Option<String>,
    /// Programs see a `/proc` with only their own processes (else, in
    /// namespaces, no `/proc` at all).
    pub fresh_proc: bool,
    /// What caps the number of processes, if anything does.
    pub process_cap: Option<String>,
    pub process_cap_missing: Option<String>,
    /// What bounds a job's memory.
    pub memory_cap: String,
    /// Why no memory cgroup does, when none does.
    pub memory_cgroup_missing: Option<String>,
}

impl Containment {
    /// One paragraph for the terminal, said once at start.
    pub fn describe(&self) -> String {
        let limits = &LIMITS.program;
        let mut text = format!(
            "Run buttons: each program may use {} MiB of memory ({}), {} s of CPU and {:.0} s of \
             time, write files of up to {} MiB and open {} files",
            limits.memory_bytes >> 20,
            self.memory_cap,
            limits.cpu_seconds,
            LIMITS.run.as_secs_f64(),
            limits.file_bytes >> 20,
            limits.open_files,
        );
        match &self.process_cap {
            Some(_) => text.push_str(&format!(
                ", with {} processes and threads",
                limits.processes
            )),
            None => text.push_str(", with no cap on its processes"),
        }
        if self.namespaces {
            text.push_str(if self.fresh_proc {
                "; it has no terminal and no network, sees only its own processes"
            } else {
                "; it has no terminal and no network, sees no processes (no /proc: this \
                 system does not let it mount one)"
            });
            text.push_str(
                ", only the system's programs and libraries and a minimal /dev (no home \
                 directory, no sockets), and can write only to its own directory.",
            );
        } else {
            text.push_str("; it has no terminal.");
        }
        if let Some(why) = &self.namespaces_missing {
            text.push_str(&format!(
                "\nThis system does not let programs run in namespaces ({why}): a program the \
                 page runs can use the network, see your files and devices, connect to your \
                 Unix sockets and write wherever you can."
            ));
        }
        if let Some(why) = &self.process_cap_missing {
            text.push_str(&format!(
                "\nNothing caps a program's processes here ({why}): a fork loop runs until its \
                 time limit."
            ));
        }
        text
    }
}

pub struct Sandbox {
    /// `book-tools`, which is also the wrapper.
    wrapper: PathBuf,
    pub containment: Containment,
    #[cfg(target_os = "linux")]
    cgroups: Cgroups,
    #[cfg(target_os = "linux")]
    next_job: AtomicU64,
}

/// One command to run contained.
pub struct Job<'a> {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub dir: &'a Path,
    pub private_dir: bool,
    pub show: Vec<(PathBuf, String)>,
    /// Host directories it needs, shown read-only at their own path.
    pub read_only: Vec<PathBuf>,
    pub copy_in: Option<CopyIn>,
    pub limits: ProcessLimits,
    pub wall: Duration,
    /// Polled while it runs: true stops it.
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
}

#[derive(Debug)]
pub struct Contained {
    pub report: Report,
    /// stdout and stderr together, in the order they were written.
    pub output: String,
    pub truncated: bool,
}

impl Sandbox {
    /// Finds out what this system allows. `scratch` is a directory for a
    /// trial job. `BOOK_PLAYGROUND_NAMESPACES=0` turns namespaces off, and
    /// `BOOK_PLAYGROUND_CGROUPS=0` cgroups, to see what the playground does
    /// without them (as where they are not allowed).
    #[cfg(target_os = "linux")]
    pub fn detect(wrapper: &Path, scratch: &Path) -> io::Result<Sandbox> {
        let root = rustix::process::geteuid().is_root();
        let (cgroups, cgroup_missing) =
            if std::env::var("BOOK_PLAYGROUND_CGROUPS").is_ok_and(|v| v == "0") {
                (
                    Cgroups::default(),
                    Some("turned off with BOOK_PLAYGROUND_CGROUPS=0".to_owned()),
                )
            } else {
                Cgroups::create()
            };
        let memory_cgroup_missing = (cgroups.memory.is_none()).then(|| {
            cgroup_missing
                .clone()
                .unwrap_or_else(|| "none is writable".to_owned())
        });
        let memory_cap = if cgroups.memory.is_some() {
            "a memory cgroup, swap included"
        } else {
            "RLIMIT_DATA per process; shared memory refused"
        };
        let mut sandbox = Sandbox {
            wrapper: wrapper.to_path_buf(),
            containment: Containment {
                namespaces: false,
                namespaces_missing: None,
                fresh_proc: false,
                process_cap: None,
                process_cap_missing: None,
                memory_cap: memory_cap.to_owned(),
                memory_cgroup_missing,
            },
            cgroups,
            next_job: AtomicU64::new(0),
        };
        if std::env::var("BOOK_PLAYGROUND_NAMESPACES").is_ok_and(|v| v == "0") {
            sandbox.containment.namespaces_missing =
                Some("turned off with BOOK_PLAYGROUND_NAMESPACES=0".to_owned());
        } else {
            sandbox.containment.namespaces = true;
            let probe = sandbox.run(&Job {
                program: PathBuf::from("/proc/self/exe"),
                args: vec!["__probe".to_owned()],
                env: Vec::new(),
                dir: scratch,
                private_dir: true,
                show: Vec::new(),
                read_only: Vec::new(),
                copy_in: None,
                limits: LIMITS.program,
                wall: Duration::from_secs(5),
                cancelled: &|| false,
            })?;
            match (&probe.report.error, probe.report.ended) {
                (None, Some(super::contain::Ended::Exit(0))) => {
                    sandbox.containment.fresh_proc = probe.report.fresh_proc;
                }
                (error, ended) => {
                    sandbox.containment.namespaces = false;
                    sandbox.containment.namespaces_missing = Some(match error {
                        Some(error) => error.clone(),
                        None => format!("a trial program ended with {ended:?}: {}", probe.output),
                    });
                }
            }
        }
        let cap = if sandbox.cgroups.pids.is_some() {
            Some("the cgroup pids controller")
        } else if root {
            None
        } else if sandbox.containment.namespaces {
            Some("RLIMIT_NPROC in the job's user namespace")
        } else {
            Some("RLIMIT_NPROC, above the processes this user already has")
        };
        sandbox.containment.process_cap = cap.map(str::to_owned);
        sandbox.containment.process_cap_missing = cap.is_none().then(|| {
            cgroup_missing.unwrap_or_else(|| "root, and no writable pids cgroup".to_owned())
        });
        Ok(sandbox)
    }

    /// What the wrapper does on a system without Linux's namespaces and
    /// cgroups (its module says how: [`super::contain`]).
    #[cfg(not(target_os = "linux"))]
    pub fn detect(wrapper: &Path, _scratch: &Path) -> io::Result<Sandbox> {
        let system = std::env::consts::OS;
        let (memory_cap, process_cap, process_cap_missing) = if cfg!(windows) {
            (
                "a Job Object, for all the job's processes together",
                Some("a Job Object's active process limit".to_owned()),
                None,
            )
        } else {
            (
                "RLIMIT_DATA and RLIMIT_AS, per process, where the kernel honours them",
                None,
                Some(format!(
                    "{system} counts RLIMIT_NPROC over all of this user's processes"
                )),
            )
        };
        Ok(Sandbox {
            wrapper: wrapper.to_path_buf(),
            containment: Containment {
                namespaces: false,
                namespaces_missing: Some(format!("{system} has no namespaces")),
                fresh_proc: false,
                process_cap,
                process_cap_missing,
                memory_cap: memory_cap.to_owned(),
                memory_cgroup_missing: Some(format!("{system} has no cgroups")),
            },
        })
    }

    /// Where, inside, the job's directory is (where relative paths start).
    pub fn work_dir<'a>(&self, dir: &'a Path) -> &'a Path {
        if self.containment.namespaces {
            Path::new(super::contain::WORK)
        } else {
            dir
        }
    }

    /// Runs `job` through the wrapper; returns once it and everything it
    /// started are gone.
    #[cfg(not(target_os = "linux"))]
    pub fn run(&self, job: &Job) -> io::Result<Contained> {
        let spec = spec(job, Vec::new(), Nproc::Unset, false, false);
        self.run_spec(&spec, job.cancelled)
    }

    /// Runs `job` through the wrapper, in cgroups of its own where this
    /// server has them; returns once it and everything it started are gone.
    #[cfg(target_os = "linux")]
    pub fn run(&self, job: &Job) -> io::Result<Contained> {
        let cgroups = self
            .cgroups
            .job(self.next_job.fetch_add(1, Ordering::Relaxed), &job.limits)?;
        let root = rustix::process::geteuid().is_root();
        let nproc = match (root, self.containment.namespaces) {
            (true, _) => Nproc::Unset,
            (false, true) => Nproc::InNamespace(job.limits.processes + 2),
            (false, false) => Nproc::AboveCurrent(job.limits.processes + 1),
        };
        let spec = spec(
            job,
            cgroups.dirs(),
            nproc,
            self.containment.namespaces,
            cgroups.memory.is_none(),
        );
        let result = self.run_spec(&spec, job.cancelled);
        let mut result = result.inspect_err(|_| cgroups.remove())?;
        // What the cgroups counted, read before they go.
        let report = &mut result.report;
        if let Some(pids) = &cgroups.pids {
            report.process_cap_counted = true;
            report.process_cap_hit = event_count(pids, "pids.events", "max") > 0;
        }
        if let Some((memory, v2)) = &cgroups.memory {
            report.memory_cap_hit = if *v2 {
                event_count(memory, "memory.events", "oom_kill") > 0
            } else {
                event_count(memory, "memory.oom_control", "oom_kill") > 0
            };
        }
        cgroups.remove();
        Ok(result)
    }

    fn run_spec(
        &self,
        spec: &Spec,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> io::Result<Contained> {
        let (control_reader, control) = io::pipe()?;
        let (mut report_reader, report_writer) = io::pipe()?;
        let (output_reader, output_writer) = io::pipe()?;
        let mut command = Command::new(&self.wrapper);
        command
            .arg("__contain")
            .arg(serde_json::to_string(spec)?)
            .env_clear()
            .stdin(control_reader)
            .stdout(report_writer)
            .stderr(output_writer);
        let mut wrapper = command.spawn()?;
        // Our copies of the write ends must go, or the readers never see EOF.
        drop(command);

        let output = Collector::start(output_reader, LIMITS.output_bytes);

        // The wrapper keeps the time limit; if it does not answer to its
        // standard input closing, it is killed (and the namespace with it).
        let mut pause = pause_on(&wrapper);
        let started = Instant::now();
        let grace = Duration::from_millis(spec.wall_ms) + Duration::from_secs(2);
        let mut control = Some(control);
        wait_until(
            &mut wrapper,
            started + grace + Duration::from_secs(2),
            |_| {
                if control.is_some() && (cancelled() || started.elapsed() > grace) {
                    control = None;
                }
                pause();
                Ok(false)
            },
        )?;
        drop(control);
        let mut line = String::new();
        report_reader.read_to_string(&mut line)?;
        let report: Report = serde_json::from_str(line.trim()).unwrap_or_else(|error| Report {
            error: Some(format!("the wrapper's report ({error}): {line}")),
            ..Report::default()
        });
        // Everything that could write is gone; don't wait forever anyway.
        let (bytes, truncated) = output.finish(Some(Instant::now() + Duration::from_millis(500)));
        Ok(Contained {
            report,
            output: String::from_utf8_lossy(&bytes).into_owned(),
            truncated,
        })
    }
}

/// What the wrapper is asked to do for `job`.
fn spec(
    job: &Job,
    cgroups: Vec<PathBuf>,
    nproc: Nproc,
    namespaces: bool,
    refuse_shared_memory: bool,
) -> Spec {
    Spec {
        program: job.program.clone(),
        args: job.args.clone(),
        env: job.env.clone(),
        dir: job.dir.to_path_buf(),
        private_dir: job.private_dir,
        show: job.show.clone(),
        read_only: job.read_only.clone(),
        copy_in: job.copy_in.as_ref().map(|copy| CopyIn {
            source: copy.source.clone(),
            sha256: copy.sha256.clone(),
            name: copy.name.clone(),
        }),
        limits: job.limits,
        wall_ms: job.wall.as_millis() as u64,
        namespaces,
        cgroups,
        nproc,
        refuse_shared_memory,
    }
}

/// A short wait while `child` runs: until it ends or 10 ms pass, where a
/// pidfd can say so (Linux), else 2 ms.
fn pause_on(child: &Child) -> impl FnMut() + use<> {
    #[cfg(target_os = "linux")]
    let pidfd = rustix::process::pidfd_open(
        rustix::process::Pid::from_child(child),
        rustix::process::PidfdFlags::empty(),
    )
    .ok();
    #[cfg(not(target_os = "linux"))]
    let _ = child;
    move || {
        #[cfg(target_os = "linux")]
        if let Some(pidfd) = &pidfd {
            use rustix::event::{PollFd, PollFlags, Timespec, poll};
            let mut fds = [PollFd::new(pidfd, PollFlags::IN)];
            let step = Timespec::try_from(Duration::from_millis(10)).ok();
            let _ = poll(&mut fds, step.as_ref());
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

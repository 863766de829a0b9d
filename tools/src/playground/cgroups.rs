//! The cgroups of the playground's jobs (Linux): a memory limit that counts
//! shared memory too, and, for root (whom `RLIMIT_NPROC` does not bind), a
//! process cap. Made where a hierarchy is writable (root, here), read after
//! each job for what they stopped, and emptied.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use rustix::process::Pid;

use super::limits::{LIMITS, ProcessLimits};

/// This server's cgroups, for root (whom `RLIMIT_NPROC` does not bind) or
/// where a hierarchy is writable: `book-playground-<pid>` at the top of each
/// hierarchy with the pids or the memory controller, one cgroup per job
/// inside.
#[derive(Default)]
pub struct Cgroups {
    /// Where the pids controller is: its base, and whether it is cgroup v2.
    pub pids: Option<(PathBuf, bool)>,
    pub memory: Option<(PathBuf, bool)>,
}

/// One job's cgroups (one directory where both controllers share a
/// hierarchy, as in cgroup v2).
pub struct JobCgroups {
    pub pids: Option<PathBuf>,
    /// And whether it is cgroup v2.
    pub memory: Option<(PathBuf, bool)>,
}

const CGROUP_PREFIX: &str = "book-playground-";

impl Cgroups {
    /// The controllers this server can use, and why one is missing.
    pub fn create() -> (Cgroups, Option<String>) {
        let mut cgroups = Cgroups::default();
        let mut missing = Vec::new();
        for controller in ["pids", "memory"] {
            match Cgroups::base(controller) {
                Ok(base) => match controller {
                    "pids" => cgroups.pids = Some(base),
                    _ => cgroups.memory = Some(base),
                },
                Err(error) => missing.push(format!("no writable {controller} cgroup: {error}")),
            }
        }
        // Proves it works: a job's cgroups with their limits.
        match cgroups.job(u64::MAX, &LIMITS.program) {
            Ok(trial) => trial.remove(),
            Err(error) => {
                missing.push(format!("a job's cgroup could not be made: {error}"));
                cgroups = Cgroups::default();
            }
        }
        (cgroups, (!missing.is_empty()).then(|| missing.join("; ")))
    }

    /// This server's cgroup in the hierarchy of `controller`.
    fn base(controller: &str) -> io::Result<(PathBuf, bool)> {
        let (mount, v2) = hierarchy(controller).ok_or_else(|| {
            io::Error::other(format!(
                "no cgroup hierarchy with the {controller} controller"
            ))
        })?;
        sweep_stale_cgroups(&mount);
        let enable = format!("+{controller}");
        if v2 {
            // Jobs get the controller's files when their parent enables it.
            fs::write(mount.join("cgroup.subtree_control"), &enable)?;
        }
        let base = mount.join(format!("{CGROUP_PREFIX}{}", std::process::id()));
        fs::create_dir_all(&base)?;
        if v2 {
            fs::write(base.join("cgroup.subtree_control"), &enable)?;
        }
        Ok((base, v2))
    }

    pub fn job(&self, number: u64, limits: &ProcessLimits) -> io::Result<JobCgroups> {
        let name = format!("job-{number}");
        let make = |base: &Path| -> io::Result<PathBuf> {
            let dir = base.join(&name);
            fs::create_dir_all(&dir)?;
            Ok(dir)
        };
        let mut job = JobCgroups {
            pids: None,
            memory: None,
        };
        let made = (|| {
            if let Some((base, _)) = &self.pids {
                let dir = make(base)?;
                job.pids = Some(dir.clone());
                // The wrapper and the namespace's first process count too.
                fs::write(dir.join("pids.max"), (limits.processes + 2).to_string())?;
            }
            if let Some((base, v2)) = &self.memory {
                let dir = make(base)?;
                job.memory = Some((dir.clone(), *v2));
                let bytes = limits.memory_bytes.to_string();
                if *v2 {
                    fs::write(dir.join("memory.max"), &bytes)?;
                    // Swapped-out memory is memory too.
                    if dir.join("memory.swap.max").exists() {
                        fs::write(dir.join("memory.swap.max"), "0")?;
                    }
                } else {
                    // memsw (memory and swap) may not be below memory alone.
                    fs::write(dir.join("memory.limit_in_bytes"), &bytes)?;
                    if dir.join("memory.memsw.limit_in_bytes").exists() {
                        fs::write(dir.join("memory.memsw.limit_in_bytes"), &bytes)?;
                    }
                }
            }
            Ok(())
        })();
        match made {
            Ok(()) => Ok(job),
            Err(error) => {
                job.remove();
                Err(error)
            }
        }
    }
}

impl JobCgroups {
    /// Each directory to join, once.
    pub fn dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self.pids.iter().cloned().collect();
        if let Some((memory, _)) = &self.memory
            && !dirs.contains(memory)
        {
            dirs.push(memory.clone());
        }
        dirs
    }

    /// Kills what is left in them, then removes them.
    pub fn remove(&self) {
        for dir in self.dirs() {
            remove_cgroup(&dir);
        }
    }
}

impl Drop for Cgroups {
    fn drop(&mut self) {
        for (base, _) in self.pids.iter().chain(&self.memory) {
            remove_cgroup_tree(base);
        }
    }
}

/// The count after `key` in a cgroup's file of `key count` lines.
pub fn event_count(dir: &Path, file: &str, key: &str) -> u64 {
    let text = fs::read_to_string(dir.join(file)).unwrap_or_default();
    text.lines()
        .find_map(|line| {
            line.strip_prefix(key)?
                .strip_prefix(' ')?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// The mount point of the hierarchy with `controller`, and whether it is
/// cgroup v2.
fn hierarchy(controller: &str) -> Option<(PathBuf, bool)> {
    let mounts = fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mut v2 = None;
    for line in mounts.lines() {
        let (mount, rest) = line.split_once(" - ")?;
        let point = PathBuf::from(mount.split(' ').nth(4)?);
        let mut rest = rest.split(' ');
        let (kind, options) = (rest.next()?, rest.nth(1).unwrap_or(""));
        if kind == "cgroup" && options.split(',').any(|option| option == controller) {
            return Some((point, false));
        }
        if kind == "cgroup2"
            && fs::read_to_string(point.join("cgroup.controllers"))
                .is_ok_and(|controllers| controllers.split_whitespace().any(|c| c == controller))
        {
            v2.get_or_insert(point);
        }
    }
    v2.map(|point| (point, true))
}

/// Removes the cgroups of servers that are no longer running.
fn sweep_stale_cgroups(mount: &Path) {
    for cgroup in super::sweep::stale(mount, CGROUP_PREFIX) {
        remove_cgroup_tree(&cgroup);
    }
}

fn remove_cgroup_tree(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_cgroup(&entry.path());
            }
        }
    }
    let _ = fs::remove_dir(dir);
}

/// Kills what is left in a job's cgroup, then removes it.
fn remove_cgroup(dir: &Path) {
    for _ in 0..200 {
        let procs = fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
        if procs.trim().is_empty() {
            break;
        }
        for pid in procs
            .lines()
            .filter_map(|pid| pid.parse().ok().and_then(Pid::from_raw))
        {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        }
        thread::sleep(Duration::from_millis(5));
    }
    // A cgroup goes once its last process has been reaped.
    for _ in 0..200 {
        if fs::remove_dir(dir).is_ok() || !dir.exists() {
            return;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

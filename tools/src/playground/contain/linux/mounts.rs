//! The namespaces a job runs in, where the kernel allows them without root:
//! a new user namespace (in which the wrapper may set up the others), PID
//! (only the job's processes), network (no interface but a loopback that is
//! down, and no abstract Unix sockets of the host), IPC, and mount.
//!
//! The job's files are built from an allowlist, as bubblewrap does, not from
//! the host's `/` made read-only: a new root on an empty tmpfs holding, all
//! read-only, the system's programs and libraries (`/usr`, `/bin`, `/lib*`,
//! `/sbin`, `/etc`), the toolchain the job needs (at its own path), and a
//! minimal `/dev` (`null`, `zero`, `full`, `random`, `urandom` and a private
//! `/dev/shm`: no terminal, no disk, no other device); the job's directory,
//! the one place it can write, seen as `/tmp`. No home directory, no `/run`,
//! no `/var`: none of the host's Unix sockets is there to connect to. What
//! only root may read in `/etc` is hidden ([`SECRETS`]).
//!
//! The wrapper assembles the root at [`STAGE`] ([`enter`]); the namespace's
//! first process mounts its `/proc` there and moves into it ([`pivot`]),
//! since a `/proc` can only be mounted by a process of the new PID namespace
//! while the host's is still in view.

use std::ffi::{CStr, CString};
use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::CWD;
use rustix::io::Errno;
use rustix::mount::{
    MountFlags, MountPropagationFlags, MoveMountFlags, OpenTreeFlags, UnmountFlags, mount,
    mount_change, mount_remount, move_mount, open_tree, unmount,
};
use rustix::thread::{
    CapabilitiesSecureBits, CapabilitySet, CapabilitySets, UnshareFlags,
    clear_ambient_capability_set, set_capabilities, set_capabilities_secure_bits,
};

use super::super::{Spec, WORK};

/// Where the new root is assembled: an empty tmpfs mounted over the host's
/// `/tmp`, once everything to show has been taken (a repository or a
/// toolchain may live under `/tmp`).
const STAGE: &str = "/tmp";

/// The system's programs and libraries, shown read-only where they exist.
/// A symbolic link (`/bin -> usr/bin` on merged systems) is made again as
/// one.
const SYSTEM: [&str; 8] = [
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
];

/// What `/etc` holds that only root may read (password hashes, the host's
/// SSH keys): hidden, in case the server runs as root, whom the job's user
/// still is to the files.
const SECRETS: [&str; 5] = [
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/shadow-",
    "/etc/gshadow-",
    "/etc/ssh",
];

/// The devices a program may use, each the host's node bound in.
pub const DEVICES: [&str; 5] = ["null", "zero", "full", "random", "urandom"];

/// `/dev`'s links into `/proc`.
const DEVICE_LINKS: [(&str, &str); 4] = [
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
];

/// Enters the namespaces and assembles the job's root at [`STAGE`]; returns
/// the job's work directory as the wrapper sees it (before the pivot).
pub fn enter(spec: &Spec) -> io::Result<PathBuf> {
    let uid = rustix::process::getuid().as_raw();
    let gid = rustix::process::getgid().as_raw();
    unshare().map_err(|e| with(e, "creating namespaces (unshare)"))?;
    // Inside, the wrapper is root, with every capability over the new
    // namespaces (and none outside); it is still this user to the system.
    if let Err(error) = fs::write("/proc/self/setgroups", "deny")
        && error.kind() != io::ErrorKind::NotFound
    {
        return Err(with(error, "writing /proc/self/setgroups"));
    }
    fs::write("/proc/self/uid_map", format!("0 {uid} 1"))
        .map_err(|e| with(e, "mapping the user"))?;
    fs::write("/proc/self/gid_map", format!("0 {gid} 1"))
        .map_err(|e| with(e, "mapping the group"))?;

    // Nothing done here reaches the system's mounts.
    mount_change(
        "/",
        MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
    )
    .map_err(|e| with(e.into(), "making mounts private"))?;

    // Everything to show is taken before the stage hides the host's /tmp.
    let job = if spec.private_dir {
        None
    } else {
        Some(clone(&spec.dir)?)
    };
    let shown: Vec<(OwnedFd, &String)> = spec
        .show
        .iter()
        .map(|(dir, name)| Ok((clone(dir)?, name)))
        .collect::<io::Result<_>>()?;
    let mut trees: Vec<(OwnedFd, PathBuf)> = Vec::new();
    let mut links: Vec<(PathBuf, PathBuf)> = Vec::new();
    for path in SYSTEM
        .iter()
        .map(Path::new)
        .chain(spec.read_only.iter().map(PathBuf::as_path))
    {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_symlink() => links.push((path.into(), fs::read_link(path)?)),
            Ok(_) => trees.push((clone(path)?, path.into())),
            Err(_) => {}
        }
    }
    let devices: Vec<(OwnedFd, &str)> = DEVICES
        .iter()
        .map(|name| Ok((clone(&Path::new("/dev").join(name))?, *name)))
        .collect::<io::Result<_>>()?;

    let stage = Path::new(STAGE);
    mount_tmpfs(STAGE, MountFlags::empty(), c"size=1m,mode=755")?;
    for (tree, path) in trees {
        let at = inside(stage, &path);
        fs::create_dir_all(&at)?;
        attach(tree, &at)?;
    }
    for secret in SECRETS.map(Path::new) {
        let at = inside(stage, secret);
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => {
                mount_tmpfs(&at, MountFlags::RDONLY, c"size=4k,mode=755")?;
            }
            Ok(meta) if meta.is_file() => attach(clone(Path::new("/dev/null"))?, &at)?,
            _ => {}
        }
    }
    for (path, target) in links {
        let at = inside(stage, &path);
        if let Some(parent) = at.parent() {
            fs::create_dir_all(parent)?;
        }
        std::os::unix::fs::symlink(target, at)?;
    }

    let dev = stage.join("dev");
    fs::create_dir(&dev)?;
    mount_tmpfs(&dev, MountFlags::empty(), c"size=64k,mode=755")?;
    for (node, name) in devices {
        let at = dev.join(name);
        fs::write(&at, "")?;
        attach(node, &at)?;
    }
    for (name, target) in DEVICE_LINKS {
        std::os::unix::fs::symlink(target, dev.join(name))?;
    }
    // POSIX shared memory (`shm_open`), within the job's disk allowance.
    fs::create_dir(dev.join("shm"))?;
    let sized = |mode: &str| {
        CString::new(format!("size={},mode={mode}", spec.limits.disk_bytes)).expect("no NUL")
    };
    mount_tmpfs(dev.join("shm"), MountFlags::empty(), &sized("1777"))?;

    fs::create_dir(stage.join("proc"))?;
    let work = inside(stage, Path::new(WORK));
    fs::create_dir_all(&work)?;
    match job {
        Some(job) => attach(job, &work)?,
        None => mount_tmpfs(&work, MountFlags::empty(), &sized("700"))?,
    }
    for (tree, name) in shown {
        let at = work.join(name);
        fs::create_dir_all(&at)?;
        attach(tree, &at)?;
    }
    let writable = [work.clone(), dev.join("shm")];
    read_only_under(stage, &writable)?;
    Ok(work)
}

/// Run by the namespace's first process: mounts a `/proc` that shows only
/// the job's processes (where the system allows it; otherwise `/proc` stays
/// empty) and makes the assembled root the root of every process of the
/// job, the host's files detached. Says whether `/proc` was mounted.
pub fn pivot() -> io::Result<bool> {
    let stage = Path::new(STAGE);
    let fresh_proc = mount(
        c"proc",
        stage.join("proc"),
        c"proc",
        MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
        None,
    )
    .is_ok();
    std::env::set_current_dir(stage)?;
    // The old root goes on top of the new one, and is detached at once.
    rustix::process::pivot_root(".", ".").map_err(|e| with(e.into(), "entering the job's root"))?;
    unmount(".", UnmountFlags::DETACH).map_err(|e| with(e.into(), "detaching the host's files"))?;
    std::env::set_current_dir("/")?;
    Ok(fresh_proc)
}

/// `path` of the host, as placed under `stage`.
fn inside(stage: &Path, path: &Path) -> PathBuf {
    stage.join(path.strip_prefix("/").unwrap_or(path))
}

/// A detached copy of the mounts at and below `path`.
fn clone(path: &Path) -> io::Result<OwnedFd> {
    open_tree(
        CWD,
        path,
        OpenTreeFlags::OPEN_TREE_CLONE
            | OpenTreeFlags::OPEN_TREE_CLOEXEC
            | OpenTreeFlags::AT_RECURSIVE,
    )
    .map_err(|e| with(e.into(), &format!("taking the mount of {}", path.display())))
}

fn attach(tree: OwnedFd, at: &Path) -> io::Result<()> {
    move_mount(tree, c"", CWD, at, MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH)
        .map_err(|e| with(e.into(), &format!("showing {}", at.display())))
}

#[allow(deprecated)]
fn unshare() -> io::Result<()> {
    // rustix deprecates its safe `unshare` because `CLONE_FILES` would let
    // threads see different file tables; only namespaces are unshared here,
    // by a process that has not started a thread.
    rustix::thread::unshare(
        UnshareFlags::NEWUSER
            | UnshareFlags::NEWPID
            | UnshareFlags::NEWNET
            | UnshareFlags::NEWNS
            | UnshareFlags::NEWIPC,
    )?;
    Ok(())
}

fn with(error: io::Error, what: &str) -> io::Error {
    io::Error::new(error.kind(), format!("{what}: {error}"))
}

fn mount_tmpfs(at: impl AsRef<Path>, flags: MountFlags, options: &CStr) -> io::Result<()> {
    let at = at.as_ref();
    mount(
        c"tmpfs",
        at,
        c"tmpfs",
        flags | MountFlags::NOSUID | MountFlags::NODEV,
        Some(options),
    )
    .map_err(|e| with(e.into(), &format!("mounting a tmpfs on {}", at.display())))
}

/// Remounts every mount at or under `stage` read-only but those at
/// `writable`, keeping the flags a user namespace may not clear (nosuid,
/// nodev, noexec; the atime flags are kept by the kernel).
fn read_only_under(stage: &Path, writable: &[PathBuf]) -> io::Result<()> {
    let mounts = fs::read_to_string("/proc/self/mountinfo")?;
    for line in mounts.lines() {
        // `id parent major:minor root mount-point options ...`
        let fields: Vec<&str> = line.split(' ').collect();
        let (Some(point), Some(options)) = (fields.get(4), fields.get(5)) else {
            continue;
        };
        let point = PathBuf::from(unescape(point));
        if !point.starts_with(stage) || writable.contains(&point) {
            continue;
        }
        let mut flags = MountFlags::BIND | MountFlags::RDONLY;
        for option in options.split(',') {
            flags |= match option {
                "nosuid" => MountFlags::NOSUID,
                "nodev" => MountFlags::NODEV,
                "noexec" => MountFlags::NOEXEC,
                _ => MountFlags::empty(),
            };
        }
        match mount_remount(&point, flags, c"") {
            Ok(()) => {}
            // Mount points this user cannot reach, or that are hidden.
            Err(Errno::ACCESS | Errno::NOENT) => {}
            Err(error) => {
                return Err(with(
                    error.into(),
                    &format!("making {} read-only", point.display()),
                ));
            }
        }
    }
    Ok(())
}

/// Mount points escape spaces, tabs, newlines and backslashes as `\ooo`.
fn unescape(field: &str) -> String {
    let mut out = Vec::with_capacity(field.len());
    let bytes = field.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(digits) = bytes.get(i + 1..i + 4)
            && let Ok(code) = u8::from_str_radix(&String::from_utf8_lossy(digits), 8)
        {
            out.push(code);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Gives up every capability, for this process and for what it executes:
/// root in the namespace gains none on `execve` (`SECBIT_NOROOT`), and
/// nothing can take that back.
pub fn drop_capabilities() -> io::Result<()> {
    clear_ambient_capability_set()?;
    set_capabilities_secure_bits(
        CapabilitiesSecureBits::NO_ROOT
            | CapabilitiesSecureBits::NO_ROOT_LOCKED
            | CapabilitiesSecureBits::NO_SETUID_FIXUP
            | CapabilitiesSecureBits::NO_SETUID_FIXUP_LOCKED
            | CapabilitiesSecureBits::KEEP_CAPS_LOCKED
            | CapabilitiesSecureBits::NO_CAP_AMBIENT_RAISE,
    )?;
    set_capabilities(
        None,
        CapabilitySets {
            effective: CapabilitySet::empty(),
            permitted: CapabilitySet::empty(),
            inheritable: CapabilitySet::empty(),
        },
    )?;
    Ok(())
}

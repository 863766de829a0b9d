//! The namespaces a job runs in, where the kernel allows them without root:
//! a new user namespace (in which the wrapper may set up the others), PID
//! (only the job's processes), network (no interface but a loopback that is
//! down), IPC, and mount: every mount read-only, `/tmp`, `/var/tmp`, `/run`
//! and `/dev/shm` hidden (no sockets of the desktop session, nothing shared
//! to write to), and the job's directory, the one place it can write, seen
//! as `/tmp`.

use std::ffi::CStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rustix::fs::CWD;
use rustix::io::Errno;
use rustix::mount::{
    MountFlags, MountPropagationFlags, MoveMountFlags, OpenTreeFlags, mount, mount_change,
    mount_remount, move_mount, open_tree,
};
use rustix::thread::{
    CapabilitiesSecureBits, CapabilitySet, CapabilitySets, UnshareFlags,
    clear_ambient_capability_set, set_capabilities, set_capabilities_secure_bits,
};

use super::contain::Spec;

/// Where the job's directory is, inside.
pub const WORK: &str = "/tmp";

/// Directories hidden under an empty, read-only file system.
const HIDDEN: [&str; 3] = ["/var/tmp", "/run", "/dev/shm"];

/// Enters the namespaces and builds the job's view of the files; returns
/// its work directory.
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
    let clone = |path: &Path| {
        open_tree(
            CWD,
            path,
            OpenTreeFlags::OPEN_TREE_CLONE | OpenTreeFlags::OPEN_TREE_CLOEXEC,
        )
        .map_err(|e| {
            with(
                e.into(),
                &format!("cloning the mount of {}", path.display()),
            )
        })
    };
    // Taken before anything is read-only or hidden: the job's directory,
    // writable.
    let job = if spec.private_dir {
        None
    } else {
        Some(clone(&spec.dir)?)
    };
    read_only_everywhere()?;
    // Taken now, read-only.
    let shown: Vec<_> = spec
        .show
        .iter()
        .map(|(dir, name)| Ok((clone(dir)?, name)))
        .collect::<io::Result<_>>()?;

    for dir in HIDDEN {
        if fs::symlink_metadata(dir).is_ok_and(|meta| meta.is_dir()) {
            mount_tmpfs(dir, MountFlags::RDONLY, c"size=4k,mode=755")?;
        }
    }
    match job {
        Some(job) => move_mount(job, c"", CWD, WORK, MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH)
            .map_err(|e| with(e.into(), "showing the job's directory"))?,
        None => {
            let options = format!("size={},mode=700", spec.limits.disk_bytes);
            let options = std::ffi::CString::new(options).expect("no NUL");
            mount_tmpfs(WORK, MountFlags::empty(), &options)?;
        }
    }
    for (tree, name) in shown {
        let at = Path::new(WORK).join(name);
        fs::create_dir_all(&at)?;
        move_mount(tree, c"", CWD, &at, MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH)
            .map_err(|e| with(e.into(), &format!("showing {}", at.display())))?;
    }
    Ok(PathBuf::from(WORK))
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

fn mount_tmpfs(at: &str, flags: MountFlags, options: &CStr) -> io::Result<()> {
    mount(
        c"tmpfs",
        at,
        c"tmpfs",
        flags | MountFlags::NOSUID | MountFlags::NODEV,
        Some(options),
    )
    .map_err(|e| with(e.into(), &format!("mounting a tmpfs on {at}")))
}

/// Remounts every mount read-only, keeping the flags a user namespace may
/// not clear (nosuid, nodev, noexec; the atime flags are kept by the kernel).
fn read_only_everywhere() -> io::Result<()> {
    let mounts = fs::read_to_string("/proc/self/mountinfo")?;
    for line in mounts.lines() {
        // `id parent major:minor root mount-point options ...`
        let fields: Vec<&str> = line.split(' ').collect();
        let (Some(point), Some(options)) = (fields.get(4), fields.get(5)) else {
            continue;
        };
        let point = unescape(point);
        let mut flags = MountFlags::BIND | MountFlags::RDONLY;
        for option in options.split(',') {
            flags |= match option {
                "nosuid" => MountFlags::NOSUID,
                "nodev" => MountFlags::NODEV,
                "noexec" => MountFlags::NOEXEC,
                _ => MountFlags::empty(),
            };
        }
        match mount_remount(point.as_str(), flags, c"") {
            Ok(()) => {}
            // Mount points this user cannot reach, or that are gone.
            Err(Errno::ACCESS | Errno::NOENT) => {}
            Err(error) => {
                return Err(with(error.into(), &format!("making {point} read-only")));
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

/// A `/proc` of the new PID namespace (run by its first process).
pub fn mount_proc() -> io::Result<()> {
    mount(
        c"proc",
        c"/proc",
        c"proc",
        MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
        None,
    )?;
    Ok(())
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

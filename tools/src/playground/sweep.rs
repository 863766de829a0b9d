//! Removing what servers that were killed (and could not clean up) left behind.

use std::fs;
use std::path::{Path, PathBuf};

/// Whether the process `pid` (a directory name's suffix) is running: it
/// exists, whether or not this user may signal it.
#[cfg(unix)]
fn process_is_alive(pid: &str) -> bool {
    use rustix::io::Errno;
    use rustix::process::{Pid, test_kill_process};
    let Some(pid) = pid.parse().ok().and_then(Pid::from_raw) else {
        return false;
    };
    matches!(test_kill_process(pid), Ok(()) | Err(Errno::PERM))
}

/// Windows gives no way to ask without a Win32 call: a server's leftovers
/// are kept (in the target directory) rather than risk removing the files
/// of one that still runs.
#[cfg(windows)]
fn process_is_alive(_pid: &str) -> bool {
    true
}

/// The entries `dir/<prefix><pid>` whose server `pid` is no longer running.
pub(super) fn stale(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            name.to_str()
                .and_then(|name| name.strip_prefix(prefix))
                .is_some_and(|pid| pid.parse::<u32>().is_ok() && !process_is_alive(pid))
        })
        .map(|entry| entry.path())
        .collect()
}

/// Removes `dir/<prefix><pid>` left by servers that are no longer running
/// (killed, so they could not clean up).
pub fn sweep_stale(dir: &Path, prefix: &str) {
    for path in stale(dir, prefix) {
        let _ = fs::remove_dir_all(path);
    }
}

//! Removing what servers that were killed (and could not clean up) left behind.

use std::fs;
use std::path::{Path, PathBuf};

/// Whether the process `pid` (a directory name's suffix) is running.
fn process_is_alive(pid: &str) -> bool {
    pid.parse::<u32>()
        .is_ok_and(|pid| Path::new("/proc").join(pid.to_string()).exists())
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

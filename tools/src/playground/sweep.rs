//! Removing what servers that were killed (and could not clean up) left behind.

use std::fs;
use std::path::Path;

/// Whether the process `pid` (a directory name's suffix) is running.
pub(super) fn process_is_alive(pid: &str) -> bool {
    pid.parse::<u32>()
        .is_ok_and(|pid| Path::new("/proc").join(pid.to_string()).exists())
}

/// Removes `dir/<prefix><pid>` left by servers that are no longer running
/// (killed, so they could not clean up).
pub fn sweep_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|name| name.strip_prefix(prefix)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !process_is_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

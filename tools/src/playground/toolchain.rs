//! Finding the pinned `rustc` (the one `rust-toolchain.toml` names) and its version.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The pinned `rustc`, run from `workspace`, and its `rustc -vV`.
pub fn pinned_rustc(workspace: &Path) -> Result<(PathBuf, String)> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(workspace)
        .output()
        .context("running rustc")?;
    if !sysroot.status.success() {
        bail!("rustc --print sysroot failed");
    }
    let rustc = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim()).join("bin/rustc");
    let version = Command::new(&rustc).arg("-vV").output()?;
    let rustc_version = String::from_utf8_lossy(&version.stdout).into_owned();
    Ok((rustc, rustc_version))
}

//! Calling cargo from a test. Cargo releases the build directory while tests
//! run, so a nested build shares (and reuses) the outer one's target directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// `cargo`, the same one that runs the tests, in `root`.
pub fn cargo(root: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(root);
    command
}

/// The workspace's target directory for a program that is not a test (a
/// test knows it better: [`target_dir`]).
pub fn workspace_target(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// The target directory the running test was built in
/// (its executable is `<target>/<profile>/deps/<name>`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its executable");
    exe.ancestors()
        .nth(3)
        .expect("tests run from <target>/<profile>/deps")
        .to_path_buf()
}

/// Builds the HTML book with `cargo book build` into `<target>/tmp/<name>`
/// (a directory of the calling test's own) and returns that directory.
pub fn build_book(root: &Path, name: &str) -> PathBuf {
    let dest = target_dir().join("tmp").join(name);
    let status = cargo(root)
        .args(["book", "build", "--dest"])
        .arg(&dest)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building the book failed or warned (see above)"
    );
    dest
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    package_id: Option<String>,
    target: Option<Target>,
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
}

/// Builds every binary of `packages` in one cargo call and returns the
/// executables by `(package, binary)`.
pub fn build_bins(
    root: &Path,
    packages: &[&str],
) -> Result<HashMap<(String, String), PathBuf>, String> {
    let mut command = cargo(root);
    command.args([
        "build",
        "--bins",
        "--message-format=json-render-diagnostics",
    ]);
    for package in packages {
        command.args(["--package", package]);
    }
    build(command)
}

/// Runs a `cargo build --message-format=json…` and returns the executables
/// it built by `(package, binary)`, or cargo's messages.
pub fn build(mut command: Command) -> Result<HashMap<(String, String), PathBuf>, String> {
    let output = command
        .output()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building the listings failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }

    Ok(executables(&String::from_utf8_lossy(&output.stdout)))
}

/// The executables a `cargo build --message-format=json…` reports in its
/// `stdout`, by `(package, binary)`.
pub fn executables(stdout: &str) -> HashMap<(String, String), PathBuf> {
    let mut executables = HashMap::new();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<Message>(line) else {
            continue;
        };
        if let ("compiler-artifact", Some(package_id), Some(target), Some(executable)) = (
            message.reason.as_str(),
            message.package_id,
            message.target,
            message.executable,
        ) {
            executables.insert((package_name(&package_id), target.name), executable);
        }
    }
    executables
}

/// The name in a package id: `path+file:///…/ch06-mutex#0.1.0` or
/// `path+file:///…/listings/ch06-mutex#ch06-mutex@0.1.0`.
fn package_name(id: &str) -> String {
    let fragment = id.rsplit('#').next().unwrap_or(id);
    match fragment.split_once('@') {
        Some((name, _version)) => name.to_owned(),
        None => id
            .split('#')
            .next()
            .and_then(|url| url.rsplit('/').next())
            .unwrap_or(id)
            .to_owned(),
    }
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<MetadataPackage>,
}

#[derive(Deserialize)]
struct MetadataPackage {
    name: String,
    targets: Vec<MetadataTarget>,
}

#[derive(Deserialize)]
struct MetadataTarget {
    name: String,
    kind: Vec<String>,
    #[serde(rename = "required-features", default)]
    required_features: Vec<String>,
}

/// The `required-features` of every binary of the workspace, by
/// `(package, binary)`, from `cargo metadata`.
pub fn required_features(root: &Path) -> Result<HashMap<(String, String), Vec<String>>, String> {
    let output = cargo(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("could not run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed (is a listing crate's Cargo.toml broken?):\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed something unexpected: {e}"))?;
    Ok(metadata
        .packages
        .into_iter()
        .flat_map(|package| {
            package
                .targets
                .into_iter()
                .filter(|target| target.kind.iter().any(|kind| kind == "bin"))
                .map(move |target| {
                    (
                        (package.name.clone(), target.name),
                        target.required_features,
                    )
                })
        })
        .collect())
}

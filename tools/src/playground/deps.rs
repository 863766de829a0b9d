//! The libraries the listings use, built once with cargo so that code a
//! page sends can use them too, and copied into a directory of the
//! playground's own, named by their content: the compiler links against
//! exactly the files whose digests are in the cache key, whatever cargo
//! builds later.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::Crate;
use super::cache::{Key, digest_file};

/// The playground's copy of the dependencies.
pub struct Deps {
    pub dir: PathBuf,
    /// Each file's name and SHA-256.
    pub files: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    manifest_path: PathBuf,
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Artifact {
    reason: String,
    package_id: Option<String>,
    target: Option<Target>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

/// Builds the listings' dependencies and copies them under `dir`.
pub fn build(workspace: &Path, dir: &Path) -> Result<(Vec<Crate>, Deps)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .current_dir(workspace)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout)?;
    let listings = workspace.join("listings");
    let users: Vec<&Package> = metadata
        .packages
        .iter()
        .filter(|package| package.manifest_path.starts_with(&listings))
        .filter(|package| package.dependencies.iter().any(|dep| dep.kind.is_none()))
        .collect();
    if users.is_empty() {
        let empty = dir.join("deps-none");
        fs::create_dir_all(&empty)?;
        let deps = Deps {
            dir: empty,
            files: Vec::new(),
        };
        return Ok((Vec::new(), deps));
    }
    let wanted: Vec<String> = users
        .iter()
        .flat_map(|package| &package.dependencies)
        .filter(|dep| dep.kind.is_none())
        .map(|dep| dep.name.replace('-', "_"))
        .collect();

    let mut build = Command::new(&cargo);
    build
        .current_dir(workspace)
        .args(["build", "--quiet", "--message-format=json"]);
    for package in &users {
        build.args(["--package", &package.name]);
    }
    let output = build
        .output()
        .context("building the listings' dependencies")?;
    if !output.status.success() {
        bail!(
            "building the listings' dependencies failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut crates: Vec<Crate> = Vec::new();
    let mut libraries: Vec<PathBuf> = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(artifact) = serde_json::from_str::<Artifact>(line) else {
            continue;
        };
        let (Some(target), Some(id)) = (artifact.target, artifact.package_id) else {
            continue;
        };
        let is_library = target
            .kind
            .iter()
            .any(|kind| matches!(kind.as_str(), "lib" | "rlib" | "proc-macro"));
        if artifact.reason != "compiler-artifact" || !is_library {
            continue;
        }
        let files: Vec<PathBuf> = artifact
            .filenames
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rlib" || e == "so"))
            .collect();
        if let Some(rlib) = files
            .iter()
            .find(|f| f.extension().is_some_and(|e| e == "rlib"))
            && wanted.contains(&target.name)
            && !crates.iter().any(|known| known.id == target.name)
        {
            // `registry+https://…#crossbeam-channel@0.5.15`
            let (name, version) = id
                .rsplit('#')
                .next()
                .and_then(|spec| spec.split_once('@'))
                .map(|(name, version)| (name.to_owned(), version.to_owned()))
                .unwrap_or_else(|| (target.name.replace('_', "-"), String::new()));
            crates.push(Crate {
                name,
                version,
                id: target.name,
                rlib: file_name(rlib),
            });
        }
        libraries.extend(files);
    }
    libraries.sort();
    libraries.dedup();
    Ok((crates, copy(&libraries, dir)?))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("an artifact is a file")
        .to_string_lossy()
        .into_owned()
}

/// Copies the libraries into `dir/deps-<digest of them all>`, unless an
/// identical copy is there.
fn copy(libraries: &[PathBuf], dir: &Path) -> Result<Deps> {
    let mut files = Vec::new();
    let mut set = Key::new();
    for library in libraries {
        let sha256 =
            digest_file(library).with_context(|| format!("reading {}", library.display()))?;
        set.add(&file_name(library), sha256.as_bytes());
        files.push((file_name(library), sha256));
    }
    let dest = dir.join(format!("deps-{}", &set.finish()[..16]));
    if !dest.is_dir() {
        let partial = dir.join(format!(".deps-{}", std::process::id()));
        let _ = fs::remove_dir_all(&partial);
        fs::create_dir_all(&partial)?;
        for library in libraries {
            fs::copy(library, partial.join(file_name(library)))?;
        }
        if fs::rename(&partial, &dest).is_err() && !dest.is_dir() {
            bail!("could not make {}", dest.display());
        }
        let _ = fs::remove_dir_all(&partial);
    }
    Ok(Deps { dir: dest, files })
}

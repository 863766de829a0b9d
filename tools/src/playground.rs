//! A local stand-in for the two requests mdBook's Run button makes to the
//! public playground (`meta/crates` and `evaluate.json`), running code with
//! the toolchain pinned in `rust-toolchain.toml`.
//!
//! It runs whatever code a page sends, so everything is bounded: the request
//! size, compile and run time, output, and how many jobs run at once. A job's
//! files live in a temporary directory that is removed when the job ends, and
//! a program that runs too long is killed with its whole process group.

mod limited;

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

pub use limited::{Limited, run_limited};

/// The limits a job runs under.
pub struct Limits {
    /// Largest request body accepted.
    pub body_bytes: usize,
    pub compile: Duration,
    /// The page gives up after 6 s, compile time included.
    pub run: Duration,
    /// Output kept from the compiler, and from the program.
    pub output_bytes: usize,
    /// Jobs compiling or running at once.
    pub jobs: usize,
    /// How long a request waits for a free job slot before it is refused.
    pub queue_wait: Duration,
    /// Compiled programs kept for identical requests.
    pub cached_programs: usize,
}

pub const LIMITS: Limits = Limits {
    body_bytes: 64 * 1024,
    compile: Duration::from_secs(15),
    run: Duration::from_secs(4),
    output_bytes: 64 * 1024,
    jobs: 2,
    queue_wait: Duration::from_secs(5),
    cached_programs: 256,
};

/// The body of `evaluate.json`, as mdBook's book.js sends it.
#[derive(Debug, Deserialize)]
pub struct Request {
    pub code: String,
    #[serde(default = "default_edition")]
    pub edition: String,
    #[serde(default)]
    pub optimize: Option<String>,
    /// `stable` or `nightly`; the pinned toolchain answers both.
    #[serde(default)]
    pub version: Option<String>,
}

fn default_edition() -> String {
    "2015".to_owned()
}

/// What `evaluate.json` answers. book.js shows `result` only, so it carries
/// everything a reader should see, errors included.
#[derive(Debug, Serialize)]
pub struct Response {
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Response {
    /// A refusal the reader sees in place of the output.
    pub fn refused(message: impl Into<String>) -> Self {
        let message = message.into();
        Response {
            result: message.clone(),
            error: Some(message),
        }
    }
}

/// A library the listings depend on, offered to the code a page sends.
#[derive(Debug, Clone, Serialize)]
pub struct Crate {
    pub name: String,
    pub version: String,
    /// The name code uses (`crossbeam_channel`); book.js matches on it.
    pub id: String,
    #[serde(skip)]
    rlib: PathBuf,
}

pub struct Playground {
    rustc: PathBuf,
    rustc_version: String,
    crates: Vec<Crate>,
    deps_dir: Option<PathBuf>,
    cache_dir: PathBuf,
    jobs_dir: PathBuf,
}

impl Playground {
    /// Finds the pinned `rustc` and builds the listings' dependencies.
    /// `workspace` is the repository root; `dir` holds the cache and the
    /// jobs' temporary directories.
    pub fn new(workspace: &Path, dir: &Path) -> Result<Self> {
        let sysroot = Command::new("rustc")
            .args(["--print", "sysroot"])
            .current_dir(workspace)
            .output()
            .context("running rustc")?;
        if !sysroot.status.success() {
            bail!("rustc --print sysroot failed");
        }
        let rustc =
            PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim()).join("bin/rustc");
        let version = Command::new(&rustc).arg("-vV").output()?;
        let rustc_version = String::from_utf8_lossy(&version.stdout).into_owned();

        let (crates, deps_dir) = listing_dependencies(workspace)?;
        let cache_dir = dir.join("cache");
        let jobs_dir = dir.join(format!("jobs-{}", std::process::id()));
        fs::create_dir_all(&cache_dir)?;
        fs::create_dir_all(&jobs_dir)?;
        Ok(Playground {
            rustc,
            rustc_version,
            crates,
            deps_dir,
            cache_dir,
            jobs_dir,
        })
    }

    pub fn crates(&self) -> &[Crate] {
        &self.crates
    }

    /// Where this server's jobs keep their (temporary) files.
    pub fn jobs_dir(&self) -> &Path {
        &self.jobs_dir
    }

    /// Compiles (or finds in the cache) and runs one request. Blocking; the
    /// caller holds a job slot. Returns the response and whether the program
    /// came from the cache.
    pub fn evaluate(&self, request: &Request) -> Result<(Response, bool)> {
        let optimize = matches!(
            request.optimize.as_deref(),
            Some("1" | "2" | "3" | "s" | "z")
        );
        let key = self.cache_key(request, optimize);
        let cached = self.cache_dir.join(&key);

        let job = tempfile::Builder::new()
            .prefix("job-")
            .tempdir_in(&self.jobs_dir)
            .context("creating the job directory")?;
        let hit = cached.is_file();
        if !hit {
            if let Err(compiler_output) = self.compile(request, optimize, job.path(), &cached)? {
                return Ok((
                    Response {
                        result: compiler_output.clone(),
                        error: Some(compiler_output),
                    },
                    false,
                ));
            }
            self.trim_cache();
        }

        let mut program = Command::new(&cached);
        program
            .current_dir(job.path())
            .env_clear()
            .env("PATH", "/usr/bin:/bin");
        let run = run_limited(program, LIMITS.run, LIMITS.output_bytes)?;
        let mut result = run.output.clone();
        let mut error = None;
        if run.truncated {
            result.push_str(&format!(
                "\n[output cut at {} KiB]\n",
                LIMITS.output_bytes / 1024
            ));
        }
        if run.timed_out {
            let message = format!(
                "timed out after {} s: the program was still running and was stopped",
                LIMITS.run.as_secs()
            );
            result.push_str(&format!("\n{message}\n"));
            error = Some(message);
        } else if let Some(status) = run.status.filter(|status| !status.success()) {
            error = Some(format!("the program exited with {status}"));
        }
        drop(job); // removes the job's files
        Ok((Response { result, error }, hit))
    }

    /// Compiles into the cache. `Ok(Err(output))` is a compile error to show.
    fn compile(
        &self,
        request: &Request,
        optimize: bool,
        job: &Path,
        cached: &Path,
    ) -> Result<Result<(), String>> {
        if !matches!(request.edition.as_str(), "2015" | "2018" | "2021" | "2024") {
            return Ok(Err(format!("unknown edition {:?}", request.edition)));
        }
        fs::create_dir_all(job.join("src"))?;
        fs::write(job.join("src/main.rs"), &request.code)?;

        let mut rustc = Command::new(&self.rustc);
        rustc
            .current_dir(job)
            .args([
                "src/main.rs",
                "--crate-type",
                "bin",
                "--crate-name",
                "playground",
            ])
            .args(["--edition", &request.edition, "--color", "never"])
            .args([
                "-C",
                if optimize {
                    "opt-level=3"
                } else {
                    "opt-level=0"
                },
            ])
            .args(["-o", "playground"]);
        if let Some(deps) = &self.deps_dir {
            rustc
                .arg("-L")
                .arg(format!("dependency={}", deps.display()));
        }
        for krate in &self.crates {
            rustc
                .arg("--extern")
                .arg(format!("{}={}", krate.id, krate.rlib.display()));
        }
        let compiled = run_limited(rustc, LIMITS.compile, LIMITS.output_bytes)?;
        if compiled.timed_out {
            return Ok(Err(format!(
                "{}\ncompiling timed out after {} s",
                compiled.output,
                LIMITS.compile.as_secs()
            )));
        }
        if !compiled.status.is_some_and(|status| status.success()) {
            return Ok(Err(compiled.output));
        }
        // Rename within one file system: a concurrent reader sees the whole
        // program or none.
        fs::rename(job.join("playground"), cached).context("caching the program")?;
        Ok(Ok(()))
    }

    fn cache_key(&self, request: &Request, optimize: bool) -> String {
        let mut hasher = DefaultHasher::new();
        (
            &self.rustc_version,
            &request.edition,
            optimize,
            &request.code,
        )
            .hash(&mut hasher);
        for krate in &self.crates {
            krate.rlib.hash(&mut hasher);
        }
        format!("{:016x}", hasher.finish())
    }

    /// Keeps the cache to its size, dropping the least recently made.
    fn trim_cache(&self) {
        let Ok(entries) = fs::read_dir(&self.cache_dir) else {
            return;
        };
        let mut programs: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
            .collect();
        if programs.len() <= LIMITS.cached_programs {
            return;
        }
        programs.sort();
        let excess = programs.len() - LIMITS.cached_programs;
        for (_, path) in programs.into_iter().take(excess) {
            let _ = fs::remove_file(path);
        }
    }
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.jobs_dir);
    }
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

/// The libraries the listings use, built once with cargo so that code sent
/// from a page can use them too.
fn listing_dependencies(workspace: &Path) -> Result<(Vec<Crate>, Option<PathBuf>)> {
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
        return Ok((Vec::new(), None));
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
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(artifact) = serde_json::from_str::<Artifact>(line) else {
            continue;
        };
        let (Some(target), Some(id)) = (artifact.target, artifact.package_id) else {
            continue;
        };
        if artifact.reason != "compiler-artifact"
            || !target.kind.iter().any(|kind| kind == "lib")
            || !wanted.contains(&target.name)
            || crates.iter().any(|known| known.id == target.name)
        {
            continue;
        }
        let Some(rlib) = artifact
            .filenames
            .into_iter()
            .find(|f| f.extension().is_some_and(|e| e == "rlib"))
        else {
            continue;
        };
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
            rlib,
        });
    }
    let deps_dir = crates
        .first()
        .and_then(|krate| krate.rlib.parent())
        .map(Path::to_path_buf);
    Ok((crates, deps_dir))
}

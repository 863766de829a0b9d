//! A local stand-in for the two requests mdBook's Run button makes to the
//! public playground (`meta/crates` and `evaluate.json`), running code with
//! the toolchain pinned in `rust-toolchain.toml`.
//!
//! It runs whatever code a page sends, so every compile and every run is
//! contained ([`sandbox`], [`contain`], [`mounts`]) and held to the limits in
//! [`limits`]; compiled programs are cached ([`cache`]).

mod cache;
mod contain;
mod deps;
pub mod limits;
mod miri;
mod mounts;
mod sandbox;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use cache::{Cache, Entry, Key};
pub use contain::main as wrapper_main;
use contain::{CopyIn, Ended, Report, Stopped};
pub use limits::{LIMITS, PAGE_TIMEOUT, ProcessLimits};
pub use miri::{MiriMeta, MiriRequest, MiriTools};
pub use sandbox::Containment;
use sandbox::{Contained, Job, Sandbox};

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
    /// Its rlib's file name, in the playground's copy of the dependencies.
    #[serde(skip)]
    rlib: String,
}

/// One click's job, as the server sees it: when the page stops waiting, and
/// whether to stop now (the client went away).
#[derive(Clone)]
pub struct Control {
    arrived: Instant,
    cancel: Arc<AtomicBool>,
}

impl Control {
    /// A click that arrived now.
    pub fn new() -> Control {
        Control {
            arrived: Instant::now(),
            cancel: Arc::default(),
        }
    }

    /// Stops the job (and everything it started) as soon as it can.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// When the answer must be sent for the page to still read it.
    fn deadline(&self) -> Instant {
        self.arrived + PAGE_TIMEOUT - LIMITS.answer_margin
    }
}

impl Default for Control {
    fn default() -> Self {
        Control::new()
    }
}

/// The answer to a click.
pub struct Evaluation {
    pub response: Response,
    /// The program came from the cache.
    pub cached: bool,
    /// The cache key of the compilation.
    pub key: String,
}

pub struct Playground {
    rustc: PathBuf,
    rustc_version: String,
    crates: Vec<Crate>,
    deps: deps::Deps,
    cache: Cache,
    jobs_dir: PathBuf,
    sandbox: Sandbox,
    /// Set when the server stops: every job ends now.
    stopping: AtomicBool,
}

/// The wrapper's program environment: enough to find `cc` and the tools a
/// program may start.
const PROGRAM_PATH: &str = "/usr/bin:/bin";

impl Playground {
    /// Finds the pinned `rustc`, builds the listings' dependencies and finds
    /// out how this system contains jobs. `workspace` is the repository root;
    /// `dir` holds the cache and the jobs' directories; `wrapper` is the
    /// `book-tools` executable, which contains each job.
    pub fn new(workspace: &Path, dir: &Path, wrapper: &Path) -> Result<Self> {
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

        fs::create_dir_all(dir)?;
        sweep_stale(dir, "jobs-");
        let (crates, deps) = deps::build(workspace, dir)?;
        let bound = std::env::var("BOOK_PLAYGROUND_CACHE_BYTES")
            .ok()
            .and_then(|bytes| bytes.parse().ok())
            .unwrap_or(LIMITS.cache_bytes);
        let cache = Cache::new(dir.join("cache"), bound)?;
        let jobs_dir = dir.join(format!("jobs-{}", std::process::id()));
        fs::create_dir_all(&jobs_dir)?;
        let scratch = tempfile::Builder::new()
            .prefix("probe-")
            .tempdir_in(&jobs_dir)?;
        let sandbox =
            Sandbox::detect(wrapper, scratch.path()).context("finding how to contain programs")?;
        Ok(Playground {
            rustc,
            rustc_version,
            crates,
            deps,
            cache,
            jobs_dir,
            sandbox,
            stopping: AtomicBool::new(false),
        })
    }

    pub fn crates(&self) -> &[Crate] {
        &self.crates
    }

    /// Where this server's jobs keep their (temporary) files.
    pub fn jobs_dir(&self) -> &Path {
        &self.jobs_dir
    }

    pub fn containment(&self) -> &Containment {
        &self.sandbox.containment
    }

    /// Ends every job now, and refuses new ones.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    /// Compiles (or finds in the cache) and runs one request. Blocking; the
    /// caller holds a job slot, which it may give back once this returns:
    /// by then every process of the job is gone.
    pub fn evaluate(&self, request: &Request, control: &Control) -> Result<Evaluation> {
        let optimize = matches!(
            request.optimize.as_deref(),
            Some("1" | "2" | "3" | "s" | "z")
        );
        let args = self.rustc_args(&request.edition, optimize);
        let env = vec![("PATH".to_owned(), PROGRAM_PATH.to_owned())];
        let key = self.key(request, &args, &env);
        let answer = |response, cached| Evaluation {
            response,
            cached,
            key: key.clone(),
        };
        if !matches!(request.edition.as_str(), "2015" | "2018" | "2021" | "2024") {
            let message = format!("unknown edition {:?}", request.edition);
            return Ok(answer(Response::refused(message), false));
        }
        let cancelled =
            || control.cancel.load(Ordering::Relaxed) || self.stopping.load(Ordering::Relaxed);
        let job = tempfile::Builder::new()
            .prefix("job-")
            .tempdir_in(&self.jobs_dir)
            .context("creating the job directory")?;

        // Twice at most: a cached program that fails its digest check is
        // dropped and compiled again.
        for _ in 0..2 {
            let (entry, cached) = match self.cache.find(&key) {
                Some(entry) => (entry, true),
                None => match self.compile(request, &args, &env, job.path(), &key, &cancelled)? {
                    Ok(entry) => (entry, false),
                    Err(response) => return Ok(answer(response, false)),
                },
            };
            if cancelled() {
                return Ok(answer(Response::refused(STOPPED), cached));
            }
            let left = control.deadline().saturating_duration_since(Instant::now());
            if left < Duration::from_millis(100) {
                let message = format!(
                    "compiled, but after the page had stopped waiting ({} s); click Run again to run it",
                    PAGE_TIMEOUT.as_secs()
                );
                return Ok(answer(Response::refused(message), cached));
            }
            let wall = left.min(LIMITS.run);
            let work = self.sandbox.work_dir(job.path());
            let ran = self.sandbox.run(&Job {
                program: work.join("playground"),
                args: Vec::new(),
                env: env.clone(),
                dir: job.path(),
                private_dir: true,
                show: Vec::new(),
                copy_in: Some(CopyIn {
                    source: entry.path.clone(),
                    sha256: entry.sha256.clone(),
                    name: "playground".to_owned(),
                }),
                limits: LIMITS.program,
                wall,
                cancelled: &cancelled,
            })?;
            if ran.report.digest_mismatch {
                self.cache.remove(&entry);
                continue;
            }
            if let Some(error) = &ran.report.error {
                bail!("{error}");
            }
            return Ok(answer(run_response(ran, wall), cached));
        }
        bail!("the cached program changed twice while it was being checked")
    }

    /// Every argument of the compilation; paths as the compiler sees them.
    fn rustc_args(&self, edition: &str, optimize: bool) -> Vec<String> {
        let deps = if self.sandbox.containment.namespaces {
            Path::new(mounts::WORK).join("deps")
        } else {
            self.deps.dir.clone()
        };
        let mut args: Vec<String> = [
            "src/main.rs",
            "--crate-type",
            "bin",
            "--crate-name",
            "playground",
            "--edition",
            edition,
            "--color",
            "never",
            "-C",
            if optimize {
                "opt-level=3"
            } else {
                "opt-level=0"
            },
            // Smaller programs, quicker to check and copy; panics and
            // backtraces still name functions.
            "-C",
            "strip=debuginfo",
            "-o",
            "playground",
        ]
        .map(str::to_owned)
        .into();
        if !self.crates.is_empty() {
            args.extend(["-L".to_owned(), format!("dependency={}", deps.display())]);
        }
        for krate in &self.crates {
            args.extend([
                "--extern".to_owned(),
                format!("{}={}", krate.id, deps.join(&krate.rlib).display()),
            ]);
        }
        args
    }

    /// The cache key: everything that decides what the compiler makes.
    fn key(&self, request: &Request, args: &[String], env: &[(String, String)]) -> String {
        let mut key = Key::new();
        key.add("rustc -vV", self.rustc_version.as_bytes())
            .add("rustc", self.rustc.as_os_str().as_encoded_bytes())
            .add("code", request.code.as_bytes());
        for arg in args {
            key.add("arg", arg.as_bytes());
        }
        for (name, value) in env {
            key.add("env", format!("{name}={value}").as_bytes());
        }
        // What the compiler runs under is part of the compilation too.
        let limits = serde_json::to_string(&LIMITS.rustc).expect("limits serialize");
        key.add("rustc limits", limits.as_bytes()).add(
            "namespaces",
            &[u8::from(self.sandbox.containment.namespaces)],
        );
        for (file, sha256) in &self.deps.files {
            key.add("dependency", format!("{file} {sha256}").as_bytes());
        }
        key.finish()
    }

    /// Compiles into the cache. `Ok(Err(response))` is what to show instead:
    /// a compile error, or a limit the compiler hit.
    fn compile(
        &self,
        request: &Request,
        args: &[String],
        env: &[(String, String)],
        job: &Path,
        key: &str,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Result<std::result::Result<Entry, Response>> {
        fs::create_dir_all(job.join("src"))?;
        fs::write(job.join("src/main.rs"), &request.code)?;
        let show = if self.sandbox.containment.namespaces && !self.crates.is_empty() {
            vec![(self.deps.dir.clone(), "deps".to_owned())]
        } else {
            Vec::new()
        };
        let compiled = self.sandbox.run(&Job {
            program: self.rustc.clone(),
            args: args.to_vec(),
            env: env.to_vec(),
            dir: job,
            private_dir: false,
            show,
            copy_in: None,
            limits: LIMITS.rustc,
            wall: LIMITS.compile,
            cancelled,
        })?;
        let Contained {
            report,
            mut output,
            truncated,
        } = compiled;
        if let Some(error) = report.error {
            bail!("{error}");
        }
        let failure = match (report.stopped, report.ended) {
            (Some(Stopped::Asked), _) => Some(STOPPED.to_owned()),
            (Some(Stopped::Time), _) => Some(format!(
                "compiling timed out after {} s",
                LIMITS.compile.as_secs()
            )),
            (None, Some(Ended::Exit(0))) => None,
            (None, _) => Some(
                limit_message(&report, &output, &LIMITS.rustc, "compiling").unwrap_or_default(),
            ),
        };
        if let Some(failure) = failure {
            if truncated {
                output.push_str(&cut_note());
            }
            if !failure.is_empty() {
                output = format!("{}\n{failure}\n", output.trim_end());
            }
            return Ok(Err(Response {
                result: output.clone(),
                error: Some(if failure.is_empty() { output } else { failure }),
            }));
        }
        let entry = self
            .cache
            .insert(key, &job.join("playground"))
            .context("caching the program")?;
        Ok(Ok(entry))
    }
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.jobs_dir);
    }
}

const STOPPED: &str = "stopped: the page stopped waiting, or the server is stopping";

fn cut_note() -> String {
    format!("\n[output cut at {} KiB]\n", LIMITS.output_bytes / 1024)
}

/// What the page shows for a run.
fn run_response(ran: Contained, wall: Duration) -> Response {
    let Contained {
        report,
        output,
        truncated,
    } = ran;
    let mut result = output.clone();
    if truncated {
        result.push_str(&cut_note());
    }
    let message = match (report.stopped, report.ended) {
        (Some(Stopped::Time), _) => Some(format!(
            "timed out after {}: the program was still running and was stopped",
            seconds(wall)
        )),
        (Some(Stopped::Asked), _) => Some(STOPPED.to_owned()),
        (None, Some(Ended::Exit(0))) => None,
        (None, ended) => {
            limit_message(&report, &output, &LIMITS.program, "stopped:").or(match ended {
                Some(Ended::Exit(code)) => {
                    Some(format!("the program exited with exit status: {code}"))
                }
                Some(Ended::Signal(signal)) => Some(format!(
                    "the program was killed by signal {signal} ({})",
                    signal_name(signal)
                )),
                None => Some("the program's end is unknown".to_owned()),
            })
        }
    };
    let shown = message
        .as_ref()
        .filter(|m| !m.starts_with("the program exited"));
    if let Some(message) = shown {
        result = format!("{}\n{message}\n", result.trim_end_matches('\n'))
            .trim_start_matches('\n')
            .to_owned();
    }
    Response {
        result,
        error: message,
    }
}

/// "4 s", or "3.2 s" when the page's time left shortened the run.
fn seconds(duration: Duration) -> String {
    let tenths = (duration.as_millis() + 50) / 100;
    if tenths.is_multiple_of(10) {
        format!("{} s", tenths / 10)
    } else {
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

/// The limit a failed job most likely hit, said plainly. For the compiler,
/// only what the kernel did counts (its output quotes the code, which may say
/// anything); a program's own words about a failed allocation or spawn count
/// too.
fn limit_message(
    report: &Report,
    output: &str,
    limits: &ProcessLimits,
    who: &str,
) -> Option<String> {
    const SIGABRT: i32 = 6;
    const SIGKILL: i32 = 9;
    const SIGXCPU: i32 = 24;
    const SIGXFSZ: i32 = 25;
    let program = who == "stopped:";
    let prefix = if program {
        "stopped:".to_owned()
    } else {
        format!("stopped: {who} used")
    };
    let signal = match report.ended {
        Some(Ended::Signal(signal)) => Some(signal),
        _ => None,
    };
    let words = |said: &[&str]| program && said.iter().any(|s| output.contains(s));
    let allocation_failed = output.contains("memory allocation of");
    if (signal == Some(SIGABRT) && allocation_failed)
        || words(&["kind: OutOfMemory", "Cannot allocate memory"])
    {
        return Some(format!(
            "{prefix} more than {} MiB of memory",
            limits.memory_bytes >> 20
        ));
    }
    if signal == Some(SIGXFSZ) {
        return Some(format!(
            "stopped: file size limit ({} MiB)",
            limits.file_bytes >> 20
        ));
    }
    // Where a cgroup counted, it knows; else a refused spawn says so.
    let refused = !report.process_cap_counted && words(&["Resource temporarily unavailable"]);
    if report.process_cap_hit || refused {
        return Some(format!(
            "stopped: too many processes (at most {} processes and threads)",
            limits.processes
        ));
    }
    if matches!(signal, Some(SIGXCPU | SIGKILL)) {
        return Some(format!(
            "{prefix} more than {} s of CPU time",
            limits.cpu_seconds
        ));
    }
    None
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// Whether the process `pid` (a directory name's suffix) is running.
fn process_is_alive(pid: &str) -> bool {
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

//! Compiling a page's code into the cache: rustc's arguments, the cache key, compile errors.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::cache::{Entry, Key};
use super::contain::{Ended, Stopped};
use super::outcome::{STOPPED, cut_note, limit_message};
use super::sandbox::{Contained, Job};
use super::{LIMITS, Playground, Request, Response, contain};

impl Playground {
    /// Every argument of the compilation; paths as the compiler sees them.
    pub(super) fn rustc_args(&self, edition: &str, optimize: bool) -> Vec<String> {
        let deps = if self.sandbox.containment.namespaces {
            Path::new(contain::WORK).join("deps")
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
        ]
        .map(str::to_owned)
        .into();
        args.push(super::program_file());
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

    /// The pinned toolchain's directory (`<sysroot>/bin/rustc`), which a
    /// contained compile needs to see.
    fn rustc_sysroot(&self) -> Vec<PathBuf> {
        self.rustc
            .ancestors()
            .nth(2)
            .map(Path::to_path_buf)
            .into_iter()
            .collect()
    }

    /// The cache key: everything that decides what the compiler makes.
    pub(super) fn key(
        &self,
        request: &Request,
        args: &[String],
        env: &[(String, String)],
    ) -> String {
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
    pub(super) fn compile(
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
            // The compiler and its standard library.
            read_only: self.rustc_sysroot(),
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
            .insert(key, &job.join(super::program_file()))
            .context("caching the program")?;
        Ok(Ok(entry))
    }
}

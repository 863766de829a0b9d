//! Answering a click on Run: the program from the cache or compiled, then run contained.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::contain::CopyIn;
use super::outcome::{STOPPED, run_response};
use super::sandbox::Job;
use super::{
    Control, Evaluation, LIMITS, PAGE_TIMEOUT, Playground, Request, Response, program_env,
    program_file,
};

impl Playground {
    /// Compiles (or finds in the cache) and runs one request. Blocking; the
    /// caller holds a job slot, which it may give back once this returns:
    /// by then every process of the job is gone.
    pub fn evaluate(&self, request: &Request, control: &Control) -> Result<Evaluation> {
        let optimize = matches!(
            request.optimize.as_deref(),
            Some("1" | "2" | "3" | "s" | "z")
        );
        let args = self.rustc_args(&request.edition, optimize);
        let env = program_env();
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
        let cancelled = || self.cancelled(control);
        let job = self.job_dir("job-")?;

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
                program: work.join(program_file()),
                args: Vec::new(),
                env: env.clone(),
                dir: job.path(),
                private_dir: true,
                show: Vec::new(),
                read_only: Vec::new(),
                copy_in: Some(CopyIn {
                    source: entry.path.clone(),
                    sha256: entry.sha256.clone(),
                    name: program_file(),
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
}

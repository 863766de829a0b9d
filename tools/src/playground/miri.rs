//! "Run under Miri" from the page: the code a page sends, interpreted by
//! Miri with one seed (one schedule of the threads, one choice among the
//! values each load may return), contained like every other job.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use verify::miri::{MiriRun, Verdict};
use verify::run::Ending;

use super::contain::{Ended, Stopped};
use super::outcome::{STOPPED, limit_message};
use super::sandbox::Job;
use super::{Control, LIMITS, Playground, Response, program_env};

/// The body of `miri.json`, as theme/miri.js sends it.
#[derive(Debug, Deserialize)]
pub struct MiriRequest {
    pub code: String,
    #[serde(default)]
    pub seed: u64,
}

/// What `GET /playground/miri` tells the page: that Miri is here, and its limit.
#[derive(Debug, Serialize)]
pub struct MiriMeta {
    pub toolchain: String,
    pub time_limit_s: u64,
}

/// The Miri driver and the standard library it interprets programs with.
pub struct MiriTools {
    toolchain: String,
    driver: PathBuf,
    sysroot: PathBuf,
}

impl MiriTools {
    /// Finds Miri for the toolchain the repository names, if it is installed.
    pub fn find(workspace: &Path) -> Result<MiriTools> {
        let toolchain = verify::miri::toolchain(workspace);
        verify::miri::installed(workspace).map_err(anyhow::Error::msg)?;
        let rustc_sysroot = Command::new("rustup")
            .args(["run", &toolchain, "rustc", "--print", "sysroot"])
            .current_dir(workspace)
            .env_remove("RUSTUP_TOOLCHAIN")
            .output()
            .context("running rustup")?;
        let setup = Command::new("cargo")
            .arg(format!("+{toolchain}"))
            .args(["miri", "setup", "--print-sysroot"])
            .current_dir(workspace)
            .env_remove("RUSTUP_TOOLCHAIN")
            .output()
            .context("running cargo miri setup")?;
        if !rustc_sysroot.status.success() || !setup.status.success() {
            bail!("cargo +{toolchain} miri setup failed");
        }
        let driver =
            PathBuf::from(String::from_utf8_lossy(&rustc_sysroot.stdout).trim()).join("bin/miri");
        let sysroot = PathBuf::from(String::from_utf8_lossy(&setup.stdout).trim());
        Ok(MiriTools {
            toolchain,
            driver,
            sysroot,
        })
    }

    /// The toolchain's directory (`<toolchain>/bin/miri`), which a
    /// contained run needs to see.
    fn toolchain_dir(&self) -> PathBuf {
        self.driver
            .ancestors()
            .nth(2)
            .unwrap_or(&self.driver)
            .to_path_buf()
    }

    pub fn meta(&self) -> MiriMeta {
        MiriMeta {
            toolchain: self.toolchain.clone(),
            time_limit_s: LIMITS.miri_run.as_secs(),
        }
    }
}

impl Playground {
    /// Runs `request` under Miri with its seed. Blocking, like [`Playground::evaluate`].
    pub fn miri(
        &self,
        tools: &MiriTools,
        request: &MiriRequest,
        control: &Control,
    ) -> Result<Response> {
        let cancelled = || self.cancelled(control);
        let job = self.job_dir("miri-")?;
        fs::write(job.path().join("main.rs"), &request.code)?;
        let seed = request.seed;
        let args: Vec<String> = vec![
            "--sysroot".to_owned(),
            tools.sysroot.display().to_string(),
            "--edition".to_owned(),
            "2024".to_owned(),
            "--crate-name".to_owned(),
            "playground".to_owned(),
            "--color".to_owned(),
            "never".to_owned(),
            "main.rs".to_owned(),
            format!("-Zmiri-seed={seed}"),
        ];
        let ran = self.sandbox.run(&Job {
            program: tools.driver.clone(),
            args,
            env: program_env(),
            dir: job.path(),
            private_dir: false,
            show: Vec::new(),
            // Miri's toolchain, and the standard library it interprets.
            read_only: vec![tools.toolchain_dir(), tools.sysroot.clone()],
            copy_in: None,
            limits: LIMITS.miri,
            wall: LIMITS.miri_run,
            cancelled: &cancelled,
        })?;
        if let Some(error) = &ran.report.error {
            bail!("{error}");
        }
        let heading = |verdict: &str| format!("Miri, seed {seed}: {verdict}");
        let stopped = match ran.report.stopped {
            Some(Stopped::Time) => Some(format!(
                "still running after {} s, and stopped (a loop or a spin is not a deadlock)",
                LIMITS.miri_run.as_secs()
            )),
            Some(Stopped::Asked) => Some(STOPPED.to_owned()),
            None => None,
        };
        if let Some(stopped) = stopped {
            return Ok(Response {
                result: format!("{}\n\n{}", heading(&stopped), ran.output),
                error: Some(stopped),
            });
        }
        let status = Ended::exit_status(ran.report.ended);
        if let Some(limit) = limit_message(&ran.report, &ran.output, &LIMITS.miri, "running Miri") {
            return Ok(Response {
                result: format!("{}\n\n{}", heading(&limit), ran.output),
                error: Some(limit),
            });
        }
        let run = MiriRun::from_output(seed, &ran.output, &Ending::Exited(status));
        let verdict = match &run.verdict {
            Verdict::Exited(Some(0)) => {
                "finished, with no undefined behaviour or data race".to_owned()
            }
            Verdict::Exited(Some(101)) => "the program panicked".to_owned(),
            Verdict::Exited(Some(1)) if run.output.contains("error: aborting due to") => {
                "it does not compile".to_owned()
            }
            Verdict::Exited(code) => format!("the program exited with {code:?}"),
            Verdict::Deadlocked => "deadlocked: every thread waits for another".to_owned(),
            Verdict::UndefinedBehavior => {
                "undefined behaviour (a data race, for example)".to_owned()
            }
            Verdict::Leaked => {
                "a leak: threads still running or memory left when main returned".to_owned()
            }
            Verdict::Error | Verdict::StillRunning => "Miri stopped it with an error".to_owned(),
        };
        let error = (run.verdict != Verdict::Exited(Some(0))).then(|| verdict.clone());
        Ok(Response {
            result: format!("{}\n\n{}{}", heading(&verdict), run.output, run.report),
            error,
        })
    }
}

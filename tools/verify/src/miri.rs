//! Running a listing under Miri, the interpreter that ships with nightly Rust.
//!
//! A seed fixes the schedule Miri picks for the threads, and which of the
//! values a weak-memory load may return it returns, so a claim checked on a
//! fixed range of seeds holds on those schedules, and a failure is
//! reproduced by one command. Miri also reports what no native run can show
//! for sure: a deadlock as a deadlock, a data race or other undefined
//! behaviour, a thread left running when `main` returns.

use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::{Kind, Listing, Miri};
use crate::claims::{self, Failure};
use crate::run::{self, Ending};

/// Seeds tried per listing unless `MIRI_SEEDS` or the listing's `miri_seeds`
/// says otherwise: enough to try a few schedules, few enough for a warm
/// `cargo test`.
pub const DEFAULT_SEEDS: u64 = 4;

/// Where a reader's attempts at the exercises live (`cargo book exercise`).
pub const EXERCISES_DIR: &str = "exercises";

/// How long one run under Miri may take before it counts as not finishing.
pub const MIRI_LIMIT: Duration = Duration::from_secs(60);

/// The toolchain the layer runs Miri from: `[workspace.metadata.miri]` in
/// the root `Cargo.toml`.
pub fn toolchain(root: &Path) -> String {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let manifest: toml::Table = toml::from_str(&manifest).expect("Cargo.toml is TOML");
    manifest["workspace"]["metadata"]["miri"]["toolchain"]
        .as_str()
        .expect("Cargo.toml names the Miri toolchain in [workspace.metadata.miri]")
        .to_owned()
}

/// Whether `cargo +<toolchain> miri` works here, or how to make it work.
pub fn installed(root: &Path) -> Result<(), String> {
    let toolchain = toolchain(root);
    let works = Command::new("cargo")
        .arg(format!("+{toolchain}"))
        .args(["miri", "--version"])
        .current_dir(root)
        .output()
        .is_ok_and(|output| output.status.success());
    if works {
        return Ok(());
    }
    Err(format!(
        "Miri is not installed for {toolchain}: rustup toolchain install {toolchain} \
         --profile minimal --component miri,rust-src"
    ))
}

/// How many seeds each listing gets at least: `MIRI_SEEDS`, or [`DEFAULT_SEEDS`].
pub fn default_seeds() -> u64 {
    std::env::var("MIRI_SEEDS")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(DEFAULT_SEEDS)
}

/// The seeds a listing is checked on: `0..n`.
pub fn seeds(listing: &Listing) -> std::ops::Range<u64> {
    seeds_with(listing, default_seeds())
}

/// The seeds a listing is checked on when each gets at least `default`.
pub fn seeds_with(listing: &Listing, default: u64) -> std::ops::Range<u64> {
    match &listing.miri {
        Miri::Checked {
            seeds: Some(seeds), ..
        } => 0..default.max(*seeds),
        Miri::Checked { .. } | Miri::Exempt(_) => 0..default,
    }
}

/// `MIRIFLAGS` for one run.
fn flags(listing: &Listing, seed: u64) -> String {
    let mut flags = format!("-Zmiri-seed={seed}");
    if let Miri::Checked {
        ignore_leaks: Some(_),
        ..
    } = listing.miri
    {
        flags.push_str(" -Zmiri-ignore-leaks");
    }
    if let Miri::Checked {
        flags: Some((more, _)),
        ..
    } = &listing.miri
    {
        flags.push(' ');
        flags.push_str(more);
    }
    flags
}

/// The command a reader types to see one seed's run for themselves.
pub fn command_line(listing: &Listing, seed: u64, toolchain: &str) -> String {
    if !listing.in_crate() {
        // A reader's attempt at an exercise, or a fixture.
        return match listing.source.parent().and_then(Path::file_name) {
            Some(dir) if dir == EXERCISES_DIR => {
                format!("cargo book exercise {} --seed {seed}", listing.name)
            }
            _ => format!(
                "rustup run {toolchain} miri --edition 2024 {} {}",
                listing.source.display(),
                flags(listing, seed)
            ),
        };
    }
    format!(
        "MIRIFLAGS=\"{}\" cargo +{toolchain} miri run -p {} --bin {}",
        flags(listing, seed),
        listing.chapter,
        listing.name
    )
}

/// How a run under Miri ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The program ended by itself with this exit code (101: it panicked).
    Exited(Option<i32>),
    /// "the evaluated program deadlocked": every thread waits for another.
    Deadlocked,
    /// Undefined behaviour, a data race among them.
    UndefinedBehavior,
    /// Threads still running, or memory still allocated, when `main` returned.
    Leaked,
    /// Another error of Miri's (an unsupported operation, say).
    Error,
    /// Still running at [`MIRI_LIMIT`]: a loop or a spin, not a deadlock.
    StillRunning,
}

/// The first line of each kind of report Miri ends a run with.
const REPORTS: [(&str, Verdict); 5] = [
    (
        "error: the evaluated program deadlocked",
        Verdict::Deadlocked,
    ),
    ("error: Undefined Behavior", Verdict::UndefinedBehavior),
    ("error: memory leaked", Verdict::Leaked),
    (
        "error: the main thread terminated without waiting for all remaining threads",
        Verdict::Leaked,
    ),
    ("error: unsupported operation", Verdict::Error),
];

/// A line Miri adds to a panic message; a native run does not print it.
const BACKTRACE_NOTE: &str = "note: in Miri, you may have to set `MIRIFLAGS=-Zmiri-env-forward";

/// One run of a listing under Miri.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MiriRun {
    pub seed: u64,
    pub verdict: Verdict,
    /// What the program printed (stdout and stderr, as one pipe got them).
    pub output: String,
    /// Miri's report, where it ended the run with one.
    pub report: String,
}

impl MiriRun {
    /// Splits what a run printed into the program's output and Miri's report.
    pub fn from_output(seed: u64, text: &str, ending: &Ending) -> MiriRun {
        let text: String = text
            .split_inclusive('\n')
            .filter(|line| !line.starts_with(BACKTRACE_NOTE))
            .collect();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let found = REPORTS
                .iter()
                .find(|(headline, _)| line.starts_with(headline));
            // Miri exits with 1 after any error; a program's own "error:" is output.
            let other_error = matches!(ending, Ending::Exited(status) if status.code() == Some(1))
                && line.starts_with("error");
            if found.is_some() || other_error {
                let verdict = found.map_or(Verdict::Error, |(_, verdict)| verdict.clone());
                return MiriRun {
                    seed,
                    verdict,
                    output: text[..offset].to_owned(),
                    report: text[offset..].to_owned(),
                };
            }
            offset += line.len();
        }
        let verdict = match ending {
            Ending::Exited(status) => Verdict::Exited(status.code()),
            Ending::StillRunning => Verdict::StillRunning,
        };
        MiriRun {
            seed,
            verdict,
            output: text,
            report: String::new(),
        }
    }
}

/// Runs `listing` under Miri with one seed, from the repository root: with
/// `cargo miri run` for a listing of the workspace, or with the Miri driver
/// itself for a lone file such as the fixtures of `tests/verifiers.rs`,
/// which are not a crate.
pub fn run(root: &Path, listing: &Listing, seed: u64) -> MiriRun {
    let toolchain = toolchain(root);
    let command = if listing.in_crate() {
        let mut cargo = miri_cargo(root, &toolchain);
        cargo
            .args(["miri", "run", "--quiet", "--package"])
            .arg(&listing.chapter)
            .args(["--bin", &listing.name])
            .env("MIRIFLAGS", flags(listing, seed));
        cargo
    } else {
        let mut driver = driver(root, &listing.source);
        driver
            .args(flags(listing, seed).split(' '))
            .env_remove("CARGO")
            .env_remove("RUSTC");
        driver
    };
    let run = run::run_command(command, MIRI_LIMIT)
        .unwrap_or_else(|e| panic!("{listing}: could not start Miri: {e}"));
    MiriRun::from_output(seed, &run.output, &run.ending)
}

/// The `cargo` of the Miri toolchain, in the repository root.
fn miri_cargo(root: &Path, toolchain: &str) -> Command {
    let mut cargo = Command::new("cargo");
    cargo
        .arg(format!("+{toolchain}"))
        .current_dir(root)
        // The outer `cargo test`'s toolchain must not leak into Miri's.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC");
    cargo
}

/// Runs already done, kept in a directory: a program interpreted with the
/// same flags and seed does the same thing every time (Miri isolates it
/// from the clock, the environment and the file system), so a run is not
/// repeated while the listing, its crate's manifest, the lock file and the
/// toolchain stay the same. (A listing is one file: no listing crate has a
/// library, a build script or an included file.)
pub struct KeptRuns {
    dir: PathBuf,
    /// What every listing's build depends on: the toolchain, the workspace
    /// manifest (profiles, lints) and the lock file.
    shared: u64,
}

impl KeptRuns {
    /// Runs kept in `<target>/miri-runs` (`cargo clean` empties it).
    pub fn in_target(root: &Path, target: &Path) -> KeptRuns {
        KeptRuns::new(root, target.join("miri-runs"))
    }

    /// Runs kept in `dir`.
    pub fn new(root: &Path, dir: PathBuf) -> KeptRuns {
        let mut hasher = DefaultHasher::new();
        toolchain(root).hash(&mut hasher);
        for file in ["Cargo.toml", "Cargo.lock"] {
            std::fs::read(root.join(file)).ok().hash(&mut hasher);
        }
        KeptRuns {
            dir,
            shared: hasher.finish(),
        }
    }

    /// [`run`], or the same run done before.
    pub fn run(&self, root: &Path, listing: &Listing, seed: u64) -> MiriRun {
        let kept = self.path(listing, seed);
        if let Some(earlier) = std::fs::read_to_string(&kept)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
        {
            return earlier;
        }
        let fresh = run(root, listing, seed);
        // Running out of time depends on the machine, not on the program.
        if fresh.verdict != Verdict::StillRunning
            && let Ok(text) = serde_json::to_string(&fresh)
        {
            let _ = std::fs::create_dir_all(&self.dir);
            let _ = std::fs::write(&kept, text);
        }
        fresh
    }

    /// Where the run of this version of `listing` on `seed` is kept.
    fn path(&self, listing: &Listing, seed: u64) -> PathBuf {
        let mut hasher = DefaultHasher::new();
        self.shared.hash(&mut hasher);
        std::fs::read(&listing.source).ok().hash(&mut hasher);
        std::fs::read(listing.dir.join("Cargo.toml"))
            .ok()
            .hash(&mut hasher);
        flags(listing, seed).hash(&mut hasher);
        self.dir.join(format!(
            "{}-{}-{seed}-{:016x}.json",
            listing.chapter,
            listing.name,
            hasher.finish()
        ))
    }
}

/// The Miri driver on one lone file (edition 2024, no dependencies), from
/// the repository root: add `-Zmiri-seed=N` and other flags as arguments.
pub fn driver(root: &Path, source: &Path) -> Command {
    let toolchain = toolchain(root);
    let mut driver = Command::new("rustup");
    driver
        .current_dir(root)
        .args(["run", &toolchain, "miri", "--sysroot"])
        .arg(sysroot(root, &toolchain))
        .args(["--edition", "2024", "--crate-name", "listing"])
        .arg(source)
        .env_remove("RUSTUP_TOOLCHAIN");
    driver
}

/// The standard library built for Miri (`cargo miri setup` builds it once).
fn sysroot(root: &Path, toolchain: &str) -> std::path::PathBuf {
    static SYSROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    SYSROOT
        .get_or_init(|| {
            let output = Command::new("cargo")
                .arg(format!("+{toolchain}"))
                .args(["miri", "setup", "--print-sysroot"])
                .current_dir(root)
                .env_remove("RUSTUP_TOOLCHAIN")
                .output()
                .expect("cargo miri setup runs");
            assert!(
                output.status.success(),
                "cargo miri setup failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8_lossy(&output.stdout).trim().into()
        })
        .clone()
}

/// Checks the runs of `listing` on its seeds (sorted by seed): each keeps
/// the claim, and each `can_print` outcome is witnessed and shown. With
/// `overwrite`, a witness file that does not show real runs is rewritten.
pub fn verify(
    root: &Path,
    listing: &Listing,
    runs: &mut [MiriRun],
    overwrite: bool,
) -> Result<(), Failure> {
    let toolchain = toolchain(root);
    runs.sort_by_key(|run| run.seed);
    // The first failing seed is reported.
    for run in runs.iter() {
        check(listing, run, root, &toolchain)?;
    }
    if listing.can_print.is_empty() {
        return Ok(());
    }
    match check_witnesses(listing, runs, &toolchain, |seed| run(root, listing, seed)) {
        Err(_) if overwrite => record_witnesses(listing, runs, &toolchain),
        result => result,
    }
}

/// Runs each listing on each of its seeds, as many runs at once as there
/// are cores (Miri interprets on one), taking kept runs from `kept`; the
/// runs of each listing, in the order of `listings`.
pub fn run_all(root: &Path, listings: &[&Listing], kept: &KeptRuns) -> Vec<Vec<MiriRun>> {
    let jobs: Vec<(usize, u64)> = listings
        .iter()
        .enumerate()
        .flat_map(|(index, listing)| seeds(listing).map(move |seed| (index, seed)))
        .collect();
    let next = AtomicUsize::new(0);
    let runs = Mutex::new(vec![Vec::new(); listings.len()]);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers.min(jobs.len()) {
            s.spawn(|| {
                while let Some(&(index, seed)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let run = kept.run(root, listings[index], seed);
                    runs.lock().unwrap()[index].push(run);
                }
            });
        }
    });
    runs.into_inner().unwrap()
}

/// Runs `listing` on each of its seeds, one after the other.
pub fn run_seeds(root: &Path, listing: &Listing) -> Vec<MiriRun> {
    seeds(listing)
        .map(|seed| run(root, listing, seed))
        .collect()
}

/// Checks one seed's run against the listing's claim: it ended as its kind
/// says, with no error of Miri's, and printed what its output file shows.
pub fn check(
    listing: &Listing,
    run: &MiriRun,
    root: &Path,
    toolchain: &str,
) -> Result<(), Failure> {
    // A hang by design is, to Miri, every thread waiting for another.
    let expected = match listing.kind.exit_code() {
        Some(code) => Verdict::Exited(Some(code)),
        None => Verdict::Deadlocked,
    };
    let on_seed = |failure: Failure| Failure {
        listing: failure.listing,
        claim: format!("{} (under Miri, seed {})", failure.claim, run.seed),
        detail: format!(
            "{}\nreproduce: {}",
            failure.detail,
            command_line(listing, run.seed, toolchain)
        ),
    };
    if run.verdict != expected {
        let claim = match listing.kind {
            Kind::Runs => {
                "runs to completion, exits with 0, with no undefined behaviour, \
                           data race or leak"
            }
            Kind::Panics => {
                "panics: exits with code 101, with no undefined behaviour, \
                             data race or leak"
            }
            _ => "hangs by design: Miri reports it deadlocked",
        };
        return Err(on_seed(Failure {
            listing: listing.to_string(),
            claim: claim.to_owned(),
            detail: format!(
                "{}; it printed:\n{}{}",
                describe(&run.verdict),
                run.output,
                run.report
            ),
        }));
    }
    claims::check_output(listing, &run.output, root).map_err(on_seed)
}

/// How a run ended, in words.
fn describe(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Exited(Some(0)) => "it exited with 0".to_owned(),
        Verdict::Exited(Some(101)) => "it panicked (exit code 101)".to_owned(),
        Verdict::Exited(Some(code)) => format!("it exited with {code}"),
        Verdict::Exited(None) => "it was killed by a signal".to_owned(),
        Verdict::Deadlocked => "Miri reported a deadlock".to_owned(),
        Verdict::UndefinedBehavior => "Miri reported undefined behaviour".to_owned(),
        Verdict::Leaked => {
            "Miri reported a leak (threads or memory left when main returned)".to_owned()
        }
        Verdict::Error => "Miri stopped it with an error".to_owned(),
        Verdict::StillRunning => {
            format!("it was still running after {MIRI_LIMIT:?}: a loop or a spin is not a deadlock")
        }
    }
}

/// The first seed whose run printed a line matching `pattern`.
pub fn witness<'a>(runs: &'a [MiriRun], pattern: &str) -> Option<&'a MiriRun> {
    runs.iter().find(|run| {
        run.output
            .lines()
            .any(|line| claims::line_matches(line, pattern))
    })
}

/// Each `can_print` outcome happens on some seed of the range, and the
/// witness file shows real runs: each seed it records prints, run again,
/// exactly what it shows, and together they show every outcome.
pub fn check_witnesses(
    listing: &Listing,
    runs: &[MiriRun],
    toolchain: &str,
    rerun: impl Fn(u64) -> MiriRun,
) -> Result<(), Failure> {
    let fail = |claim: String, detail: String| Failure {
        listing: listing.to_string(),
        claim,
        detail,
    };
    let seeds = runs.first().map_or(0, |run| run.seed)..runs.last().map_or(0, |run| run.seed + 1);
    for pattern in &listing.can_print {
        if witness(runs, pattern).is_none() {
            return Err(fail(
                format!("can print {pattern:?} (witnessed under Miri on some seed)"),
                format!(
                    "no seed of {seeds:?} printed it; try more seeds (MIRI_SEEDS=64 cargo test \
                     --test miri), and if one does, raise miri_seeds in listings.toml"
                ),
            ));
        }
    }
    let path = listing.witness_file();
    let recorded = std::fs::read_to_string(&path).map_err(|e| {
        fail(
            "shows its witnessed runs".to_owned(),
            format!(
                "{}: {e}\n(record them: SNAPSHOTS=overwrite cargo test --test miri)",
                path.display()
            ),
        )
    })?;
    let blocks = witness_blocks(&recorded);
    for pattern in &listing.can_print {
        let shown = blocks.iter().any(|(_, output)| {
            output
                .lines()
                .any(|line| claims::line_matches(line, pattern))
        });
        if !shown {
            return Err(fail(
                format!("{} shows a run that printed {pattern:?}", path.display()),
                "(record it: SNAPSHOTS=overwrite cargo test --test miri)".to_owned(),
            ));
        }
    }
    for (seed, output) in &blocks {
        let again = runs
            .iter()
            .find(|run| run.seed == *seed)
            .cloned()
            .unwrap_or_else(|| rerun(*seed));
        let actual = claims::redact_thread_ids(&again.output);
        if actual != claims::redact_thread_ids(output) {
            return Err(fail(
                format!("{} shows what seed {seed} prints", path.display()),
                format!(
                    "seed {seed} now prints:\n{actual}\n(record it again: SNAPSHOTS=overwrite \
                     cargo test --test miri)\nreproduce: {}",
                    command_line(listing, *seed, toolchain)
                ),
            ));
        }
    }
    Ok(())
}

/// The seeds and outputs of a witness file: each run starts with its `$ …` line.
fn witness_blocks(text: &str) -> Vec<(u64, String)> {
    let mut blocks: Vec<(u64, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let seed = line
            .strip_prefix("$ ")
            .and_then(|command| command.split("-Zmiri-seed=").nth(1))
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits.parse().ok());
        match (seed, blocks.last_mut()) {
            (Some(seed), _) => blocks.push((seed, String::new())),
            (None, Some((_, output))) => output.push_str(line),
            (None, None) => {}
        }
    }
    blocks
}

/// Writes the witness file: for each outcome, the first seed that printed
/// it, as a reader would see it in a terminal.
pub fn record_witnesses(
    listing: &Listing,
    runs: &[MiriRun],
    toolchain: &str,
) -> Result<(), Failure> {
    let mut seeds: Vec<u64> = Vec::new();
    for pattern in &listing.can_print {
        let run = witness(runs, pattern).ok_or_else(|| Failure {
            listing: listing.to_string(),
            claim: format!("can print {pattern:?} (witnessed under Miri on some seed)"),
            detail: format!("no seed of 0..{} printed it", runs.len()),
        })?;
        if !seeds.contains(&run.seed) {
            seeds.push(run.seed);
        }
    }
    let mut text = String::new();
    for seed in seeds {
        let run = runs
            .iter()
            .find(|run| run.seed == seed)
            .expect("a run per seed");
        let _ = write!(
            text,
            "$ {}\n{}",
            command_line(listing, seed, toolchain),
            run.output
        );
    }
    let path = listing.witness_file();
    std::fs::write(&path, text).map_err(|e| Failure {
        listing: listing.to_string(),
        claim: "its witness file can be written".to_owned(),
        detail: format!("{}: {e}", path.display()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kept run is for one version of the listing, one seed and one set
    /// of flags.
    #[test]
    fn a_kept_run_is_for_one_version_seed_and_flags() {
        let dir = std::env::temp_dir().join(format!("kept-runs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("counter.rs");
        std::fs::write(&source, "fn main() {}\n").unwrap();
        let mut listing = Listing {
            chapter: "ch98-kept".into(),
            name: "counter".into(),
            kind: Kind::Runs,
            source: source.clone(),
            dir: dir.clone(),
            error: None,
            unordered: false,
            in_order: Vec::new(),
            cut_short: Vec::new(),
            runs: 1,
            miri: Miri::Checked {
                seeds: None,
                ignore_leaks: None,
                flags: None,
            },
            schedules_exempt: None,
            schedules_verdict: None,
            can_print: Vec::new(),
            cannot_print: Vec::new(),
            explore: false,
            varies: Vec::new(),
            sleep: None,
        };
        let kept = KeptRuns::new(&crate::repo_root(), dir.join("kept"));
        let first = kept.path(&listing, 0);
        assert_eq!(kept.path(&listing, 0), first);
        assert_ne!(kept.path(&listing, 1), first);

        std::fs::write(&source, "fn main() { println!(); }\n").unwrap();
        let edited = kept.path(&listing, 0);
        assert_ne!(edited, first);

        listing.miri = Miri::Checked {
            seeds: None,
            ignore_leaks: Some("why".into()),
            flags: None,
        };
        assert_ne!(kept.path(&listing, 0), edited);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

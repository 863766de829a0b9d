//! The listings and what each one claims, read from `listings/*/listings.toml`.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// What a listing is shown to do. Everything that depends on it is derived
/// here: how its chapter marks it (fence attribute, the theme's label), how
/// a run must end, natively and under Miri, how long a run may take, and how
/// often it is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Runs, exits 0, and prints its output file.
    Runs,
    /// Fails to compile with its `.stderr` snapshot.
    Fails,
    /// Exits with a panic, printing its output file.
    Panics,
    /// Is still running when stopped, having printed its output file.
    Hangs,
}

/// A runnable listing must finish well before the Run button gives up.
pub const RUN_LIMIT: Duration = Duration::from_secs(3);

/// How long a hang-by-design listing must still be running.
pub const HANG_AFTER: Duration = Duration::from_secs(1);

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Runs, Kind::Fails, Kind::Panics, Kind::Hangs];

    /// The fence attribute that marks this kind in a chapter, if any (it
    /// becomes a class of the block's `<code>`).
    pub fn fence_attribute(self) -> Option<&'static str> {
        match self {
            Kind::Runs => None,
            Kind::Fails => Some("compile_fail"),
            Kind::Panics => Some("should_panic"),
            Kind::Hangs => Some("no_run"),
        }
    }

    /// The label the theme shows on top of such a block (theme/listings.css).
    pub fn label(self) -> Option<&'static str> {
        match self {
            Kind::Runs => None,
            Kind::Fails => Some("Does not compile"),
            Kind::Panics => Some("Panics"),
            Kind::Hangs => Some("Hangs by design"),
        }
    }

    /// The kind in words, as messages name it.
    pub fn words(self) -> &'static str {
        match self {
            Kind::Runs => "runs",
            Kind::Fails => "fails to compile",
            Kind::Panics => "panics",
            Kind::Hangs => "hangs by design",
        }
    }

    /// The exit code a run must end with; `None`: it must not end (a hang),
    /// or is never run (it does not compile).
    pub fn exit_code(self) -> Option<i32> {
        match self {
            Kind::Runs => Some(0),
            Kind::Panics => Some(101),
            Kind::Fails | Kind::Hangs => None,
        }
    }

    /// How long one native run may go before it is stopped.
    pub fn time_limit(self) -> Duration {
        match self {
            Kind::Hangs => HANG_AFTER,
            Kind::Runs | Kind::Panics | Kind::Fails => RUN_LIMIT,
        }
    }

    /// How many native runs unless the listing says (`runs = N`): a hang
    /// costs [`HANG_AFTER`] a run.
    pub fn default_runs(self) -> u32 {
        match self {
            Kind::Runs | Kind::Panics => 20,
            Kind::Hangs => 2,
            Kind::Fails => 0,
        }
    }
}

/// Where the theme's label for each kind differs from [`Kind::label`]: the
/// stylesheet gives it as `pre:has(> code.ATTRIBUTE)::before { content: "…" }`.
pub fn theme_label_problems(root: &Path) -> Vec<String> {
    let path = root.join("theme/listings.css");
    let css = fs::read_to_string(&path).unwrap_or_default();
    let mut problems = Vec::new();
    for kind in Kind::ALL {
        let (Some(attribute), Some(label)) = (kind.fence_attribute(), kind.label()) else {
            continue;
        };
        let selector = format!("pre:has(> code.{attribute})::before {{");
        let shown = css.split(&selector).nth(1).and_then(|rule| {
            let rule = &rule[..rule.find('}')?];
            let content = rule.split("content:").nth(1)?;
            Some(
                content
                    .trim()
                    .trim_end_matches(';')
                    .trim_matches('"')
                    .to_owned(),
            )
        });
        if shown.as_deref() != Some(label) {
            problems.push(format!(
                "{}: a `{attribute}` block ({}) must be labelled {label:?} ({selector} \
                 content: \"{label}\"; }}), found {shown:?}",
                path.display(),
                kind.words()
            ));
        }
    }
    problems
}

/// One `[name]` table of a `listings.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    kind: Kind,
    /// For `fails`: the error code (`E0382`), the lint (`let_underscore_lock`),
    /// or, for an error without either, its message.
    error: Option<String>,
    /// Output lines may come in any order.
    #[serde(default)]
    unordered: bool,
    /// Lines containing each of these strings keep the order the output file shows.
    #[serde(default)]
    in_order: Vec<String>,
    /// Lines containing each of these strings may stop early (a thread cut
    /// short when `main` returns): a run shows the first few, in order.
    #[serde(default)]
    cut_short: Vec<String>,
    /// How many times to run it (nondeterministic listings: at least 20).
    runs: Option<u32>,
    /// Why the Miri layer does not run it (e.g. "measures wall-clock time").
    miri: Option<String>,
    /// Why its threads may outlive `main`, or its memory stay allocated (Miri
    /// reports them as leaks otherwise).
    miri_ignore_leaks: Option<String>,
    /// How many Miri seeds to try, where a witness needs more than the default.
    miri_seeds: Option<u64>,
    /// More flags for Miri (`-Zmiri-tree-borrows`), each run.
    miri_flags: Option<String>,
    /// Why the listing needs them.
    miri_flags_why: Option<String>,
    /// Why the schedule layer does not run it under shuttle (e.g. "measures
    /// wall-clock time, which shuttle does not model").
    schedules: Option<String>,
    /// Outcomes Miri must witness on some seed: each a line pattern (`[..]`).
    #[serde(default)]
    can_print: Vec<String>,
    /// Outcomes no run may print, by the memory model or the program's
    /// logic: each a line pattern (`[..]`).
    #[serde(default)]
    cannot_print: Vec<String>,
    /// Whether the chapter shows the schedule explorer on it (its search
    /// must cover every schedule).
    #[serde(default)]
    explore: bool,
    /// Lines of the output file (a real run) that vary from run to run, as
    /// patterns: `total = [..]`.
    #[serde(default)]
    varies: Vec<String>,
    /// Why its sleeps decide no order and no line that its output file shows
    /// as fixed, quoting the code that does (tidy checks the quote).
    sleep: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Listing {
    /// The listing crate's directory name, e.g. `ch06-mutex`.
    pub chapter: String,
    /// The binary's name, e.g. `counter-arc`.
    pub name: String,
    pub kind: Kind,
    /// `src/bin/<name>.rs` of the listing crate.
    pub source: PathBuf,
    /// The listing crate's directory.
    pub dir: PathBuf,
    pub error: Option<String>,
    pub unordered: bool,
    pub in_order: Vec<String>,
    pub cut_short: Vec<String>,
    pub runs: u32,
    pub miri: Miri,
    /// Why shuttle does not run it, where it does not (the schedule layer).
    pub schedules_exempt: Option<String>,
    /// What the schedule layer ran it on, as its crate's `schedules.toml`
    /// records it: "all 1,432 schedules", or the sample.
    pub schedules_verdict: Option<String>,
    /// Lines some run under Miri must print (on at least one seed).
    pub can_print: Vec<String>,
    /// Lines no run may print (patterns, as `can_print`).
    pub cannot_print: Vec<String>,
    /// The chapter shows the schedule explorer on it: `explored_file`.
    pub explore: bool,
    /// Patterns for the lines of a run that vary (`total = [..]`): the
    /// output file shows a real run, and its lines that match one of these
    /// are compared as the pattern.
    pub varies: Vec<String>,
    /// Why its sleeps decide nothing its output file shows as fixed: needed
    /// where it sleeps and its lines are not `unordered` (see tidy).
    pub sleep: Option<String>,
}

/// How the Miri layer treats a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Miri {
    /// Checked on the default number of seeds, or on `seeds` where given.
    Checked {
        seeds: Option<u64>,
        /// Threads outlive `main` by design, for this reason.
        ignore_leaks: Option<String>,
        /// More `MIRIFLAGS`, and why they are needed.
        flags: Option<(String, String)>,
    },
    /// Not run under Miri, for this reason.
    Exempt(String),
}

impl Listing {
    /// The expected output of a run, shown in the chapter: `output/<name>.txt`.
    pub fn output_file(&self) -> PathBuf {
        self.crate_dir()
            .join("output")
            .join(format!("{}.txt", self.name))
    }

    /// The trybuild snapshot of a `fails` listing, next to its source.
    pub fn stderr_file(&self) -> PathBuf {
        self.source.with_extension("stderr")
    }

    /// The file the chapter shows next to the listing: its output or its error.
    pub fn evidence_file(&self) -> PathBuf {
        match self.kind {
            Kind::Fails => self.stderr_file(),
            Kind::Runs | Kind::Panics | Kind::Hangs => self.output_file(),
        }
    }

    /// The runs under Miri that witness its `can_print` outcomes, shown in the
    /// chapter next to its native output: `output/<name>.miri.txt`.
    pub fn witness_file(&self) -> PathBuf {
        self.crate_dir()
            .join("output")
            .join(format!("{}.miri.txt", self.name))
    }

    /// Every state and step of its schedules, for the explorer:
    /// `explored/<name>.json` (see [`crate::explorer`]).
    pub fn explored_file(&self) -> PathBuf {
        self.crate_dir()
            .join("explored")
            .join(format!("{}.json", self.name))
    }

    /// Every file the chapter must show with the listing.
    pub fn evidence_files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.evidence_file()];
        if !self.can_print.is_empty() {
            files.push(self.witness_file());
        }
        files
    }

    /// The listing crate: where its claim and its evidence live.
    pub fn crate_dir(&self) -> PathBuf {
        self.dir.clone()
    }

    /// The same claim, made of another program: a reader's attempt at an
    /// exercise is held to what the book's solution claims.
    pub fn attempted_in(&self, source: PathBuf) -> Listing {
        Listing {
            source,
            ..self.clone()
        }
    }

    /// Whether its source is a binary of its listing crate (not a lone file,
    /// such as a reader's attempt or a fixture of the verifiers).
    pub fn in_crate(&self) -> bool {
        self.source.starts_with(self.dir.join("src/bin")) && self.dir.join("Cargo.toml").is_file()
    }

    /// The command a reader types in the repository root to see it for themselves.
    pub fn command(&self) -> String {
        let features = if self.kind == Kind::Fails {
            " --features fail"
        } else {
            ""
        };
        format!(
            "cargo run -p {} --bin {}{features}",
            self.chapter, self.name
        )
    }
}

impl fmt::Display for Listing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chapter {}, listing {}", self.chapter, self.name)
    }
}

/// The listing crates under `<root>/listings`, sorted.
pub fn listing_crates(root: &Path) -> Vec<PathBuf> {
    let mut crates: Vec<PathBuf> = fs::read_dir(root.join("listings"))
        .expect("listings/ exists")
        .map(|entry| entry.expect("readable listings/").path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .collect();
    crates.sort();
    crates
}

/// Every listing of every listing crate under `root`, in chapter order.
pub fn load(root: &Path) -> Result<Vec<Listing>, String> {
    let mut listings = Vec::new();
    for crate_dir in listing_crates(root) {
        listings.extend(load_crate(&crate_dir)?);
    }
    Ok(listings)
}

/// Like [`load`], but only the chapters named in `BOOK_ONLY` (comma-separated
/// prefixes such as `ch06,ch07`), for a quick check of the chapter at hand.
pub fn load_selected(root: &Path) -> Result<Vec<Listing>, String> {
    let only = std::env::var("BOOK_ONLY").unwrap_or_default();
    let prefixes: Vec<&str> = only.split(',').filter(|p| !p.trim().is_empty()).collect();
    let mut listings = Vec::new();
    for crate_dir in listing_crates(root) {
        let name = crate_dir.file_name().unwrap_or_default().to_string_lossy();
        if !prefixes.is_empty()
            && !prefixes
                .iter()
                .any(|prefix| name.starts_with(prefix.trim()))
        {
            continue;
        }
        listings.extend(load_crate(&crate_dir)?);
    }
    Ok(listings)
}

/// The listings declared in one crate's `listings.toml`.
pub fn load_crate(crate_dir: &Path) -> Result<Vec<Listing>, String> {
    let chapter = crate_dir
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| format!("odd crate directory {}", crate_dir.display()))?
        .to_owned();
    let catalog = crate_dir.join("listings.toml");
    let text = fs::read_to_string(&catalog)
        .map_err(|e| format!("{}: {e} (every listing crate has one)", catalog.display()))?;
    let entries: BTreeMap<String, Entry> =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", catalog.display()))?;

    let verdicts = schedule_verdicts(crate_dir)?;
    let mut listings = Vec::new();
    for (name, entry) in entries {
        if entry.kind == Kind::Fails && entry.error.is_none() {
            return Err(format!(
                "{}: [{name}] fails to compile: say with which error (error = \"E....\")",
                catalog.display()
            ));
        }
        let flags = match (entry.miri_flags, entry.miri_flags_why) {
            (None, None) => None,
            (Some(flags), Some(why)) => Some((flags, why)),
            _ => {
                return Err(format!(
                    "{}: [{name}] miri_flags and miri_flags_why go together: the flags, and \
                     why the listing needs them",
                    catalog.display()
                ));
            }
        };
        let under_miri = entry.miri_seeds.is_some()
            || entry.miri_ignore_leaks.is_some()
            || flags.is_some()
            || !entry.can_print.is_empty();
        if under_miri && (entry.miri.is_some() || entry.kind == Kind::Fails) {
            return Err(format!(
                "{}: [{name}] says how to run it under Miri (miri_seeds, miri_ignore_leaks, \
                 miri_flags or can_print), but Miri does not run it: {}",
                catalog.display(),
                if entry.kind == Kind::Fails {
                    "it fails to compile"
                } else {
                    "it is exempt (miri = \"...\")"
                }
            ));
        }
        let default_runs = entry.kind.default_runs();
        let verdict = verdicts.get(&name).cloned();
        listings.push(Listing {
            source: crate_dir.join("src/bin").join(format!("{name}.rs")),
            dir: crate_dir.to_path_buf(),
            chapter: chapter.clone(),
            name,
            kind: entry.kind,
            error: entry.error,
            unordered: entry.unordered,
            in_order: entry.in_order,
            cut_short: entry.cut_short,
            runs: entry.runs.unwrap_or(default_runs),
            miri: match entry.miri {
                Some(reason) => Miri::Exempt(reason),
                None => Miri::Checked {
                    seeds: entry.miri_seeds,
                    ignore_leaks: entry.miri_ignore_leaks,
                    flags,
                },
            },
            schedules_exempt: entry.schedules,
            schedules_verdict: verdict,
            can_print: entry.can_print,
            cannot_print: entry.cannot_print,
            explore: entry.explore,
            varies: entry.varies,
            sleep: entry.sleep,
        });
    }
    Ok(listings)
}

/// The file in which the schedule layer records what it ran each listing
/// of a crate on.
pub const SCHEDULE_VERDICTS: &str = "schedules.toml";

/// The verdicts `<crate>/schedules.toml` records, by listing.
fn schedule_verdicts(crate_dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let path = crate_dir.join(SCHEDULE_VERDICTS);
    match fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(_) => Ok(BTreeMap::new()),
    }
}

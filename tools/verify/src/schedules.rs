//! Running a listing on many schedules of its threads, with shuttle.
//!
//! The listing's own file is compiled, with each `std::` path read as
//! `sim::` (tests/sim: shuttle's threads, locks, channels and atomics, and
//! std for the rest) and `println!` writing into a buffer per execution.
//! shuttle then chooses the order of the threads at each lock, channel,
//! atomic access, spawn and join: every order, by depth-first search, where
//! that ends within the budget; otherwise a sample of random and PCT
//! schedules. Each distinct outcome comes back with the first schedule that
//! produced it, which replays it exactly.

use std::collections::HashMap;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::{Kind, Listing};
use crate::claims::{self, Failure};
use crate::run::{self, Ending as RunEnding};

/// How long one listing's search may take before it counts as stuck.
pub const SEARCH_LIMIT: Duration = Duration::from_secs(300);

/// Schedules a depth-first search may run before it gives way to sampling.
pub const DFS_LIMIT: u64 = 20_000;
/// Where the search of all schedules does not end: the bound on preemptions
/// of a search of fewer.
pub const PREEMPTIONS: usize = 2;
/// Schedules that search may run before it gives way to sampling.
pub const BOUNDED_LIMIT: u64 = 5_000;
/// Random schedules, and as many PCT schedules, where the search did not end.
pub const SAMPLES: u64 = 1000;
/// The depth of the PCT schedules: how many times a thread's priority drops.
pub const PCT_DEPTH: usize = 3;

/// How an execution ended (tests/sim's `Ending`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ending {
    Exited,
    Panicked,
    Deadlocked(String),
    Failed(String),
}

/// One distinct outcome, and the first schedule that produced it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Outcome {
    pub ending: Ending,
    pub output: String,
    pub count: u64,
    pub schedule: String,
}

/// What the search of one listing found (tests/sim's `Report`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    pub dfs: u64,
    pub dfs_complete: bool,
    pub bounded: u64,
    pub bounded_complete: bool,
    pub preemptions: usize,
    pub random: u64,
    pub pct: u64,
    pub pct_depth: usize,
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// What was run, in words: "all 1,432 schedules" only where the
    /// depth-first search ended; otherwise the sample.
    pub fn verdict(&self) -> Verdict {
        if self.dfs_complete {
            Verdict::Every(self.dfs)
        } else if self.bounded_complete {
            Verdict::Bounded {
                schedules: self.bounded,
                preemptions: self.preemptions,
                random: self.random,
                pct: self.pct,
                depth: self.pct_depth,
            }
        } else {
            Verdict::Sampled {
                random: self.random,
                pct: self.pct,
                depth: self.pct_depth,
            }
        }
    }
}

/// What a claim checked under shuttle holds for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every schedule there is (the depth-first search ended).
    Every(u64),
    /// Every schedule with at most `preemptions` preemptions (that search
    /// ended), and a sample.
    Bounded {
        schedules: u64,
        preemptions: usize,
        random: u64,
        pct: u64,
        depth: usize,
    },
    /// A sample: random schedules, and PCT schedules of a depth.
    Sampled { random: u64, pct: u64, depth: usize },
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Every(1) => write!(f, "its only schedule"),
            Verdict::Every(count) => write!(f, "all {} schedules", thousands(*count)),
            Verdict::Bounded {
                schedules,
                preemptions,
                random,
                pct,
                depth,
            } => write!(
                f,
                "all {} schedules with at most {preemptions} preemptions, and {} random + {} \
                 PCT schedules (depth {depth})",
                thousands(*schedules),
                thousands(*random),
                thousands(*pct)
            ),
            Verdict::Sampled { random, pct, depth } => write!(
                f,
                "{} random + {} PCT schedules (depth {depth})",
                thousands(*random),
                thousands(*pct)
            ),
        }
    }
}

/// 1432 as "1,432".
pub fn thousands(count: u64) -> String {
    let digits = count.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// The listing's text as the schedule layer compiles it, each line where
/// it was:
///
/// - each `std::` path outside comments, strings and characters becomes
///   `sim::` (as long, so that panic messages name the columns the chapter
///   shows);
/// - each `static NAME: T = EXPR;` becomes `static NAME: sim::Fresh<T> =
///   sim::Fresh::new(|| EXPR);`, a value made again for each schedule
///   (shuttle runs them all in one process, where a `static` would keep
///   what the schedule before left in it); `thread_local!` is left alone.
pub fn map_source(text: &str) -> String {
    let tokens = tokens(text);
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    let word = |index: usize| -> Option<&str> {
        let (start, end, kind) = *tokens.get(index)?;
        (kind == Token::Word).then(|| &text[start..end])
    };
    let punct = |index: usize, c: &str| -> bool {
        tokens
            .get(index)
            .is_some_and(|&(start, end, kind)| kind == Token::Punct && &text[start..end] == c)
    };
    let mut index = 0;
    while index < tokens.len() {
        let (start, end, _) = tokens[index];
        match word(index) {
            Some("std") if punct(index + 1, ":") && punct(index + 2, ":") => {
                edits.push((start, end, "sim"));
            }
            Some("thread_local") if punct(index + 1, "!") => {
                index = matching_close(text, &tokens, index + 2);
            }
            Some("static")
                if !text[..start].ends_with('\'')
                    && word(index + 1).is_some_and(|name| name != "mut")
                    && punct(index + 2, ":") =>
            {
                let ty = index + 3;
                let equals = find_at_depth(text, &tokens, ty, "=");
                let semicolon = equals.map(|at| find_at_depth(text, &tokens, at + 1, ";"));
                if let (Some(equals), Some(Some(semicolon))) = (equals, semicolon) {
                    edits.push((tokens[ty].0, tokens[ty].0, "sim::Fresh<"));
                    edits.push((tokens[equals - 1].1, tokens[equals - 1].1, ">"));
                    edits.push((
                        tokens[equals + 1].0,
                        tokens[equals + 1].0,
                        "sim::Fresh::new(|| ",
                    ));
                    edits.push((tokens[semicolon].0, tokens[semicolon].0, ")"));
                    index = semicolon;
                }
            }
            _ => {}
        }
        index += 1;
    }
    edits.sort_by_key(|&(start, end, _)| (start, end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    for (start, end, replacement) in edits {
        out.push_str(&text[copied..start]);
        out.push_str(replacement);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// What a piece of the source is, to [`map_source`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// An identifier or keyword.
    Word,
    /// One character of punctuation.
    Punct,
    /// A comment, a string or a character literal: never rewritten.
    Other,
}

/// The source as words, punctuation and the rest, without white space:
/// `(start, end, kind)`.
fn tokens(text: &str) -> Vec<(usize, usize, Token)> {
    let bytes = text.as_bytes();
    let ident = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &text[at..];
        let (length, kind) = if rest.starts_with("//") {
            (rest.find('\n').unwrap_or(rest.len()), Token::Other)
        } else if rest.starts_with("/*") {
            (
                rest.find("*/").map_or(rest.len(), |end| end + 2),
                Token::Other,
            )
        } else if rest.starts_with('"') {
            (string_length(rest), Token::Other)
        } else if let Some(length) = raw_string_length(rest) {
            (length, Token::Other)
        } else if rest.starts_with('\'') {
            let length = char_length(rest);
            let kind = if length == 1 {
                Token::Punct
            } else {
                Token::Other
            };
            (length, kind)
        } else if ident(bytes[at]) {
            let length = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            (length, Token::Word)
        } else {
            let length = rest.chars().next().map_or(1, char::len_utf8);
            let kind = if rest.starts_with(char::is_whitespace) {
                Token::Other
            } else {
                Token::Punct
            };
            (length, kind)
        };
        if !rest.starts_with(char::is_whitespace) {
            tokens.push((at, at + length, kind));
        }
        at += length;
    }
    tokens
}

/// The index of the token that closes the bracket opened at `open`.
fn matching_close(text: &str, tokens: &[(usize, usize, Token)], open: usize) -> usize {
    let mut depth = 0;
    for (index, &(start, end, kind)) in tokens.iter().enumerate().skip(open) {
        if kind != Token::Punct {
            continue;
        }
        match &text[start..end] {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth <= 0 {
                    return index;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The first token `wanted` from `from` on, outside brackets.
fn find_at_depth(
    text: &str,
    tokens: &[(usize, usize, Token)],
    from: usize,
    wanted: &str,
) -> Option<usize> {
    let mut depth = 0i32;
    for (index, &(start, end, kind)) in tokens.iter().enumerate().skip(from) {
        if kind != Token::Punct {
            continue;
        }
        let token = &text[start..end];
        if depth == 0 && token == wanted {
            return Some(index);
        }
        match token {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    None
}

/// The length of the string literal at the start of `text` (`"…"`).
fn string_length(text: &str) -> usize {
    let mut escaped = false;
    for (index, c) in text.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return index + 1,
            _ => escaped = false,
        }
    }
    text.len()
}

/// The length of the raw string literal at the start of `text`, if one
/// starts there (`r"…"`, `r#"…"#`, `br"…"`).
fn raw_string_length(text: &str) -> Option<usize> {
    let after_prefix = text.strip_prefix("br").or_else(|| text.strip_prefix('r'))?;
    let hashes = after_prefix.len() - after_prefix.trim_start_matches('#').len();
    let body = after_prefix[hashes..].strip_prefix('"')?;
    let closing = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&closing)?;
    Some(text.len() - body.len() + end + closing.len())
}

/// The length of the character literal at the start of `text`, or 1 for
/// the quote of a lifetime (`'a`).
fn char_length(text: &str) -> usize {
    let mut chars = text.char_indices().skip(1);
    match chars.next() {
        Some((_, '\\')) => text[2..].find('\'').map_or(1, |end| end + 3),
        Some((index, c)) => match text[index + c.len_utf8()..].starts_with('\'') {
            true => index + c.len_utf8() + 1,
            false => 1,
        },
        None => 1,
    }
}

/// The program the layer compiles for one listing: the listing's file,
/// mapped, in a module of its own, and an entry point that searches.
fn program(included: &str, shown: &str) -> String {
    format!(
        "// Generated by the schedule layer (tools/verify/src/schedules.rs) from {shown}.\n\
         #[allow(unused_macros)]\n\
         macro_rules! println {{\n\
         \x20   () => {{ ::sim::line(::std::string::String::new()) }};\n\
         \x20   ($($arg:tt)*) => {{ ::sim::line(::std::format!($($arg)*)) }};\n\
         }}\n\
         #[allow(unused_macros)]\n\
         macro_rules! eprintln {{\n\
         \x20   () => {{ ::sim::line(::std::string::String::new()) }};\n\
         \x20   ($($arg:tt)*) => {{ ::sim::line(::std::format!($($arg)*)) }};\n\
         }}\n\
         #[allow(unused_macros)]\n\
         macro_rules! print {{\n\
         \x20   ($($arg:tt)*) => {{ ::sim::text(&::std::format!($($arg)*)) }};\n\
         }}\n\
         #[allow(unused_macros)]\n\
         macro_rules! eprint {{\n\
         \x20   ($($arg:tt)*) => {{ ::sim::text(&::std::format!($($arg)*)) }};\n\
         }}\n\
         #[allow(unused_macros)]\n\
         macro_rules! thread_local {{\n\
         \x20   ($($body:tt)*) => {{ ::sim::shuttle::thread_local!($($body)*); }};\n\
         }}\n\
         \n\
         #[allow(dead_code, unused_imports, clippy::all)]\n\
         mod listing {{\n\
         \x20   include!({included:?});\n\
         \n\
         \x20   pub fn __explore() {{\n\
         \x20       ::sim::explore({shown:?}, main);\n\
         \x20   }}\n\
         }}\n\
         \n\
         fn main() {{\n\
         \x20   listing::__explore();\n\
         }}\n",
    )
}

/// The crate the layer generates for a group of listings, under
/// `<target>/schedules/<group>`; all groups build into one target directory.
pub struct Programs {
    root: PathBuf,
    dir: PathBuf,
    target: PathBuf,
    package: String,
    group: String,
}

impl Programs {
    /// The crate for `group` ("book", "fixtures", an attempt's hash).
    pub fn new(root: &Path, target: &Path, group: &str) -> Programs {
        Programs {
            root: root.to_path_buf(),
            dir: target.join("schedules").join(group),
            target: target.join("schedules").join("build"),
            package: format!("schedules-{group}"),
            group: group.to_owned(),
        }
    }

    /// The program's name: unique in the shared target directory.
    fn bin(&self, listing: &Listing) -> String {
        match self.group.as_str() {
            "book" => format!("{}__{}", listing.chapter, listing.name),
            group => format!("{group}__{}__{}", listing.chapter, listing.name),
        }
    }

    fn shown(&self, listing: &Listing) -> String {
        listing
            .source
            .strip_prefix(&self.root)
            .unwrap_or(&listing.source)
            .display()
            .to_string()
    }

    /// Writes the crate (a file only where its text changed, so that cargo
    /// rebuilds only what changed) and builds the programs of `listings`.
    pub fn build(
        &self,
        listings: &[&Listing],
    ) -> Result<HashMap<String, Result<PathBuf, String>>, String> {
        // One build at a time per process: two would write one crate.
        static BUILDING: Mutex<()> = Mutex::new(());
        let _building = BUILDING.lock().unwrap_or_else(PoisonError::into_inner);
        let write = |path: &Path, text: &str| -> Result<(), String> {
            if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
                return Ok(());
            }
            std::fs::create_dir_all(path.parent().expect("a file has a directory"))
                .and_then(|()| std::fs::write(path, text))
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        // tests/sim and the lock file are the tools', whichever book they check.
        let sim = crate::repo_root().join("tests/sim");
        write(
            &self.dir.join("Cargo.toml"),
            &format!(
                "# Generated by the schedule layer (tools/verify/src/schedules.rs).\n\
                 [package]\nname = {:?}\nversion = \"0.1.0\"\nedition = \"2024\"\n\
                 publish = false\nautobins = false\n\n\
                 [dependencies]\nsim = {{ path = {:?} }}\n\n\
                 [profile.dev]\ndebug = false\n\
                 [profile.dev.package.\"*\"]\nopt-level = 2\n\n\
                 [workspace]\n{}",
                self.package,
                sim.display().to_string(),
                listings
                    .iter()
                    .map(|listing| format!(
                        "\n[[bin]]\nname = {:?}\npath = \"src/{}.rs\"\n",
                        self.bin(listing),
                        self.bin(listing)
                    ))
                    .collect::<String>()
            ),
        )?;
        // The versions the workspace has locked, shuttle's among them.
        let lock = std::fs::read_to_string(crate::repo_root().join("Cargo.lock"))
            .map_err(|e| format!("Cargo.lock: {e}"))?;
        write(&self.dir.join("Cargo.lock"), &lock)?;
        for listing in listings {
            let text = std::fs::read_to_string(&listing.source)
                .map_err(|e| format!("{}: {e}", listing.source.display()))?;
            let included = format!("{}.listing.rs", self.bin(listing));
            write(&self.dir.join("src").join(&included), &map_source(&text))?;
            write(
                &self
                    .dir
                    .join("src")
                    .join(format!("{}.rs", self.bin(listing))),
                &program(&included, &self.shown(listing)),
            )?;
        }
        let mut command = crate::cargo::cargo(&self.dir);
        command
            .args([
                "build",
                "--offline",
                "--message-format=json-render-diagnostics",
            ])
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET");
        for listing in listings {
            command.args(["--bin", &self.bin(listing)]);
        }
        // Every program that compiles is built; those that do not are
        // reported one by one, with cargo's messages.
        command.arg("--keep-going");
        let output = command
            .output()
            .map_err(|e| format!("could not run cargo: {e}"))?;
        let built = crate::cargo::executables(&String::from_utf8_lossy(&output.stdout));
        let messages = String::from_utf8_lossy(&output.stderr).into_owned();
        Ok(listings
            .iter()
            .map(|listing| {
                let bin = self.bin(listing);
                let exe = built
                    .get(&(self.package.clone(), bin.clone()))
                    .cloned()
                    .ok_or_else(|| {
                        format!(
                            "{listing}: it does not compile under shuttle (cargo builds it in \
                             {}):\n{}",
                            self.dir.display(),
                            messages_about(&messages, &bin)
                        )
                    });
                (bin, exe)
            })
            .collect())
    }

    /// The command that replays one schedule of `listing`, from the
    /// repository root.
    pub fn replay_command(&self, listing: &Listing, schedule: &str) -> String {
        let exe = self.target.join("debug").join(self.bin(listing));
        let exe = exe.strip_prefix(&self.root).unwrap_or(&exe);
        // shuttle breaks a long schedule into lines; it reads it without.
        let schedule: String = schedule.split_whitespace().collect();
        format!("SIM_REPLAY='{schedule}' {}", exe.display())
    }
}

/// cargo's messages about one program: each diagnostic block whose
/// summary line names it, or all of them if none does.
fn messages_about(messages: &str, bin: &str) -> String {
    let blocks: Vec<&str> = messages.split("\n\n").collect();
    let about = format!("(bin \"{bin}\")");
    let mut text = String::new();
    let mut pending = Vec::new();
    for block in blocks {
        if block.trim_start().starts_with("error") {
            pending.push(block);
        }
        if block.contains("could not compile") {
            if block.contains(&about) {
                text.push_str(&pending.join("\n\n"));
            }
            pending.clear();
        }
    }
    if text.is_empty() {
        messages.to_owned()
    } else {
        text
    }
}

/// Runs one built program's search.
pub fn search(root: &Path, exe: &Path, listing: &Listing) -> Result<Report, String> {
    let out = exe.with_extension(format!("{}.json", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let mut command = Command::new(exe);
    command
        .current_dir(root)
        .env("SIM_OUT", &out)
        .env("SIM_DFS", DFS_LIMIT.to_string())
        .env("SIM_PREEMPTIONS", PREEMPTIONS.to_string())
        .env("SIM_BOUNDED", BOUNDED_LIMIT.to_string())
        .env("SIM_SAMPLES", SAMPLES.to_string())
        .env("SIM_PCT_DEPTH", PCT_DEPTH.to_string());
    let run = run::run_command(command, SEARCH_LIMIT)
        .map_err(|e| format!("{listing}: could not run {}: {e}", exe.display()))?;
    let text = std::fs::read_to_string(&out);
    let _ = std::fs::remove_file(&out);
    match (&run.ending, text) {
        (RunEnding::Exited(status), Ok(text)) if status.success() => serde_json::from_str(&text)
            .map_err(|e| format!("{listing}: the search's report is not what it should be: {e}")),
        (RunEnding::StillRunning, _) => Err(format!(
            "{listing}: the search under shuttle did not end within {SEARCH_LIMIT:?}"
        )),
        (RunEnding::Exited(status), _) => Err(format!(
            "{listing}: the search under shuttle stopped ({status}):\n{}",
            run.output
        )),
    }
}

/// Searches kept in a directory, by everything a search depends on: the
/// listing's text as compiled, the program around it, tests/sim, the lock
/// file, the budget and the toolchain
/// (a search is deterministic: its schedulers have fixed seeds).
pub struct KeptSearches {
    dir: PathBuf,
    shared: u64,
}

impl KeptSearches {
    /// Searches kept in `<target>/schedules/kept`.
    pub fn in_target(root: &Path, target: &Path) -> KeptSearches {
        KeptSearches::new(root, target.join("schedules").join("kept"))
    }

    pub fn new(root: &Path, dir: PathBuf) -> KeptSearches {
        let mut hasher = DefaultHasher::new();
        root.hash(&mut hasher);
        let root = crate::repo_root();
        for file in ["Cargo.lock", "rust-toolchain.toml", "tests/sim/Cargo.toml"] {
            std::fs::read(root.join(file)).ok().hash(&mut hasher);
        }
        let mut sim: Vec<PathBuf> = std::fs::read_dir(root.join("tests/sim/src"))
            .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
            .unwrap_or_default();
        sim.sort();
        for file in sim {
            std::fs::read(file).ok().hash(&mut hasher);
        }
        (DFS_LIMIT, PREEMPTIONS, BOUNDED_LIMIT, SAMPLES, PCT_DEPTH).hash(&mut hasher);
        // The program around each listing (its text is hashed per listing).
        program("listing.rs", "listing").hash(&mut hasher);
        KeptSearches {
            dir,
            shared: hasher.finish(),
        }
    }

    fn path(&self, listing: &Listing) -> PathBuf {
        let mut hasher = DefaultHasher::new();
        self.shared.hash(&mut hasher);
        // Its path too: panic messages name it. Its text as compiled.
        listing.source.hash(&mut hasher);
        std::fs::read_to_string(&listing.source)
            .ok()
            .map(|text| map_source(&text))
            .hash(&mut hasher);
        self.dir.join(format!(
            "{}-{}-{:016x}.json",
            listing.chapter,
            listing.name,
            hasher.finish()
        ))
    }

    /// The kept search of this version of `listing`, if there is one.
    pub fn get(&self, listing: &Listing) -> Option<Report> {
        let text = std::fs::read_to_string(self.path(listing)).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn keep(&self, listing: &Listing, report: &Report) {
        if let Ok(text) = serde_json::to_string(report) {
            let _ = std::fs::create_dir_all(&self.dir);
            let _ = std::fs::write(self.path(listing), text);
        }
    }
}

/// Searches each listing's schedules, taking kept searches from `kept` and
/// building and running the rest, as many at once as there are cores.
pub fn search_all(
    root: &Path,
    programs: &Programs,
    listings: &[&Listing],
    kept: &KeptSearches,
) -> Vec<Result<Report, String>> {
    let mut results: Vec<Option<Result<Report, String>>> = listings
        .iter()
        .map(|listing| kept.get(listing).map(Ok))
        .collect();
    let missing: Vec<usize> = (0..listings.len())
        .filter(|&index| results[index].is_none())
        .collect();
    if missing.is_empty() {
        return results.into_iter().map(Option::unwrap).collect();
    }
    let to_build: Vec<&Listing> = missing.iter().map(|&index| listings[index]).collect();
    let built = match programs.build(&to_build) {
        Ok(built) => built,
        Err(problem) => {
            for index in missing {
                results[index] = Some(Err(format!(
                    "{}: it does not compile under shuttle:\n{problem}",
                    listings[index]
                )));
            }
            return results.into_iter().map(Option::unwrap).collect();
        }
    };
    let next = AtomicUsize::new(0);
    let found = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers.min(missing.len()) {
            s.spawn(|| {
                while let Some(&index) = missing.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let listing = listings[index];
                    let result = match built.get(&programs.bin(listing)) {
                        Some(Ok(exe)) => search(root, exe, listing),
                        Some(Err(problem)) => Err(problem.clone()),
                        None => Err(format!("{listing}: cargo built no program for it")),
                    };
                    if let Ok(report) = &result {
                        kept.keep(listing, report);
                    }
                    found.lock().unwrap().push((index, result));
                }
            });
        }
    });
    for (index, result) in found.into_inner().unwrap() {
        results[index] = Some(result);
    }
    results.into_iter().map(Option::unwrap).collect()
}

/// The ending a listing's kind claims on every schedule.
fn claimed_ending(kind: Kind) -> &'static str {
    match kind {
        Kind::Runs => "runs to completion",
        Kind::Panics => "panics",
        Kind::Hangs => "hangs by design: shuttle reports it deadlocked",
        Kind::Fails => "fails to compile",
    }
}

fn ended_as_claimed(kind: Kind, ending: &Ending) -> bool {
    matches!(
        (kind, ending),
        (Kind::Runs, Ending::Exited)
            | (Kind::Panics, Ending::Panicked)
            | (Kind::Hangs, Ending::Deadlocked(_))
    )
}

/// How an execution ended, in words.
pub fn describe(ending: &Ending) -> String {
    match ending {
        Ending::Exited => "it ran to completion".to_owned(),
        Ending::Panicked => "main panicked (exit code 101)".to_owned(),
        Ending::Deadlocked(report) => format!("it deadlocked: {report}"),
        Ending::Failed(report) => format!("shuttle stopped it: {report}"),
    }
}

/// Checks every outcome of a search against the listing's claim: each
/// ended as its kind says and printed what its output file shows, and
/// each `can_print` outcome was printed on some schedule.
pub fn verify(
    root: &Path,
    programs: &Programs,
    listing: &Listing,
    report: &Report,
) -> Result<(), Failure> {
    let verdict = report.verdict();
    let on = |failure: Failure, outcome: &Outcome| Failure {
        listing: failure.listing,
        claim: format!("{} (under shuttle, on {verdict})", failure.claim),
        detail: format!(
            "{} of the schedules went this way; the first:\n{}\nreplay it: {}",
            thousands(outcome.count),
            failure.detail,
            programs.replay_command(listing, &outcome.schedule)
        ),
    };
    for outcome in &report.outcomes {
        if !ended_as_claimed(listing.kind, &outcome.ending) {
            return Err(on(
                Failure {
                    listing: listing.to_string(),
                    claim: claimed_ending(listing.kind).to_owned(),
                    detail: format!(
                        "{}; it printed:\n{}",
                        describe(&outcome.ending),
                        outcome.output
                    ),
                },
                outcome,
            ));
        }
        claims::check_output(listing, &outcome.output, root)
            .map_err(|failure| on(failure, outcome))?;
    }
    for pattern in &listing.can_print {
        let witnessed = report.outcomes.iter().any(|outcome| {
            outcome
                .output
                .lines()
                .any(|line| claims::line_matches(line, pattern))
        });
        if !witnessed {
            return Err(Failure {
                listing: listing.to_string(),
                claim: format!("can print {pattern:?} (witnessed under shuttle on some schedule)"),
                detail: format!(
                    "none of {verdict} printed it; if only weak memory can print it, shuttle \
                     (which runs every atomic access as SeqCst) cannot show it: exempt the \
                     listing with schedules = \"why\" in its listings.toml"
                ),
            });
        }
    }
    Ok(())
}

/// One listing through the layer, as `cargo book check` and `cargo book
/// exercise` run it, its program in the crate of `group`: the verdict, or
/// what is wrong, in the words of the layer.
pub fn check_one(
    root: &Path,
    target: &Path,
    group: &str,
    listing: &Listing,
) -> Result<Verdict, Failure> {
    let programs = Programs::new(root, target, group);
    let kept = KeptSearches::in_target(root, target);
    let report = search_all(root, &programs, &[listing], &kept)
        .remove(0)
        .map_err(|problem| Failure {
            listing: listing.to_string(),
            claim: "runs under shuttle".to_owned(),
            detail: problem,
        })?;
    verify(root, &programs, listing, &report)?;
    Ok(report.verdict())
}

/// The verdict the catalog records for `listing` is the one its search
/// gives.
pub fn check_recorded_verdict(listing: &Listing, verdict: &Verdict) -> Result<(), Failure> {
    let actual = verdict.to_string();
    if listing.schedules_verdict.as_deref() == Some(actual.as_str()) {
        return Ok(());
    }
    let file = format!(
        "listings/{}/{}",
        listing.chapter,
        crate::catalog::SCHEDULE_VERDICTS
    );
    Err(Failure {
        listing: listing.to_string(),
        claim: format!("was run under shuttle on what {file} records"),
        detail: format!(
            "it records {:?}, and the search ran {actual:?} (record it: SNAPSHOTS=overwrite \
             cargo test --test schedules)",
            listing.schedules_verdict.as_deref().unwrap_or("nothing")
        ),
    })
}

/// Writes each crate's `schedules.toml`: the verdict of each of its
/// listings that the layer ran.
pub fn record_verdicts(verdicts: &[(&Listing, Verdict)]) -> Result<(), String> {
    let mut by_crate: std::collections::BTreeMap<&Path, Vec<(&str, String)>> =
        std::collections::BTreeMap::new();
    for (listing, verdict) in verdicts {
        by_crate
            .entry(listing.dir.as_path())
            .or_default()
            .push((listing.name.as_str(), verdict.to_string()));
    }
    for (dir, mut entries) in by_crate {
        entries.sort();
        let mut text = String::from(
            "# What the schedule layer (tests/schedules.rs) ran each listing on under\n\
             # shuttle: every schedule, or a sample. Written by\n\
             # SNAPSHOTS=overwrite cargo test --test schedules; the proof page shows it.\n",
        );
        for (name, verdict) in entries {
            text.push_str(&format!("{name} = {verdict:?}\n"));
        }
        let path = dir.join(crate::catalog::SCHEDULE_VERDICTS);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// A listing exempt from the layer must say why.
pub fn exemption_problems(listings: &[Listing]) -> Vec<String> {
    listings
        .iter()
        .filter(|listing| {
            listing
                .schedules_exempt
                .as_deref()
                .is_some_and(|reason| reason.trim().is_empty())
        })
        .map(|listing| {
            format!(
                "{listing}: schedules needs a reason, e.g. schedules = \"measures wall-clock \
                 time, which shuttle does not model\" (the layer prints it, and the proof page \
                 shows it)"
            )
        })
        .collect()
}

/// Whether the layer runs `listing`.
pub fn checks(listing: &Listing) -> bool {
    listing.kind != Kind::Fails && listing.schedules_exempt.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_paths_become_sim_paths_of_the_same_length() {
        let text = "use std::sync::{Arc, Mutex};\nuse std::thread;\nfn main() { ::std::thread::spawn(|| {}); }\n";
        let mapped = map_source(text);
        assert_eq!(
            mapped,
            "use sim::sync::{Arc, Mutex};\nuse sim::thread;\nfn main() { ::sim::thread::spawn(|| {}); }\n"
        );
        for (a, b) in text.lines().zip(mapped.lines()) {
            assert_eq!(a.len(), b.len());
        }
    }

    #[test]
    fn comments_strings_and_other_words_are_left_alone() {
        let text = concat!(
            "// std::thread in a comment\n",
            "/* std::sync */ let s = \"std::sync \\\" std::x\";\n",
            "let r = r#\"std::raw\"#; let c = '\"'; let l: &'static str = \"\";\n",
            "my_std::f(); mystd::g(); std::h();\n",
        );
        let mapped = map_source(text);
        assert!(mapped.contains("// std::thread in a comment"));
        assert!(mapped.contains("/* std::sync */"));
        assert!(mapped.contains("\"std::sync \\\" std::x\""));
        assert!(mapped.contains("r#\"std::raw\"#"));
        assert!(
            mapped.contains("my_std::f(); mystd::g(); sim::h();"),
            "{mapped}"
        );
    }

    #[test]
    fn a_static_is_made_again_for_each_schedule_on_the_same_lines() {
        let text = concat!(
            "static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());\n",
            "pub static PRICES: LazyLock<u32> = LazyLock::new(|| {\n",
            "    1\n",
            "});\n",
            "fn f(s: &'static str) {}\n",
            "thread_local! {\n    static HANDLED: Cell<u32> = const { Cell::new(0) };\n}\n",
        );
        let mapped = map_source(text);
        assert_eq!(
            mapped,
            concat!(
                "static LOG: sim::Fresh<Mutex<Vec<String>>> = \
                 sim::Fresh::new(|| Mutex::new(Vec::new()));\n",
                "pub static PRICES: sim::Fresh<LazyLock<u32>> = \
                 sim::Fresh::new(|| LazyLock::new(|| {\n",
                "    1\n",
                "}));\n",
                "fn f(s: &'static str) {}\n",
                "thread_local! {\n    static HANDLED: Cell<u32> = const { Cell::new(0) };\n}\n",
            )
        );
    }

    #[test]
    fn a_kept_search_is_for_one_version_of_the_listing() {
        let dir = std::env::temp_dir().join(format!("kept-searches-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("counter.rs");
        std::fs::write(&source, "fn main() {}\n").unwrap();
        let fixtures = crate::repo_root().join("tests/fixtures/ch99-wrong");
        let listing = crate::catalog::load_crate(&fixtures)
            .unwrap()
            .remove(0)
            .attempted_in(source.clone());
        let kept = KeptSearches::new(&crate::repo_root(), dir.join("kept"));
        let first = kept.path(&listing);
        assert_eq!(kept.path(&listing), first);
        std::fs::write(&source, "fn main() { println!(); }\n").unwrap();
        assert_ne!(kept.path(&listing), first);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_verdict_says_all_only_for_a_finished_search() {
        let mut report = Report {
            dfs: 1432,
            dfs_complete: true,
            ..Report::default()
        };
        assert_eq!(report.verdict().to_string(), "all 1,432 schedules");
        report.dfs_complete = false;
        report.bounded = 3456;
        report.bounded_complete = true;
        report.preemptions = 2;
        report.random = 1000;
        report.pct = 1000;
        report.pct_depth = 3;
        assert_eq!(
            report.verdict().to_string(),
            "all 3,456 schedules with at most 2 preemptions, and 1,000 random + 1,000 PCT \
             schedules (depth 3)"
        );
        report.bounded_complete = false;
        assert_eq!(
            report.verdict().to_string(),
            "1,000 random + 1,000 PCT schedules (depth 3)"
        );
    }
}

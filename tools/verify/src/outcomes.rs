//! Chapter 10's outcome tables, generated from runs.
//!
//! For each listing whose outcome depends on the schedule or on weak memory,
//! the chapter shows a table: each outcome its text discusses, whether Rust
//! allows it (the listing's claim in `listings.toml`: a line it `varies` on
//! or `can_print` is allowed, one it `cannot_print` is not), the first Miri
//! seed that prints it (with that run), how many of N native runs printed
//! it, and how many of shuttle's schedules did.
//!
//! Files, under `listings/<chapter>/outcomes/`:
//!
//! - `tables.toml` (written by hand): the rows of each table, and for an
//!   outcome no listing shows (load buffering), what each tool can say;
//! - `<name>.runs.toml` (recorded): the runs a table is made from, with the
//!   hash of the listing's source they were made of;
//! - `<name>.html` (generated): the table the chapter includes.
//!
//! `SNAPSHOTS=overwrite cargo test --test outcome_tables` runs the listings
//! and writes both; without it the test renders each table again from the
//! recorded runs and the current claims and compares.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::catalog::{Kind, Listing};
use crate::claims;
use crate::html::escape;
use crate::miri::{self, KeptRuns, Verdict as MiriVerdict};
use crate::run;
use crate::schedules::{self, KeptSearches, Programs, Verdict as ScheduleVerdict};

/// The directory of a listing crate that holds its outcome tables.
pub const DIR: &str = "outcomes";
/// The rows of each table, written by hand.
pub const SPEC: &str = "tables.toml";
/// How many times each listing is run natively for its table.
pub const NATIVE_RUNS: u32 = 200;
/// The Miri seeds each listing is run on for its table: `0..MIRI_SEEDS`.
pub const MIRI_SEEDS: u64 = 16;
/// The command that records the runs and writes the tables.
pub const OVERWRITE: &str = "SNAPSHOTS=overwrite cargo test --test outcome_tables";

/// `tables.toml`: one table per listing (or per outcome no listing shows).
pub type Spec = BTreeMap<String, TableSpec>;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// The outcomes the chapter discusses, in the order shown.
    pub rows: Vec<Row>,
    /// For an outcome that no listing shows: what the table says instead.
    pub unproduced: Option<Unproduced>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// A line of the listing's output that shows the outcome (a pattern:
    /// `[..]` matches any text within a line).
    pub line: Option<String>,
    /// The outcome in words.
    pub outcome: String,
}

/// A table for an outcome Rust allows but no tool here produces.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unproduced {
    pub caption: String,
    /// The program in words (there is no listing).
    pub program: String,
    pub miri: String,
    pub native: String,
    pub schedules: String,
}

/// The runs one listing's table is made from: `<name>.runs.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// FNV-1a (64 bits, hex) of the listing's source, line ends as `\n`.
    pub source: String,
    /// The lines of the table's rows when the runs were recorded: a line
    /// that only varies is kept as its pattern unless a row shows it.
    pub rows: Vec<String>,
    pub native: Native,
    pub miri: MiriRecord,
    /// Absent where shuttle does not run the listing.
    pub schedules: Option<SchedulesRecord>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Native {
    pub runs: u32,
    /// The UTC day of the runs, `YYYY-MM-DD`.
    pub date: String,
    /// The processor, as the system names it, or "unknown".
    pub cpu: String,
    /// What it was built with.
    pub build: String,
    pub outputs: Vec<Counted>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    pub count: u64,
    pub output: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MiriRecord {
    pub seeds: u64,
    pub runs: Vec<SeedRun>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedRun {
    pub seed: u64,
    /// The command that reproduces it.
    pub command: String,
    pub output: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchedulesRecord {
    /// As `schedules.toml` words it: "all 69 schedules".
    pub verdict: String,
    /// Whether the search ran every schedule.
    pub every: bool,
    /// How many schedules ran: each output's count adds to it.
    pub total: u64,
    /// Which schedules, in words.
    pub tried: String,
    pub outputs: Vec<Counted>,
}

/// The directory of the tables of a listing crate.
pub fn dir(crate_dir: &Path) -> PathBuf {
    crate_dir.join(DIR)
}

/// Reads `tables.toml`.
pub fn load_spec(crate_dir: &Path) -> Result<Spec, String> {
    let path = dir(crate_dir).join(SPEC);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The recorded runs of a listing.
pub fn record_file(crate_dir: &Path, name: &str) -> PathBuf {
    dir(crate_dir).join(format!("{name}.runs.toml"))
}

/// The generated table the chapter includes.
pub fn table_file(crate_dir: &Path, name: &str) -> PathBuf {
    dir(crate_dir).join(format!("{name}.html"))
}

pub fn read_record(crate_dir: &Path, name: &str) -> Result<Record, String> {
    let path = record_file(crate_dir, name);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (record the runs: {OVERWRITE})", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn write_record(crate_dir: &Path, name: &str, record: &Record) -> Result<(), String> {
    let path = record_file(crate_dir, name);
    let text = toml::to_string_pretty(record).map_err(|e| e.to_string())?;
    let text = format!(
        "# The runs the outcome table of {name} is made from. Recorded by\n# {OVERWRITE}; do not edit.\n{text}"
    );
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// FNV-1a, 64 bits, of a text with `\r\n` read as `\n` (a Windows checkout
/// has the same listing): stable across Rust versions, unlike `Hash`.
pub fn source_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes().filter(|&byte| byte != b'\r') {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn listing_hash(listing: &Listing) -> String {
    source_hash(&std::fs::read_to_string(&listing.source).unwrap_or_default())
}

/// Whether an output has a line that matches `pattern`.
fn prints(output: &str, pattern: &str) -> bool {
    output
        .lines()
        .any(|line| claims::line_matches(line, pattern))
}

/// Whether the listing's claim allows a line: `Ok(false)` where it
/// `cannot_print` it, `Ok(true)` where its output file shows it, it
/// `can_print` it or it `varies` to it; an error where it says neither.
pub fn allowed(listing: &Listing, line: &str) -> Result<bool, String> {
    if listing
        .cannot_print
        .iter()
        .any(|pattern| claims::line_matches(line, pattern))
    {
        return Ok(false);
    }
    let shown = std::fs::read_to_string(listing.output_file()).unwrap_or_default();
    let claimed = shown.lines().any(|shown| shown == line)
        || listing
            .can_print
            .iter()
            .chain(&listing.varies)
            .any(|pattern| claims::line_matches(line, pattern));
    if claimed {
        Ok(true)
    } else {
        Err(format!(
            "{listing}: its outcome table lists {line:?}, which its claim in listings.toml \
             neither allows (the output file, varies or can_print) nor rules out (cannot_print)"
        ))
    }
}

/// Each line a recorded run, the output file or the witness file printed
/// that the listing `cannot_print`.
pub fn cannot_print_problems(listing: &Listing, record: Option<&Record>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |what: String, output: &str| {
        for pattern in &listing.cannot_print {
            if let Some(line) = output
                .lines()
                .find(|line| claims::line_matches(line, pattern))
            {
                problems.push(format!(
                    "{listing} cannot print {pattern:?} (cannot_print in listings.toml), but \
                     {what} printed {line:?}"
                ));
            }
        }
    };
    for file in [listing.output_file(), listing.witness_file()] {
        if let Ok(text) = std::fs::read_to_string(&file) {
            check(format!("the run in {}", file.display()), &text);
        }
    }
    if let Some(record) = record {
        for counted in &record.native.outputs {
            check(
                format!("{} of {} native runs", counted.count, record.native.runs),
                &counted.output,
            );
        }
        for run in &record.miri.runs {
            check(format!("Miri, seed {}", run.seed), &run.output);
        }
        if let Some(schedules) = &record.schedules {
            for counted in &schedules.outputs {
                check(
                    format!("{} of the schedules shuttle ran", counted.count),
                    &counted.output,
                );
            }
        }
    }
    problems
}

/// The table of one listing, as the chapter includes it.
pub fn render(listing: &Listing, spec: &TableSpec, record: &Record) -> Result<String, String> {
    let mut html = header(&format!(
        "listings.toml, outcomes/{SPEC} and outcomes/{}.runs.toml",
        listing.name
    ));
    let _ = write!(
        html,
        "<table class=\"outcomes\" id=\"outcomes-{name}\">\n<caption>The outcomes of \
         <code>{name}</code>, and where each was seen. Native runs: {runs} of <code>{command}</code> on {cpu}, {date} \
         (UTC).{shuttle}</caption>\n",
        shuttle = match &record.schedules {
            Some(schedules) => format!(" Shuttle tried {}.", escape(&schedules.tried)),
            None => String::new(),
        },
        name = listing.name,
        runs = record.native.runs,
        command = escape(&listing.command()),
        cpu = escape(&record.native.cpu),
        date = record.native.date,
    );
    let seeds = record.miri.seeds;
    let _ = write!(
        html,
        "<thead><tr><th scope=\"col\">Outcome</th><th scope=\"col\">Rust allows it</th>\
         <th scope=\"col\">Under Miri (seeds 0 to {last})</th><th scope=\"col\">Native runs</th>\
         <th scope=\"col\">Schedules (shuttle)</th></tr></thead>\n<tbody>\n",
        last = seeds.saturating_sub(1)
    );
    for row in &spec.rows {
        let line = row.line.as_deref().ok_or_else(|| {
            format!("{listing}: each row of its outcome table needs the line that shows it")
        })?;
        let allowed = allowed(listing, line)?;
        let miri = match record
            .miri
            .runs
            .iter()
            .find(|run| prints(&run.output, line))
        {
            Some(run) => format!(
                "<details><summary>seed {seed}</summary><pre style=\"white-space: pre-wrap\">\
                 $ {command}\n{output}</pre></details>",
                seed = run.seed,
                command = escape(&run.command),
                output = pre_text(&run.output)
            ),
            None if allowed => format!("not on these {seeds} seeds"),
            None => format!("never, on {seeds} seeds"),
        };
        let seen = count(&record.native.outputs, line);
        let native = if allowed || seen > 0 {
            format!("{seen} of {}", record.native.runs)
        } else {
            format!("never (0 of {})", record.native.runs)
        };
        let shuttle = match &record.schedules {
            None => exempt_words(listing),
            Some(schedules) => {
                let reached = count(&schedules.outputs, line);
                match (schedules.every, reached) {
                    (true, 0) => format!(
                        "never reached in any of the {} schedules",
                        schedules::thousands(schedules.total)
                    ),
                    (true, k) => format!(
                        "reached in {} of the {} schedules",
                        schedules::thousands(k),
                        schedules::thousands(schedules.total)
                    ),
                    (false, k) => format!(
                        "{} of {}",
                        schedules::thousands(k),
                        schedules::thousands(schedules.total)
                    ),
                }
            }
        };
        let _ = writeln!(
            html,
            "<tr><th scope=\"row\">{outcome}<br><code>{line}</code></th><td>{allowed}</td>\
             <td>{miri}</td><td>{native}</td><td>{shuttle}</td></tr>",
            outcome = escape(&row.outcome),
            line = escape(line),
            allowed = if allowed { "yes" } else { "no" },
        );
    }
    html.push_str("</tbody>\n</table>\n");
    Ok(html)
}

/// The table of an outcome no listing shows.
pub fn render_unproduced(name: &str, spec: &TableSpec) -> Result<String, String> {
    let unproduced = spec
        .unproduced
        .as_ref()
        .ok_or_else(|| format!("{SPEC}: [{name}] names no listing of the chapter"))?;
    let mut html = header(&format!("outcomes/{SPEC}"));
    let _ = write!(
        html,
        "<table class=\"outcomes\" id=\"outcomes-{name}\">\n<caption>{caption}</caption>\n\
         <thead><tr><th scope=\"col\">Outcome</th><th scope=\"col\">Rust allows it</th>\
         <th scope=\"col\">Under Miri</th><th scope=\"col\">Native runs</th>\
         <th scope=\"col\">Schedules (shuttle)</th></tr></thead>\n<tbody>\n",
        caption = escape(&unproduced.caption)
    );
    for row in &spec.rows {
        let _ = writeln!(
            html,
            "<tr><th scope=\"row\">{outcome}<br>{program}</th><td>yes</td><td>{miri}</td>\
             <td>{native}</td><td>{schedules}</td></tr>",
            outcome = escape(&row.outcome),
            program = escape(&unproduced.program),
            miri = escape(&unproduced.miri),
            native = escape(&unproduced.native),
            schedules = escape(&unproduced.schedules),
        );
    }
    html.push_str("</tbody>\n</table>\n");
    Ok(html)
}

fn header(sources: &str) -> String {
    format!("<!-- Generated from {sources} by {OVERWRITE}; do not edit. -->\n")
}

/// What the shuttle column says of a listing shuttle does not run.
fn exempt_words(listing: &Listing) -> String {
    match &listing.schedules_exempt {
        Some(reason) if reason.contains("SeqCst") => {
            "not run: shuttle runs every atomic access as <code>SeqCst</code>".to_owned()
        }
        Some(reason) => format!("not run: {}", escape(reason)),
        None => "not run".to_owned(),
    }
}

/// How many of the counted outputs print a line matching `pattern`.
fn count(outputs: &[Counted], pattern: &str) -> u64 {
    outputs
        .iter()
        .filter(|counted| prints(&counted.output, pattern))
        .map(|counted| counted.count)
        .sum()
}

/// Text for a `<pre>` inside an HTML block: a blank line would end the
/// block in Markdown, so an empty line holds an empty element.
fn pre_text(output: &str) -> String {
    escape(output.trim_end_matches('\n'))
        .lines()
        .map(|line| {
            if line.trim().is_empty() {
                "<span></span>"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What is wrong with the committed tables of one listing crate: a table
/// that is missing or differs from what its recorded runs and the current
/// claims give, runs recorded of another version of the listing, a
/// schedule search other than the one `schedules.toml` records, a line
/// that the listing `cannot_print` in any run, or a table the chapter does
/// not include.
pub fn problems(crate_dir: &Path, listings: &[Listing], chapter_text: &str) -> Vec<String> {
    let spec = match load_spec(crate_dir) {
        Ok(spec) => spec,
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    for (name, table) in &spec {
        let expected = match expected_table(crate_dir, listings, chapter_text, name, table) {
            Ok((expected, mut more)) => {
                problems.append(&mut more);
                expected
            }
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let path = table_file(crate_dir, name);
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        if committed != expected {
            problems.push(format!(
                "{} is stale: it differs from the table its recorded runs and the claims in \
                 listings.toml give (write it again: {OVERWRITE})",
                path.display()
            ));
        }
        let include = format!(
            "../listings/{}/{DIR}/{name}.html}}}}",
            chapter_of(crate_dir)
        );
        if !chapter_text
            .lines()
            .any(|line| line.starts_with("{{#include ") && line.ends_with(&include))
        {
            problems.push(format!(
                "the chapter does not show the outcome table {}: add {{{{#include {include} \
                 near the listing's output",
                path.display()
            ));
        }
    }
    problems
}

fn chapter_of(crate_dir: &Path) -> String {
    crate_dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The table `name` should be, and the problems of its recorded runs.
fn expected_table(
    crate_dir: &Path,
    listings: &[Listing],
    chapter_text: &str,
    name: &str,
    table: &TableSpec,
) -> Result<(String, Vec<String>), String> {
    let Some(listing) = listings.iter().find(|listing| listing.name == name) else {
        return Ok((render_unproduced(name, table)?, Vec::new()));
    };
    let record = read_record(crate_dir, name)?;
    let mut problems = Vec::new();
    if record.rows != row_lines(table) {
        problems.push(format!(
            "{listing}: the rows of its outcome table changed since its runs were recorded: \
             rerun with {OVERWRITE}"
        ));
    }
    if record.source != listing_hash(listing) {
        problems.push(format!(
            "{listing} changed since the runs of its outcome table were recorded: rerun with \
             {OVERWRITE}"
        ));
    }
    let searched = record.schedules.as_ref().map(|s| s.verdict.clone());
    let expected_search = if schedules::checks(listing) {
        listing.schedules_verdict.clone()
    } else {
        None
    };
    if searched != expected_search {
        problems.push(format!(
            "{listing}: its outcome table shows shuttle's search of {searched:?}, and \
             schedules.toml records {expected_search:?}: rerun with {OVERWRITE}"
        ));
    }
    problems.extend(cannot_print_problems(listing, Some(&record)));
    if !chapter_text.contains(&format!("src/bin/{}.rs", listing.name)) {
        problems.push(format!(
            "{listing}: its outcome table is for a listing the chapter does not show"
        ));
    }
    Ok((render(listing, table, &record)?, problems))
}

/// Runs the listings of `spec` (natively, under Miri, under shuttle) and
/// writes each one's record and every table. Prints what it did to stderr.
pub fn overwrite(
    root: &Path,
    crate_dir: &Path,
    listings: &[Listing],
    chapter_text: &str,
) -> Result<(), String> {
    let spec = load_spec(crate_dir)?;
    let shown: Vec<&Listing> = listings
        .iter()
        .filter(|listing| spec.contains_key(&listing.name))
        .collect();
    for listing in &shown {
        if listing.kind != Kind::Runs {
            return Err(format!(
                "{listing}: outcome tables are for listings that run to completion"
            ));
        }
    }
    miri::installed(root)?;
    let target = crate::cargo::target_dir();

    let packages = [chapter_of(crate_dir)];
    let packages: Vec<&str> = packages.iter().map(String::as_str).collect();
    let executables = crate::cargo::build_bins(root, &packages)?;
    let (date, cpu) = (utc_day(SystemTime::now()), cpu());
    let mut natives = Vec::new();
    for listing in &shown {
        let exe = &executables[&(listing.chapter.clone(), listing.name.clone())];
        let rows = row_lines(&spec[&listing.name]);
        natives.push(native_runs(root, listing, &rows, exe, &date, &cpu)?);
    }

    let kept = KeptRuns::in_target(root, &target);
    let miri_runs = miri_runs(root, &shown, &kept)?;

    let searched: Vec<&Listing> = shown
        .iter()
        .copied()
        .filter(|listing| schedules::checks(listing))
        .collect();
    let programs = Programs::new(root, &target, "book");
    let kept = KeptSearches::in_target(root, &target);
    let reports = schedules::search_all(root, &programs, &searched, &kept);
    let mut searches = BTreeMap::new();
    for (listing, report) in searched.iter().zip(reports) {
        let report = report?;
        let mut outputs: Vec<Counted> = Vec::new();
        for outcome in &report.outcomes {
            if outcome.ending != schedules::Ending::Exited {
                return Err(format!(
                    "{listing}: a schedule did not run to completion under shuttle: {}",
                    schedules::describe(&outcome.ending)
                ));
            }
            let rows = row_lines(&spec[&listing.name]);
            add(
                &mut outputs,
                &counted_output(listing, &rows, &outcome.output),
                outcome.count,
            );
        }
        let verdict = report.verdict();
        let total: u64 = outputs.iter().map(|counted| counted.count).sum();
        let sampled = format!(
            "{} random and {} PCT schedules (depth {})",
            schedules::thousands(report.random),
            schedules::thousands(report.pct),
            report.pct_depth
        );
        let tried = if matches!(verdict, ScheduleVerdict::Every(_)) {
            format!("all {} schedules there are", schedules::thousands(total))
        } else if total == report.random + report.pct {
            format!("{sampled}, not all there are")
        } else if total == report.bounded + report.random + report.pct {
            format!(
                "the first {} schedules with at most {} preemptions, then {sampled}: {}, not \
                 all there are",
                schedules::thousands(report.bounded),
                report.preemptions,
                schedules::thousands(total)
            )
        } else {
            format!(
                "{} schedules, not all there are",
                schedules::thousands(total)
            )
        };
        searches.insert(
            listing.name.clone(),
            SchedulesRecord {
                verdict: verdict.to_string(),
                every: matches!(verdict, ScheduleVerdict::Every(_)),
                total,
                tried,
                outputs,
            },
        );
    }

    std::fs::create_dir_all(dir(crate_dir)).map_err(|e| e.to_string())?;
    for ((listing, native), miri) in shown.iter().zip(natives).zip(miri_runs) {
        let record = Record {
            source: listing_hash(listing),
            rows: row_lines(&spec[&listing.name]),
            native,
            miri,
            schedules: searches.remove(&listing.name),
        };
        let problems = cannot_print_problems(listing, Some(&record));
        if !problems.is_empty() {
            return Err(problems.join("\n"));
        }
        write_record(crate_dir, &listing.name, &record)?;
    }
    for (name, table) in &spec {
        let (html, _) = expected_table(crate_dir, listings, chapter_text, name, table)?;
        let path = table_file(crate_dir, name);
        std::fs::write(&path, html).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The line of each row of a table.
fn row_lines(table: &TableSpec) -> Vec<String> {
    table
        .rows
        .iter()
        .filter_map(|row| row.line.clone())
        .collect()
}

/// An output as it is counted: each line that matches one of the listing's
/// `varies` patterns becomes that pattern, unless a row's line or a
/// `cannot_print` pattern matches it (1,000 totals would otherwise be
/// 1,000 outputs of one count each).
fn counted_output(listing: &Listing, rows: &[String], output: &str) -> String {
    output
        .lines()
        .map(|line| {
            let kept = rows
                .iter()
                .chain(&listing.cannot_print)
                .any(|pattern| claims::line_matches(line, pattern));
            match listing
                .varies
                .iter()
                .find(|pattern| claims::line_matches(line, pattern))
            {
                Some(pattern) if !kept => format!("{pattern}\n"),
                _ => format!("{line}\n"),
            }
        })
        .collect()
}

/// Adds one more output to the counted ones.
fn add(outputs: &mut Vec<Counted>, output: &str, count: u64) {
    match outputs.iter_mut().find(|counted| counted.output == output) {
        Some(counted) => counted.count += count,
        None => outputs.push(Counted {
            count,
            output: output.to_owned(),
        }),
    }
}

/// Runs the built listing [`NATIVE_RUNS`] times, one run at a time, each
/// of which must exit with 0.
fn native_runs(
    root: &Path,
    listing: &Listing,
    rows: &[String],
    exe: &Path,
    date: &str,
    cpu: &str,
) -> Result<Native, String> {
    let mut outputs = Vec::new();
    for attempt in 1..=NATIVE_RUNS {
        let run = run::run(exe, root, listing.kind.time_limit())
            .map_err(|e| format!("{listing}: could not run {}: {e}", exe.display()))?;
        if run.code() != Some(0) {
            return Err(format!(
                "{listing}: native run {attempt} did not exit with 0 ({:?}):\n{}",
                run.ending, run.output
            ));
        }
        add(&mut outputs, &counted_output(listing, rows, &run.output), 1);
    }
    outputs.sort_by(|a, b| b.count.cmp(&a.count).then(a.output.cmp(&b.output)));
    Ok(Native {
        runs: NATIVE_RUNS,
        date: date.to_owned(),
        cpu: cpu.to_owned(),
        build: "cargo build (the dev profile, as cargo run builds it)".to_owned(),
        outputs,
    })
}

/// Each listing on seeds `0..MIRI_SEEDS`, as many runs at once as there are
/// cores, kept as the Miri layer keeps them.
fn miri_runs(
    root: &Path,
    listings: &[&Listing],
    kept: &KeptRuns,
) -> Result<Vec<MiriRecord>, String> {
    let toolchain = miri::toolchain(root);
    let jobs: Vec<(usize, u64)> = (0..listings.len())
        .flat_map(|index| (0..MIRI_SEEDS).map(move |seed| (index, seed)))
        .collect();
    let next = AtomicUsize::new(0);
    let runs = Mutex::new(vec![Vec::new(); listings.len()]);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some(&(index, seed)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let run = kept.run(root, listings[index], seed);
                    runs.lock().unwrap()[index].push(run);
                }
            });
        }
    });
    let mut records = Vec::new();
    for (listing, mut runs) in listings.iter().zip(runs.into_inner().unwrap()) {
        runs.sort_by_key(|run| run.seed);
        let mut seeds = Vec::new();
        for run in runs {
            if run.verdict != MiriVerdict::Exited(Some(0)) {
                return Err(format!(
                    "{listing}: under Miri, seed {} did not exit with 0 ({:?}):\n{}{}\n\
                     reproduce: {}",
                    run.seed,
                    run.verdict,
                    run.output,
                    run.report,
                    miri::command_line(listing, run.seed, &toolchain)
                ));
            }
            seeds.push(SeedRun {
                seed: run.seed,
                command: miri::command_line(listing, run.seed, &toolchain),
                output: run.output,
            });
        }
        records.push(MiriRecord {
            seeds: MIRI_SEEDS,
            runs: seeds,
        });
    }
    Ok(records)
}

/// The processor, as `/proc/cpuinfo` names it (with the architecture and
/// the number of cores this process may use), or "unknown".
pub fn cpu() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match model {
        Some(model) => format!(
            "{model} ({}, {cores} core{})",
            std::env::consts::ARCH,
            if cores == 1 { "" } else { "s" }
        ),
        None => "unknown".to_owned(),
    }
}

/// `YYYY-MM-DD`, the UTC day of `time`.
pub fn utc_day(time: SystemTime) -> String {
    let days = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
        / 86_400;
    // Howard Hinnant's civil_from_days, for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_calendar_days() {
        let at = |secs: u64| utc_day(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01");
        assert_eq!(at(951_782_400), "2000-02-29");
        assert_eq!(at(1_798_502_400), "2026-12-29");
    }

    #[test]
    fn the_hash_ignores_carriage_returns() {
        assert_eq!(source_hash("a\r\nb\r\n"), source_hash("a\nb\n"));
        assert_ne!(source_hash("a\nb\n"), source_hash("a\nc\n"));
        assert_eq!(source_hash(""), "cbf29ce484222325");
    }
}

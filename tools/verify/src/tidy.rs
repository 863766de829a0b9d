//! Coverage rules that make the other layers total: every Rust block of a
//! chapter is a listing with a stated claim, every listing is shown, and a
//! block is marked as what its listing does.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::book::Chapter;
use crate::catalog::{self, Kind, Listing, Miri};
use crate::markdown::{self, CodeBlock, Include};

/// Marks a Rust block that is not a program (a signature, a fragment):
/// `<!-- not a program: the reason -->` on the line before its fence.
pub const NOT_A_PROGRAM: &str = "<!-- not a program:";

/// Everything that breaks a coverage rule, one readable line each.
pub fn problems(root: &Path, chapters: &[Chapter], listings: &[Listing]) -> Vec<String> {
    let mut problems = files_match_catalog(root, listings);
    problems.extend(caption_problems(chapters));

    let by_source: HashMap<PathBuf, &Listing> = listings
        .iter()
        .filter_map(|listing| Some((listing.source.canonicalize().ok()?, listing)))
        .collect();
    // Which chapter shows each listing, and which files each chapter includes.
    let mut shown_in: HashMap<PathBuf, Vec<&Path>> = HashMap::new();
    let mut included_by: HashMap<&Path, BTreeSet<PathBuf>> = HashMap::new();

    for chapter in chapters {
        let dir = root.join(&chapter.path).parent().unwrap().to_path_buf();
        let at = |line: usize| format!("{}:{line}", chapter.path.display());
        let resolve = |include: &Include| dir.join(&include.path).canonicalize().ok();

        for (line, include) in markdown::includes(&chapter.text) {
            match resolve(&include) {
                Some(path) => {
                    included_by.entry(&chapter.path).or_default().insert(path);
                }
                None => problems.push(format!("{}: {} does not exist", at(line), include.path)),
            }
        }

        let lines: Vec<&str> = chapter.text.lines().collect();
        let blocks = markdown::code_blocks(&chapter.text);
        for block in blocks.iter().filter(|block| block.is_rust()) {
            let previous_line = block.line.checked_sub(2).and_then(|i| lines.get(i));
            if block.has("ignore") {
                if !previous_line.is_some_and(|line| line.trim_start().starts_with(NOT_A_PROGRAM)) {
                    problems.push(format!(
                        "{}: a `rust,ignore` block needs its reason on the line before: \
                         {NOT_A_PROGRAM} why -->",
                        at(block.line)
                    ));
                }
                continue;
            }
            let listing = listing_of(block).and_then(|include| {
                let path = resolve(&include)?;
                Some((include, *by_source.get(&path)?))
            });
            let Some((include, listing)) = listing else {
                problems.push(format!(
                    "{}: unbacked Rust block: a Rust block must be exactly one \
                     {{{{#rustdoc_include ../listings/<chapter>/src/bin/<name>.rs}}}} line, \
                     so that its claim is stated and checked (README.md, \"Adding a listing\")",
                    at(block.line)
                ));
                continue;
            };
            shown_in
                .entry(listing.source.clone())
                .or_default()
                .push(&chapter.path);
            if let Some(problem) = fence_problem(block, listing) {
                problems.push(format!("{}: {problem}", at(block.line)));
            }
            // A "Run under Miri" button only where the Miri layer proves the claim.
            let under_miri =
                listing.kind != Kind::Fails && matches!(listing.miri, Miri::Checked { .. });
            if block.has("miri") && !under_miri {
                problems.push(format!(
                    "{}: {listing} is marked `miri` (a Run under Miri button), but the Miri \
                     layer does not run it",
                    at(block.line)
                ));
            }
            if include.selection.is_some() && !include.rustdoc {
                problems.push(format!(
                    "{}: {listing} is included in part with {{{{#include}}}}: use \
                     {{{{#rustdoc_include}}}}, which keeps the rest of the program as hidden \
                     lines, so that the block still compiles and runs",
                    at(block.line)
                ));
            }
        }

        for block in blocks.iter().filter(|block| !block.is_rust()) {
            if listing_of(block)
                .and_then(|include| by_source.get(&resolve(&include)?).copied())
                .is_some()
            {
                problems.push(format!(
                    "{}: a listing is shown in a `{}` block, where nothing checks it: use `rust`",
                    at(block.line),
                    block.info
                ));
            }
        }
    }

    for listing in listings {
        let Some(chapters) = shown_in.get(&listing.source) else {
            problems.push(format!("{listing} is not shown in any chapter"));
            continue;
        };
        for evidence in listing.evidence_files() {
            let evidence = evidence.canonicalize().unwrap_or(evidence);
            for chapter in chapters {
                if !included_by
                    .get(chapter)
                    .is_some_and(|files| files.contains(&evidence))
                {
                    problems.push(format!(
                        "{}: shows {listing} but not what it does: include {} too",
                        chapter.display(),
                        evidence.strip_prefix(root).unwrap_or(&evidence).display()
                    ));
                }
            }
        }
    }
    problems
}

/// A `<p class="caption">Listing 6-2: … (<code>listings/…/x.rs</code>)</p>`.
struct Caption {
    /// `Listing` or `Figure`.
    what: String,
    chapter: u32,
    number: u32,
    /// 1-based line where it starts.
    line: usize,
    /// The file it names in `<code>`, if any.
    file: Option<String>,
}

fn captions(text: &str) -> Vec<Caption> {
    const OPEN: &str = "<p class=\"caption\">";
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(OPEN) {
        let start = from + at + OPEN.len();
        let end = text[start..]
            .find("</p>")
            .map_or(text.len(), |end| start + end);
        let body = &text[start..end];
        from = end;
        let Some((label, _)) = body.split_once(':') else {
            continue;
        };
        let Some((what, number)) = label.trim().split_once(' ') else {
            continue;
        };
        let Some((chapter, number)) = number.split_once('-') else {
            continue;
        };
        let (Ok(chapter), Ok(number)) = (chapter.parse(), number.parse()) else {
            continue;
        };
        let file = body.rsplit_once("<code>").and_then(|(_, code)| {
            code.split_once("</code>")
                .map(|(file, _)| file.to_owned())
                .filter(|file| file.starts_with("listings/"))
        });
        found.push(Caption {
            what: what.to_owned(),
            chapter,
            number,
            line: text[..start].matches('\n').count() + 1,
            file,
        });
    }
    found
}

/// Captions are numbered in order within each chapter (its pages together,
/// in the order of SUMMARY.md), with the chapter's number, and a listing's
/// caption names the file its block shows.
pub fn caption_problems(chapters: &[Chapter]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut next: HashMap<(u32, String), u32> = HashMap::new();
    for chapter in chapters {
        let name = chapter
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let Some(number) = name
            .strip_prefix("ch")
            .and_then(|rest| rest.get(..2))
            .and_then(|digits| digits.parse::<u32>().ok())
        else {
            continue;
        };
        let blocks = markdown::code_blocks(&chapter.text);
        for caption in captions(&chapter.text) {
            let at = format!("{}:{}", chapter.path.display(), caption.line);
            let expected = next.entry((number, caption.what.clone())).or_insert(1);
            if (caption.chapter, caption.number) != (number, *expected) {
                problems.push(format!(
                    "{at}: {} {}-{} should be {} {number}-{expected}: captions are numbered in \
                     order within their chapter (renumber the later ones, and the text that \
                     refers to them)",
                    caption.what, caption.chapter, caption.number, caption.what
                ));
            }
            *expected = caption.number.max(*expected) + 1;
            if caption.what != "Listing" {
                continue;
            }
            let shown = blocks
                .iter()
                .rfind(|block| block.is_rust() && block.line < caption.line)
                .and_then(listing_of)
                .map(|include| include.path.trim_start_matches("../").to_owned());
            if caption.file.is_some() && caption.file != shown {
                problems.push(format!(
                    "{at}: the caption names {}, but the block before it shows {}",
                    caption.file.as_deref().unwrap_or("no file"),
                    shown.as_deref().unwrap_or("no listing")
                ));
            }
        }
    }
    problems
}

/// A listing that fails to compile builds only with the `fail` feature (so
/// `cargo build` stays green), and only such a listing does.
pub fn feature_problems(
    listings: &[Listing],
    required: &HashMap<(String, String), Vec<String>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for listing in listings {
        let manifest = format!("listings/{}/Cargo.toml", listing.chapter);
        let key = (listing.chapter.clone(), listing.name.clone());
        let Some(features) = required.get(&key) else {
            problems.push(format!(
                "{listing}: cargo knows no binary {} in package {} (does its source exist, and is {manifest} \
                 named after its directory?)",
                listing.name, listing.chapter
            ));
            continue;
        };
        let needs_fail = features.iter().any(|feature| feature == "fail");
        if listing.kind == Kind::Fails && !needs_fail {
            problems.push(format!(
                "{listing} fails to compile, so it must build only with the `fail` feature: \
                 add to {manifest}:\n\n[[bin]]\nname = \"{}\"\nrequired-features = [\"fail\"]\n",
                listing.name
            ));
        } else if listing.kind != Kind::Fails && needs_fail {
            problems.push(format!(
                "{listing} is not a compile-fail listing, but {manifest} builds it only with \
                 the `fail` feature: remove its required-features"
            ));
        }
    }
    problems
}

/// The include directive a block consists of, if nothing else is in it.
fn listing_of(block: &CodeBlock) -> Option<Include> {
    let mut lines = block.content.lines().filter(|line| !line.trim().is_empty());
    let include = markdown::include_directive(lines.next()?)?;
    lines.next().is_none().then_some(include)
}

/// The fence must say what the listing does: `compile_fail` for `fails`, …
fn fence_problem(block: &CodeBlock, listing: &Listing) -> Option<String> {
    let wanted = listing.kind.fence_attribute();
    let present: Vec<&str> = Kind::ALL
        .into_iter()
        .filter_map(Kind::fence_attribute)
        .filter(|mark| block.has(mark))
        .collect();
    if present == wanted.into_iter().collect::<Vec<_>>() {
        return None;
    }
    let kind = listing.kind.words();
    let fence = match wanted {
        Some(mark) => format!("```rust,{mark}"),
        None => "```rust".to_owned(),
    };
    Some(format!(
        "{listing} {kind}, so its block opens with {fence}, not ```{}",
        block.info
    ))
}

/// A listing Miri does not run, whose threads outlive `main`, or that needs
/// more flags, says why.
fn miri_reason_problems(listing: &Listing) -> Vec<String> {
    let reasons: Vec<(&str, &String)> = match &listing.miri {
        Miri::Exempt(reason) => vec![("miri", reason)],
        Miri::Checked {
            ignore_leaks,
            flags,
            ..
        } => ignore_leaks
            .iter()
            .map(|reason| ("miri_ignore_leaks", reason))
            .chain(flags.iter().map(|(_, why)| ("miri_flags_why", why)))
            .collect(),
    };
    reasons
        .into_iter()
        .filter(|(_, reason)| reason.trim().is_empty())
        .map(|(field, _)| {
            format!(
                "{listing}: {field} needs a reason, e.g. {field} = \"measures wall-clock time\" \
                 (the Miri layer prints it, and readers should know why Miri does not check it)"
            )
        })
        .collect()
}

/// Calls that order what threads do. A `sleep` reason must quote code of
/// the listing that makes one of them: the code that fixes the order.
pub const ORDERING_CALLS: [&str; 16] = [
    "join", "recv", "send", "wait", "lock", "park", "scope", "await", "Barrier", "notify", "load",
    "store", "fetch_", "swap", "LazyLock", "select!",
];

/// A sleep may bound a time ("took at least 100 ms"), but must not decide an
/// order or a line that the output file shows as fixed: a machine that is
/// busy for longer than the sleep would print something else. So a listing
/// that sleeps, and whose lines are not `unordered`, says in `listings.toml`
/// which of its own code makes its output certain, quoted in backticks:
/// `sleep = "`tx.send(stage)` and one receiver keep the stages in order"`.
/// The quote must be code of the listing (not a comment), must not be the
/// sleep itself, and must make one of the [`ORDERING_CALLS`]. A reason on a
/// listing that does not sleep is stale.
pub fn sleep_problems(listing: &Listing, source: &str) -> Vec<String> {
    // The code without its comments: a quote must be code, not a remark.
    let code: Vec<&str> = source
        .lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .collect();
    let sleeps = code.iter().any(|line| line.contains("sleep("));
    let mut problems = Vec::new();
    match (&listing.sleep, sleeps) {
        (None, true) if !listing.unordered => problems.push(format!(
            "{listing} calls sleep, and its output file is matched line by line: a sleep may \
             bound a time, but must not decide an order or a line the file shows as fixed. \
             Coordinate the threads (a channel, join, a Barrier), then say in listings.toml \
             which code fixes the output, quoted: sleep = \"`rx.recv()` waits for …\""
        )),
        (Some(_), false) => problems.push(format!(
            "{listing} has a sleep reason in listings.toml, but its code calls no sleep: \
             remove the reason"
        )),
        (Some(reason), true) => {
            let quotes: Vec<&str> = reason.split('`').skip(1).step_by(2).collect();
            let fixes_order = |quote: &&str| {
                let quote = quote.trim();
                !quote.is_empty()
                    && !quote.contains("sleep")
                    && ORDERING_CALLS.iter().any(|call| quote.contains(call))
                    && code.iter().any(|line| line.contains(quote))
            };
            if !quotes.iter().any(fixes_order) {
                problems.push(format!(
                    "{listing}: its sleep reason ({reason:?}) must quote, in backticks, code of \
                     the listing (not a comment, not the sleep) that fixes the order of what \
                     it prints, with one of: {}",
                    ORDERING_CALLS.join(", ")
                ));
            }
        }
        _ => {}
    }
    problems
}

/// Each listing crate's files and its `listings.toml` agree.
fn files_match_catalog(root: &Path, listings: &[Listing]) -> Vec<String> {
    let mut problems = Vec::new();
    let shown = |path: &Path| {
        path.strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    for listing in listings {
        if !listing.source.is_file() {
            problems.push(format!(
                "{listing}: {} does not exist",
                shown(&listing.source)
            ));
        }
        let evidence = listing.evidence_file();
        if !evidence.is_file() {
            let command = match listing.kind {
                Kind::Fails => "TRYBUILD=overwrite cargo test --test compile_fail",
                Kind::Runs | Kind::Panics | Kind::Hangs => {
                    "SNAPSHOTS=overwrite cargo test --test listings"
                }
            };
            problems.push(format!(
                "{listing}: {} does not exist (create it from a real run: {command})",
                shown(&evidence)
            ));
        }
        if !listing.can_print.is_empty() && !listing.witness_file().is_file() {
            problems.push(format!(
                "{listing}: {} does not exist (record it from real runs under Miri: \
                 SNAPSHOTS=overwrite cargo test --test miri)",
                shown(&listing.witness_file())
            ));
        }
        problems.extend(miri_reason_problems(listing));
        if listing.kind != Kind::Fails {
            let source = fs::read_to_string(&listing.source).unwrap_or_default();
            problems.extend(sleep_problems(listing, &source));
        }
        for file in listing.evidence_files() {
            let text = fs::read_to_string(&file).unwrap_or_default();
            if listing.kind != Kind::Fails
                && text
                    .lines()
                    .any(|line| line.contains("[..]") || line == "...")
            {
                problems.push(format!(
                    "{listing}: {} shows a pattern, not a run: readers see this file, so \
                     record a real run (SNAPSHOTS=overwrite) and give the lines that vary \
                     as patterns in listings.toml: varies = [\"total = [..]\"]",
                    shown(&file)
                ));
            }
        }
        let nondeterministic = listing.unordered || !listing.in_order.is_empty();
        if nondeterministic && listing.runs < 20 {
            problems.push(format!(
                "{listing}: its output is nondeterministic, so it must be run at least 20 times"
            ));
        }
    }

    let known: BTreeSet<PathBuf> = listings
        .iter()
        .flat_map(|listing| {
            let mut files = listing.evidence_files();
            files.push(listing.source.clone());
            files
        })
        .collect();
    for crate_dir in catalog::listing_crates(root) {
        for dir in [crate_dir.join("src/bin"), crate_dir.join("output")] {
            for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if !known.contains(&path) {
                    problems.push(format!(
                        "{} is not a listing or the evidence of one: add it to {} or remove it",
                        shown(&path),
                        shown(&crate_dir.join("listings.toml"))
                    ));
                }
            }
        }
    }
    problems
}

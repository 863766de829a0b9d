//! The page that shows readers what was verified for each listing: a table
//! generated from the catalog, committed as `src/listings-checked.md` and
//! included by "How this book checks itself", so stock mdBook shows it too.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::book::Chapter;
use crate::catalog::{Kind, Listing, Miri};
use crate::claims;
use crate::markdown;
use crate::miri;

/// The generated table, relative to the repository root.
pub const TABLE: &str = "src/listings-checked.md";

/// The table as it should be: one row per listing, in chapter order.
pub fn table(root: &Path, chapters: &[Chapter], listings: &[Listing]) -> String {
    let shown_in = pages_showing(root, chapters);
    let mut text = String::from(
        "<!-- Generated from listings/*/listings.toml: \
         SNAPSHOTS=overwrite cargo test --test tidy -->\n\n\
         | Listing | Kind | Native runs | Schedules (shuttle) | Under Miri | Output matched |\n\
         |---|---|---|---|---|---|\n",
    );
    for listing in listings {
        let source = listing
            .source
            .canonicalize()
            .unwrap_or(listing.source.clone());
        let name = match shown_in.get(&source) {
            Some(page) => format!("[{}]({page})", listing.name),
            None => listing.name.clone(),
        };
        let _ = writeln!(
            text,
            "| {name} | {} | {} | {} | {} | {} |",
            kind(listing),
            native(listing),
            under_shuttle(listing),
            under_miri(listing),
            matched(listing)
        );
    }
    text
}

/// The page (relative to `src/`) that first shows each listing's source,
/// by the source's canonical path.
fn pages_showing(root: &Path, chapters: &[Chapter]) -> HashMap<PathBuf, String> {
    let mut pages = HashMap::new();
    for chapter in chapters {
        let page = &chapter.location;
        let dir = root.join(&chapter.path).parent().unwrap().to_path_buf();
        for (_, include) in markdown::includes(&chapter.text) {
            if let Ok(source) = dir.join(&include.path).canonicalize() {
                pages
                    .entry(source)
                    .or_insert_with(|| page.display().to_string());
            }
        }
    }
    pages
}

fn kind(listing: &Listing) -> String {
    match &listing.error {
        Some(error) => format!("{}: `{error}`", listing.kind.words()),
        None => listing.kind.words().to_owned(),
    }
}

fn native(listing: &Listing) -> String {
    match listing.kind {
        Kind::Fails => "compiled: exact error (trybuild)".to_owned(),
        Kind::Hangs => format!(
            "{}, still running after {} s",
            listing.runs,
            claims::HANG_AFTER.as_secs()
        ),
        Kind::Runs | Kind::Panics => listing.runs.to_string(),
    }
}

/// What the schedule layer ran it on: every schedule only where the
/// search ended, otherwise the sample, never more.
fn under_shuttle(listing: &Listing) -> String {
    if listing.kind == Kind::Fails {
        return "not run".to_owned();
    }
    if let Some(reason) = &listing.schedules_exempt {
        return format!("exempt: {reason}");
    }
    let Some(verdict) = &listing.schedules_verdict else {
        return "not searched yet".to_owned();
    };
    let mut text = verdict.clone();
    add_outcomes(&mut text, listing);
    text
}

/// What each run of a checker shows beyond its count: a deadlock on every
/// run, for a listing that hangs, and the lines it must witness.
fn add_outcomes(text: &mut String, listing: &Listing) {
    if listing.kind == Kind::Hangs {
        text.push_str(", deadlock reported on each");
    }
    if !listing.can_print.is_empty() {
        let _ = write!(
            text,
            "; witnessed: {}",
            listing
                .can_print
                .iter()
                .map(|line| format!("`{line}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

fn under_miri(listing: &Listing) -> String {
    if listing.kind == Kind::Fails {
        return "not run".to_owned();
    }
    let seeds = miri::seeds_with(listing, miri::DEFAULT_SEEDS);
    match &listing.miri {
        Miri::Exempt(reason) => format!("exempt: {reason}"),
        Miri::Checked {
            ignore_leaks,
            flags,
            ..
        } => {
            let mut text = format!("seeds {}–{}", seeds.start, seeds.end - 1);
            add_outcomes(&mut text, listing);
            if let Some(reason) = ignore_leaks {
                let _ = write!(text, "; leaks allowed: {reason}");
            }
            if let Some((flags, _)) = flags {
                let _ = write!(text, "; with `{flags}`");
            }
            text
        }
    }
}

fn matched(listing: &Listing) -> String {
    if listing.kind == Kind::Fails {
        return "the whole error message".to_owned();
    }
    let mut how = vec![if listing.unordered {
        "its lines, in any order".to_owned()
    } else {
        "exactly".to_owned()
    }];
    for key in &listing.in_order {
        how.push(format!("`{key}` lines in order"));
    }
    for key in &listing.cut_short {
        how.push(format!("`{key}` lines may stop early"));
    }
    for pattern in &listing.varies {
        how.push(format!("`{pattern}` varies"));
    }
    how.join("; ")
}

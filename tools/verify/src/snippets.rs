//! Preparing the expanded chapters for skeptic, which compiles and runs each
//! Rust block exactly as a reader sees (and copies, and sends with Run) it.
//!
//! skeptic runs `compile_fail` blocks as ordinary programs and lets a
//! `should_panic` block pass even when it does not compile, so the blocks it
//! gets are adjusted: a `compile_fail` block is left out (trybuild checks it;
//! here it is only proven identical to the listing trybuild checks), a
//! `should_panic` one is compiled only (the listings layer checks the panic),
//! and each block sits under a heading naming its listing, which names the
//! generated test.

use std::fs;
use std::path::Path;

use crate::book::Chapter;
use crate::catalog::{Kind, Listing};
use crate::markdown::{self, CodeBlock};

/// One chapter's blocks for skeptic, or why the expanded chapter is wrong.
pub fn for_skeptic(
    root: &Path,
    chapter: &Chapter,
    expanded: &str,
    listings: &[Listing],
) -> Result<String, Vec<String>> {
    let raw: Vec<CodeBlock> = rust_blocks(&chapter.text);
    let shown: Vec<CodeBlock> = rust_blocks(expanded);
    if raw.len() != shown.len() {
        return Err(vec![format!(
            "{}: {} Rust blocks, but {} after include expansion",
            chapter.path.display(),
            raw.len(),
            shown.len()
        )]);
    }

    let dir = root.join(&chapter.path).parent().unwrap().to_path_buf();
    let mut out = String::new();
    let mut problems = Vec::new();
    for (raw, shown) in raw.iter().zip(&shown) {
        let listing = markdown::include_directive(raw.content.trim())
            .and_then(|include| dir.join(include.path).canonicalize().ok())
            .and_then(|path| {
                listings
                    .iter()
                    .find(|listing| listing.source.canonicalize().ok().as_ref() == Some(&path))
            });
        // Blocks that are not listings, or not programs (`ignore`), are the
        // tidy layer's business.
        let Some(listing) = listing.filter(|_| !raw.has("ignore")) else {
            continue;
        };
        let fence = match listing.kind {
            Kind::Fails => {
                if let Err(problem) = same_program(listing, &shown.content) {
                    problems.push(format!(
                        "{}:{}: {problem}",
                        chapter.path.display(),
                        raw.line
                    ));
                }
                continue;
            }
            Kind::Runs => "rust",
            Kind::Panics | Kind::Hangs => "rust,no_run",
        };
        out.push_str(&format!(
            "## {} {}\n\n```{fence}\n{}```\n\n",
            listing.chapter, listing.name, shown.content
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn rust_blocks(text: &str) -> Vec<CodeBlock> {
    markdown::code_blocks(text)
        .into_iter()
        .filter(|block| block.is_rust())
        .collect()
}

/// A `compile_fail` block, hidden lines revealed, is the listing trybuild
/// checks (less its `ANCHOR` comments).
fn same_program(listing: &Listing, shown: &str) -> Result<(), String> {
    let source = fs::read_to_string(&listing.source).map_err(|e| e.to_string())?;
    let source: String = source
        .lines()
        .filter(|line| !line.contains("ANCHOR"))
        .map(|line| format!("{line}\n"))
        .collect();
    let revealed: String = shown
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed == "#" {
                String::new()
            } else if let Some(rest) = trimmed.strip_prefix("# ") {
                format!("{}{rest}", &line[..line.len() - trimmed.len()])
            } else {
                line.to_owned()
            }
        })
        .map(|line| format!("{line}\n"))
        .collect();
    if source == revealed {
        Ok(())
    } else {
        Err(format!(
            "the compile_fail block shows a program other than {}, which trybuild checks",
            listing.source.display()
        ))
    }
}

//! "Which of these can this program print?": each question's key is what
//! its listing was seen to print, under shuttle on the schedules the
//! schedule layer explores, under Miri on the Miri layer's seeds, and in the
//! real run its output file shows (`verify::questions`). The blocks the
//! chapters include are generated from that; this fails where one is
//! stale, where a chapter does not show one right before its listing's
//! output, and where a choice would be called impossible on a search that
//! did not run every schedule.
//!
//! `SNAPSHOTS=overwrite cargo test --test questions` writes the blocks
//! again. Like the Miri layer, this needs Miri: without it, it fails under
//! CI (`CI=true`) and is skipped, loudly, elsewhere.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use verify::catalog::{self, Listing, Miri};
use verify::claims::{self, Failure};
use verify::miri::{self, KeptRuns, MiriRun};
use verify::questions::{self, Evidence, Question};
use verify::schedules::{self, KeptSearches, Programs, Report};
use verify::{book, repo_root};

/// Each question, its listing, and the blocks generated for them now.
struct Generated<'a> {
    listing: &'a Listing,
    question: Question,
    html: Result<String, Failure>,
}

/// Searches and runs each question's listing (kept searches and runs are
/// taken as they are) and generates its block.
fn generate<'a>(root: &Path, listings: &'a [Listing]) -> Vec<Generated<'a>> {
    let mut asked: Vec<(&Listing, Question)> = Vec::new();
    for crate_dir in catalog::listing_crates(root) {
        for question in questions::load(&crate_dir).unwrap() {
            let chapter = crate_dir.file_name().unwrap().to_string_lossy();
            let listing = listings
                .iter()
                .find(|l| l.chapter == chapter && l.name == question.listing)
                .unwrap_or_else(|| {
                    panic!(
                        "{}: no listing {} in {chapter}",
                        crate_dir.join(questions::QUESTIONS_FILE).display(),
                        question.listing
                    )
                });
            asked.push((listing, question));
        }
    }
    let searched: Vec<&Listing> = asked
        .iter()
        .map(|(listing, _)| *listing)
        .filter(|listing| schedules::checks(listing))
        .collect();
    let target = verify::cargo::target_dir();
    let programs = Programs::new(root, &target, "book");
    let kept = KeptSearches::in_target(root, &target);
    let reports: Vec<Result<Report, String>> =
        schedules::search_all(root, &programs, &searched, &kept);
    let run: Vec<&Listing> = asked
        .iter()
        .map(|(listing, _)| *listing)
        .filter(|listing| matches!(listing.miri, Miri::Checked { .. }))
        .collect();
    let runs: Vec<Vec<MiriRun>> = miri::run_all(root, &run, &KeptRuns::in_target(root, &target))
        .into_iter()
        .map(|mut runs| {
            runs.sort_by_key(|run| run.seed);
            runs
        })
        .collect();

    asked
        .into_iter()
        .map(|(listing, question)| {
            let search = match searched.iter().position(|l| std::ptr::eq(*l, listing)) {
                Some(index) => reports[index]
                    .as_ref()
                    .map_err(|problem| format!("its search under shuttle failed: {problem}")),
                None => Err(listing
                    .schedules_exempt
                    .clone()
                    .unwrap_or_else(|| "the schedule layer does not run it".to_owned())),
            };
            let miri = match run.iter().position(|l| std::ptr::eq(*l, listing)) {
                Some(index) => Ok((miri::seeds(listing), runs[index].as_slice())),
                None => Err("not run under Miri".to_owned()),
            };
            let html = questions::native_output(listing)
                .map_err(|problem| Failure {
                    listing: listing.to_string(),
                    claim: "has an output file".to_owned(),
                    detail: problem,
                })
                .and_then(|native| {
                    let evidence = Evidence {
                        search: search.as_ref().map(|r| &**r).map_err(Clone::clone),
                        miri,
                        native,
                    };
                    if let Err(problem) = &search
                        && problem.starts_with("its search")
                    {
                        return Err(Failure {
                            listing: listing.to_string(),
                            claim: "runs under shuttle".to_owned(),
                            detail: problem.clone(),
                        });
                    }
                    let answers = questions::answer(listing, &question, &evidence)?;
                    Ok(questions::render(listing, &question, &answers, &evidence))
                });
            Generated {
                listing,
                question,
                html,
            }
        })
        .collect()
}

fn miri_or_skip(root: &Path) -> bool {
    if let Err(missing) = miri::installed(root) {
        assert!(std::env::var_os("CI").is_none(), "{missing}");
        let bar = "!".repeat(78);
        let _ = writeln!(
            std::io::stderr(),
            "\n{bar}\nQUESTIONS SKIPPED: their keys need the Miri layer's runs: {missing}\n{bar}\n"
        );
        return false;
    }
    true
}

#[test]
fn every_question_is_keyed_by_what_its_listing_was_seen_to_print() {
    let root = repo_root();
    if !miri_or_skip(&root) {
        return;
    }
    let started = Instant::now();
    let listings = catalog::load(&root).unwrap();
    let generated = generate(&root, &listings);
    let took = started.elapsed();
    let overwrite = verify::overwrite_requested();

    let mut failures: Vec<Failure> = Vec::new();
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    for item in &generated {
        let file = questions::generated_file(item.listing);
        files.insert(file.clone());
        let html = match &item.html {
            Ok(html) => html,
            Err(failure) => {
                failures.push(Failure {
                    listing: failure.listing.clone(),
                    claim: failure.claim.clone(),
                    detail: failure.detail.clone(),
                });
                continue;
            }
        };
        if overwrite {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            if std::fs::read_to_string(&file).ok().as_deref() != Some(html.as_str()) {
                std::fs::write(&file, html).unwrap();
            }
            continue;
        }
        let committed = std::fs::read_to_string(&file).ok();
        if let Err(failure) =
            questions::compare(item.listing, &item.question, html, committed.as_deref())
        {
            failures.push(failure);
        }
    }
    // A block nobody asks for any more.
    for crate_dir in catalog::listing_crates(&root) {
        let Ok(entries) = std::fs::read_dir(crate_dir.join("questions")) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if !files.contains(&path) {
                failures.push(Failure {
                    listing: path.display().to_string(),
                    claim: format!(
                        "is the block of a question in {}",
                        crate_dir.join(questions::QUESTIONS_FILE).display()
                    ),
                    detail: "no question generates it: delete it".to_owned(),
                });
            }
        }
    }
    failures.extend(placement_failures(&root, &generated));
    let _ = writeln!(
        std::io::stderr(),
        "questions: {} generated from their listings' searches and runs in {:.2} s",
        generated.len(),
        took.as_secs_f64()
    );
    claims::assert_no_failures(&failures, "in their questions");
}

/// Each block is included once, by the chapter that shows its listing,
/// before the listing's output and after the listing itself.
fn placement_failures(root: &Path, generated: &[Generated]) -> Vec<Failure> {
    let chapters = book::chapters(root);
    let mut failures = Vec::new();
    for item in generated {
        let include = questions::include_line(item.listing);
        let output = format!(
            "{{{{#include ../listings/{}/output/{}.txt}}}}",
            item.listing.chapter, item.listing.name
        );
        let source = format!(
            "listings/{}/src/bin/{}.rs",
            item.listing.chapter, item.listing.name
        );
        let fail = |detail: String| Failure {
            listing: item.listing.to_string(),
            claim: "its chapter asks its question right before its output".to_owned(),
            detail,
        };
        let showing: Vec<_> = chapters
            .iter()
            .filter(|chapter| chapter.text.contains(&include))
            .collect();
        let [chapter] = showing.as_slice() else {
            failures.push(fail(format!(
                "{} chapters include it; exactly one should, on a line of its own, with a \
                 blank line before and after:\n{include}",
                showing.len()
            )));
            continue;
        };
        let text = &chapter.text;
        let at = text.find(&include).unwrap();
        let place = chapter.path.display();
        match (text.find(&source), text.find(&output)) {
            (Some(shown), Some(printed)) if shown < at && at < printed => {
                let between = &text[at + include.len()..printed];
                if between.contains("```rust") {
                    failures.push(fail(format!(
                        "{place}: another listing comes between the question and {output}"
                    )));
                }
            }
            _ => failures.push(fail(format!(
                "{place}: put {include} after the listing and before {output}"
            ))),
        }
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let blank_before = text[..line_start].ends_with("\n\n") || line_start == 0;
        let rest = &text[at + include.len()..];
        if !(blank_before && rest.starts_with("\n\n") && line_start == at) {
            failures.push(fail(format!(
                "{place}: {include} must stand alone, with a blank line before and after \
                 (so that Markdown reads it as one HTML block)"
            )));
        }
    }
    failures
}

/// The case of the harness's own checks: chapter 10's SeqCst store
/// buffering, whose search runs all its schedules, and which never prints
/// both loads false; its question, and its search.
fn seqcst_case() -> (Listing, Question, Report) {
    let root = repo_root();
    let listing = catalog::load(&root)
        .unwrap()
        .into_iter()
        .find(|l| l.chapter == "ch10-atomics" && l.name == "store-buffering-seqcst")
        .expect("the listing ch10-atomics/store-buffering-seqcst");
    let question = questions::load(&listing.crate_dir())
        .unwrap()
        .into_iter()
        .find(|q| q.listing == listing.name)
        .expect("a question on store-buffering-seqcst");
    let target = verify::cargo::target_dir();
    let programs = Programs::new(&root, &target, "book");
    let kept = KeptSearches::in_target(&root, &target);
    let report = schedules::search_all(&root, &programs, &[&listing], &kept)
        .remove(0)
        .unwrap();
    (listing, question, report)
}

/// A tampered key (a block that says "can print" of what no schedule
/// prints, or the reverse) fails, naming the choice and the command.
#[test]
fn a_key_that_disagrees_with_the_explored_outcomes_fails() {
    let (listing, question, report) = seqcst_case();
    let listing = &listing;
    let evidence = Evidence {
        search: Ok(&report),
        miri: Err("left out of this check".to_owned()),
        native: questions::native_output(listing).unwrap(),
    };
    let answers = questions::answer(listing, &question, &evidence).unwrap();
    assert!(
        answers.iter().any(|answer| !answer.can),
        "its question has a choice no schedule prints"
    );
    let html = questions::render(listing, &question, &answers, &evidence);
    assert!(questions::compare(listing, &question, &html, Some(&html)).is_ok());

    let tampered = html.replacen("data-key=\"cannot\"", "data-key=\"can\"", 1);
    let failure = questions::compare(listing, &question, &html, Some(&tampered))
        .expect_err("a tampered key must fail");
    let message = failure.to_string();
    assert!(
        message.contains("the page's key says it can print")
            && message.contains("cannot print")
            && message.contains(questions::COMMAND)
            && message.contains("store-buffering-seqcst"),
        "{message}"
    );
    // A block that is right in its keys but not as generated now is stale.
    let edited = html.replacen("Check</button>", "Check!</button>", 1);
    let message = questions::compare(listing, &question, &html, Some(&edited))
        .expect_err("a stale block must fail")
        .to_string();
    assert!(message.contains("stale"), "{message}");
    assert!(questions::compare(listing, &question, &html, None).is_err());
}

/// A choice nothing printed is "cannot print" only where the search ran
/// every schedule: on a sample, or with no search, it is an error.
#[test]
fn an_impossibility_is_never_claimed_from_a_sample() {
    let (listing, question, mut report) = seqcst_case();
    let listing = &listing;
    assert!(report.dfs_complete);
    // The same outcomes, as if they came from a sample.
    report.dfs_complete = false;
    report.random = 1000;
    report.pct = 1000;
    report.pct_depth = 3;
    let native = questions::native_output(listing).unwrap();
    for search in [Ok(&report), Err("exempt, for this check".to_owned())] {
        let evidence = Evidence {
            search,
            miri: Err("left out of this check".to_owned()),
            native: native.clone(),
        };
        let failure = questions::answer(listing, &question, &evidence)
            .expect_err("an impossibility from a sample must fail");
        let message = failure.to_string();
        assert!(
            message.contains("impossible only where shuttle ran every schedule"),
            "{message}"
        );
    }
}

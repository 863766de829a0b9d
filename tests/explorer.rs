//! The schedule explorer's graphs: for each listing with `explore = true`,
//! every schedule shuttle's depth-first search ran, as states and steps
//! (tools/verify/src/explorer.rs), must be the file the chapter includes,
//! and the chapter must include it. `SNAPSHOTS=overwrite cargo test --test
//! explorer` writes them from the search.

use std::io::Write;

use verify::catalog::{self, Listing};
use verify::explorer;
use verify::repo_root;
use verify::schedules::{self, KeptSearches, Programs};

#[test]
fn every_explorer_shows_the_schedules_of_its_listing_as_it_is() {
    let root = repo_root();
    let listings: Vec<Listing> = catalog::load_selected(&root).unwrap();
    let explored: Vec<&Listing> = listings.iter().filter(|l| l.explore).collect();
    assert!(
        !explored.is_empty() || std::env::var("BOOK_ONLY").is_ok(),
        "no listing has `explore = true`"
    );
    let target = verify::cargo::target_dir();
    let kept = KeptSearches::in_target(&root, &target);
    let searches = schedules::search_all(
        &root,
        &Programs::new(&root, &target, "book"),
        &explored,
        &kept,
    );
    let programs = Programs::new(&root, &target, "explorer");
    let chapters = verify::book::chapters(&root);

    let mut problems = Vec::new();
    let mut sizes = String::new();
    for (listing, search) in explored.iter().zip(searches) {
        let graph = search
            .map(|report| report.verdict())
            .and_then(|verdict| explorer::graph(&root, &programs, listing, &verdict));
        let graph = match graph {
            Ok(graph) => graph,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let file = listing.explored_file();
        let (states, steps) = explorer::size(&graph);
        sizes.push_str(&format!(
            "\n  {listing}: {states} states, {steps} steps, {} bytes",
            graph.len()
        ));
        if verify::overwrite_requested() {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &graph).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(graph.as_str()) {
            problems.push(format!(
                "{listing}: {} is not the graph of the listing as it is now: \
                 SNAPSHOTS=overwrite cargo test --test explorer writes it",
                file.strip_prefix(&root).unwrap_or(&file).display()
            ));
        }
        let include = format!(
            "{{{{#include ../listings/{}/explored/{}.json}}}}",
            listing.chapter, listing.name
        );
        let shown = chapters.iter().any(|chapter| {
            chapter.text.contains(&include)
                && chapter.text.contains(&format!(
                    "<div class=\"explorer\" data-listing=\"{}/{}\">",
                    listing.chapter, listing.name
                ))
        });
        if !shown {
            problems.push(format!(
                "{listing}: no chapter shows its explorer: a <div class=\"explorer\" \
                 data-listing=\"{}/{}\"> holding {include} in a <script type=\"application/json\">",
                listing.chapter, listing.name
            ));
        }
    }
    let _ = writeln!(std::io::stderr(), "explorer graphs:{sizes}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The graph is the listing's: the same program with the load and the store
/// made one `fetch_add` has no schedule that loses an update, and its graph
/// is not the committed one, which the check above would report as stale.
#[test]
fn a_changed_listing_changes_its_graph() {
    let root = repo_root();
    let listings: Vec<Listing> = catalog::load_crate(&root.join("listings/ch10-atomics")).unwrap();
    let listing = listings
        .iter()
        .find(|listing| listing.name == "lost-update-two")
        .expect("Listing 10-4");
    let dir = verify::cargo::target_dir().join("explorer-selftest");
    std::fs::create_dir_all(&dir).unwrap();
    let changed = dir.join("lost-update-two.rs");
    let text = std::fs::read_to_string(&listing.source).unwrap();
    let text = text
        .replace("let seen = counter.load(Ordering::Relaxed);", "")
        .replace(
            "counter.store(seen + 1, Ordering::Relaxed);",
            "counter.fetch_add(1, Ordering::Relaxed);",
        );
    std::fs::write(&changed, &text).unwrap();
    let changed = listing.attempted_in(changed);

    let target = verify::cargo::target_dir();
    let programs = Programs::new(&root, &target, "explorer-selftest");
    let report = schedules::search_all(
        &root,
        &programs,
        &[&changed],
        &KeptSearches::in_target(&root, &target),
    )
    .remove(0)
    .unwrap();
    let graph = explorer::graph(&root, &programs, &changed, &report.verdict()).unwrap();
    let committed = std::fs::read_to_string(listing.explored_file()).unwrap();
    assert_ne!(graph, committed);
    assert!(committed.contains("\"output\":\"total = 1\\n\""));
    assert!(!graph.contains("\"output\":\"total = 1\\n\""), "{graph}");
    assert!(graph.contains("adds 1 to `counter`"), "{graph}");
}

/// A graph is drawn only from a search of every schedule: a sample would
/// show a reader fewer paths than the program has.
#[test]
fn a_sampled_search_makes_no_graph() {
    let root = repo_root();
    let listings: Vec<Listing> = catalog::load_crate(&root.join("listings/ch10-atomics")).unwrap();
    let listing = listings.iter().find(|l| l.name == "lost-update").unwrap();
    let target = verify::cargo::target_dir();
    let sampled = schedules::Verdict::Sampled {
        random: 1000,
        pct: 1000,
        depth: 3,
    };
    let problem = explorer::graph(
        &root,
        &Programs::new(&root, &target, "explorer"),
        listing,
        &sampled,
    )
    .unwrap_err();
    assert!(problem.contains("needs every schedule"), "{problem}");
}

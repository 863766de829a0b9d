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

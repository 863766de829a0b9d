//! How long a Run click takes with the local playground, against the floor:
//! `rustc` and running the program by hand.
//!
//!     cargo bench -p book-tools --bench run_latency
//!
//! For each runnable chapter-6 listing: a cold click (compile and run, the
//! code never seen before), a cached click (the same code again), and the
//! baseline. Prints medians; asserts nothing about time. Clicks are
//! contained as `cargo book` contains them (the summary says how, on this
//! system).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use book_tools::book_root;
use book_tools::playground::{Control, Playground, Request};

const SAMPLES: usize = 7;
const LISTINGS: [&str; 3] = ["mutex-api", "counter-arc", "counter-scoped"];

fn main() {
    let root = book_root();
    let scratch = tempfile::tempdir().unwrap();
    let wrapper = Path::new(env!("CARGO_BIN_EXE_book-tools"));
    let playground = Playground::new(&root, scratch.path(), wrapper).unwrap();
    println!("{}\n", playground.containment().describe());
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>8}",
        "listing", "rustc+run", "cold", "cached", "cold/base"
    );

    for name in LISTINGS {
        let path = root.join(format!("listings/ch06-mutex/src/bin/{name}.rs"));
        let code = std::fs::read_to_string(&path).unwrap();
        let mut baseline = Vec::new();
        let mut cold = Vec::new();
        let mut cached = Vec::new();
        for sample in 0..SAMPLES {
            baseline.push(rustc_and_run(&root, &code, scratch.path()));
            // A comment makes the code new to the cache without changing the program.
            let fresh = format!("{code}\n// sample {sample}\n");
            cold.push(click(&playground, &fresh));
            cached.push(click(&playground, &fresh));
        }
        let (base, cold, cached) = (median(baseline), median(cold), median(cached));
        println!(
            "{name:<16} {:>8.0}ms {:>8.0}ms {:>8.0}ms {:>8.2}",
            ms(base),
            ms(cold),
            ms(cached),
            cold.as_secs_f64() / base.as_secs_f64()
        );
    }
}

fn click(playground: &Playground, code: &str) -> Duration {
    let request = Request {
        code: code.to_owned(),
        edition: "2024".to_owned(),
        optimize: None,
        version: None,
    };
    let started = Instant::now();
    let evaluation = playground.evaluate(&request, &Control::new()).unwrap();
    let elapsed = started.elapsed();
    let response = evaluation.response;
    assert!(response.error.is_none(), "{}", response.result);
    elapsed
}

fn rustc_and_run(root: &Path, code: &str, scratch: &Path) -> Duration {
    let source = scratch.join("baseline.rs");
    let binary = scratch.join("baseline");
    std::fs::write(&source, code).unwrap();
    let started = Instant::now();
    let compiled = Command::new("rustc")
        .current_dir(root)
        .args(["--edition", "2024", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .unwrap();
    assert!(compiled.success());
    assert!(Command::new(&binary).output().unwrap().status.success());
    started.elapsed()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

//! How long the book takes to verify, warm, end to end and layer by layer,
//! against stock `mdbook test` (run through the mdBook library) over the
//! same chapters, which only compiles and runs each block with rustdoc: no
//! output, compiler-error, hang or coverage check.
//!
//!     cargo bench -p book-tools --bench verification
//!
//! Also measures re-verifying after editing one listing. Prints medians;
//! asserts nothing about time.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use book_tools::book_root;
use mdbook_driver::MDBook;

const SAMPLES: usize = 3;
const LAYERS: [&str; 9] = [
    "listings",
    "miri",
    "schedules",
    "compile_fail",
    "snippets",
    "tidy",
    "book",
    "server",
    "verifiers",
];

fn main() {
    let root = book_root();
    // Warm everything first.
    cargo_test(&root, &[]);

    let mut rows = vec![(
        "cargo test (every check)",
        median(SAMPLES, || cargo_test(&root, &[])),
    )];
    for layer in LAYERS {
        let time = median(SAMPLES, || cargo_test(&root, &["--test", layer]));
        rows.push((layer, time));
    }
    let baseline = median(SAMPLES, || mdbook_test(&root));
    rows.push(("baseline: mdbook test", baseline));

    // Editing one listing: touching it makes cargo rebuild its crate, and the
    // layers that show it check it again.
    let listing = root.join("listings/ch06-mutex/src/bin/counter-arc.rs");
    let edit = median(SAMPLES, || {
        touch(&listing);
        cargo_test(
            &root,
            &[
                "--test",
                "listings",
                "--test",
                "compile_fail",
                "--test",
                "snippets",
            ],
        )
    });
    rows.push(("after editing one listing", edit));

    // The Miri layer, cold: every listing compiled again for Miri (its
    // standard library, built by `cargo miri setup`, is kept).
    let miri_target = root.join("target/miri");
    let cold_miri = {
        let _ = std::fs::remove_dir_all(&miri_target);
        cargo_test(&root, &["--test", "miri"])
    };
    rows.push(("miri, cold (target/miri removed)", cold_miri));

    // The schedule layer, cold: every search run again (the programs stay
    // built), then with nothing kept at all (shuttle built again too).
    let schedules = root.join("target/schedules");
    let _ = std::fs::remove_dir_all(schedules.join("kept"));
    rows.push((
        "schedules, searches not kept",
        cargo_test(&root, &["--test", "schedules"]),
    ));
    let _ = std::fs::remove_dir_all(&schedules);
    rows.push((
        "schedules, cold (target/schedules removed)",
        cargo_test(&root, &["--test", "schedules"]),
    ));

    println!("{:<42} {:>9} {:>12}", "what", "median", "vs baseline");
    for (what, time) in rows {
        println!(
            "{what:<42} {:>8.1}s {:>11.2}x",
            time.as_secs_f64(),
            time.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}

fn cargo_test(root: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["test", "--quiet"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cargo test {args:?} failed: run it to see why"
    );
    started.elapsed()
}

/// Stock `mdbook test`: rustdoc compiles and runs every Rust block.
fn mdbook_test(root: &Path) -> Duration {
    let started = Instant::now();
    let mut book = MDBook::load(root).unwrap();
    // Some blocks use crossbeam-channel, which rustdoc cannot find here: the
    // baseline's failures do not matter, its time does.
    let _ = book.test(Vec::new());
    started.elapsed()
}

fn touch(path: &Path) {
    let file = std::fs::File::options().append(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now()).unwrap();
}

fn median(samples: usize, mut measure: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..samples).map(|_| measure()).collect();
    times.sort();
    times[samples / 2]
}

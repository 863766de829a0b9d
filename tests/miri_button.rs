//! "Run under Miri" through `cargo book serve`: the page's seed picks the
//! schedule, Miri's verdict comes back, and the endpoint is held to the
//! playground's rules (only the book's own page can run code).

use verify::catalog::{self, Listing};
use verify::server::BookServer;
use verify::{miri, repo_root};

fn listing(chapter: &str, name: &str) -> Listing {
    catalog::load(&repo_root())
        .unwrap()
        .into_iter()
        .find(|l| l.chapter == chapter && l.name == name)
        .unwrap_or_else(|| panic!("no listing {chapter}/{name}"))
}

fn body(listing: &Listing, seed: u64) -> String {
    let code = std::fs::read_to_string(&listing.source).unwrap();
    serde_json::json!({ "code": code, "seed": seed }).to_string()
}

#[test]
fn miri_runs_the_pages_code_with_its_seed() {
    if let Err(missing) = miri::installed(&repo_root()) {
        assert!(std::env::var_os("CI").is_none(), "{missing}");
        eprintln!("skipped: {missing}");
        return;
    }
    let server = BookServer::start(&repo_root());
    let meta = server.get("/playground/miri");
    assert_eq!(meta.status, 200, "{meta:?}");
    assert_eq!(meta.header("x-book-playground"), Some("1"), "{meta:?}");
    assert!(meta.body.contains("\"time_limit_s\""), "{meta:?}");

    let origin = server.origin();
    let page = [
        ("Origin", origin.as_str()),
        ("Content-Type", "application/json"),
    ];
    // The seed the chapter shows for the stale read.
    let relaxed = listing("ch10-atomics", "relaxed-flag");
    let witness = std::fs::read_to_string(relaxed.witness_file()).unwrap();
    let seed: u64 = witness
        .split("-Zmiri-seed=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .expect("the witness file names its seed");
    let reply = server.send(
        "POST",
        "/playground/miri.json",
        &page,
        body(&relaxed, seed).as_bytes(),
    );
    let result = reply.result();
    assert!(
        result.starts_with(&format!("Miri, seed {seed}: finished")) && result.contains("data = 0"),
        "{result}"
    );

    // A deadlock is reported as one.
    let abba = listing("ch11-deadlocks", "abba");
    let reply = server.send(
        "POST",
        "/playground/miri.json",
        &page,
        body(&abba, 0).as_bytes(),
    );
    assert!(
        reply
            .result()
            .contains("deadlocked: every thread waits for another"),
        "{reply:?}"
    );

    // Only the book's own page runs code.
    let reply = server.send(
        "POST",
        "/playground/miri.json",
        &[("Content-Type", "application/json")],
        body(&abba, 0).as_bytes(),
    );
    assert_eq!(reply.status, 403, "{reply:?}");
    server.stop();
}

//! The local playground's containment: only the book's page can run code,
//! and nothing it runs can outlast, outgrow or escape its job. Each test
//! starts the real server and sends it what a careless learner or an
//! attacker would.
//!
//! What the kernel must allow (user namespaces; a process cap) is asked of
//! the server (`/playground/meta/limits`); a test that needs what is missing
//! says so loudly and is skipped. Tests that watch processes through
//! `/proc` or need Linux's containment run on Linux only, and say so
//! elsewhere; the others hold for every system's backend.

// On Windows the Unix-only tests are left out, and with them what only they use.
#![cfg_attr(windows, allow(dead_code, unused_imports))]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use verify::repo_root;
use verify::server::{BookServer, Reply, evaluate_body, request, send_only};

fn start() -> BookServer {
    BookServer::start_with(&repo_root(), &[])
}

/// The limits and the containment the server reports.
fn limits(server: &BookServer) -> serde_json::Value {
    let reply = server.get("/playground/meta/limits");
    assert_eq!(reply.status, 200, "{reply:?}");
    serde_json::from_str(&reply.body).unwrap()
}

fn number(value: &serde_json::Value, path: &str) -> u64 {
    path.split('.')
        .fold(value, |value, key| &value[key])
        .as_u64()
        .unwrap_or_else(|| panic!("no number {path} in {value}"))
}

/// True when the server contains programs with namespaces; otherwise says,
/// past libtest's capture, which test is skipped and why.
fn contained(server: &BookServer, test: &str) -> bool {
    let containment = &limits(server)["containment"];
    if containment["namespaces"].as_bool() == Some(true) {
        return true;
    }
    skip(test, &format!("{}", containment["namespaces_missing"]));
    false
}

/// True on Linux; elsewhere says which test is skipped.
fn on_linux(test: &str) -> bool {
    if cfg!(target_os = "linux") {
        return true;
    }
    skip(
        test,
        "it watches processes through /proc, or needs Linux's containment",
    );
    false
}

fn skip(test: &str, why: &str) {
    let bar = "!".repeat(78);
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\nPLAYGROUND TEST SKIPPED: {test}\nthis system does not allow it: {why}\n{bar}\n"
    );
}

/// A number no other test (or earlier run) uses, as a `sleep` argument that
/// marks a process.
fn marker() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    7_000_000 + (std::process::id() % 10_000) * 100 + NEXT.fetch_add(1, Ordering::Relaxed)
}

/// How many `sleep MARKER` processes run on this machine.
fn running(marker: u32) -> usize {
    sleepers(marker).len()
}

fn sleepers(marker: u32) -> Vec<u32> {
    let wanted = format!("sleep\0{marker}\0");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            cmdline.ends_with(wanted.as_bytes()).then_some(pid)
        })
        .collect()
}

/// Stops what a failed test left running.
#[cfg(unix)]
fn kill_sleepers(markers: &[u32]) {
    for &marker in markers {
        for pid in sleepers(marker) {
            verify::run::send_signal(pid, verify::run::Signal::KILL);
        }
    }
}

fn within(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if done() {
            return true;
        }
        if started.elapsed() > limit {
            return false;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A program that starts `sleep MARKER`, says so and runs for up to 10 s.
fn endless(marker: u32) -> String {
    format!(
        "fn main() {{\n\
             let _child = std::process::Command::new(\"sleep\").arg(\"{marker}\").spawn().unwrap();\n\
             println!(\"started\");\n\
             for _ in 0..1000 {{ std::thread::sleep(std::time::Duration::from_millis(10)); }}\n\
         }}"
    )
}

#[test]
fn only_the_books_page_can_run_code() {
    let server = start();
    let origin = server.origin();
    let body = evaluate_body("fn main() { println!(\"ran\"); }", "2021");
    let json = ("Content-Type", "application/json");
    let refusals: [(&[(&str, &str)], u16); 5] = [
        (&[json], 403),
        (&[("Origin", "http://attacker.example"), json], 403),
        (&[("Origin", "null"), json], 403),
        (&[("Origin", &origin)], 415),
        (&[("Origin", &origin), ("Content-Type", "text/plain")], 415),
    ];
    for (headers, status) in refusals {
        let started = Instant::now();
        let reply = server.send(
            "POST",
            "/playground/evaluate.json",
            headers,
            body.as_bytes(),
        );
        assert_eq!(reply.status, status, "{headers:?}: {reply:?}");
        assert!(!reply.result().contains("ran"), "{reply:?}");
        assert!(
            started.elapsed() < Duration::from_millis(200),
            "refused only after compiling"
        );
    }
    // What book.js sends (the browser adds Origin) runs.
    let reply = server.send(
        "POST",
        "/playground/evaluate.json",
        &[
            ("Origin", &origin),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        body.as_bytes(),
    );
    assert_eq!((reply.status, reply.result().as_str()), (200, "ran\n"));
    // Listing the crates runs nothing and stays open to the page's probe
    // (a GET); a POST, as book.js sends it, needs the page's Origin too.
    assert_eq!(server.get("/playground/meta/crates").status, 200);
    let posted = server.send("POST", "/playground/meta/crates", &[json], b"");
    assert_eq!(posted.status, 403);
    server.stop();
}

#[cfg(unix)]
#[test]
fn a_job_holds_its_slot_until_its_processes_are_gone() {
    if !on_linux("a job holds its slot until its processes are gone") {
        return;
    }
    let server = start();
    let jobs = number(&limits(&server), "jobs") as usize;
    let headers = [
        ("Host", server.host()),
        ("Origin", server.origin()),
        ("Content-Type", "application/json".to_owned()),
    ];
    let mut markers = Vec::new();

    // Clients that give up once their program runs: each job is killed
    // promptly, so the next one finds its slot free.
    for _ in 0..4 {
        let marker = marker();
        markers.push(marker);
        let body = evaluate_body(&endless(marker), "2021");
        let client = send_only(
            server.port,
            "POST",
            "/playground/evaluate.json",
            &headers,
            body.as_bytes(),
        );
        let started = within(Duration::from_secs(5), || running(marker) == 1);
        drop(client);
        assert!(started, "the program never started");
        let gone = within(Duration::from_secs(1), || running(marker) == 0);
        kill_sleepers(&markers);
        assert!(gone, "a job went on running after its client went away");
    }

    // Many clients that stay: never more than `jobs` programs at once, and
    // every answer comes while the page still waits (6 s).
    let wave: Vec<u32> = (0..6).map(|_| marker()).collect();
    markers.extend(&wave);
    let (replies, most) = thread::scope(|s| {
        let clicks: Vec<_> = wave
            .iter()
            .map(|&marker| {
                let server = &server;
                s.spawn(move || {
                    let sent = Instant::now();
                    let reply = server.run_code(&endless(marker), "2021");
                    (reply, sent.elapsed())
                })
            })
            .collect();
        let mut most = 0;
        while !clicks.iter().all(|click| click.is_finished()) {
            most = most.max(wave.iter().map(|&m| running(m)).sum::<usize>());
            thread::sleep(Duration::from_millis(10));
        }
        let replies: Vec<(Reply, Duration)> =
            clicks.into_iter().map(|c| c.join().unwrap()).collect();
        (replies, most)
    });
    kill_sleepers(&markers);
    assert!(
        most <= jobs,
        "{most} programs ran at once; the limit is {jobs}"
    );
    for (reply, took) in &replies {
        assert!(
            *took < Duration::from_secs(6),
            "answered after {took:?}: {reply:?}"
        );
        match reply.status {
            200 => assert!(reply.result().contains("timed out after"), "{reply:?}"),
            503 => assert!(reply.result().contains("busy"), "{reply:?}"),
            other => panic!("unexpected {other}: {reply:?}"),
        }
    }
    assert!(wave.iter().all(|&m| running(m) == 0));
    server.stop();
}

/// Starts daemons four ways, waits until they all run, and ends.
fn daemons(markers: &[u32; 4]) -> String {
    let [a, b, c, d] = markers;
    format!(
        r#"use std::process::Command;
fn sh(script: &str) {{ Command::new("sh").args(["-c", script]).status().unwrap(); }}
fn main() {{
    Command::new("setsid").args(["sleep", "{a}"]).spawn().unwrap();
    sh("sleep {b} &");
    Command::new("setsid").args(["sh", "-c", "sleep {c} & exit"]).status().unwrap();
    Command::new("bash").args(["-c", "set -m; sleep {d} & exit"]).status().unwrap();
    let wanted = ["{a}", "{b}", "{c}", "{d}"];
    for _ in 0..100 {{
        let running = std::fs::read_dir("/proc").unwrap().flatten()
            .filter_map(|e| std::fs::read_to_string(e.path().join("cmdline")).ok())
            .filter(|c| wanted.iter().any(|w| *c == format!("sleep\0{{w}}\0")))
            .count();
        if running == 4 {{ println!("running: 4"); return; }}
        std::thread::sleep(std::time::Duration::from_millis(10));
    }}
    println!("not all started");
}}"#
    )
}

#[cfg(unix)]
#[test]
fn nothing_a_program_starts_outlives_its_job() {
    if !on_linux("nothing a program starts outlives its job") {
        return;
    }
    // With the namespaces this system allows, and without any (the wrapper
    // alone, as a child subreaper, must find every descendant).
    for env in [None, Some("0")] {
        let server = BookServer::start_with(&repo_root(), &[("BOOK_PLAYGROUND_NAMESPACES", env)]);
        // What is missing is said once, at start.
        let said = server
            .log()
            .matches("does not let programs run in namespaces")
            .count();
        let missing = !limits(&server)["containment"]["namespaces"]
            .as_bool()
            .unwrap();
        assert_eq!(said, usize::from(missing), "{}", server.log());
        let markers = [marker(), marker(), marker(), marker()];
        let reply = server.run_code(&daemons(&markers), "2021");
        let ended = Instant::now();
        let gone = within(Duration::from_secs(1), || {
            markers.iter().all(|&m| running(m) == 0)
        });
        let took = ended.elapsed();
        let left: Vec<u32> = markers
            .iter()
            .copied()
            .filter(|&m| running(m) > 0)
            .collect();
        kill_sleepers(&markers);
        assert_eq!(reply.result(), "running: 4\n", "{reply:?}");
        assert!(
            gone,
            "namespaces {env:?}: daemons {left:?} outlived their job ({took:?} after it ended)"
        );
        server.stop();
    }
}

#[test]
fn programs_are_held_to_limits_with_a_clear_message() {
    let server = start();
    let limits = limits(&server);
    let memory_mib = number(&limits, "program.memory_bytes") >> 20;
    let file_mib = number(&limits, "program.file_bytes") >> 20;

    let hog = "fn main() {\n\
        let mut blocks: Vec<Vec<u8>> = Vec::new();\n\
        for i in 0..32 { blocks.push(vec![1u8; 64 << 20]); println!(\"{} MiB\", (i + 1) * 64); }\n\
        println!(\"allocated 2 GiB\");\n\
    }";
    if cfg!(target_os = "macos") {
        skip(
            "the memory hog",
            "macOS may not hold a process to RLIMIT_DATA or RLIMIT_AS",
        );
    } else {
        let reply = server.run_code(hog, "2021");
        assert!(
            reply
                .result()
                .contains(&format!("stopped: more than {memory_mib} MiB of memory")),
            "{reply:?}"
        );
        assert!(!reply.result().contains("allocated 2 GiB"));
    }

    let writer = "use std::io::Write;\n\
        fn main() {\n\
        let mut file = std::fs::File::create(\"big.bin\").unwrap();\n\
        let chunk = vec![0u8; 1 << 20];\n\
        for i in 0..256 { file.write_all(&chunk).unwrap(); if i % 16 == 15 { println!(\"{} MiB\", i + 1); } }\n\
        println!(\"wrote 256 MiB\");\n\
    }";
    let reply = server.run_code(writer, "2021");
    assert!(
        reply
            .result()
            .contains(&format!("stopped: file size limit ({file_mib} MiB)")),
        "{reply:?}"
    );
    assert!(!reply.result().contains("wrote 256 MiB"));

    // The listings' few dozen threads, each allocating, are well within.
    let threads = "fn main() {\n\
        let handles: Vec<_> = (0..48).map(|i| std::thread::spawn(move || {\n\
            let v: Vec<Vec<u8>> = (0..1000).map(|j| vec![i as u8; 1000 + j]).collect();\n\
            v.len()\n\
        })).collect();\n\
        let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();\n\
        println!(\"{total}\");\n\
    }";
    let reply = server.run_code(threads, "2021");
    assert_eq!(reply.result(), "48000\n", "{reply:?}");

    #[cfg(unix)]
    if on_linux("the fork loop and the limits in /proc") {
        fork_loop_and_limits_table(&server, &limits);
    }
    server.stop();
}

/// A fork loop is stopped at the process cap, where there is one; every
/// limit is in place, for the program and for rustc.
#[cfg(unix)]
fn fork_loop_and_limits_table(server: &BookServer, limits: &serde_json::Value) {
    let cap = &limits["containment"]["process_cap"];
    if cap.is_null() {
        skip(
            "the fork loop",
            &format!("{}", limits["containment"]["process_cap_missing"]),
        );
    } else {
        let marker = marker();
        let fork_loop = format!(
            "fn main() {{\n\
                let mut children = Vec::new();\n\
                for i in 0..2000 {{\n\
                    match std::process::Command::new(\"sleep\").arg(\"{marker}\").spawn() {{\n\
                        Ok(child) => children.push(child),\n\
                        Err(error) => panic!(\"could not start process {{i}}: {{error}}\"),\n\
                    }}\n\
                }}\n\
                println!(\"started 2000 processes\");\n\
            }}"
        );
        let reply = server.run_code(&fork_loop, "2021");
        let gone = within(Duration::from_secs(1), || running(marker) == 0);
        kill_sleepers(&[marker]);
        assert!(
            reply.result().contains("stopped: too many processes"),
            "{reply:?}"
        );
        assert!(!reply.result().contains("started 2000"));
        assert!(gone, "the fork loop's processes outlived it");
    }

    // Every limit is in place, for the program and for rustc (whose own
    // limits the program embeds at compile time).
    let show = "fn main() {\n\
        print!(\"{}\", include_str!(\"/proc/self/limits\"));\n\
        println!(\"--\");\n\
        print!(\"{}\", std::fs::read_to_string(\"/proc/self/limits\").unwrap());\n\
    }";
    let reply = server.run_code(show, "2021");
    let result = reply.result();
    let (rustc, program) = result.split_once("--\n").expect("two tables");
    for (table, who) in [(program, "program"), (rustc, "rustc")] {
        let expected = [
            (
                "Max data size",
                number(limits, &format!("{who}.memory_bytes")),
            ),
            (
                "Max address space",
                number(limits, &format!("{who}.address_space_bytes")),
            ),
            (
                "Max file size",
                number(limits, &format!("{who}.file_bytes")),
            ),
            (
                "Max open files",
                number(limits, &format!("{who}.open_files")),
            ),
            (
                "Max cpu time",
                number(limits, &format!("{who}.cpu_seconds")),
            ),
        ];
        for (name, value) in expected {
            let line = table
                .lines()
                .find(|line| line.starts_with(name))
                .unwrap_or_else(|| panic!("{who}: no {name} in\n{table}"));
            let soft = line[name.len()..].split_whitespace().next().unwrap();
            assert_eq!(soft, value.to_string(), "{who}: {line}");
        }
    }
}

/// A program that starts a copy of itself which writes to `beat` every
/// 20 ms, and ends as soon as the copy has written once.
fn parent_of_a_heartbeat(beat: &Path) -> String {
    format!(
        r#"use std::time::Duration;
fn main() {{
    let beat = std::path::Path::new({beat:?});
    if std::env::args().nth(1).as_deref() == Some("child") {{
        for i in 0..1000 {{
            let _ = std::fs::write(beat, i.to_string());
            std::thread::sleep(Duration::from_millis(20));
        }}
        return;
    }}
    let exe = std::env::current_exe().unwrap();
    std::process::Command::new(exe).arg("child").spawn().unwrap();
    for _ in 0..300 {{
        if beat.exists() {{
            println!("the child beats");
            return;
        }}
        std::thread::sleep(Duration::from_millis(10));
    }}
    println!("the child never started");
}}"#,
        beat = beat.display().to_string()
    )
}

/// What every system's backend promises: a job's children end with it.
/// Outside namespaces (macOS, Windows, and Linux told not to use them) a
/// program can write where the test reads.
#[test]
fn a_jobs_children_die_with_it() {
    // On Linux, with neither namespaces nor cgroups: the wrapper alone.
    let server = BookServer::start_with(
        &repo_root(),
        &[
            ("BOOK_PLAYGROUND_NAMESPACES", Some("0")),
            ("BOOK_PLAYGROUND_CGROUPS", Some("0")),
        ],
    );
    let beat = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("heartbeat-{}", marker()));
    let _ = std::fs::remove_file(&beat);
    let reply = server.run_code(&parent_of_a_heartbeat(&beat), "2021");
    assert_eq!(reply.result(), "the child beats\n", "{reply:?}");
    let read = || std::fs::read_to_string(&beat).unwrap_or_default();
    // The answer comes once the job's processes are gone: no beat after it.
    let last = read();
    thread::sleep(Duration::from_millis(300));
    let after = read();
    let _ = std::fs::remove_file(&beat);
    assert_eq!(last, after, "a child went on running after its job ended");
    server.stop();
}

#[cfg(windows)]
#[test]
fn the_linux_tests_are_skipped_on_windows() {
    skip(
        "the tests of processes, terminals, sockets and shared memory",
        "they start Unix programs (sleep, sh) and watch processes through /proc",
    );
}

#[test]
fn programs_have_no_network_and_write_only_in_their_job_directory() {
    let server = start();
    if !contained(&server, "no network, writes only in the job directory") {
        server.stop();
        return;
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".to_owned());
    let outside = [
        repo_root().join("written-by-a-program.txt"),
        PathBuf::from(&home).join("written-by-a-program.txt"),
        std::env::temp_dir().join("written-by-a-program.txt"),
    ];
    let code = format!(
        r#"fn main() {{
    match std::net::TcpStream::connect("127.0.0.1:{port}") {{
        Ok(_) => println!("reached the server"),
        Err(_) => println!("no network"),
    }}
    for path in {outside:?} {{
        match std::fs::write(path, "x") {{
            Ok(()) => println!("wrote {{path}}"),
            Err(_) => println!("could not write {{path}}"),
        }}
    }}
    std::fs::write("mine.txt", "x").unwrap();
    println!("wrote in its own directory");
    let processes = std::fs::read_dir("/proc").unwrap().flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.parse::<u32>().is_ok()))
        .count();
    println!("sees {{}} processes", if processes < 5 {{ "only its own" }} else {{ "others'" }});
}}"#,
        port = server.port,
        outside = outside
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>(),
    );
    let reply = server.run_code(&code, "2021");
    let result = reply.result();
    let written: Vec<&PathBuf> = outside.iter().filter(|p| p.exists()).collect();
    for path in &written {
        let _ = std::fs::remove_file(path);
    }
    assert!(result.starts_with("no network\n"), "{reply:?}");
    // Its own /tmp is its job directory: what it writes there stays there.
    for path in &outside[..2] {
        assert!(
            result.contains(&format!("could not write {}", path.display())),
            "{result}"
        );
    }
    assert!(written.is_empty(), "a program wrote {written:?}");
    assert!(result.contains("wrote in its own directory\n"), "{result}");
    if limits(&server)["containment"]["fresh_proc"].as_bool() == Some(true) {
        assert!(result.contains("sees only its own processes"), "{result}");
    } else {
        skip(
            "a /proc with only the job's processes",
            "mounting a new /proc was refused",
        );
    }
    server.stop();
}

/// The cache the server uses: `<target>/playground/cache`, or the one under
/// `BOOK_PLAYGROUND_DIR`.
fn cache_dir(dir: Option<&Path>) -> PathBuf {
    dir.map(Path::to_path_buf)
        .unwrap_or_else(|| verify::cargo::target_dir().join("playground"))
        .join("cache")
}

/// The cached program a reply came from.
fn entry(dir: &Path, reply: &Reply) -> PathBuf {
    let key = reply
        .header("x-playground-cache-key")
        .unwrap_or_else(|| panic!("no cache key: {reply:?}"));
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(key))
        .unwrap_or_else(|| panic!("no entry for {key} in {}", dir.display()))
}

#[test]
fn programs_cannot_plant_a_program_in_the_cache() {
    let server = start();
    let cache = cache_dir(None);
    if contained(&server, "programs cannot write to the cache") {
        let planted = [
            PathBuf::from("../../cache/planted"),
            PathBuf::from("../cache/planted"),
            cache.join("planted"),
        ];
        let code = format!(
            r#"fn main() {{
    for path in {planted:?} {{
        if std::fs::write(path, "x").is_ok() {{ println!("planted {{path}}"); }}
    }}
    println!("done");
}}"#,
            planted = planted
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        );
        let reply = server.run_code(&code, "2021");
        let _ = std::fs::remove_file(cache.join("planted"));
        assert_eq!(reply.result(), "done\n", "{reply:?}");
    }

    // Whoever can write there (here, this test): a changed entry is never run.
    let genuine = "fn main() { println!(\"genuine\"); }";
    let first = server.run_code(genuine, "2021");
    assert_eq!(first.result(), "genuine\n");
    let other = server.run_code("fn main() { println!(\"PLANTED\"); }", "2021");
    std::fs::copy(entry(&cache, &other), entry(&cache, &first)).unwrap();
    let again = server.run_code(genuine, "2021");
    assert_eq!(
        again.result(),
        "genuine\n",
        "a planted program ran: {again:?}"
    );
    server.stop();
}

#[test]
fn the_cache_is_bounded_by_bytes_and_drops_the_least_recently_used() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lru-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // Room for about three small programs.
    let bound: u64 = 1536 * 1024;
    let server = BookServer::start_with(
        &repo_root(),
        &[
            ("BOOK_PLAYGROUND_DIR", Some(dir.to_str().unwrap())),
            ("BOOK_PLAYGROUND_CACHE_BYTES", Some(&bound.to_string())),
        ],
    );
    let cache = cache_dir(Some(&dir));
    let click = |name: &str| {
        let reply = server.run_code(&format!("fn main() {{ println!(\"{name}\"); }}"), "2021");
        assert_eq!(reply.result(), format!("{name}\n"));
        let key = reply.header("x-playground-cache-key").unwrap().to_owned();
        (key, reply.header("x-playground-cache") == Some("hit"))
    };
    let cached = |key: &str| {
        std::fs::read_dir(&cache)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(key))
    };
    let (a, _) = click("a");
    let (b, _) = click("b");
    assert_eq!(click("a"), (a.clone(), true), "a is now used after b");
    // New programs until one has to go: b goes first, a stays.
    for n in 0..20 {
        click(&format!("new {n}"));
        let total: u64 = std::fs::read_dir(&cache)
            .unwrap()
            .flatten()
            .map(|e| e.metadata().unwrap().len())
            .sum();
        assert!(
            total <= bound,
            "the cache holds {total} bytes, more than {bound}"
        );
        if !cached(&b) {
            break;
        }
        assert!(cached(&a), "a, used more recently, went before b");
    }
    assert!(!cached(&b), "nothing was ever dropped");
    assert!(
        cached(&a),
        "the most recently used entry went with the least"
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_time_budget_fits_the_pages_timeout() {
    let server = start();
    let limits = limits(&server);
    // book.js as the book serves it: `fetch_with_timeout(url, options, timeout = 6000)`.
    let page = server.get("/ch06-mutex.html").body;
    let script = page
        .split("src=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|src| src.contains("book") && src.ends_with(".js"))
        .expect("the page loads book.js");
    let book_js = server.get(&format!("/{script}")).body;
    let timeout: u64 = book_js
        .split("fetch_with_timeout(url, options, timeout = ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|ms| ms.trim().parse().ok())
        .expect("book.js has its timeout");
    assert_eq!(number(&limits, "page_timeout_ms"), timeout);
    let budget = number(&limits, "queue_wait_ms")
        + number(&limits, "run_ms")
        + number(&limits, "answer_margin_ms");
    assert!(
        budget <= timeout,
        "waiting, running and answering take {budget} ms"
    );
    server.stop();
}

#[cfg(unix)]
#[test]
fn a_killed_server_leaves_nothing_running_and_its_files_are_swept() {
    if !on_linux("a killed server leaves nothing running") {
        return;
    }
    let server = BookServer::start_with(&repo_root(), &[]);
    let marker = marker();
    let (port, host) = (server.port, server.host());
    let origin = server.origin();
    let body = evaluate_body(&endless(marker), "2021");
    let headers = [
        ("Host", host),
        ("Origin", origin),
        ("Content-Type", "application/json".to_owned()),
    ];
    let _client = send_only(
        port,
        "POST",
        "/playground/evaluate.json",
        &headers,
        body.as_bytes(),
    );
    assert!(within(Duration::from_secs(5), || running(marker) == 1));
    let pid = server.pid();
    server.stop_with("KILL");
    let gone = within(Duration::from_secs(1), || running(marker) == 0);
    kill_sleepers(&[marker]);
    assert!(gone, "a program outlived its killed server");

    let target = verify::cargo::target_dir();
    let left = [
        target.join(format!("playground/jobs-{pid}")),
        target.join(format!("book-serve-{pid}")),
    ];
    let next = BookServer::start_with(&repo_root(), &[]);
    for dir in &left {
        assert!(!dir.exists(), "{} was not swept", dir.display());
    }
    let _ = request(next.port, "GET", "/", &[("Host", next.host())], b"");
    next.stop();
}

/// The server on a pseudo-terminal, as a reader starts it from a shell, and
/// the path of that terminal.
#[cfg(unix)]
fn start_on_terminal() -> (BookServer, std::fs::File, String) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let path = ptsname(&master, Vec::new()).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let server = BookServer::start_on_terminal(&repo_root(), terminal);
    (server, std::fs::File::from(master), path)
}

#[cfg(unix)]
#[test]
fn a_program_has_no_terminal_and_sees_only_harmless_devices() {
    if !on_linux("no terminal, a minimal /dev") {
        return;
    }
    let (server, _master, terminal) = start_on_terminal();
    // TIOCSTI pushes a byte into a terminal's input, as if typed there.
    let code = format!(
        r#"use std::os::fd::AsRawFd;
unsafe extern "C" {{
    fn ioctl(fd: i32, request: std::ffi::c_ulong, ...) -> i32;
}}
fn open(path: &str) -> std::io::Result<std::fs::File> {{
    std::fs::OpenOptions::new().read(true).write(true).open(path)
}}
fn main() {{
    for path in ["/dev/tty", "{terminal}"] {{
        match open(path) {{
            Ok(tty) => {{
                let byte = b'#';
                let pushed = unsafe {{ ioctl(tty.as_raw_fd(), 0x5412, &byte as *const u8) }};
                println!("opened {{path}}; TIOCSTI gave {{pushed}}");
            }}
            Err(_) => println!("could not open {{path}}"),
        }}
    }}
    let shadow = std::fs::read_to_string("/etc/shadow").map(|s| s.len()).unwrap_or(0);
    println!("/etc/shadow: {{shadow}} bytes");
    let mut devices: Vec<String> = std::fs::read_dir("/dev").unwrap().flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    devices.sort();
    println!("/dev: {{}}", devices.join(" "));
}}"#
    );
    if !contained(&server, "no terminal, a minimal /dev") {
        server.stop();
        return;
    }
    let reply = server.run_code(&code, "2024");
    let result = reply.result();
    assert!(
        result.contains("could not open /dev/tty\n"),
        "a program opened the server's terminal: {reply:?}"
    );
    assert!(
        result.contains(&format!("could not open {terminal}\n")),
        "a program opened a terminal it did not create: {reply:?}"
    );
    assert!(
        result.contains("/dev: fd full null random shm stderr stdin stdout urandom zero\n"),
        "{reply:?}"
    );
    // Password hashes are hidden, even from a server run as root.
    assert!(result.contains("/etc/shadow: 0 bytes\n"), "{reply:?}");
    // The server is still there, and still serving.
    assert_eq!(server.get("/").status, 200);
    server.stop();
}

#[cfg(unix)]
#[test]
fn a_program_sees_only_the_system_and_its_job_and_no_unix_socket() {
    if !on_linux("no Unix sockets outside the job") {
        return;
    }
    let server = start();
    if !contained(&server, "no Unix sockets outside the job") {
        server.stop();
        return;
    }
    let name = format!("book-socket-{}", std::process::id());
    let paths = [
        std::env::temp_dir().join(&name),
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(&name),
    ];
    let listeners: Vec<_> = paths
        .iter()
        .map(|path| {
            let _ = std::fs::remove_file(path);
            let listener = std::os::unix::net::UnixListener::bind(path).unwrap();
            listener.set_nonblocking(true).unwrap();
            listener
        })
        .collect();
    // Where readers' sockets live: their home, /run, the repository.
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".to_owned());
    let hidden = [
        home,
        "/run".to_owned(),
        "/var".to_owned(),
        repo_root().display().to_string(),
    ];
    let code = format!(
        r#"fn main() {{
    for path in {paths:?} {{
        match std::os::unix::net::UnixStream::connect(path) {{
            Ok(_) => println!("connected to {{path}}"),
            Err(_) => println!("could not connect to {{path}}"),
        }}
    }}
    for path in {hidden:?} {{
        if std::path::Path::new(path).exists() {{
            println!("sees {{path}}");
        }}
    }}
    let mut root: Vec<String> = std::fs::read_dir("/").unwrap().flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    root.sort();
    println!("/: {{}}", root.join(" "));
}}"#,
        paths = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>(),
    );
    let reply = server.run_code(&code, "2021");
    let accepted = listeners.iter().filter(|l| l.accept().is_ok()).count();
    for path in &paths {
        let _ = std::fs::remove_file(path);
    }
    for path in &paths {
        assert!(
            reply
                .result()
                .contains(&format!("could not connect to {}\n", path.display())),
            "{reply:?}"
        );
    }
    assert_eq!(
        accepted, 0,
        "a program connected to a socket outside its job"
    );
    assert!(!reply.result().contains("sees "), "{reply:?}");
    // The system's programs and libraries, its /dev, /proc and /tmp.
    let allowed = [
        "bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr",
    ];
    let result = reply.result();
    let root = result
        .lines()
        .find_map(|line| line.strip_prefix("/: "))
        .unwrap_or_else(|| panic!("{reply:?}"));
    for name in root.split(' ') {
        assert!(allowed.contains(&name), "/{name} is visible: {reply:?}");
    }
    server.stop();
}

/// A program that writes 1 GiB of shared anonymous memory, which
/// `RLIMIT_DATA` does not count.
const SHARED_MEMORY_HOG: &str = r#"unsafe extern "C" {
    fn mmap(addr: *mut u8, len: usize, prot: i32, flags: i32, fd: i32, offset: i64) -> *mut u8;
}
fn main() {
    const MIB: usize = 1 << 20;
    // PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS
    let memory = unsafe { mmap(std::ptr::null_mut(), 1024 * MIB, 3, 0x21, -1, 0) };
    if memory as isize == -1 {
        panic!("mmap failed: {}", std::io::Error::last_os_error());
    }
    for mib in 0..1024 {
        for page in (0..MIB).step_by(4096) {
            unsafe { memory.add(mib * MIB + page).write(1) };
        }
        if mib % 128 == 127 {
            println!("wrote {} MiB", mib + 1);
        }
    }
    println!("wrote 1 GiB of shared memory");
}"#;

#[cfg(unix)]
#[test]
fn shared_memory_counts_as_memory() {
    if !on_linux("shared memory counts as memory") {
        return;
    }
    // With a memory cgroup where this system gives one (root here), and
    // with what bounds memory without one (a reader who is not root).
    for cgroups in [None, Some("0")] {
        let server = BookServer::start_with(&repo_root(), &[("BOOK_PLAYGROUND_CGROUPS", cgroups)]);
        let limits = limits(&server);
        let memory_mib = number(&limits, "program.memory_bytes") >> 20;
        let cap = limits["containment"]["memory_cap"].to_string();
        let reply = server.run_code(SHARED_MEMORY_HOG, "2024");
        assert!(
            reply
                .result()
                .contains(&format!("stopped: more than {memory_mib} MiB of memory")),
            "cgroups {cgroups:?} ({cap}): {reply:?}"
        );
        assert!(!reply.result().contains("wrote 1 GiB"), "{reply:?}");
        assert!(
            server.log().contains(&format!(
                "{memory_mib} MiB of memory ({})",
                cap.trim_matches('"')
            )),
            "the startup line does not say what bounds memory: {}",
            server.log()
        );
        server.stop();
    }
}

#[test]
fn a_program_cannot_forge_its_report() {
    let server = start();
    if !contained(&server, "the report of the job's first process") {
        server.stop();
        return;
    }
    // The namespace's first process reports on its standard output, a pipe.
    let forged = r#"{"ended":{"Exit":0},"fresh_proc":true,"error":"FORGED"}"#;
    let code = format!(
        r#"use std::io::Write;
const FORGED: &str = {forged:?};
fn main() {{
    match std::fs::OpenOptions::new().write(true).open("/proc/1/fd/1") {{
        Ok(mut report) => {{
            let _ = writeln!(report, "{{FORGED}}");
            println!("wrote to the report");
        }}
        Err(_) => println!("could not write to the report"),
    }}
}}"#
    );
    let reply = server.run_code(&code, "2021");
    assert_eq!(
        (reply.status, reply.result().as_str()),
        (200, "could not write to the report\n"),
        "{reply:?}"
    );
    server.stop();
}

/// How many processes have `arg` among their arguments.
fn with_argument(arg: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .filter(|cmdline| cmdline.split(|&b| b == 0).any(|a| a == arg.as_bytes()))
        .count()
}

#[cfg(unix)]
#[test]
fn run_keeps_a_slot_that_miri_cannot_take() {
    if !on_linux("Run beside Miri runs") {
        return;
    }
    let server = start();
    if server.get("/playground/miri").body.trim() == "null" {
        skip("Run beside Miri runs", "Miri is not installed");
        server.stop();
        return;
    }
    let headers = [
        ("Host", server.host()),
        ("Origin", server.origin()),
        ("Content-Type", "application/json".to_owned()),
    ];
    // Each runs until Miri's time limit, marked by its seed.
    let miri = |seed: u32| {
        let body = serde_json::json!({
            "code": "fn main() { let mut n = 0u64; loop { n = std::hint::black_box(n + 1); } }",
            "seed": seed,
        })
        .to_string();
        send_only(
            server.port,
            "POST",
            "/playground/miri.json",
            &headers,
            body.as_bytes(),
        )
    };
    let (first, second) = (marker(), marker());
    let running = |seed: u32| with_argument(&format!("-Zmiri-seed={seed}")) > 0;
    let _first = miri(first);
    assert!(
        within(Duration::from_secs(10), || running(first)),
        "Miri never started"
    );
    // The second one either runs too or is turned away; then Run is clicked.
    let mut second_client = miri(second);
    let answered = within(Duration::from_secs(3), || {
        running(second) || {
            let _ = second_client.set_nonblocking(true);
            let mut byte = [0u8; 1];
            matches!(std::io::Read::read(&mut second_client, &mut byte), Ok(1))
        }
    });
    assert!(answered, "the second Miri run neither ran nor was answered");
    let reply = server.run_code("fn main() { println!(\"ran\"); }", "2021");
    let both = running(first) && running(second);
    drop(second_client);
    assert!(!both, "two Miri runs held both slots");
    assert_eq!(
        (reply.status, reply.result().as_str()),
        (200, "ran\n"),
        "{reply:?}"
    );
    server.stop();
}

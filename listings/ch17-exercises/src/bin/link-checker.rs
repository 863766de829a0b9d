// ANCHOR: solution
// ANCHOR: starter
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::panic;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

/// An in-memory web: each page's address, and the addresses it links to.
type Web = HashMap<&'static str, Vec<&'static str>>;

fn make_web() -> Web {
    HashMap::from([
        ("/", vec!["/about", "/blog", "/shop"]),
        ("/about", vec!["/", "/team", "/jobs"]),
        ("/team", vec!["/about", "/jobs", "mailto:team@example.com"]),
        ("/blog", vec!["/", "/blog/1", "/blog/2"]),
        ("/blog/1", vec!["/blog", "/blog/3"]),
        ("/blog/2", vec!["/blog", "/blog/1", "/shop/sale"]),
        ("/shop", vec!["/", "/shop/cart", "/shop/sale"]),
        ("/shop/cart", vec!["/shop", "/checkout"]),
    ])
}

/// Fetches a page: its links, or `None` if there is no such page (a 404).
/// It has a bug: it panics on an address that is not a path, such as a
/// `mailto:` link.
fn fetch(web: &Web, address: &str) -> Option<Vec<&'static str>> {
    thread::sleep(Duration::from_millis(2)); // the network is slow
    assert!(address.starts_with('/'), "cannot fetch {address}");
    web.get(address).cloned()
}

/// A worker's answer: an address, and what `fetch` returned there, or `Err`
/// with the panic's payload if `fetch` panicked (as `join` reports a panic).
type Fetched = (&'static str, thread::Result<Option<Vec<&'static str>>>);

/// What the link checker found.
struct Report {
    /// How many addresses were fetched, or tried.
    fetched: usize,
    /// Each address with no page, and the pages that link to it.
    broken: BTreeMap<&'static str, BTreeSet<&'static str>>,
    /// Each address whose fetch panicked, and the pages that link to it.
    failed: BTreeMap<&'static str, BTreeSet<&'static str>>,
}

/// Takes addresses from `addresses` until the channel is closed, fetches
/// each one and sends what it found to `results`.
fn worker(web: &Web, addresses: &Mutex<Receiver<&'static str>>, results: &Sender<Fetched>) {
    // ANCHOR_END: starter
    loop {
        let next = addresses.lock().unwrap().recv();
        let Ok(address) = next else {
            return; // closed: the checker has nothing more to ask
        };
        // A panic in `fetch` becomes an answer like any other, so the
        // checker still hears about this address, and this worker lives on.
        let found = panic::catch_unwind(|| fetch(web, address));
        results.send((address, found)).unwrap();
    }
}

// ANCHOR: check
/// Fetches every page reachable from `start`, each address once, with a
/// pool of `workers` threads.
fn check_links(web: &Web, start: &'static str, workers: usize) -> Report {
    // ANCHOR_END: check
    let (address_tx, address_rx) = mpsc::channel();
    let address_rx = Mutex::new(address_rx);
    let (result_tx, result_rx) = mpsc::channel();

    thread::scope(|s| {
        for _ in 0..workers {
            let (address_rx, result_tx) = (&address_rx, result_tx.clone());
            s.spawn(move || worker(web, address_rx, &result_tx));
        }

        let mut seen = HashSet::from([start]);
        let mut linked_from: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let (mut missing, mut panicked) = (Vec::new(), Vec::new());
        address_tx.send(start).unwrap();
        // Addresses sent to the pool whose result has not come back yet.
        let mut pending = 1;
        let mut fetched = 0;
        while pending > 0 {
            let (address, links) = result_rx.recv().unwrap();
            pending -= 1;
            fetched += 1;
            let links = match links {
                Ok(Some(links)) => links,
                Ok(None) => {
                    missing.push(address);
                    continue;
                }
                Err(_panic) => {
                    panicked.push(address);
                    continue;
                }
            };
            for link in links {
                linked_from.entry(link).or_default().insert(address);
                if seen.insert(link) {
                    address_tx.send(link).unwrap();
                    pending += 1;
                }
            }
        }
        // Nothing is pending, and nothing more will be: close the channel,
        // so that each worker's `recv` fails and the scope can end.
        drop(address_tx);

        let mut pages_linking_to = |addresses: Vec<&'static str>| {
            addresses
                .into_iter()
                .map(|address| (address, linked_from.remove(address).unwrap_or_default()))
                .collect()
        };
        let broken = pages_linking_to(missing);
        let failed = pages_linking_to(panicked);
        Report {
            fetched,
            broken,
            failed,
        }
    })
}

// ANCHOR: main
fn main() {
    let web = make_web();
    let report = check_links(&web, "/", 4);
    println!("fetched {} addresses", report.fetched);
    println!("{} broken links:", report.broken.len());
    print_links(&report.broken);
    println!("{} failed to fetch:", report.failed.len());
    print_links(&report.failed);
}

fn print_links(links: &BTreeMap<&str, BTreeSet<&str>>) {
    for (address, pages) in links {
        let pages: Vec<&str> = pages.iter().copied().collect();
        println!("  {address}, linked from {}", pages.join(", "));
    }
}
// ANCHOR_END: main
// ANCHOR_END: solution

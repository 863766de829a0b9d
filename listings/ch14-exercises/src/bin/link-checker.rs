// ANCHOR: solution
// ANCHOR: starter
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
        ("/team", vec!["/about", "/jobs"]),
        ("/blog", vec!["/", "/blog/1", "/blog/2"]),
        ("/blog/1", vec!["/blog", "/blog/3"]),
        ("/blog/2", vec!["/blog", "/blog/1", "/shop/sale"]),
        ("/shop", vec!["/", "/shop/cart", "/shop/sale"]),
        ("/shop/cart", vec!["/shop", "/checkout"]),
    ])
}

/// Fetches a page: its links, or `None` if there is no such page (a 404).
fn fetch(web: &Web, address: &str) -> Option<Vec<&'static str>> {
    thread::sleep(Duration::from_millis(2)); // the network is slow
    web.get(address).cloned()
}

/// A worker's answer: an address, and what `fetch` found there.
type Fetched = (&'static str, Option<Vec<&'static str>>);

/// What the link checker found.
struct Report {
    /// How many addresses were fetched.
    fetched: usize,
    /// Each address with no page, and the pages that link to it.
    broken: BTreeMap<&'static str, BTreeSet<&'static str>>,
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
        results.send((address, fetch(web, address))).unwrap();
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
        let mut missing = Vec::new();
        address_tx.send(start).unwrap();
        // Addresses sent to the pool whose result has not come back yet.
        let mut pending = 1;
        let mut fetched = 0;
        while pending > 0 {
            let (address, links) = result_rx.recv().unwrap();
            pending -= 1;
            fetched += 1;
            let Some(links) = links else {
                missing.push(address);
                continue;
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

        let broken = missing
            .into_iter()
            .map(|address| (address, linked_from.remove(address).unwrap_or_default()))
            .collect();
        Report { fetched, broken }
    })
}

// ANCHOR: main
fn main() {
    let web = make_web();
    let report = check_links(&web, "/", 4);
    println!("fetched {} addresses", report.fetched);
    println!("{} broken links:", report.broken.len());
    for (address, pages) in &report.broken {
        let pages: Vec<&str> = pages.iter().copied().collect();
        println!("  {address}, linked from {}", pages.join(", "));
    }
}
// ANCHOR_END: main
// ANCHOR_END: solution

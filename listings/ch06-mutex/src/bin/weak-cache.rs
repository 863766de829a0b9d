use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::thread;

/// Remembers the pages someone still uses, without keeping them alive.
#[derive(Default)]
struct Cache {
    pages: Mutex<HashMap<String, Weak<String>>>,
}

impl Cache {
    /// The page, and whether it had to be loaded.
    fn get(&self, name: &str) -> (Arc<String>, bool) {
        let mut pages = self.pages.lock().unwrap();
        if let Some(page) = pages.get(name).and_then(Weak::upgrade) {
            return (page, false);
        }
        let page = Arc::new(format!("the page {name}"));
        // A miss is a good moment to forget the pages nobody holds any more.
        pages.retain(|_, weak| weak.strong_count() > 0);
        pages.insert(name.to_owned(), Arc::downgrade(&page));
        (page, true)
    }
}

fn main() {
    let cache = Cache::default();
    let (page, loaded) = cache.get("index");
    println!("main: loaded {loaded}");

    // While main holds the page, the threads share it.
    thread::scope(|s| {
        let handles: Vec<_> = (1..=2).map(|_| s.spawn(|| cache.get("index"))).collect();
        for (id, handle) in (1..).zip(handles) {
            let (theirs, loaded) = handle.join().unwrap();
            println!(
                "thread {id}: loaded {loaded}, same page: {}",
                Arc::ptr_eq(&page, &theirs)
            );
        }
    });
    println!(
        "owners: {}, weak references: {}",
        Arc::strong_count(&page),
        Arc::weak_count(&page)
    );

    // The last owner drops it: the Weak in the cache can no longer upgrade.
    drop(page);
    let (_, loaded) = cache.get("index");
    println!("after the last owner dropped it: loaded {loaded}");

    // Nobody kept that copy either: the next miss removes its entry.
    let (_about, _) = cache.get("about");
    println!("pages in the cache: {}", cache.pages.lock().unwrap().len());
}

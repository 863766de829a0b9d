use std::sync::Arc;
use std::thread;

fn main() {
    let mut settings = Arc::new(vec![String::from("verbose")]);
    let snapshot = Arc::clone(&settings);

    // Shared: get_mut refuses, make_mut copies the Vec and changes the copy.
    println!("get_mut while shared: {:?}", Arc::get_mut(&mut settings));
    Arc::make_mut(&mut settings).push(String::from("color"));
    println!("still one Vec: {}", Arc::ptr_eq(&settings, &snapshot));

    // A reader that holds the old snapshot still sees it unchanged.
    let reader = thread::spawn(move || format!("{snapshot:?}"));
    println!("the reader's snapshot: {}", reader.join().unwrap());

    // Now the only owner: get_mut gives a &mut, and nothing is copied.
    Arc::get_mut(&mut settings)
        .unwrap()
        .push(String::from("utf-8"));
    println!("main's settings: {settings:?}");
}

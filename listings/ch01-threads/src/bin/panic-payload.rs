use std::any::Any;
use std::thread;

/// What a panic said, and the type it said it with.
fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        format!("a &str: {text:?}")
    } else if let Some(text) = payload.downcast_ref::<String>() {
        format!("a String: {text:?}")
    } else {
        "not a string".to_owned()
    }
}

fn main() {
    let fixed = thread::spawn(|| panic!("out of cheese"));
    let payload = fixed.join().unwrap_err();
    println!("main: the first payload is {}", message(&*payload));

    let formatted = thread::spawn(|| {
        let wanted = 3;
        panic!("wanted {wanted} cheeses")
    });
    let payload = formatted.join().unwrap_err();
    println!("main: the second payload is {}", message(&*payload));
}

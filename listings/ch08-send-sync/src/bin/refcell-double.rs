use std::cell::RefCell;

fn main() {
    let lines = RefCell::new(vec![String::from("kettle on")]);

    let first = lines.borrow(); // a shared borrow, alive until the last line
    println!("first line: {}", first[0]);

    lines.borrow_mut().push(String::from("tea made"));

    println!("still reading: {}", first[0]);
}

use std::sync::Mutex;

fn main() {
    let m = Mutex::new(5);

    {
        let mut num = m.lock().unwrap();
        *num = 6;
    } // `num`, the guard, is dropped here, and that releases the lock.

    println!("m = {m:?}");
}

use std::sync::{Mutex, TryLockError};

fn is_locked<T>(m: &Mutex<T>) -> bool {
    matches!(m.try_lock(), Err(TryLockError::WouldBlock))
}

fn main() {
    let jobs = Mutex::new(vec!["d", "c", "b", "a"]);

    // ANCHOR: held
    match jobs.lock().unwrap().pop() {
        Some(job) => println!("match arm ({job}):  locked = {}", is_locked(&jobs)),
        None => println!("match arm (none): locked = {}", is_locked(&jobs)),
    }

    if let Some(job) = jobs.lock().unwrap().pop() {
        println!("if let body ({job}): locked = {}", is_locked(&jobs));
    }

    while let Some(job) = jobs.lock().unwrap().pop() {
        println!("while let body ({job}): locked = {}", is_locked(&jobs));
    }
    // ANCHOR_END: held

    // ANCHOR: released
    if let Some(job) = jobs.lock().unwrap().pop() {
        println!("if let body ({job}): locked = {}", is_locked(&jobs));
    } else {
        println!("if let else:   locked = {}", is_locked(&jobs));
    }

    if jobs.lock().unwrap().is_empty() {
        println!("if body:       locked = {}", is_locked(&jobs));
    }

    jobs.lock().unwrap().push("e");
    let next = jobs.lock().unwrap().pop();
    match next {
        Some(job) => println!("match arm ({job}): locked = {}", is_locked(&jobs)),
        None => println!("match arm (none): locked = {}", is_locked(&jobs)),
    }
    // ANCHOR_END: released
}

use std::sync::mpsc;

fn main() {
    // Sending after the receiver is gone.
    let (tx, rx) = mpsc::channel();
    drop(rx);
    match tx.send(String::from("anyone there?")) {
        Ok(()) => println!("sent"),
        Err(error) => println!("send failed ({error}); it gives back {:?}", error.0),
    }

    // Receiving after every sender is gone.
    let (tx, rx) = mpsc::channel();
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    drop(tx);
    println!("{:?}", rx.recv());
    println!("{:?}", rx.recv());
    println!("{:?}", rx.recv());
}

use std::sync::mpsc::{self, TrySendError};

fn main() {
    let (tx, rx) = mpsc::sync_channel(2);

    println!("{:?}", tx.try_send("first"));
    println!("{:?}", tx.try_send("second"));
    let third = tx.try_send("third");
    println!("{third:?}");

    // The error hands the message back, so nothing is lost.
    if let Err(TrySendError::Full(message)) = third {
        println!("received {:?}, which makes room", rx.recv());
        println!("{:?}", tx.try_send(message));
    }

    drop(rx);
    println!("{:?}", tx.try_send("fourth"));
}

use std::cell::{Cell, RefCell};

/// Records what happens, through a shared reference.
struct Journal {
    entries: Cell<u32>,
    lines: RefCell<Vec<String>>,
}

impl Journal {
    fn write(&self, line: &str) {
        self.entries.set(self.entries.get() + 1);
        self.lines.borrow_mut().push(line.to_owned());
    }
}

fn main() {
    let journal = Journal {
        entries: Cell::new(0),
        lines: RefCell::new(Vec::new()),
    };

    // Two shared references to the same journal, both used to change it.
    let kitchen = &journal;
    let garden = &journal;
    kitchen.write("kettle on");
    garden.write("roses watered");
    kitchen.write("tea made");

    println!("entries: {}", journal.entries.get());
    println!("lines: {:?}", journal.lines.borrow());
}

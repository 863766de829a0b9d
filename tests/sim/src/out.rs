//! What a listing prints, one buffer per execution: `println!` and
//! `eprintln!` write here (in the order they run, as one pipe would get
//! them), and so does a panic, in the words std's panic hook uses.

use std::panic::PanicHookInfo;
use std::sync::Mutex;

static BUFFER: Mutex<String> = Mutex::new(String::new());
/// Whether this execution has panicked before (std notes the backtrace
/// variable only on the first panic).
static PANICKED: Mutex<bool> = Mutex::new(false);
/// The path the chapter's file is known by, for panic messages.
static SOURCE: Mutex<&'static str> = Mutex::new("");

/// `println!`: one line.
#[track_caller]
pub fn line(mut text: String) {
    text.push('\n');
    self::text(&text);
}

/// `print!`: text as it is.
#[track_caller]
pub fn text(text: &str) {
    let shown = text.strip_suffix('\n').unwrap_or(text);
    crate::trace::event(
        format!("{} prints “{shown}”", crate::trace::me()),
        Some(std::panic::Location::caller()),
    );
    push(text);
}

fn push(text: &str) {
    BUFFER.lock().unwrap().push_str(text);
}

/// What this execution has printed so far, left in place.
pub(crate) fn peek() -> String {
    BUFFER.lock().unwrap().clone()
}

/// Starts an execution's buffer.
pub(crate) fn reset() {
    BUFFER.lock().unwrap().clear();
    *PANICKED.lock().unwrap() = false;
}

/// What this execution has printed so far.
pub(crate) fn take() -> String {
    std::mem::take(&mut *BUFFER.lock().unwrap())
}

/// Panic messages go to the buffer, from now on, as std would print them;
/// `source` is the listing's path in the repository.
pub(crate) fn capture_panics(source: &'static str) {
    *SOURCE.lock().unwrap() = source;
    std::panic::set_hook(Box::new(panic_message));
}

fn panic_message(info: &PanicHookInfo<'_>) {
    // shuttle's own report of a failed execution is raised outside it.
    let Some(task) = shuttle_current() else {
        return;
    };
    let name = match shuttle::thread::current().name() {
        Some("main-thread") => "main".to_owned(),
        Some(name) => name.to_owned(),
        None => "<unnamed>".to_owned(),
    };
    let payload = info.payload();
    if crate::explore::is_deadlock(payload) {
        crate::waits::found(&crate::explore::message(payload));
        return;
    }
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "Box<dyn Any>".to_owned());
    let place = match info.location() {
        Some(location) => {
            let file = if location.file().ends_with(".listing.rs") {
                *SOURCE.lock().unwrap()
            } else {
                location.file()
            };
            format!("{file}:{}:{}", location.line(), location.column())
        }
        None => "<unknown>".to_owned(),
    };
    let mut text = format!("\nthread '{name}' ({task}) panicked at {place}:\n{message}\n");
    let mut panicked = PANICKED.lock().unwrap();
    if !*panicked {
        text.push_str(
            "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
        );
        *panicked = true;
    }
    push(&text);
}

/// The number of the running shuttle thread, if one runs.
fn shuttle_current() -> Option<usize> {
    let id = shuttle::current::try_get_current_task()?;
    Some(usize::from(id))
}

use std::fmt::Write;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Shows mdBook's log on stderr (warnings and errors, or more with
/// `BOOK_LOG=info`) and keeps the warnings and errors, so that a build that
/// "succeeded" with problems can still fail, and say why.
#[derive(Clone)]
pub struct Diagnostics {
    problems: Arc<Mutex<Vec<String>>>,
}

impl Diagnostics {
    pub fn install() -> Self {
        let diagnostics = Diagnostics {
            problems: Arc::default(),
        };
        let level = match std::env::var("BOOK_LOG").as_deref() {
            Ok("info") => LevelFilter::INFO,
            Ok("debug") => LevelFilter::DEBUG,
            _ => LevelFilter::WARN,
        };
        tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .without_time()
                    .with_target(false)
                    .with_filter(level),
            )
            .with(diagnostics.clone())
            .init();
        diagnostics
    }

    /// How many warnings and errors were logged so far.
    pub fn count(&self) -> usize {
        self.problems.lock().unwrap().len()
    }

    /// The warnings and errors logged after the first `count`.
    pub fn messages_since(&self, count: usize) -> Vec<String> {
        self.problems.lock().unwrap()[count..].to_vec()
    }
}

impl<S: Subscriber> Layer<S> for Diagnostics {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let level = *event.metadata().level();
        if level <= Level::WARN {
            let mut message = Message(format!("{level}: "));
            event.record(&mut message);
            self.problems.lock().unwrap().push(message.0);
        }
    }
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Shows mdBook's log on stderr (warnings and errors, or more with
/// `BOOK_LOG=info`) and counts the warnings and errors, so a build that
/// "succeeded" with problems can still fail.
#[derive(Clone)]
pub struct Diagnostics {
    problems: Arc<AtomicUsize>,
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
        self.problems.load(Ordering::Relaxed)
    }
}

impl<S: Subscriber> Layer<S> for Diagnostics {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() <= Level::WARN {
            self.problems.fetch_add(1, Ordering::Relaxed);
        }
    }
}

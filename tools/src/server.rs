//! `cargo book serve`: the book on 127.0.0.1 with live reload, and the local
//! playground its Run buttons use when the page comes from this server.

mod endpoints;
mod jobs;
mod live_reload;
mod routes;
mod same_site;
mod shutdown;
mod static_files;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::playground::{self, LIMITS, Playground};
use crate::site::Site;
use shutdown::{StopSignals, finish};

pub struct Options {
    /// The book's root (where book.toml is).
    pub root: PathBuf,
    /// The repository, whose toolchain and listing crates the playground uses.
    pub workspace: PathBuf,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
}

struct App {
    site: Arc<Site>,
    /// None when it could not start: Run then falls back to the public
    /// playground, as on any static host.
    playground: Option<Playground>,
    /// Miri for "Run under Miri", where its toolchain is installed.
    miri: Option<playground::MiriTools>,
    /// A job (compile and run) holds its slot until its processes are gone.
    jobs: Arc<Semaphore>,
    /// Taken by a Miri run before a job slot: Miri runs last long (up to
    /// its own time limit), and Run always keeps a slot they cannot take.
    miri_jobs: Arc<Semaphore>,
    /// `127.0.0.1:PORT` and `localhost:PORT`: the only names this server answers to.
    hosts: [String; 2],
}

/// Marks a response as coming from this server's playground, which is how
/// theme/head.hbs knows to send Run requests here.
const PLAYGROUND_HEADER: &str = "x-book-playground";

pub fn serve(options: Options, diagnostics: crate::Diagnostics) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run(options, diagnostics))
}

async fn run(options: Options, diagnostics: crate::Diagnostics) -> Result<()> {
    let target = verify::cargo::workspace_target(&options.workspace);
    // What servers that were killed (and could not clean up) left behind.
    playground::sweep_stale(&target, "book-serve-");
    let site = Site::new(
        &options.root,
        target.join(format!("book-serve-{}", std::process::id())),
        diagnostics,
    );
    let building = {
        let site = Arc::clone(&site);
        tokio::task::spawn_blocking(move || site.rebuild())
    };
    let workspace = options.workspace.clone();
    let playground = tokio::task::spawn_blocking(move || {
        let dir = std::env::var_os("BOOK_PLAYGROUND_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| target.join("playground"));
        let wrapper = std::env::current_exe().context("finding book-tools itself")?;
        Playground::new(&workspace, &dir, &wrapper)
    });
    building.await?;
    let playground = match playground.await? {
        Ok(playground) => {
            println!("{}", playground.containment().describe());
            Some(playground)
        }
        Err(error) => {
            eprintln!(
                "The local playground could not start, so the Run buttons will use the public \
                 one (play.rust-lang.org) when there is a network: {error:#}"
            );
            None
        }
    };
    let miri = match &playground {
        Some(_) => match playground::MiriTools::find(&options.workspace) {
            Ok(miri) => Some(miri),
            Err(error) => {
                println!("Run under Miri is off: {error:#}");
                None
            }
        },
        None => None,
    };
    if let Err(error) = Arc::clone(&site).watch() {
        eprintln!("Live reload is off, the book's files cannot be watched: {error:#}");
    }

    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], options.port)))
        .await
        .with_context(|| format!("listening on 127.0.0.1:{}", options.port))?;
    let port = listener.local_addr()?.port();
    let app = Arc::new(App {
        site: Arc::clone(&site),
        playground,
        miri,
        jobs: Arc::new(Semaphore::new(LIMITS.jobs)),
        miri_jobs: Arc::new(Semaphore::new(LIMITS.miri_jobs)),
        hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
    });

    let router = routes::router(&app);

    let stop_signals = StopSignals::listen().context("listening for SIGINT and SIGTERM")?;
    let url = format!("http://127.0.0.1:{port}/");
    println!("Serving the book at {url}");
    println!("Run buttons use this machine's toolchain. Press Ctrl-C to stop.");
    if options.open {
        open_browser(&url);
    }
    let (signalled, mut stopping) = tokio::sync::watch::channel(false);
    let shutdown = {
        let app = Arc::clone(&app);
        async move {
            stop_signals.received().await;
            // Running programs end now; their requests then end, and with
            // them the graceful shutdown.
            if let Some(playground) = &app.playground {
                playground.stop();
            }
            let _ = signalled.send(true);
        }
    };
    let server = axum::serve(listener, router).with_graceful_shutdown(shutdown);
    tokio::select! {
        result = server => result?,
        // A client that keeps its connection open does not hold us up long.
        () = async {
            let _ = stopping.wait_for(|stop| *stop).await;
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        } => {}
    }
    finish(&app, &site).await;
    Ok(())
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("Could not start a browser; open {url} yourself.");
    }
}

/// A refusal as the playground answers it: book.js shows `result`.
fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(playground::Response::refused(message))).into_response()
}

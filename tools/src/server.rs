//! `cargo book serve`: the book on 127.0.0.1 with live reload, and the local
//! playground its Run buttons use when the page comes from this server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::playground::{self, Control, LIMITS, PAGE_TIMEOUT, Playground};
use crate::render::LIVE_RELOAD_ENDPOINT;
use crate::site::Site;

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
    let target = target_dir(&options.workspace);
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
        hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
    });

    let mut router = Router::new();
    if app.playground.is_some() {
        router = router
            .route("/playground/meta/crates", get(crates).post(crates))
            .route("/playground/meta/limits", get(limits))
            .route("/playground/evaluate.json", post(evaluate));
    }
    if app.miri.is_some() {
        router = router
            .route("/playground/miri", get(miri_meta))
            .route("/playground/miri.json", post(miri_run));
    }
    let router = router
        .route(&format!("/{LIVE_RELOAD_ENDPOINT}"), get(live_reload))
        .fallback(book_file)
        .layer(DefaultBodyLimit::max(LIMITS.body_bytes))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            same_site_only,
        ))
        .with_state(Arc::clone(&app));

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
            stop_signal().await;
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

/// SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Waits (briefly) for running jobs to end, then removes this server's
/// files: its builds of the book and its jobs' directories.
async fn finish(app: &Arc<App>, site: &Site) {
    if app.playground.is_some() {
        let jobs = Arc::clone(&app.jobs);
        let all = u32::try_from(LIMITS.jobs).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(PAGE_TIMEOUT, jobs.acquire_many(all)).await;
    }
    site.clean_up();
    if let Some(playground) = &app.playground {
        let _ = std::fs::remove_dir_all(playground.jobs_dir());
    }
}

fn target_dir(workspace: &std::path::Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"))
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

/// Refuses requests addressed to another host name (DNS rebinding: a
/// hostile site whose name resolves to 127.0.0.1) and requests sent by pages
/// from another origin.
async fn same_site_only(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if !host.is_some_and(|host| app.hosts.iter().any(|known| known == host)) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "This server answers only to {} or {}.",
                app.hosts[0], app.hosts[1]
            ),
        );
    }
    // Every POST to the playground, as book.js sends them (meta/crates
    // included); evaluate.json, and any endpoint added later, runs code.
    let runs_code =
        request.method() == Method::POST && request.uri().path().starts_with("/playground/");
    let origin = request.headers().get(header::ORIGIN);
    // A page's POST carries its Origin; code runs only for the book's own.
    if origin.is_some() || runs_code {
        let allowed = origin.and_then(|o| o.to_str().ok()).is_some_and(|origin| {
            app.hosts
                .iter()
                .any(|host| origin == format!("http://{host}"))
        });
        if !allowed {
            return refuse(
                StatusCode::FORBIDDEN,
                "Only the book's own pages may use this server.".to_owned(),
            );
        }
    }
    // What book.js sends. A page of another site cannot send it without the
    // browser asking first (CORS preflight), which this server never allows.
    if runs_code {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Run requests are JSON (Content-Type: application/json), as book.js sends them."
                    .to_owned(),
            );
        }
    }
    next.run(request).await
}

/// A refusal as the playground answers it: book.js shows `result`.
fn refuse(status: StatusCode, message: String) -> Response {
    (status, axum::Json(playground::Response::refused(message))).into_response()
}

async fn crates(State(app): State<Arc<App>>) -> Response {
    let crates = app.playground.as_ref().map(Playground::crates);
    let body = serde_json::json!({ "crates": crates.unwrap_or_default() });
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(PLAYGROUND_HEADER, HeaderValue::from_static("1"));
    response
}

/// Every limit, and what contains programs on this system.
async fn limits(State(app): State<Arc<App>>) -> Response {
    let ms = |d: std::time::Duration| d.as_millis() as u64;
    axum::Json(serde_json::json!({
        "page_timeout_ms": ms(PAGE_TIMEOUT),
        "queue_wait_ms": ms(LIMITS.queue_wait),
        "run_ms": ms(LIMITS.run),
        "answer_margin_ms": ms(LIMITS.answer_margin),
        "compile_ms": ms(LIMITS.compile),
        "jobs": LIMITS.jobs,
        "body_bytes": LIMITS.body_bytes,
        "output_bytes": LIMITS.output_bytes,
        "cache_bytes": LIMITS.cache_bytes,
        "program": LIMITS.program,
        "rustc": LIMITS.rustc,
        "containment": app.playground.as_ref().map(Playground::containment),
    }))
    .into_response()
}

/// Cancels a job when the request that started it is dropped: its client
/// went away (book.js never does before its 6 s; a closed tab, a script).
struct CancelOnDrop(Control);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

async fn evaluate(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: playground::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("The request is not what the Run button sends: {error}"),
            );
        }
    };
    let evaluation = run_job(&app, move |app, control| match &app.playground {
        Some(playground) => playground.evaluate(&request, control),
        None => Err(anyhow::anyhow!("there is no local playground")),
    })
    .await;
    match evaluation {
        Ok(evaluation) => {
            let mut response = axum::Json(evaluation.response).into_response();
            let headers = response.headers_mut();
            headers.insert(PLAYGROUND_HEADER, HeaderValue::from_static("1"));
            headers.insert(
                "x-playground-cache",
                HeaderValue::from_static(if evaluation.cached { "hit" } else { "miss" }),
            );
            if let Ok(key) = HeaderValue::from_str(&evaluation.key) {
                headers.insert("x-playground-cache-key", key);
            }
            response
        }
        Err(refused) => refused,
    }
}

/// Runs one job of the playground: it waits for a slot, holds it until the
/// job and all it started are gone, and is cancelled if its client goes away.
async fn run_job<T: Send + 'static>(
    app: &Arc<App>,
    job: impl FnOnce(&App, &Control) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let control = Control::new();
    let permit =
        tokio::time::timeout(LIMITS.queue_wait, Arc::clone(&app.jobs).acquire_owned()).await;
    let Ok(Ok(permit)) = permit else {
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The local playground is busy ({} programs at once); try again in a moment.",
                LIMITS.jobs
            ),
        ));
    };
    let _cancel = CancelOnDrop(control.clone());
    let app = Arc::clone(app);
    let done = tokio::task::spawn_blocking(move || {
        // The slot goes back only once the job and all it started are gone.
        let _permit = permit;
        job(&app, &control)
    });
    match done.await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(error)) => Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The local playground failed: {error:#}"),
        )),
        Err(_) => Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The local playground failed.".to_owned(),
        )),
    }
}

/// That "Run under Miri" is here (theme/miri.js adds its buttons), and its limit.
async fn miri_meta(State(app): State<Arc<App>>) -> Response {
    let meta = app.miri.as_ref().map(playground::MiriTools::meta);
    let mut response = axum::Json(meta).into_response();
    response
        .headers_mut()
        .insert(PLAYGROUND_HEADER, HeaderValue::from_static("1"));
    response
}

/// Runs the code under Miri with the page's seed, as one job of the
/// playground (the same slots, containment and cancelling as Run).
async fn miri_run(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: playground::MiriRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("The request is not what the Miri button sends: {error}"),
            );
        }
    };
    let answer = run_job(&app, move |app, control| {
        match (&app.playground, &app.miri) {
            (Some(playground), Some(miri)) => playground.miri(miri, &request, control),
            _ => Err(anyhow::anyhow!("Miri is not available here")),
        }
    })
    .await;
    match answer {
        Ok(answer) => {
            let mut response = axum::Json(answer).into_response();
            response
                .headers_mut()
                .insert(PLAYGROUND_HEADER, HeaderValue::from_static("1"));
            response
        }
        Err(refused) => refused,
    }
}

async fn live_reload(State(app): State<Arc<App>>, upgrade: WebSocketUpgrade) -> Response {
    let mut reloads = app.site.reload.subscribe();
    upgrade.on_upgrade(move |mut socket: WebSocket| async move {
        if reloads.recv().await.is_ok() {
            let _ = socket.send(Message::Text("reload".into())).await;
        }
    })
}

/// A file of the last good build, with the latest build error on top of
/// every page while there is one.
async fn book_file(State(app): State<Arc<App>>, mut request: Request) -> Response {
    let (dir, error) = {
        let current = app.site.current();
        (current.dir.clone(), current.error.clone())
    };
    let Some(dir) = dir else {
        let error = error.unwrap_or_else(|| "The book is being built.".to_owned());
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Html(format!(
                "<!DOCTYPE html><title>Build failed</title>{}",
                banner(&error)
            )),
        )
            .into_response();
    };
    if error.is_some() {
        // The browser's copy has no banner: answer in full, not "304 Not
        // Modified".
        for name in [
            header::IF_MODIFIED_SINCE,
            header::IF_NONE_MATCH,
            header::IF_RANGE,
            header::RANGE,
        ] {
            request.headers_mut().remove(name);
        }
    }
    let not_found = ServeFile::new(dir.join("404.html"));
    let service = ServeDir::new(dir).not_found_service(not_found);
    let response = match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    match error {
        Some(error) if is_html(response.headers()) => with_banner(response, &error).await,
        _ => response,
    }
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

async fn with_banner(response: Response, error: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "could not read the page").into_response();
    };
    let page = String::from_utf8_lossy(&bytes);
    let page = match page
        .find("<body")
        .and_then(|at| page[at..].find('>').map(|end| at + end + 1))
    {
        Some(at) => format!("{}{}{}", &page[..at], banner(error), &page[at..]),
        None => format!("{}{page}", banner(error)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    // Never kept: once the book builds again, the page must be asked for anew.
    parts.headers.remove(header::LAST_MODIFIED);
    parts.headers.remove(header::ETAG);
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, Body::from(page))
}

/// The build error, shown above the page.
fn banner(error: &str) -> String {
    let escaped = error
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<div id=\"book-build-error\" style=\"position:sticky;top:0;z-index:1000;\
         background:#fde8e8;color:#611;border-bottom:2px solid #c33;padding:0.5em 1em;\
         font:14px/1.4 monospace;white-space:pre-wrap\"><strong>The book did not build; \
         this is the last good version.</strong>\n{escaped}</div>"
    )
}

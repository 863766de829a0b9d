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
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::playground::{self, LIMITS, Playground};
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
    playground: Playground,
    jobs: Semaphore,
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
        Playground::new(&workspace, &target.join("playground"))
    });
    building.await?;
    let playground = playground.await?.context("starting the local playground")?;
    Arc::clone(&site).watch()?;

    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], options.port)))
        .await
        .with_context(|| format!("listening on 127.0.0.1:{}", options.port))?;
    let port = listener.local_addr()?.port();
    let app = Arc::new(App {
        site: Arc::clone(&site),
        playground,
        jobs: Semaphore::new(LIMITS.jobs),
        hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
    });

    let router = Router::new()
        .route("/playground/meta/crates", get(crates).post(crates))
        .route("/playground/evaluate.json", post(evaluate))
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
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    site.clean_up();
    drop(app); // removes the playground's job directory
    Ok(())
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
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let allowed = origin.to_str().is_ok_and(|origin| {
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
    next.run(request).await
}

/// A refusal as the playground answers it: book.js shows `result`.
fn refuse(status: StatusCode, message: String) -> Response {
    (status, axum::Json(playground::Response::refused(message))).into_response()
}

async fn crates(State(app): State<Arc<App>>) -> Response {
    let body = serde_json::json!({ "crates": app.playground.crates() });
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(PLAYGROUND_HEADER, HeaderValue::from_static("1"));
    response
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
    let permit = tokio::time::timeout(LIMITS.queue_wait, app.jobs.acquire()).await;
    let Ok(Ok(permit)) = permit else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The local playground is busy ({} programs at once); try again in a moment.",
                LIMITS.jobs
            ),
        );
    };
    let job = {
        let app = Arc::clone(&app);
        tokio::task::spawn_blocking(move || app.playground.evaluate(&request))
    };
    let outcome = job.await;
    drop(permit);
    match outcome {
        Ok(Ok((answer, cached))) => {
            let mut response = axum::Json(answer).into_response();
            let headers = response.headers_mut();
            headers.insert(PLAYGROUND_HEADER, HeaderValue::from_static("1"));
            headers.insert(
                "x-playground-cache",
                HeaderValue::from_static(if cached { "hit" } else { "miss" }),
            );
            response
        }
        Ok(Err(error)) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The local playground failed: {error:#}"),
        ),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The local playground failed.".to_owned(),
        ),
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
async fn book_file(State(app): State<Arc<App>>, request: Request) -> Response {
    let (dir, error) = {
        let current = app.site.current.read().unwrap();
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
    let response = match ServeDir::new(dir).oneshot(request).await {
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

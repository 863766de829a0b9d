//! The book's files from its last good build, with the latest build error on top.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::App;

/// A file of the last good build, with the latest build error on top of
/// every page while there is one.
pub(super) async fn book_file(State(app): State<Arc<App>>, mut request: Request) -> Response {
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
    // `//css` would be redirected to `//css/`, which a browser reads as
    // another site: a path is this site's, with one leading slash.
    if request.uri().path().starts_with("//") {
        let path = request.uri().path().trim_start_matches('/');
        let query = request
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        if let Ok(uri) = format!("/{path}{query}").parse() {
            *request.uri_mut() = uri;
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

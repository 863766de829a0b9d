//! The check every request passes first: only this server's names and the book's pages.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::{App, refuse};

/// Refuses requests addressed to another host name (DNS rebinding: a
/// hostile site whose name resolves to 127.0.0.1) and requests sent by pages
/// from another origin.
pub(super) async fn same_site_only(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
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

//! Which path goes where, behind the same-site check and the body limit.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};

use super::App;
use super::endpoints::{crates, evaluate, limits, miri_meta, miri_run};
use super::live_reload::live_reload;
use super::same_site::same_site_only;
use super::static_files::book_file;
use crate::playground::LIMITS;
use crate::render::LIVE_RELOAD_ENDPOINT;

/// Every route the server answers, for `app`.
pub(super) fn router(app: &Arc<App>) -> Router {
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
    router
        .route(&format!("/{LIVE_RELOAD_ENDPOINT}"), get(live_reload))
        .fallback(book_file)
        .layer(DefaultBodyLimit::max(LIMITS.body_bytes))
        .layer(middleware::from_fn_with_state(
            Arc::clone(app),
            same_site_only,
        ))
        .with_state(Arc::clone(app))
}

//! The playground's endpoints: `meta/crates`, `meta/limits`, `evaluate.json` and Miri's.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::jobs::{Slot, run_job};
use super::{App, PLAYGROUND_HEADER, refuse};
use crate::playground::{self, LIMITS, PAGE_TIMEOUT, Playground};

pub(super) async fn crates(State(app): State<Arc<App>>) -> Response {
    let crates = app.playground.as_ref().map(Playground::crates);
    let body = serde_json::json!({ "crates": crates.unwrap_or_default() });
    from_playground(axum::Json(body).into_response())
}

/// Every limit, and what contains programs on this system.
pub(super) async fn limits(State(app): State<Arc<App>>) -> Response {
    let ms = |d: std::time::Duration| d.as_millis() as u64;
    axum::Json(serde_json::json!({
        "page_timeout_ms": ms(PAGE_TIMEOUT),
        "queue_wait_ms": ms(LIMITS.queue_wait),
        "run_ms": ms(LIMITS.run),
        "answer_margin_ms": ms(LIMITS.answer_margin),
        "compile_ms": ms(LIMITS.compile),
        "jobs": LIMITS.jobs,
        "miri_jobs": LIMITS.miri_jobs,
        "body_bytes": LIMITS.body_bytes,
        "output_bytes": LIMITS.output_bytes,
        "cache_bytes": LIMITS.cache_bytes,
        "program": LIMITS.program,
        "rustc": LIMITS.rustc,
        "containment": app.playground.as_ref().map(Playground::containment),
    }))
    .into_response()
}

pub(super) async fn evaluate(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: playground::Request = match parse(&body, "Run") {
        Ok(request) => request,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message),
    };
    let evaluation = run_job(&app, Slot::Run, move |app, control| match &app.playground {
        Some(playground) => playground.evaluate(&request, control),
        None => Err(anyhow::anyhow!("there is no local playground")),
    })
    .await;
    match evaluation {
        Ok(evaluation) => {
            let mut response = from_playground(axum::Json(evaluation.response).into_response());
            let headers = response.headers_mut();
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

/// That "Run under Miri" is here (theme/miri.js adds its buttons), and its limit.
pub(super) async fn miri_meta(State(app): State<Arc<App>>) -> Response {
    let meta = app.miri.as_ref().map(playground::MiriTools::meta);
    from_playground(axum::Json(meta).into_response())
}

/// Runs the code under Miri with the page's seed, as one job of the
/// playground (the same slots, containment and cancelling as Run).
pub(super) async fn miri_run(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: playground::MiriRequest = match parse(&body, "Miri") {
        Ok(request) => request,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message),
    };
    let answer = run_job(&app, Slot::Miri, move |app, control| {
        match (&app.playground, &app.miri) {
            (Some(playground), Some(miri)) => playground.miri(miri, &request, control),
            _ => Err(anyhow::anyhow!("Miri is not available here")),
        }
    })
    .await;
    match answer {
        Ok(answer) => from_playground(axum::Json(answer).into_response()),
        Err(refused) => refused,
    }
}

/// A request's body as `button` sends it, or why it is not.
fn parse<T: DeserializeOwned>(body: &[u8], button: &str) -> Result<T, String> {
    serde_json::from_slice(body)
        .map_err(|error| format!("The request is not what the {button} button sends: {error}"))
}

/// `response`, marked as coming from this server's playground.
fn from_playground(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(PLAYGROUND_HEADER, HeaderValue::from_static("1"));
    response
}

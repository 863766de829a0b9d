//! Live reload: a WebSocket that says "reload" once the book has been rebuilt.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;

use super::App;

pub(super) async fn live_reload(
    State(app): State<Arc<App>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let mut reloads = app.site.reload.subscribe();
    upgrade.on_upgrade(move |mut socket: WebSocket| async move {
        if reloads.recv().await.is_ok() {
            let _ = socket.send(Message::Text("reload".into())).await;
        }
    })
}

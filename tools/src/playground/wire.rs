//! The bodies of `evaluate.json` and `meta/crates`, as book.js sends and reads them.

use serde::{Deserialize, Serialize};

/// The body of `evaluate.json`, as mdBook's book.js sends it.
#[derive(Debug, Deserialize)]
pub struct Request {
    pub code: String,
    #[serde(default = "default_edition")]
    pub edition: String,
    #[serde(default)]
    pub optimize: Option<String>,
    /// `stable` or `nightly`; the pinned toolchain answers both.
    #[serde(default)]
    pub version: Option<String>,
}

fn default_edition() -> String {
    "2015".to_owned()
}

/// What `evaluate.json` answers. book.js shows `result` only, so it carries
/// everything a reader should see, errors included.
#[derive(Debug, Serialize)]
pub struct Response {
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Response {
    /// A refusal the reader sees in place of the output.
    pub fn refused(message: impl Into<String>) -> Self {
        let message = message.into();
        Response {
            result: message.clone(),
            error: Some(message),
        }
    }
}

/// A library the listings depend on, offered to the code a page sends.
#[derive(Debug, Clone, Serialize)]
pub struct Crate {
    pub name: String,
    pub version: String,
    /// The name code uses (`crossbeam_channel`); book.js matches on it.
    pub id: String,
    /// Its rlib's file name, in the playground's copy of the dependencies.
    #[serde(skip)]
    pub(super) rlib: String,
}

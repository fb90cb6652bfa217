//! One check of `plumbline doctor`: what it looked at, how it stands, and the fix.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Something is missing that the app works around.
    Warning,
    /// Something that stops the app doing its job here.
    Problem,
}

/// One thing checked.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// How to fix it; `null` when nothing needs fixing.
    pub fix: Option<String>,
}

impl Check {
    pub(super) fn ok(name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            name,
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    pub(super) fn bad(
        name: &'static str,
        status: Status,
        detail: impl Into<String>,
        fix: &str,
    ) -> Self {
        Self {
            name,
            status,
            detail: detail.into(),
            fix: Some(fix.to_string()),
        }
    }
}

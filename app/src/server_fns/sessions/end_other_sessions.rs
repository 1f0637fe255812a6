use leptos::prelude::*;

use crate::error::AppError;

/// Signs the user out everywhere but here.
#[server(name = EndOtherSessions, prefix = "/_roster", endpoint = "sessions/end_others")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    core.end_other_sessions(&principal).await?;
    Ok(())
}

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The number of users at a moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCountReading {
    pub count: i64,
    pub read_at: String,
}

#[server(name = UserCount, prefix = "/_roster", endpoint = "stats/user_count")]
pub async fn user_count() -> Result<UserCountReading, AppError> {
    let (core, principal) = super::super::principal().await?;
    let count = core.user_count(&principal).await?;
    Ok(UserCountReading {
        count,
        read_at: chrono::Utc::now().format("%H:%M:%S%.3f UTC").to_string(),
    })
}

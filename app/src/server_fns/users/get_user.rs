use leptos::prelude::*;
use roster::domain::user::User;
use uuid::Uuid;

use crate::error::AppError;

#[server(name = GetUser, prefix = "/_roster", endpoint = "users/get")]
pub async fn get_user(uuid: Uuid) -> Result<User, AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.get_user(&principal, uuid).await?)
}

use leptos::prelude::*;

use super::UserForm;
use crate::error::AppError;

/// Creates a user and opens it (works as a plain form post too).
#[server(name = CreateUser, prefix = "/_roster", endpoint = "users/create")]
pub async fn create_user(form: UserForm) -> Result<(), AppError> {
    use super::super::non_empty;
    use roster::domain::user::{CreateUserRequest, NewUser};

    let (core, principal) = super::super::principal().await?;
    let role_uuid = match non_empty(form.role_uuid) {
        Some(raw) => Some(
            raw.parse()
                .map_err(|_| roster::CoreError::invalid_field("role_uuid", "unknown role"))?,
        ),
        None => None,
    };
    let request = CreateUserRequest {
        username: form.username,
        email: form.email,
        name_first: form.name_first,
        name_last: form.name_last,
        password: non_empty(form.password),
        admin: Some(form.admin.is_some()),
        language: non_empty(form.language),
        role_uuid,
        external_id: non_empty(form.external_id),
    };
    let user = core
        .create_user(&principal, NewUser::try_from(request)?)
        .await?;
    leptos_axum::redirect(&format!("/users/{}", user.uuid));
    Ok(())
}

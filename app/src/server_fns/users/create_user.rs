use leptos::prelude::*;

use super::UserForm;
use crate::error::AppError;

/// Creates a user and opens it (works as a plain form post too).
#[server(name = CreateUser, prefix = "/_roster", endpoint = "users/create")]
pub async fn create_user(form: UserForm) -> Result<(), AppError> {
    use roster::domain::user::NewUser;

    let (core, principal) = super::super::principal().await?;
    let request = form.into_create_request()?;
    let user = core
        .create_user(&principal, NewUser::try_from(request)?)
        .await?;
    leptos_axum::redirect(&format!("/users/{}", user.uuid));
    Ok(())
}

use leptos::prelude::*;
use uuid::Uuid;

use super::UserForm;
use crate::error::AppError;

/// Saves the edit form. Only fields that differ from the stored user are sent to the core, so
/// an unchanged field never trips a guardrail (a role admin may save a form showing an email).
/// A form carrying the version it was loaded at is refused if the user changed since.
#[server(name = UpdateUser, prefix = "/_roster", endpoint = "users/update")]
pub async fn update_user(
    uuid: Uuid,
    form: UserForm,
) -> Result<roster::domain::user::User, AppError> {
    use roster::domain::precondition::Precondition;
    use roster::domain::user::UserPatch;

    let (core, principal) = super::super::principal().await?;
    let precondition = super::super::non_empty(form.version.clone())
        .map_or(Precondition::None, |version| {
            Precondition::OneOf(vec![version])
        });
    let current = core.get_user(&principal, uuid).await?;
    let request = form.into_update_request()?.changes_from(&current);
    Ok(core
        .update_user(
            &principal,
            uuid,
            UserPatch::try_from(request)?,
            &precondition,
        )
        .await?)
}

use leptos::prelude::*;
use uuid::Uuid;

use super::UserForm;
use crate::error::AppError;

/// Saves the edit form. Only fields that differ from the stored user are sent to the core, so
/// an unchanged field never trips a guardrail (a role admin may save a form showing an email).
#[server(name = UpdateUser, prefix = "/_roster", endpoint = "users/update")]
pub async fn update_user(
    uuid: Uuid,
    form: UserForm,
) -> Result<roster::domain::user::User, AppError> {
    use super::super::non_empty;
    use roster::domain::user::{UpdateUserRequest, UserPatch};

    let (core, principal) = super::super::principal().await?;
    let current = core.get_user(&principal, uuid).await?;
    let changed = |new: String, old: &str| (new != old).then_some(new);
    let role_uuid = match non_empty(form.role_uuid) {
        Some(raw) => Some(
            raw.parse::<Uuid>()
                .map_err(|_| roster::CoreError::invalid_field("role_uuid", "unknown role"))?,
        ),
        None => None,
    };
    let external_id = non_empty(form.external_id);
    let admin = form.admin.is_some();
    let language = non_empty(form.language);
    let request = UpdateUserRequest {
        username: changed(form.username, &current.username),
        email: changed(form.email, &current.email),
        name_first: changed(form.name_first, &current.name_first),
        name_last: changed(form.name_last, &current.name_last),
        password: non_empty(form.password),
        admin: (admin != current.admin).then_some(admin),
        language: language.filter(|l| *l != current.language),
        role_uuid: (role_uuid != current.role.as_ref().map(|r| r.uuid)).then_some(role_uuid),
        external_id: (external_id != current.external_id).then_some(external_id),
    };
    Ok(core
        .update_user(&principal, uuid, UserPatch::try_from(request)?)
        .await?)
}

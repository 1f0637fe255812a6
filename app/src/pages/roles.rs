use leptos::prelude::*;
use leptos_meta::Title;
use roster::Permission;
use roster::domain::role::Role;

use crate::components::feedback::{ErrorNote, FormErrors, action_errors, load_error};
use crate::components::layout::MeResource;
use crate::components::permissions::PermissionPicker;
use crate::server_fns::roles::{DeleteRole, SaveRole, list_roles};

fn role_form(
    action: ServerAction<SaveRole>,
    role: Option<Role>,
    offered: Vec<Permission>,
    errors: Signal<FormErrors>,
) -> impl IntoView {
    let editing = role.is_some();
    let id = role
        .as_ref()
        .map(|r| r.uuid.to_string())
        .unwrap_or_default();
    let prefix = if editing {
        format!("role-{id}")
    } else {
        "new-role".to_owned()
    };
    let checked = role
        .as_ref()
        .map(|r| r.admin_permissions.clone())
        .unwrap_or_default();
    view! {
        <ActionForm action=action>
            {editing.then(|| view! { <input type="hidden" name="uuid" value=id.clone() /> })}
            <div class="grid">
                <div class="field">
                    <label for=format!("{prefix}-name")>"Name"</label>
                    <input id=format!("{prefix}-name") name="name" type="text" required maxlength="64"
                        value=role.as_ref().map(|r| r.name.clone()).unwrap_or_default() />
                    <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("name"))}</p>
                </div>
                <div class="field">
                    <label for=format!("{prefix}-description")>"Description"</label>
                    <input id=format!("{prefix}-description") name="description" type="text" maxlength="1024"
                        value=role.as_ref().and_then(|r| r.description.clone()).unwrap_or_default() />
                </div>
            </div>
            <PermissionPicker name="admin_permissions" id_prefix=prefix.clone() offered=offered checked=checked />
            <div class="field field-check">
                <label class="check" for=format!("{prefix}-require_two_factor")>
                    <input type="checkbox" id=format!("{prefix}-require_two_factor") name="require_two_factor" value="on"
                        checked=role.as_ref().is_some_and(|r| r.require_two_factor) />
                    <span>"Require two-factor sign-in" <span class="muted">" — members without it cannot use the admin area"</span></span>
                </label>
            </div>
            <ErrorNote message=Signal::derive(move || errors.get().general) />
            <button class="button" type="submit">{if editing { "Save role" } else { "Create role" }}</button>
        </ActionForm>
    }
}

#[component]
pub fn RolesPage() -> impl IntoView {
    let save = ServerAction::<SaveRole>::new();
    let remove = ServerAction::<DeleteRole>::new();
    let roles = Resource::new(
        move || (save.version().get(), remove.version().get()),
        |_| list_roles(),
    );
    let errors = action_errors(save);
    let me = expect_context::<MeResource>().0;
    view! {
        <Title text="Roles · Roster" />
        <h1>"Roles"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading roles…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    let me = me.await.ok().flatten();
                    let offered = me.as_ref().map(|m| m.permissions.clone()).unwrap_or_default();
                    let can_create = me.as_ref().is_some_and(|m| m.can(Permission::RolesCreate));
                    let can_update = me.as_ref().is_some_and(|m| m.can(Permission::RolesUpdate));
                    let can_delete = me.as_ref().is_some_and(|m| m.can(Permission::RolesDelete));
                    roles.await.map(|page| {
                        let rows = page.data.into_iter().map(|role| {
                            let uuid = role.uuid.to_string();
                            let permissions = role.admin_permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ");
                            let offered = offered.clone();
                            view! {
                                <li class="card role">
                                    <div class="role-head">
                                        <h2>{role.name.clone()}</h2>
                                        <p class="muted">{role.description.clone().unwrap_or_default()}</p>
                                        <p><small>{if permissions.is_empty() { "No admin permissions".to_owned() } else { permissions }}</small></p>
                                    </div>
                                    {can_update.then(|| view! {
                                        <details>
                                            <summary>"Edit " {role.name.clone()}</summary>
                                            {role_form(save, Some(role.clone()), offered, errors)}
                                        </details>
                                    })}
                                    {can_delete.then(|| view! {
                                        <ActionForm action=remove>
                                            <input type="hidden" name="uuid" value=uuid />
                                            <button class="button button-danger" type="submit">"Delete role"</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view();
                        view! {
                            {can_create.then(|| view! {
                                <section class="card">
                                    <h2>"New role"</h2>
                                    {role_form(save, None, offered.clone(), errors)}
                                </section>
                            })}
                            <p class="muted" data-testid="total">{page.total} " roles"</p>
                            <ul class="roles">{rows}</ul>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

use leptos::prelude::*;
use roster::domain::fields::{Email, ExternalId, LANGUAGES, Password, PersonName, Username};
use roster::domain::role::Role;
use roster::domain::user::User;

use super::feedback::FormErrors;

/// One labelled input whose value is checked by the core's own rule as the person types; the
/// server's verdict for the field, when there is one, shows in the same place.
#[component]
fn Field(
    #[prop(into)] name: &'static str,
    #[prop(into)] label: &'static str,
    #[prop(into)] value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = false)] required: bool,
    #[prop(optional, into)] hint: Option<&'static str>,
    rule: fn(String) -> Result<(), String>,
    server: Signal<FormErrors>,
) -> impl IntoView {
    let (local, set_local) = signal(None::<String>);
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = move || local.get().or_else(|| server.with(|e| e.field(name)));
    let describedby = error_id.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=format!("form[{name}]")
                type=kind
                value=value
                required=required
                autocomplete="off"
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=describedby
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    let verdict = if value.is_empty() && !required { Ok(()) } else { rule(value) };
                    set_local.set(verdict.err());
                }
            />
            {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{message}</p>
        </div>
    }
}

/// Every field of the contract's user, for the create and edit forms.
#[component]
pub fn UserFields(
    user: Option<User>,
    roles: Option<Vec<Role>>,
    #[prop(into)] errors: Signal<FormErrors>,
) -> impl IntoView {
    let creating = user.is_none();
    let user = user.unwrap_or_else(User::blank);
    let current_role = user.role.as_ref().map(|r| r.uuid);
    let role_choice = match roles {
        Some(roles) => view! {
            <div class="field">
                <label for="field-role_uuid">"Role"</label>
                <select id="field-role_uuid" name="form[role_uuid]">
                    <option value="" selected=current_role.is_none()>"No role"</option>
                    {roles
                        .into_iter()
                        .map(|role| {
                            view! {
                                <option value=role.uuid.to_string() selected=current_role == Some(role.uuid)>
                                    {role.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("role_uuid"))}</p>
            </div>
        }
        .into_any(),
        None => view! {
            <input type="hidden" name="form[role_uuid]" value=current_role.map(|r| r.to_string()).unwrap_or_default() />
        }
        .into_any(),
    };
    let language = user.language.clone();
    view! {
        <div class="grid">
            <Field name="username" label="Username" value=user.username.clone() required=true
                hint="3 to 15 letters, digits or underscores."
                rule=|v| Username::parse(v).map(|_| ()) server=errors />
            <Field name="email" label="Email" value=user.email.clone() kind="email" required=true
                rule=|v| Email::parse(v).map(|_| ()) server=errors />
            <Field name="name_first" label="First name" value=user.name_first.clone() required=true
                rule=|v| PersonName::parse(v).map(|_| ()) server=errors />
            <Field name="name_last" label="Last name" value=user.name_last.clone() required=true
                rule=|v| PersonName::parse(v).map(|_| ()) server=errors />
            <Field name="password" label=if creating { "Password (optional)" } else { "New password (optional)" }
                value=String::new() kind="password"
                hint=if creating {
                    "Leave empty and the user sets a password later, through the reset flow."
                } else {
                    "Leave empty to keep the current password."
                }
                rule=|v| Password::parse(v).map(|_| ()) server=errors />
            <Field name="external_id" label="External ID (optional)" value=user.external_id.clone().unwrap_or_default()
                hint="An identifier from another system, such as billing."
                rule=|v| ExternalId::parse(v).map(|_| ()) server=errors />
            <div class="field">
                <label for="field-language">"Language"</label>
                <select id="field-language" name="form[language]">
                    {LANGUAGES
                        .iter()
                        .map(|(code, name)| {
                            view! { <option value=*code selected=*code == language>{*name} " (" {*code} ")"</option> }
                        })
                        .collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("language"))}</p>
            </div>
            {role_choice}
            <div class="field field-check">
                <label class="check" for="field-admin">
                    <input type="checkbox" id="field-admin" name="form[admin]" value="on" checked=user.admin />
                    <span>"Global admin" <span class="muted">" — every permission, everywhere"</span></span>
                </label>
            </div>
            {creating.then(|| view! {
                <div class="field field-check">
                    <label class="check" for="field-send_email">
                        <input type="checkbox" id="field-send_email" name="form[send_email]" value="on" />
                        <span>"Mail a set-password link" <span class="muted">" — the new user chooses a password; the link works 24 hours"</span></span>
                    </label>
                </div>
            })}
            <div class="field field-check">
                <label class="check" for="field-suspended">
                    <input type="checkbox" id="field-suspended" name="form[suspended]" value="on" checked=user.suspended />
                    <span>"Suspended" <span class="muted">" — signed out everywhere; no sign-in, no API keys"</span></span>
                </label>
                <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("suspended"))}</p>
            </div>
            <div class="field field-check">
                <label class="check" for="field-frozen">
                    <input type="checkbox" id="field-frozen" name="form[frozen]" value="on" checked=user.frozen />
                    <span>"Frozen" <span class="muted">" — cannot change their own sign-in details; admins still can"</span></span>
                </label>
            </div>
        </div>
    }
}

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorNote, action_errors, describe, load_error};
use crate::server_fns::oauth_providers::{
    CreateMapping, CreateProvider, DeleteMapping, DeleteProvider, ProviderSummary,
    SetProviderEnabled, list_providers,
};
use crate::server_fns::roles::list_roles;

/// A text field of the new provider form, with the error the server named for it.
fn text_field(
    errors: Signal<crate::components::feedback::FormErrors>,
    name: &'static str,
    label: &'static str,
    placeholder: &'static str,
    required: bool,
) -> impl IntoView {
    let id = format!("provider-{name}");
    let label_for = id.clone();
    view! {
        <div class="field">
            <label for=label_for>{label}</label>
            <input id=id name=format!("form[{name}]") type="text" placeholder=placeholder required=required />
            <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field(name))}</p>
        </div>
    }
}

fn flag(name: &'static str, label: &'static str, checked: bool) -> impl IntoView {
    let id = format!("provider-{name}");
    let label_for = id.clone();
    view! {
        <div class="field field-check">
            <label class="check" for=label_for>
                <input type="checkbox" id=id name=format!("form[{name}]") value="on" checked=checked />
                <span>{label}</span>
            </label>
        </div>
    }
}

/// Sign-in providers: each with its claim mappings, a switch, and a delete; and a form for a new
/// one.
#[component]
pub fn OAuthProvidersPage() -> impl IntoView {
    let create = ServerAction::<CreateProvider>::new();
    let switch = ServerAction::<SetProviderEnabled>::new();
    let remove = ServerAction::<DeleteProvider>::new();
    let add_mapping = ServerAction::<CreateMapping>::new();
    let remove_mapping = ServerAction::<DeleteMapping>::new();
    let providers = Resource::new(
        move || {
            (
                create.version().get(),
                switch.version().get(),
                remove.version().get(),
                add_mapping.version().get(),
                remove_mapping.version().get(),
            )
        },
        |_| list_providers(),
    );
    let roles = Resource::new(|| (), |_| list_roles());
    let errors = action_errors(create);
    let mapping_errors = action_errors(add_mapping);
    let row_error = move || {
        [
            switch.value().get().and_then(|r| r.err()),
            remove.value().get().and_then(|r| r.err()),
            remove_mapping.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| describe(&e))
    };
    let field = move |name, label, placeholder, required| {
        text_field(errors, name, label, placeholder, required)
    };
    view! {
        <Title text="Sign-in providers · Roster" />
        <h1>"Sign-in providers"</h1>
        <ErrorNote message=Signal::derive(row_error) />
        <Transition fallback=|| view! { <p class="muted">"Loading providers…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    let roles: Vec<(uuid::Uuid, String)> = roles
                        .await
                        .map(|page| page.data.into_iter().map(|role| (role.uuid, role.name)).collect())
                        .unwrap_or_default();
                    providers.await.map(move |providers| {
                        let empty = providers.is_empty();
                        let cards = providers
                            .into_iter()
                            .map(|provider| provider_card(provider, roles.clone(), switch, remove, add_mapping, remove_mapping, mapping_errors))
                            .collect_view();
                        view! {
                            {empty.then(|| view! { <p class="empty">"No sign-in providers yet."</p> })}
                            {cards}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <section class="card" aria-labelledby="new-provider-heading">
            <h2 id="new-provider-heading">"New provider"</h2>
            <p class="hint">"Register Roster at the provider with the redirect URI shown on the provider once it is created."</p>
            <ActionForm action=create attr:class="grid">
                {field("name", "Name", "Company SSO", true)}
                {field("client_id", "Client id", "", true)}
                <div class="field">
                    <label for="provider-client_secret">"Client secret"</label>
                    <input id="provider-client_secret" name="form[client_secret]" type="password" autocomplete="off" required />
                    <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("client_secret"))}</p>
                </div>
                {field("issuer", "Issuer (checks ID tokens; optional)", "https://sso.example.com/realms/staff", false)}
                {field("auth_url", "Authorization URL", "https://…/auth", true)}
                {field("token_url", "Token URL", "https://…/token", true)}
                {field("info_url", "Userinfo URL", "https://…/userinfo", true)}
                {field("scopes", "Scopes (separated by spaces)", "openid email profile", false)}
                {field("identifier_path", "Identifier path", "$.sub", true)}
                {field("email_path", "Email path", "$.email", false)}
                {field("username_path", "Username path", "$.preferred_username", false)}
                {field("name_first_path", "First name path", "$.given_name", false)}
                {field("name_last_path", "Last name path", "$.family_name", false)}
                {flag("enabled", "On: offered on the sign-in page", true)}
                {flag("login_only", "Sign-in only: creates no users", false)}
                {flag("login_bypass_two_factor", "Stands in for two-factor sign-in", false)}
                {flag("link_viewable", "Users see their link", true)}
                {flag("user_manageable", "Users link and unlink it themselves", true)}
                {flag("basic_auth", "Client secret by HTTP Basic", true)}
                <ErrorNote message=Signal::derive(move || errors.get().general) />
                <div class="actions"><button class="button" type="submit">"Create provider"</button></div>
            </ActionForm>
        </section>
    }
}

fn provider_card(
    provider: ProviderSummary,
    roles: Vec<(uuid::Uuid, String)>,
    switch: ServerAction<SetProviderEnabled>,
    remove: ServerAction<DeleteProvider>,
    add_mapping: ServerAction<CreateMapping>,
    remove_mapping: ServerAction<DeleteMapping>,
    mapping_errors: Signal<crate::components::feedback::FormErrors>,
) -> impl IntoView {
    let id = provider.uuid.to_string();
    let (switch_id, remove_id, mapping_id) = (id.clone(), id.clone(), id.clone());
    let heading = format!("provider-{id}");
    let labelled_by = heading.clone();
    let matcher_id = format!("matcher-{id}");
    let matcher_for = matcher_id.clone();
    let role_id = format!("role-{id}");
    let role_for = role_id.clone();
    let revoke_id = format!("revoke-{id}");
    let revoke_for = revoke_id.clone();
    let state = if provider.enabled { "on" } else { "off" };
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid="provider">
            <h2 id=heading>{provider.name.clone()}</h2>
            <p class="muted">
                {format!("{state} · client {} · {}", provider.client_id, provider.auth_url)}
                {provider.login_only.then_some(" · sign-in only")}
                {provider.issuer.map(|issuer| format!(" · ID tokens checked against {issuer}"))}
            </p>
            <p class="hint">"Redirect URI: " <code>{provider.redirect_uri.clone()}</code></p>
            <div class="actions">
                <ActionForm action=switch attr:class="inline">
                    <input type="hidden" name="uuid" value=switch_id />
                    <input type="hidden" name="enabled" value=(!provider.enabled).to_string() />
                    <button class="button button-quiet" type="submit">{if provider.enabled { "Turn off" } else { "Turn on" }}</button>
                </ActionForm>
                <ActionForm action=remove attr:class="inline">
                    <input type="hidden" name="uuid" value=remove_id />
                    <button class="button button-danger" type="submit">"Delete"</button>
                </ActionForm>
            </div>
            <h3>"Claim mappings"</h3>
            {provider.mappings.is_empty().then(|| view! { <p class="muted">"None: users keep the role an admin gives them."</p> })}
            <ul class="plain">
                {provider.mappings.into_iter().map(|mapping| {
                    let provider = id.clone();
                    view! {
                        <li class="server-row" data-testid="mapping">
                            <span>
                                <code>{mapping.matcher}</code> " → " {mapping.role}
                                {mapping.revoke_unmatched.then_some(" (taken away when unmatched)")}
                            </span>
                            <ActionForm action=remove_mapping attr:class="inline">
                                <input type="hidden" name="provider" value=provider />
                                <input type="hidden" name="uuid" value=mapping.uuid.to_string() />
                                <button class="button button-quiet" type="submit">"Remove"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ActionForm action=add_mapping attr:class="grid">
                <input type="hidden" name="provider" value=mapping_id />
                <div class="field">
                    <label for=matcher_for>"Matcher"</label>
                    <input id=matcher_id name="matcher" type="text" required
                        placeholder=r#"{"type": "field_contains", "path": "$.groups", "contains": "staff"}"# />
                    <p class="field-error" aria-live="polite">{move || mapping_errors.with(|e| e.field("matcher").or_else(|| e.field("mapping")))}</p>
                </div>
                <div class="field">
                    <label for=role_for>"Role"</label>
                    <select id=role_id name="role_uuid" required>
                        {roles.into_iter().map(|(uuid, name)| view! { <option value=uuid.to_string()>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field field-check">
                    <label class="check" for=revoke_for>
                        <input type="checkbox" id=revoke_id name="revoke_unmatched" value="on" />
                        <span>"Take the role away from users who stop matching"</span>
                    </label>
                </div>
                <ErrorNote message=Signal::derive(move || mapping_errors.get().general) />
                <div class="actions"><button class="button button-quiet" type="submit">"Add mapping"</button></div>
            </ActionForm>
        </section>
    }
}

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorNote, action_errors, describe, load_error};
use crate::components::time::moment;
use crate::server_fns::api_keys::RevokeApiKey;
use crate::server_fns::provisioning::{CreateProvisioningKey, provisioning};

/// Where identity providers connect (SCIM 2.0), the keys they use, and what each key asked last.
#[component]
pub fn ProvisioningPage() -> impl IntoView {
    let create = ServerAction::<CreateProvisioningKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let overview = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| provisioning(),
    );
    let errors = action_errors(create);
    let new_key = move || {
        create
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|created| created.key)
    };
    view! {
        <Title text="Provisioning · Roster" />
        <h1>"Provisioning"</h1>
        {move || new_key().map(|key| view! {
            <section class="card note-ok" aria-live="polite">
                <h2>"The provider's key"</h2>
                <p>"Enter it in the provider as the bearer token. Copy it now: Roster shows it only once."</p>
                <p><code class="secret" data-testid="new-key">{key}</code></p>
            </section>
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    overview.await.map(|overview| {
                        let empty = overview.keys.is_empty();
                        view! {
                            <section class="card">
                                <h2>"Connect an identity provider"</h2>
                                <p>"Okta, Microsoft Entra ID, authentik and other identity providers create, update, suspend and remove users here with SCIM 2.0, and give roles through groups."</p>
                                <dl class="facts">
                                    <dt>"SCIM base URL"</dt>
                                    <dd><code data-testid="scim-base-url">{overview.base_url.clone()}</code></dd>
                                    <dt>"Authentication"</dt>
                                    <dd>"Bearer token: a key made below"</dd>
                                </dl>
                            </section>
                            <section class="card">
                                <h2>"New key for a provider"</h2>
                                <ActionForm action=create>
                                    <div class="field">
                                        <label for="provider-name">"Provider"</label>
                                        <input id="provider-name" name="provider" type="text" required maxlength="255" placeholder="okta" />
                                        <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("provider"))}</p>
                                    </div>
                                    <div class="field field-check">
                                        <label class="check" for="provider-groups">
                                            <input type="checkbox" id="provider-groups" name="groups" value="on" checked=true />
                                            <span>"It also pushes groups" <span class="muted">" — each group is a role, its members hold it"</span></span>
                                        </label>
                                    </div>
                                    <p class="hint">"The key may read, create, update and delete users (and roles), never more than you may. The activity log names it on every change it makes."</p>
                                    <ErrorNote message=Signal::derive(move || errors.get().general) />
                                    <button class="button" type="submit">"Create key"</button>
                                </ActionForm>
                            </section>
                            {empty.then(|| view! { <p class="empty">"You have no provisioning keys."</p> })}
                            <ul class="keys">
                                {overview.keys.into_iter().map(|key| {
                                    let quiet = key.requests.is_empty();
                                    let name = key.provider.clone();
                                    view! {
                                        <li class="card provisioning-key" data-testid="provisioning-key">
                                            <div class="key">
                                                <div>
                                                    <strong>{key.provider.clone()}</strong>
                                                    " " <code>{key.key.key_start.clone()} "…"</code>
                                                </div>
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="uuid" value=key.key.uuid.to_string() />
                                                    <button class="button button-danger" type="submit">"Revoke " <span class="sr-only">{name}</span></button>
                                                </ActionForm>
                                            </div>
                                            {quiet.then(|| view! { <p class="muted">"No requests yet."</p> })}
                                            {(!quiet).then(|| view! {
                                                <div class="table-wrap">
                                                <table class="requests">
                                                    <caption>"Last requests"</caption>
                                                    <thead><tr><th scope="col">"Time"</th><th scope="col">"Request"</th><th scope="col">"Status"</th></tr></thead>
                                                    <tbody>
                                                        {key.requests.into_iter().map(|request| {
                                                            let failed = request.status >= 400;
                                                            view! {
                                                                <tr>
                                                                    <td>{moment(request.at)}</td>
                                                                    <td><code>{request.method} " " {request.path}</code></td>
                                                                    <td class:status-failed=failed>{request.status}</td>
                                                                </tr>
                                                            }
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                                </div>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <ErrorNote message=Signal::derive(move || revoke.value().get().and_then(|r| r.err()).map(|e| describe(&e))) />
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

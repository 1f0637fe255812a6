use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorNote, action_errors, describe, load_error};
use crate::components::layout::MeResource;
use crate::components::permissions::PermissionPicker;
use crate::server_fns::api_keys::{CreateApiKey, RevokeApiKey, list_api_keys};

/// Copies text to the clipboard, where the browser allows it.
fn copy(text: String) {
    #[cfg(feature = "hydrate")]
    {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    let errors = action_errors(create);
    let new_key = move || {
        create
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|created| created.key)
    };
    let (copied, set_copied) = signal(false);
    let me = expect_context::<MeResource>().0;
    view! {
        <Title text="API keys · Roster" />
        <h1>"API keys"</h1>
        {move || new_key().map(|key| {
            let for_copy = key.clone();
            view! {
                <section class="card note-ok" aria-live="polite">
                    <h2>"Your new key"</h2>
                    <p>"Copy it now: Roster shows it only once."</p>
                    <p><code class="secret" data-testid="new-key">{key}</code></p>
                    <button class="button" type="button" on:click=move |_| { copy(for_copy.clone()); set_copied.set(true); }>
                        {move || if copied.get() { "Copied" } else { "Copy key" }}
                    </button>
                </section>
            }
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading keys…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    let offered = me.await.ok().flatten().map(|m| m.permissions).unwrap_or_default();
                    keys.await.map(|page| {
                        let empty = page.data.is_empty();
                        view! {
                            <section class="card">
                                <h2>"New key"</h2>
                                <ActionForm action=create>
                                    <div class="field">
                                        <label for="key-name">"Name"</label>
                                        <input id="key-name" name="name" type="text" required maxlength="255" />
                                        <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("name"))}</p>
                                    </div>
                                    <p class="hint">"A key can only get the admin permissions you hold."</p>
                                    <PermissionPicker name="admin_permissions" id_prefix="key" offered=offered checked=Vec::new() />
                                    <ErrorNote message=Signal::derive(move || errors.get().general) />
                                    <button class="button" type="submit">"Create key"</button>
                                </ActionForm>
                            </section>
                            {empty.then(|| view! { <p class="empty">"You have no API keys."</p> })}
                            <ul class="keys">
                                {page.data.into_iter().map(|key| {
                                    let permissions = key.admin_permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ");
                                    view! {
                                        <li class="card key">
                                            <div>
                                                <strong>{key.name.clone()}</strong>
                                                " " <code>{key.key_start.clone()} "…"</code>
                                                <p class="muted"><small>{if permissions.is_empty() { "No admin permissions".to_owned() } else { permissions }}</small></p>
                                            </div>
                                            <ActionForm action=revoke>
                                                <input type="hidden" name="uuid" value=key.uuid.to_string() />
                                                <button class="button button-danger" type="submit">"Revoke " <span class="sr-only">{key.name.clone()}</span></button>
                                            </ActionForm>
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

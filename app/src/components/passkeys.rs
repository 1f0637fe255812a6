//! Passkeys in the console: signing in with one, using one at the second step, and the account
//! page's list of them. The
//! browser's part is `crate::webauthn`; Roster's, server functions.

use leptos::prelude::*;

use crate::components::feedback::{ErrorNote, describe};
use crate::components::time::minute;
use crate::error::AppError;
use crate::server_fns::account::{Ceremony, RemoveKey, begin_key, finish_key, own_keys};
use crate::server_fns::auth::{begin_key_step, begin_passkey, finish_key_step, finish_passkey};

/// Opens the users page once signed in, as a password sign-in does: a full load, so the layout
/// sees the session.
fn signed_in() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href("/users");
    }
}

/// A ceremony's first two steps: Roster's challenge, then the browser's answer, with the uuid
/// the answer goes back to.
async fn answer(
    begun: Result<Ceremony, AppError>,
    registering: bool,
) -> Result<(uuid::Uuid, String), String> {
    let ceremony = begun.map_err(|e| describe(&e))?;
    let answer = if registering {
        crate::webauthn::create(&ceremony.options).await?
    } else {
        crate::webauthn::get(&ceremony.options).await?
    };
    Ok((ceremony.uuid, answer))
}

/// "Use a passkey": signs in with any passkey that names its user.
#[component]
pub fn PasskeySignIn() -> impl IntoView {
    let action = Action::new_local(|_: &()| async move {
        let (uuid, answer) = answer(begin_passkey().await, false).await?;
        let result = finish_passkey(uuid, answer).await.map_err(|e| describe(&e));
        if result.is_ok() {
            signed_in();
        }
        result
    });
    let error = move || action.value().get().and_then(|r| r.err());
    view! {
        <div class="passkey">
            <button class="button button-quiet" type="button" data-testid="passkey-sign-in"
                disabled=move || action.pending().get() on:click=move |_| { action.dispatch(()); }>
                "Use a passkey"
            </button>
            <ErrorNote message=Signal::derive(error) />
        </div>
    }
}

/// A security key instead of a code, at the second step of a sign-in.
#[component]
pub fn KeyStep() -> impl IntoView {
    let action = Action::new_local(|_: &()| async move {
        let (uuid, answer) = answer(begin_key_step().await, false).await?;
        let result = finish_key_step(uuid, answer)
            .await
            .map_err(|e| describe(&e));
        if result.is_ok() {
            signed_in();
        }
        result
    });
    let error = move || action.value().get().and_then(|r| r.err());
    view! {
        <div class="passkey">
            <button class="button button-quiet" type="button" data-testid="key-step"
                disabled=move || action.pending().get() on:click=move |_| { action.dispatch(()); }>
                "Use a security key instead"
            </button>
            <ErrorNote message=Signal::derive(error) />
        </div>
    }
}

/// The account page's passkeys: each with its last use and a Remove button, and a form that
/// adds one.
#[component]
pub fn SecurityKeys() -> impl IntoView {
    let remove = ServerAction::<RemoveKey>::new();
    let add = Action::new_local(|name: &String| {
        let name = name.clone();
        async move {
            let (uuid, answer) = answer(begin_key(name).await, true).await?;
            finish_key(uuid, answer).await.map_err(|e| describe(&e))
        }
    });
    let keys = Resource::new(
        move || (remove.version().get(), add.version().get()),
        |_| own_keys(),
    );
    let name = RwSignal::new(String::new());
    let error = move || {
        add.value().get().and_then(|r| r.err()).or_else(|| {
            remove
                .value()
                .get()
                .and_then(|r| r.err())
                .map(|e| describe(&e))
        })
    };
    let added = move || add.value().get().is_some_and(|r| r.is_ok());
    view! {
        <section class="card" aria-labelledby="keys-heading">
            <h2 id="keys-heading">"Passkeys and security keys"</h2>
            <p class="hint">"A passkey signs you in without a password, and stands in for a code at two-factor sign-in."</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let keys = keys.await.unwrap_or_default();
                    view! {
                        <ul class="plain" data-testid="security-keys">
                            {keys.into_iter().map(|key| view! {
                                <li class="server-row" data-testid="security-key">
                                    <span>{key.name} " · " <span class="muted">{
                                        key.last_used.map_or_else(|| "never used".to_owned(), |at| format!("last used {}", minute(at)))
                                    }</span></span>
                                    <ActionForm action=remove attr:class="inline">
                                        <input type="hidden" name="uuid" value=key.uuid.to_string() />
                                        <button class="button button-quiet" type="submit">"Remove"</button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
            <form class="inline" on:submit=move |event| {
                event.prevent_default();
                add.dispatch(name.get_untracked());
            }>
                <div class="field">
                    <label for="key-name">"Name"</label>
                    <input id="key-name" type="text" required minlength="3" maxlength="31" placeholder="e.g. Laptop"
                        bind:value=name />
                </div>
                <button class="button" type="submit" disabled=move || add.pending().get()>"Add a passkey"</button>
            </form>
            <p class="note note-ok" role="status" hidden=move || !added()>"Passkey added."</p>
            <ErrorNote message=Signal::derive(error) />
        </section>
    }
}

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::describe;
use crate::components::post_form::{PostForm, field};
use crate::server_fns::auth::{SignIn, sign_in_providers};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    // A sign-in through a provider that was refused comes back here with its code.
    let query = leptos_router::hooks::use_query_map();
    let provider_error = move || {
        query
            .with(|q| q.get("error"))
            .map(|code| crate::components::feedback::provider_refusal(&code))
    };
    let error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| describe(&e))
            .or_else(provider_error)
    };
    let providers = Resource::new(|| (), |_| sign_in_providers());
    view! {
        <Title text="Sign in · Roster" />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <PostForm action read=|data| SignIn { user: field(data, "user"), password: field(data, "password") }>
                <div class="field">
                    <label for="sign-in-user">"Username or email"</label>
                    <input id="sign-in-user" name="user" type="text" autocomplete="username" required autofocus />
                </div>
                <div class="field">
                    <label for="sign-in-password">"Password"</label>
                    <input id="sign-in-password" name="password" type="password" autocomplete="current-password" required />
                </div>
                <p class="note note-error" role="alert" hidden=move || error().is_none()>{error}</p>
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </PostForm>
            <crate::components::passkeys::PasskeySignIn />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let providers = providers.await.unwrap_or_default();
                    (!providers.is_empty()).then(|| view! {
                        <div class="providers" aria-label="Other ways to sign in">
                            {providers.into_iter().map(|provider| view! {
                                <a class="button button-quiet" href=format!("/api/auth/oauth/redirect/{}", provider.uuid) rel="external">
                                    {format!("Sign in with {}", provider.name)}
                                </a>
                            }).collect_view()}
                        </div>
                    })
                })}
            </Transition>
            <p><a href="/forgot-password">"Forgot password?"</a></p>
        </section>
    }
}

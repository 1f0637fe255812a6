use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::describe;
use crate::components::post_form::{PostForm, field};
use crate::server_fns::auth::SignIn;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| describe(&e))
    };
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
            <p><a href="/forgot-password">"Forgot password?"</a></p>
        </section>
    }
}

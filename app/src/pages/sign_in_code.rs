use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::describe;
use crate::server_fns::auth::CompleteSignIn;

/// The second step of a two-factor sign-in: a code from the authenticator app, or a
/// recovery code.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let action = ServerAction::<CompleteSignIn>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| describe(&e))
    };
    view! {
        <Title text="Two-factor sign-in · Roster" />
        <section class="card narrow">
            <h1>"Two-factor sign-in"</h1>
            <p class="hint">"Enter the 6-digit code from your authenticator app, or one of your recovery codes."</p>
            <ActionForm action=action>
                <div class="field">
                    <label for="sign-in-code">"Code"</label>
                    <input id="sign-in-code" name="code" type="text" autocomplete="one-time-code" required autofocus maxlength="10" />
                </div>
                <p class="note note-error" role="alert" hidden=move || error().is_none()>{error}</p>
                <button class="button" type="submit" disabled=move || action.pending().get()>"Sign in"</button>
            </ActionForm>
            <crate::components::passkeys::KeyStep />
            <p><a href="/sign-in">"Start over"</a></p>
        </section>
    }
}

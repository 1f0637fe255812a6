use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use roster::domain::fields::Password;

use crate::components::feedback::{ErrorNote, action_errors};
use crate::server_fns::auth::ResetPassword;

/// Where a mailed link lands: choose a password, checked as you type by the core's rules.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let action = ServerAction::<ResetPassword>::new();
    let errors = action_errors(action);
    let (local, set_local) = signal(None::<String>);
    let message = move || local.get().or_else(|| errors.with(|e| e.field("password")));
    view! {
        <Title text="Choose a password · Roster" />
        <section class="card narrow">
            <h1>"Choose a password"</h1>
            <ActionForm action=action>
                <input type="hidden" name="token" value=token />
                <div class="field">
                    <label for="reset-password">"New password"</label>
                    <input id="reset-password" name="password" type="password" autocomplete="new-password" required
                        aria-describedby="reset-password-error"
                        on:input=move |ev| {
                            set_local.set(Password::parse(event_target_value(&ev)).err());
                        } />
                    <p class="hint">"8 to 512 characters."</p>
                    <p class="field-error" id="reset-password-error" aria-live="polite">{message}</p>
                </div>
                <ErrorNote message=Signal::derive(move || errors.get().general) />
                <button class="button" type="submit" disabled=move || action.pending().get()>"Set password"</button>
            </ActionForm>
        </section>
    }
}

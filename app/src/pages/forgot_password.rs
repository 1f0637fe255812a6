use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorNote, action_errors};
use crate::server_fns::auth::ForgotPassword;

/// Asks for an address and mails a reset link; says the same whether or not it has an account.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let errors = action_errors(action);
    let sent = move || action.value().get().is_some_and(|r| r.is_ok());
    view! {
        <Title text="Forgot password · Roster" />
        <section class="card narrow">
            <h1>"Forgot password"</h1>
            <p class="hint">"Enter the email address of your account. If it has one, a link to choose a new password is on its way; it works for 20 minutes."</p>
            <ActionForm action=action>
                <div class="field">
                    <label for="forgot-email">"Email"</label>
                    <input id="forgot-email" name="email" type="email" autocomplete="email" required />
                    <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("email"))}</p>
                </div>
                <ErrorNote message=Signal::derive(move || errors.get().general) />
                <p class="note note-ok" role="status" hidden=move || !sent()>"If that address has an account, a link is on its way."</p>
                <button class="button" type="submit" disabled=move || action.pending().get()>"Send link"</button>
            </ActionForm>
            <p><a href="/sign-in">"Back to sign in"</a></p>
        </section>
    }
}

use leptos::prelude::*;

use crate::components::feedback::{ErrorNote, action_errors};
use crate::server_fns::two_factor::{BeginTwoFactor, DisableTwoFactor, EnableTwoFactor};

/// A code and the password, the two confirmations every two-factor change asks for.
#[component]
fn CodeAndPassword(
    prefix: &'static str,
    #[prop(into)] errors: Signal<crate::components::feedback::FormErrors>,
) -> impl IntoView {
    view! {
        <div class="grid">
            <div class="field">
                <label for=format!("{prefix}-code")>"Code from the app"</label>
                <input id=format!("{prefix}-code") name="code" type="text" autocomplete="one-time-code" required maxlength="10" />
                <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("code"))}</p>
            </div>
            <div class="field">
                <label for=format!("{prefix}-password")>"Your password"</label>
                <input id=format!("{prefix}-password") name="password" type="password" autocomplete="current-password" required />
                <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("password"))}</p>
            </div>
        </div>
    }
}

/// The signed-in user's two-factor sign-in: set it up (QR code, secret, confirmation, recovery
/// codes shown once) or turn it off.
#[component]
pub fn TwoFactorSection(enabled: bool) -> impl IntoView {
    let begin = ServerAction::<BeginTwoFactor>::new();
    let enable = ServerAction::<EnableTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let enable_errors = action_errors(enable);
    let disable_errors = action_errors(disable);
    let codes = move || enable.value().get().and_then(|r| r.ok());
    let disabled = move || disable.value().get().is_some_and(|r| r.is_ok());
    view! {
        <section class="card" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor sign-in"</h2>
            {move || match (codes(), disabled()) {
                (Some(codes), _) => view! {
                    <p class="note note-ok" role="status">"Two-factor sign-in is on. Keep these recovery codes somewhere safe: each works once, and Roster shows them only now."</p>
                    <ul class="recovery-codes" data-testid="recovery-codes">
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                }.into_any(),
                (None, true) => view! { <p class="note note-ok" role="status">"Two-factor sign-in is off."</p> }.into_any(),
                (None, false) if enabled => view! {
                    <p>"Two-factor sign-in is on."</p>
                    <ActionForm action=disable>
                        <CodeAndPassword prefix="disable" errors=disable_errors />
                        <ErrorNote message=Signal::derive(move || disable_errors.get().general) />
                        <button class="button button-danger" type="submit">"Turn off two-factor sign-in"</button>
                    </ActionForm>
                }.into_any(),
                (None, false) => view! {
                    {move || match begin.value().get() {
                        Some(Ok(enrolment)) => view! {
                            <p>"Scan this code with your authenticator app, or type the secret in, then confirm with a code it shows."</p>
                            <div class="qr" inner_html=enrolment.qr_svg></div>
                            <p>"Secret: " <code data-testid="totp-secret">{enrolment.secret}</code></p>
                            <ActionForm action=enable>
                                <CodeAndPassword prefix="enable" errors=enable_errors />
                                <ErrorNote message=Signal::derive(move || enable_errors.get().general) />
                                <button class="button" type="submit">"Turn on two-factor sign-in"</button>
                            </ActionForm>
                        }.into_any(),
                        other => view! {
                            <p>"Sign in with a code from an authenticator app as well as your password."</p>
                            <ErrorNote message=Signal::derive(move || other.clone().and_then(|r| r.err()).map(|e| crate::components::feedback::describe(&e))) />
                            <ActionForm action=begin>
                                <button class="button" type="submit">"Set up two-factor sign-in"</button>
                            </ActionForm>
                        }.into_any(),
                    }}
                }.into_any(),
            }}
        </section>
    }
}

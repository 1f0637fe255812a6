use leptos::prelude::*;
use leptos_meta::Title;
use roster::domain::session::SessionInfo;

use crate::components::feedback::{ErrorNote, action_errors, describe, load_error};
use crate::components::layout::MeResource;
use crate::components::time::minute;
use crate::components::two_factor::TwoFactorSection;
use crate::server_fns::account::{ChangeEmail, ChangePassword, Unlink, own_links};
use crate::server_fns::sessions::{EndOtherSessions, EndSession, list_sessions};

/// Changing one's own password or email, in person: each asks for the current password.
#[component]
fn CredentialForms() -> impl IntoView {
    let password = ServerAction::<ChangePassword>::new();
    let email_change = ServerAction::<ChangeEmail>::new();
    let password_errors = action_errors(password);
    let email_errors = action_errors(email_change);
    let password_done = move || password.value().get().is_some_and(|r| r.is_ok());
    let email_done = move || email_change.value().get().is_some_and(|r| r.is_ok());
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <ActionForm action=password>
                <div class="grid">
                    <div class="field">
                        <label for="current-password">"Current password"</label>
                        <input id="current-password" name="password" type="password" autocomplete="current-password" required />
                        <p class="field-error" aria-live="polite">{move || password_errors.with(|e| e.field("password"))}</p>
                    </div>
                    <div class="field">
                        <label for="new-password">"New password"</label>
                        <input id="new-password" name="new_password" type="password" autocomplete="new-password" required minlength="8" maxlength="512" />
                        <p class="field-error" aria-live="polite">{move || password_errors.with(|e| e.field("new_password"))}</p>
                    </div>
                </div>
                <ErrorNote message=Signal::derive(move || password_errors.get().general) />
                <p class="note note-ok" role="status" hidden=move || !password_done()>"Your password is changed. Every other session has been signed out."</p>
                <button class="button" type="submit" disabled=move || password.pending().get()>"Change password"</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">"Email address"</h2>
            <ActionForm action=email_change>
                <div class="grid">
                    <div class="field">
                        <label for="new-email">"New email"</label>
                        <input id="new-email" name="email" type="email" autocomplete="email" required />
                        <p class="field-error" aria-live="polite">{move || email_errors.with(|e| e.field("email"))}</p>
                    </div>
                    <div class="field">
                        <label for="email-password">"Password to confirm"</label>
                        <input id="email-password" name="password" type="password" autocomplete="current-password" required />
                    </div>
                </div>
                <ErrorNote message=Signal::derive(move || email_errors.get().general) />
                <p class="note note-ok" role="status" hidden=move || !email_done()>"Your email address is changed. Every other session has been signed out."</p>
                <button class="button" type="submit" disabled=move || email_change.pending().get()>"Change email"</button>
            </ActionForm>
        </section>
    }
}

fn session_row(session: SessionInfo, end: ServerAction<EndSession>) -> impl IntoView {
    let agent = session
        .device
        .clone()
        .unwrap_or_else(|| "Unknown browser".to_owned());
    let raw_agent = session.user_agent.clone().unwrap_or_default();
    let label = if session.current {
        "Sign out here".to_owned()
    } else {
        "End session".to_owned()
    };
    view! {
        <tr data-testid="session" data-current=session.current.to_string()>
            <td>
                <span class="agent" title=raw_agent>{agent}</span>
                {session.current.then(|| view! { " " <strong class="badge">"This session"</strong> })}
            </td>
            <td>{session.ip.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td>{minute(session.created)}</td>
            <td>{minute(session.last_seen)}</td>
            <td>
                <ActionForm action=end>
                    <input type="hidden" name="uuid" value=session.uuid.to_string() />
                    <button class="button button-quiet" type="submit">{label}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// The signed-in user's own account: where they are signed in, and the way to end it.
/// The sign-in providers linked to the account: unlink one, or link another that allows it.
#[component]
fn ProviderLinks() -> impl IntoView {
    let unlink = ServerAction::<Unlink>::new();
    let links = Resource::new(move || unlink.version().get(), |_| own_links());
    let query = leptos_router::hooks::use_query_map();
    let note = move || {
        let error = unlink
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| describe(&e));
        error.or_else(|| {
            query
                .with(|q| q.get("error"))
                .map(|code| crate::components::feedback::provider_refusal(&code))
        })
    };
    let linked = move || query.with(|q| q.get("linked").is_some());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let links = links.await.unwrap_or_default();
                (!links.links.is_empty() || !links.linkable.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="providers-heading">
                        <h2 id="providers-heading">"Sign-in providers"</h2>
                        <p class="note note-ok" role="status" hidden=move || !linked()>"Linked."</p>
                        <ErrorNote message=Signal::derive(note) />
                        <ul class="plain">
                            {links.links.into_iter().map(|link| view! {
                                <li class="server-row">
                                    <span>{link.provider} " · " <span class="muted">{link.identifier}</span></span>
                                    <ActionForm action=unlink attr:class="inline">
                                        <input type="hidden" name="uuid" value=link.uuid.to_string() />
                                        <button class="button button-quiet" type="submit">"Unlink"</button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                        {links.linkable.into_iter().map(|provider| view! {
                            <a class="button button-quiet" href=format!("/api/auth/oauth/redirect/{}", provider.uuid) rel="external">
                                {format!("Link {}", provider.name)}
                            </a>
                        }).collect_view()}
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(
        move || (end.version().get(), end_others.version().get()),
        |_| list_sessions(),
    );
    let error = move || {
        [
            end.value().get().and_then(|r| r.err()),
            end_others.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| describe(&e))
    };
    let me = expect_context::<MeResource>().0;
    view! {
        <Title text="Account · Roster" />
        <h1>"Account"</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                me.await.ok().flatten().map(|me| view! {
                    <CredentialForms />
                    <TwoFactorSection enabled=me.totp_enabled />
                    <crate::components::passkeys::SecurityKeys />
                    <ProviderLinks />
                })
            })}
        </Transition>
        <h2>"Where you are signed in"</h2>
        <p class="hint">"Changing your password, email or two-factor sign-in signs you out everywhere else. End any session you do not recognise."</p>
        <ErrorNote message=Signal::derive(error) />
        <Transition fallback=|| view! { <p class="muted">"Loading sessions…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    sessions.await.map(|page| {
                        let others = page.data.iter().filter(|s| !s.current).count();
                        view! {
                            <div class="table-wrap">
                                <table class="table">
                                    <thead><tr>
                                        <th scope="col">"Browser"</th>
                                        <th scope="col">"Address"</th>
                                        <th scope="col">"Signed in"</th>
                                        <th scope="col">"Last seen"</th>
                                        <th scope="col"><span class="sr-only">"End"</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {page.data.into_iter().map(|s| session_row(s, end)).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(others > 0).then(|| view! {
                                <ActionForm action=end_others>
                                    <button class="button button-danger" type="submit">
                                        "Sign out all other sessions (" {others} ")"
                                    </button>
                                </ActionForm>
                            })}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

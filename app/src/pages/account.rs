use leptos::prelude::*;
use leptos_meta::Title;
use roster::domain::session::SessionInfo;

use crate::components::feedback::{ErrorNote, describe, load_error};
use crate::components::layout::MeResource;
use crate::components::time::minute;
use crate::components::two_factor::TwoFactorSection;
use crate::server_fns::sessions::{EndOtherSessions, EndSession, list_sessions};

fn session_row(session: SessionInfo, end: ServerAction<EndSession>) -> impl IntoView {
    let agent = session
        .user_agent
        .clone()
        .unwrap_or_else(|| "Unknown browser".to_owned());
    let label = if session.current {
        "Sign out here".to_owned()
    } else {
        "End session".to_owned()
    };
    view! {
        <tr data-testid="session" data-current=session.current.to_string()>
            <td>
                <span class="agent">{agent}</span>
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
                me.await.ok().flatten().map(|me| view! { <TwoFactorSection enabled=me.totp_enabled /> })
            })}
        </Transition>
        <h2>"Where you are signed in"</h2>
        <p class="hint">"Changing your password signs you out everywhere else. End any session you do not recognise."</p>
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

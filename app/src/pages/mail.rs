use leptos::prelude::*;
use leptos_meta::Title;
use roster::domain::mail::OutboxMail;

use crate::components::feedback::load_error;
use crate::server_fns::mail::list_outbox;

fn state(mail: &OutboxMail) -> String {
    match (&mail.sent, &mail.last_error) {
        (Some(sent), _) => format!("Sent {}", crate::components::time::minute(*sent)),
        (None, Some(error)) => format!("Waiting after {} attempts: {error}", mail.attempts),
        (None, None) => "Waiting".to_owned(),
    }
}

/// The mail outbox: what Roster sent or is about to send. Without an SMTP server, a waiting
/// mail's link can be copied from here and handed over by hand.
#[component]
pub fn MailPage() -> impl IntoView {
    let mail = Resource::new(|| (), |_| list_outbox());
    view! {
        <Title text="Mail · Roster" />
        <h1>"Mail"</h1>
        <p class="hint">"The newest mail first. A waiting mail shows its link; once sent, the link is gone from here."</p>
        <Transition fallback=|| view! { <p class="muted">"Loading mail…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    mail.await.map(|page| {
                        let empty = page.data.is_empty();
                        view! {
                            {empty.then(|| view! { <p class="empty">"No mail yet."</p> })}
                            <ul class="keys">
                                {page.data.into_iter().map(|mail| {
                                    let status = state(&mail);
                                    view! {
                                        <li class="card" data-testid="mail">
                                            <p><strong>{mail.subject.clone()}</strong> " to " {mail.recipient.clone()}</p>
                                            <p class="muted"><small>{status}</small></p>
                                            <pre class="mail-body">{mail.body_text.clone()}</pre>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

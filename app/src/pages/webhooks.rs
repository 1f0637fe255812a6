use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorNote, action_errors, describe, load_error};
use crate::components::time::moment;
use crate::server_fns::webhooks::{
    CreateWebhook, DeleteWebhook, ResendDelivery, RotateWebhookSecret, SendTestWebhook,
    SetWebhookEnabled, list_webhooks,
};
use roster::domain::webhook::{DeliveryState, WebhookDelivery};

fn state_label(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Pending => "waiting",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Failed => "failed",
    }
}

/// One delivery: its event, state and attempts, with the body sent and each answer behind a
/// disclosure, and **Resend**.
fn delivery_row(
    webhook: uuid::Uuid,
    delivery: WebhookDelivery,
    resend: ServerAction<ResendDelivery>,
) -> impl IntoView {
    let payload = serde_json::to_string_pretty(&delivery.payload).unwrap_or_default();
    let attempts = delivery.attempts.len();
    let last = delivery.attempts.first().cloned();
    let state = state_label(delivery.state);
    let webhook = webhook.to_string();
    let uuid = delivery.uuid.to_string();
    view! {
        <li class="delivery" data-testid="delivery">
            <div class="delivery-head">
                <code>{delivery.event.clone()}</code>
                <span class=format!("badge state-{state}")>{state}</span>
                <span class="muted">{moment(delivery.created)}</span>
                <span class="muted">{format!("{attempts} attempt{}", if attempts == 1 { "" } else { "s" })}</span>
                {last.as_ref().map(|a| view! {
                    <span class="muted">{a.status.map_or("no answer".to_owned(), |s| format!("HTTP {s}"))} " · " {a.duration_ms} " ms"</span>
                })}
                <ActionForm action=resend attr:class="inline">
                    <input type="hidden" name="webhook" value=webhook />
                    <input type="hidden" name="delivery" value=uuid />
                    <button class="button button-small" type="submit">"Resend"</button>
                </ActionForm>
            </div>
            <details>
                <summary>"Payload and answers"</summary>
                <pre class="payload">{payload}</pre>
                <ul class="attempts">
                    {delivery.attempts.into_iter().map(|attempt| view! {
                        <li>
                            {moment(attempt.attempted)} " — "
                            {attempt.status.map_or("no answer".to_owned(), |s| format!("HTTP {s}"))}
                            " in " {attempt.duration_ms} " ms: " <code>{attempt.response}</code>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        </li>
    }
}

/// Webhook endpoints: a form for a new one, and each with its recent deliveries, **Send test
/// event**, **Rotate secret**, a switch and a delete.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let rotate = ServerAction::<RotateWebhookSecret>::new();
    let enable = ServerAction::<SetWebhookEnabled>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let test = ServerAction::<SendTestWebhook>::new();
    let resend = ServerAction::<ResendDelivery>::new();
    let webhooks = Resource::new(
        move || {
            (
                create.version().get(),
                rotate.version().get(),
                enable.version().get(),
                delete.version().get(),
                test.version().get(),
                resend.version().get(),
            )
        },
        |_| list_webhooks(),
    );
    let errors = action_errors(create);
    let secret = move || {
        let made = create.value().get().and_then(|r| r.ok());
        let rotated = rotate.value().get().and_then(|r| r.ok());
        rotated.or(made).map(|w| (w.webhook.url, w.secret))
    };
    let failures = move || {
        [
            rotate.value().get().and_then(|r| r.err()),
            enable.value().get().and_then(|r| r.err()),
            delete.value().get().and_then(|r| r.err()),
            test.value().get().and_then(|r| r.err()),
            resend.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| describe(&e))
    };
    view! {
        <Title text="Webhooks · Roster" />
        <h1>"Webhooks"</h1>
        {move || secret().map(|(url, secret)| view! {
            <section class="card note-ok" aria-live="polite">
                <h2>"The signing secret"</h2>
                <p>"For " <code>{url}</code> ". Give it to the receiver to verify signatures (Standard Webhooks). Copy it now: Roster shows it only once."</p>
                <p><code class="secret" data-testid="webhook-secret">{secret}</code></p>
            </section>
        })}
        <ErrorNote message=Signal::derive(failures) />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    webhooks.await.map(|list| {
                        let empty = list.is_empty();
                        view! {
                            <section class="card">
                                <h2>"New endpoint"</h2>
                                <ActionForm action=create>
                                    <div class="field">
                                        <label for="webhook-url">"URL"</label>
                                        <input id="webhook-url" name="url" type="url" required maxlength="2048" placeholder="https://billing.example.com/roster" />
                                        <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("url"))}</p>
                                    </div>
                                    <div class="field">
                                        <label for="webhook-description">"Description"</label>
                                        <input id="webhook-description" name="description" type="text" maxlength="1024" />
                                    </div>
                                    <div class="field">
                                        <label for="webhook-events">"Events"</label>
                                        <input id="webhook-events" name="events" type="text" required value="user:*" />
                                        <p class="hint">"Event names or patterns, separated by commas: " <code>"user:*"</code> ", " <code>"role:create"</code> ", " <code>"*"</code> " for everything (sign-ins included)."</p>
                                        <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("events"))}</p>
                                    </div>
                                    <ErrorNote message=Signal::derive(move || errors.get().general) />
                                    <button class="button" type="submit">"Add endpoint"</button>
                                </ActionForm>
                            </section>
                            {empty.then(|| view! { <p class="empty">"No webhook endpoints yet."</p> })}
                            <ul class="keys">
                                {list.into_iter().map(|overview| {
                                    let webhook = overview.webhook;
                                    let uuid = webhook.uuid.to_string();
                                    let (uuid_rotate, uuid_enable, uuid_delete, uuid_test) = (uuid.clone(), uuid.clone(), uuid.clone(), uuid.clone());
                                    let enabled = webhook.enabled;
                                    let url = webhook.url.clone();
                                    let events = webhook.events.join(", ");
                                    let quiet = overview.deliveries.is_empty();
                                    view! {
                                        <li class="card webhook" data-testid="webhook">
                                            <div class="key">
                                                <div>
                                                    <strong><code>{url.clone()}</code></strong>
                                                    " "
                                                    <span class=if enabled { "badge state-delivered" } else { "badge state-failed" }>{if enabled { "on" } else { "off" }}</span>
                                                    <p class="muted"><small>{webhook.description.clone()} " " {events}</small></p>
                                                    {webhook.failing_since.map(|since| view! { <p class="error"><small>"Failing since " {moment(since)}</small></p> })}
                                                </div>
                                                <div class="inline">
                                                    <ActionForm action=test attr:class="inline">
                                                        <input type="hidden" name="uuid" value=uuid_test />
                                                        <button class="button" type="submit">"Send test event"</button>
                                                    </ActionForm>
                                                    <ActionForm action=rotate attr:class="inline">
                                                        <input type="hidden" name="uuid" value=uuid_rotate />
                                                        <button class="button" type="submit">"Rotate secret"</button>
                                                    </ActionForm>
                                                    <ActionForm action=enable attr:class="inline">
                                                        <input type="hidden" name="uuid" value=uuid_enable />
                                                        <input type="hidden" name="enabled" value=(!enabled).to_string() />
                                                        <button class="button" type="submit">{if enabled { "Turn off" } else { "Turn on" }}</button>
                                                    </ActionForm>
                                                    <ActionForm action=delete attr:class="inline">
                                                        <input type="hidden" name="uuid" value=uuid_delete />
                                                        <button class="button button-danger" type="submit">"Delete"</button>
                                                    </ActionForm>
                                                </div>
                                            </div>
                                            {quiet.then(|| view! { <p class="muted">"No deliveries yet."</p> })}
                                            <ul class="deliveries">
                                                {overview.deliveries.into_iter().map(|d| delivery_row(webhook.uuid, d, resend)).collect_view()}
                                            </ul>
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

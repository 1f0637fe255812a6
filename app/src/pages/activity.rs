//! The activity log: the whole of it, and one user's part, each a timeline whose filters and
//! page live in the URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};
use roster::domain::activity::{ActivityParams, Event};
use roster::domain::page::Page;
use uuid::Uuid;

use crate::components::activity::timeline;
use crate::components::feedback::load_error;
use crate::components::links::encode_query_value;
use crate::server_fns::activity::{list_activity, user_activity};

const FILTERS: [&str; 6] = ["search", "event", "actor", "target", "since", "until"];

/// The filters and page of the URL, as the core's listing reads them.
fn params_of(query: &leptos_router::params::ParamsMap) -> ActivityParams {
    ActivityParams {
        page: query.get("page"),
        per_page: query.get("per_page"),
        search: query.get("search"),
        event: query.get("event"),
        actor: query.get("actor"),
        target: query.get("target"),
        since: query.get("since"),
        until: query.get("until"),
        ..ActivityParams::default()
    }
}

/// The link to another page of the same view.
fn page_href(base: &str, query: &leptos_router::params::ParamsMap, page: u32) -> String {
    let mut href = format!("{base}?page={page}");
    for name in FILTERS.iter().chain(&["per_page"]) {
        if let Some(value) = query.get(name).filter(|v| !v.is_empty()) {
            href.push_str(&format!("&{name}={}", encode_query_value(&value)));
        }
    }
    href
}

fn pager(base: String, page: &Page<roster::domain::activity::Activity>) -> impl IntoView + use<> {
    let query = use_query_map().get_untracked();
    let (current, last) = (page.page, page.last_page());
    view! {
        <nav class="pager" aria-label="Pages">
            {(current > 1).then(|| view! { <A href=page_href(&base, &query, current - 1)>"← Newer"</A> })}
            <span data-testid="page-of">"Page " {current} " of " {last}</span>
            {(current < last).then(|| view! { <A href=page_href(&base, &query, current + 1)>"Older →"</A> })}
        </nav>
    }
}

/// The filter form: a plain GET, so the filters are the URL and work without JavaScript.
fn filters(action: String, show_people: bool) -> impl IntoView {
    let query = use_query_map();
    let value = move |name: &'static str| move || query.with(|q| q.get(name).unwrap_or_default());
    view! {
        <Form method="GET" action=action attr:class="toolbar filters" attr:role="search">
            <label for="activity-search">"Search"</label>
            <input id="activity-search" name="search" type="search" placeholder="event or username" size="14" prop:value=value("search") />
            <label for="activity-event">"Event"</label>
            <select id="activity-event" name="event">
                <option value="" selected=move || value("event")().is_empty()>"Any"</option>
                {Event::ALL
                    .iter()
                    .map(|event| {
                        let name = event.as_str();
                        view! { <option value=name selected=move || value("event")() == name>{name}</option> }
                    })
                    .collect_view()}
            </select>
            {show_people.then(|| view! {
                <label for="activity-actor">"Actor"</label>
                <input id="activity-actor" name="actor" placeholder="user uuid" size="12" prop:value=value("actor") />
                <label for="activity-target">"Target"</label>
                <input id="activity-target" name="target" placeholder="uuid" size="12" prop:value=value("target") />
            })}
            <label for="activity-since">"Since"</label>
            <input id="activity-since" name="since" type="datetime-local" prop:value=value("since") />
            <label for="activity-until">"Until"</label>
            <input id="activity-until" name="until" type="datetime-local" prop:value=value("until") />
            <button class="button button-quiet" type="submit">"Filter"</button>
        </Form>
    }
}

/// Every change, newest first (`activity.read`).
#[component]
pub fn ActivityPage() -> impl IntoView {
    let query = use_query_map();
    let entries = Resource::new(
        move || query.with(params_of),
        |p| {
            list_activity(
                p.page, p.per_page, p.search, p.event, p.actor, p.target, p.since, p.until,
            )
        },
    );
    view! {
        <Title text="Activity · Roster" />
        <div class="page-head"><h1>"Activity"</h1></div>
        {filters("/activity".to_owned(), true)}
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading activity…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    entries.await.map(|page| {
                        let pager = pager("/activity".to_owned(), &page);
                        view! {
                            <p class="muted" data-testid="total">{page.total} " recorded"</p>
                            {timeline(page.data)}
                            {pager}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The tabs of a user's pages.
pub fn user_tabs(uuid: Uuid, current: &'static str) -> impl IntoView {
    let tab = move |href: String, label: &'static str| {
        let here = label == current;
        view! { <A href=href attr:class=if here { "tab tab-current" } else { "tab" } attr:aria-current=here.then_some("page")>{label}</A> }
    };
    view! {
        <nav class="tabs" aria-label="User">
            {tab(format!("/users/{uuid}"), "Details")}
            {tab(format!("/users/{uuid}/activity"), "Activity")}
        </nav>
    }
}

/// What one user did and what was done to them (`users.activity`).
#[component]
pub fn UserActivityPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let uuid = move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let entries = Resource::new(
        move || (uuid(), query.with(params_of)),
        |(uuid, params)| async move {
            match uuid {
                Some(uuid) => {
                    let p = params;
                    user_activity(
                        uuid, p.page, p.per_page, p.search, p.event, p.since, p.until,
                    )
                    .await
                }
                None => Err(crate::error::AppError::Refused(
                    roster::Refusal::InvalidUuid(roster::Entity::User),
                )),
            }
        },
    );
    view! {
        <Title text="User activity · Roster" />
        {move || uuid().map(|uuid| view! {
            <div class="page-head">
                <h1>"Activity"</h1>
                <a href="/users">"All users"</a>
            </div>
            {user_tabs(uuid, "Activity")}
        })}
        {move || uuid().map(|uuid| filters(format!("/users/{uuid}/activity"), false))}
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading activity…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    entries.await.map(|page| {
                        let here = uuid().map(|uuid| format!("/users/{uuid}/activity"));
                        let pager = pager(here.unwrap_or_default(), &page);
                        view! {
                            <p class="muted" data-testid="total">{page.total} " recorded"</p>
                            {timeline(page.data)}
                            {pager}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

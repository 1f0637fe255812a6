use leptos::prelude::*;
use leptos::web_sys::KeyboardEvent;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_query_map};
use roster::domain::export::{ExportColumn, ExportColumns};
use roster::domain::page::{SortKey, UserSort};
use roster::domain::user::User;

use crate::components::feedback::load_error;
use crate::components::links::encode_query_value;
use crate::server_fns::users::list_users;

const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

/// The list's view: what the URL holds.
#[derive(Clone, Debug, Default, PartialEq)]
struct View {
    search: String,
    suspended: String,
    signed_in: String,
    /// `sort=` as the URL holds it (empty: the listing's own order).
    sort: String,
}

fn href(view: &View, page: u32, per_page: u32) -> String {
    let mut query = format!("/users?page={page}&per_page={per_page}");
    if !view.search.is_empty() {
        query.push_str("&search=");
        query.push_str(&encode_query_value(&view.search));
    }
    if !view.suspended.is_empty() {
        query.push_str("&suspended=");
        query.push_str(&encode_query_value(&view.suspended));
    }
    if !view.signed_in.is_empty() {
        query.push_str("&signed_in=");
        query.push_str(&encode_query_value(&view.signed_in));
    }
    if !view.sort.is_empty() {
        query.push_str("&sort=");
        query.push_str(&encode_query_value(&view.sort));
    }
    query
}

/// A column header that orders the list by `key`: the first click ascending (the latest first
/// for times), the next the other way; the order in force is marked for assistive technology.
fn sort_header(
    label: &'static str,
    key: SortKey,
    view: &View,
    per_page: u32,
) -> impl IntoView + use<> {
    let current = UserSort::parse(&view.sort).unwrap_or_default();
    let active = current.key == key;
    let next = if active {
        current.reversed()
    } else {
        UserSort {
            key,
            descending: matches!(key, SortKey::LastLogin | SortKey::Created),
        }
    };
    let target = View {
        sort: next.to_param(),
        ..view.clone()
    };
    let aria = active.then_some(if current.descending {
        "descending"
    } else {
        "ascending"
    });
    let arrow = match (active, current.descending) {
        (false, _) => "",
        (true, false) => " ↑",
        (true, true) => " ↓",
    };
    view! {
        <th scope="col" aria-sort=aria>
            <A href=href(&target, 1, per_page) attr:class="sort" attr:data-sort=key.as_str()>
                {label}{arrow}
            </A>
        </th>
    }
}

fn user_row(user: User) -> impl IntoView {
    let name = format!("{} {}", user.name_first, user.name_last);
    let tick = format!("Select {}", user.username);
    view! {
        <tr>
            <td class="tick"><input type="checkbox" form="bulk-selection" name="user" value=user.uuid.to_string() aria-label=tick /></td>
            <td><A href=format!("/users/{}", user.uuid)>{user.username.clone()}</A></td>
            <td>{name}</td>
            <td>{user.email.clone()}</td>
            <td>{user.role.map(|r| r.name).unwrap_or_else(|| "—".to_owned())}</td>
            <td>
                {user.admin.then(|| view! { <span class="badge badge-admin">"Admin"</span> })}
                {user.totp_enabled.then(|| view! { <span class="badge">"2FA"</span> })}
                {user.suspended.then(|| view! { <span class="badge badge-suspended">"Suspended"</span> })}
            </td>
            <td>{crate::components::time::last_sign_in(user.last_login)}</td>
            <td><time datetime=user.created.to_rfc3339()>{crate::components::time::day(user.created)}</time></td>
        </tr>
    }
}

fn pager(last: u32, current: u32, per_page: u32, view: View) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {(current > 1).then(|| view! { <A href=href(&view, current - 1, per_page)>"← Previous"</A> })}
            <span data-testid="page-of">"Page " {current} " of " {last}</span>
            {(current < last).then(|| view! { <A href=href(&view, current + 1, per_page)>"Next →"</A> })}
        </nav>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            (
                q.get("page"),
                q.get("per_page"),
                q.get("search"),
                q.get("suspended"),
                q.get("signed_in"),
                q.get("sort"),
            )
        })
    };
    let users = Resource::new(
        params,
        |(page, per_page, search, suspended, signed_in, sort)| {
            list_users(page, per_page, search, suspended, signed_in, sort)
        },
    );
    let search_value = move || query.with(|q| q.get("search").unwrap_or_default());
    let suspended_value = move || query.with(|q| q.get("suspended").unwrap_or_default());
    let signed_in_value = move || query.with(|q| q.get("signed_in").unwrap_or_default());
    let sort_value = move || query.with(|q| q.get("sort").unwrap_or_default());
    let per_page_value =
        move || query.with(|q| q.get("per_page").unwrap_or_else(|| "10".to_owned()));

    let navigate = use_navigate();
    let pending_search = StoredValue::new(None::<TimeoutHandle>);
    let on_search_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let per_page = per_page_value().parse().unwrap_or(10);
        if let Some(handle) = pending_search.get_value() {
            handle.clear();
        }
        let navigate = navigate.clone();
        let handle = set_timeout_with_handle(
            move || {
                let view = View {
                    search: text.trim().to_owned(),
                    suspended: suspended_value(),
                    signed_in: signed_in_value(),
                    sort: sort_value(),
                };
                navigate(
                    &href(&view, 1, per_page),
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                )
            },
            std::time::Duration::from_millis(250),
        )
        .ok();
        pending_search.set_value(handle);
    };
    let search_input = NodeRef::<leptos::html::Input>::new();
    let slash = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let typing = document()
            .active_element()
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if ev.key() == "/"
            && !typing
            && let Some(input) = search_input.get()
        {
            ev.prevent_default();
            let _ = input.focus();
        }
    });
    on_cleanup(move || slash.remove());

    // Without JavaScript the "Search" button applies a new page size; with it, choosing one does.
    let submit_own_form = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            if let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .and_then(|select| select.form())
            {
                let _ = form.request_submit();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <Title text="Users · Roster" />
        <div class="page-head">
            <h1>"Users"</h1>
            <A href="/users/new" attr:class="button">"New user"</A>
        </div>
        <Form method="GET" action="/users" attr:class="toolbar" attr:role="search">
            <label class="sr-only" for="user-search">"Search users"</label>
            <input
                id="user-search"
                node_ref=search_input
                type="search"
                name="search"
                placeholder="Search username, email or name   ( / )"
                prop:value=search_value
                maxlength="128"
                on:input=on_search_input
            />
            <label for="per-page">"Per page"</label>
            <select id="per-page" name="per_page" on:change=submit_own_form>
                {PAGE_SIZES
                    .iter()
                    .map(|size| {
                        let size = *size;
                        view! { <option value=size.to_string() selected=move || per_page_value() == size.to_string()>{size}</option> }
                    })
                    .collect_view()}
            </select>
            <label for="suspended-filter">"Show"</label>
            <select id="suspended-filter" name="suspended" on:change=submit_own_form>
                {[("", "All users"), ("false", "Active"), ("true", "Suspended")]
                    .into_iter()
                    .map(|(value, label)| {
                        view! { <option value=value selected=move || suspended_value() == value>{label}</option> }
                    })
                    .collect_view()}
            </select>
            <label class="sr-only" for="signed-in-filter">"Signed in"</label>
            <select id="signed-in-filter" name="signed_in" on:change=submit_own_form>
                {[("", "Signed in or not"), ("false", "Never signed in"), ("true", "Has signed in")]
                    .into_iter()
                    .map(|(value, label)| {
                        view! { <option value=value selected=move || signed_in_value() == value>{label}</option> }
                    })
                    .collect_view()}
            </select>
            <input type="hidden" name="sort" prop:value=sort_value />
            <button class="button button-quiet" type="submit">"Search"</button>
        </Form>
        <details class="export">
            <summary>"Export CSV"</summary>
            // A plain form: the browser downloads what the API answers.
            <form method="get" action="/api/admin/users.csv" data-testid="export-form">
                <p class="muted">"Every user this search and these filters select, in this order."</p>
                <input type="hidden" name="search" prop:value=search_value />
                <input type="hidden" name="suspended" prop:value=suspended_value />
                <input type="hidden" name="signed_in" prop:value=signed_in_value />
                <input type="hidden" name="sort" prop:value=sort_value />
                <fieldset class="export-columns">
                    <legend>"Columns"</legend>
                    {ExportColumn::ALL
                        .iter()
                        .map(|column| {
                            let checked = ExportColumns::default().columns().contains(column);
                            view! {
                                <label>
                                    <input type="checkbox" name="columns" value=column.as_str() checked=checked />
                                    {column.label()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <button class="button" type="submit">"Download"</button>
            </form>
        </details>
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading users…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    users.await.map(|page| {
                        let search = search_value();
                        let total = page.total;
                        let empty = page.data.is_empty();
                        let view = View {
                            search: search.clone(),
                            suspended: suspended_value(),
                            signed_in: signed_in_value(),
                            sort: sort_value(),
                        };
                        let per_page = page.per_page;
                        let headers = view! {
                            <tr>
                                <th scope="col" class="tick"><span class="sr-only">"Select"</span></th>
                                {sort_header("Username", SortKey::Username, &view, per_page)}
                                {sort_header("Name", SortKey::NameLast, &view, per_page)}
                                {sort_header("Email", SortKey::Email, &view, per_page)}
                                <th scope="col">"Role"</th>
                                <th scope="col"><span class="sr-only">"Badges"</span></th>
                                {sort_header("Last sign-in", SortKey::LastLogin, &view, per_page)}
                                {sort_header("Created", SortKey::Created, &view, per_page)}
                            </tr>
                        };
                        let mut everyone = format!("/users/bulk?search={}", encode_query_value(&view.search));
                        for (name, value) in [("suspended", &view.suspended), ("signed_in", &view.signed_in)] {
                            if !value.is_empty() {
                                everyone.push_str(&format!("&{name}={value}"));
                            }
                        }
                        let pager_view = pager(page.last_page(), page.page, page.per_page, view);
                        view! {
                            <p class="muted" data-testid="total">{total} {if total == 1 { " user" } else { " users" }}</p>
                            <form id="bulk-selection" method="get" action="/users/bulk" class="toolbar">
                                <button class="button button-quiet" type="submit">"Bulk action on ticked users"</button>
                                <a href=everyone>{format!("Bulk action on all {total} {}", if total == 1 { "user" } else { "users" })}</a>
                            </form>
                            {if empty {
                                view! {
                                    <p class="empty" data-testid="empty">
                                        {if search.is_empty() { "No users on this page.".to_owned() } else { format!("No users match “{search}”.") }}
                                    </p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="table">
                                            <thead>{headers}</thead>
                                            <tbody>{page.data.into_iter().map(user_row).collect_view()}</tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }}
                            {pager_view}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

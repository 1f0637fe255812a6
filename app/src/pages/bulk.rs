use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorNote, action_errors};
use crate::server_fns::jobs::StartBulk;
use crate::server_fns::roles::list_roles;

/// The actions, as the API names them, with what the console calls them.
const ACTIONS: [(&str, &str); 7] = [
    ("suspend", "Suspend"),
    ("unsuspend", "Unsuspend"),
    ("assign_role", "Assign role"),
    ("remove_role", "Remove role"),
    ("send_password_reset", "Send password reset"),
    ("disable_two_factor", "Turn off two-factor"),
    ("delete", "Delete"),
];

/// Chooses a bulk action for the users ticked on the list (`user=` in the URL), or for every
/// user its filters select, and starts its dry run.
#[component]
pub fn BulkUsersPage() -> impl IntoView {
    let query = use_query_map();
    let start = ServerAction::<StartBulk>::new();
    let errors = action_errors(start);
    let roles = Resource::new(|| (), |_| list_roles());
    let users = move || query.with(|q| q.get_all("user").unwrap_or_default());
    let filter = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let described = move || {
        let ticked = users().len();
        if ticked > 0 {
            return format!(
                "{ticked} ticked {}",
                if ticked == 1 { "user" } else { "users" }
            );
        }
        let mut parts = Vec::new();
        if !filter("search").is_empty() {
            parts.push(format!("matching “{}”", filter("search")));
        }
        match filter("suspended").as_str() {
            "true" => parts.push("suspended".to_owned()),
            "false" => parts.push("active".to_owned()),
            _ => {}
        }
        match filter("signed_in").as_str() {
            "true" => parts.push("who have signed in".to_owned()),
            "false" => parts.push("who never signed in".to_owned()),
            _ => {}
        }
        if parts.is_empty() {
            "every user".to_owned()
        } else {
            format!("every user {}", parts.join(", "))
        }
    };
    view! {
        <Title text="Bulk action · Roster" />
        <h1>"Bulk action"</h1>
        <section class="card">
            <p data-testid="selection">"For " <strong>{described}</strong> "."</p>
            <p class="muted">"A dry run comes first: it shows, for each user, what would happen or why it would be refused, and changes nothing. You confirm it afterwards."</p>
            <ActionForm action=start attr:class="grid">
                {move || {
                    users()
                        .into_iter()
                        .enumerate()
                        .map(|(i, user)| view! { <input type="hidden" name=format!("users[{i}]") value=user /> })
                        .collect_view()
                }}
                <input type="hidden" name="search" prop:value=move || filter("search") />
                <input type="hidden" name="suspended" prop:value=move || filter("suspended") />
                <input type="hidden" name="signed_in" prop:value=move || filter("signed_in") />
                <div class="field">
                    <label for="bulk-action">"Action"</label>
                    <select id="bulk-action" name="action">
                        {ACTIONS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                    <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("action"))}</p>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let roles = roles.await.map(|page| page.data).unwrap_or_default();
                        view! {
                            <div class="field">
                                <label for="bulk-role">"Role (to assign)"</label>
                                <select id="bulk-role" name="role">
                                    <option value="">"—"</option>
                                    {roles.into_iter().map(|role| view! { <option value=role.uuid.to_string()>{role.name}</option> }).collect_view()}
                                </select>
                                <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("role"))}</p>
                            </div>
                        }
                    })}
                </Transition>
                <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("users"))}{move || errors.with(|e| e.field("filter"))}</p>
                <ErrorNote message=Signal::derive(move || errors.get().general) />
                <div class="actions">
                    <button class="button" type="submit" disabled=move || start.pending().get()>"Dry run"</button>
                    <a href="/users">"Back to users"</a>
                </div>
            </ActionForm>
        </section>
    }
}

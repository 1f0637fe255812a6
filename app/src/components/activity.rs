//! The activity timeline: each row as a sentence ("alice changed email of bob via key
//! ‘billing’ from 10.0.0.7"), then the fields it changed, before and after.

use leptos::prelude::*;
use leptos_router::components::A;
use roster::domain::activity::{Activity, ActivityTarget, Event};
use serde_json::Value;

use super::time::moment;

fn actor(entry: &Activity) -> AnyView {
    match (
        &entry.actor,
        entry.credential.as_ref().map(|c| c.kind.as_str()),
    ) {
        (Some(actor), _) => {
            let (href, name) = (format!("/users/{}", actor.uuid), actor.username.clone());
            view! { <A href=href attr:class="actor">{name}</A> }.into_any()
        }
        (None, Some("operator")) => view! { <span class="actor">"The operator"</span> }.into_any(),
        (None, _) => view! { <span class="actor">"Someone"</span> }.into_any(),
    }
}

fn target(target: &ActivityTarget) -> AnyView {
    let label = target.label.clone();
    match target.kind.as_str() {
        "user" => view! { <A href=format!("/users/{}", target.uuid)>{label}</A> }.into_any(),
        "role" => view! { <span>"role " <A href="/roles">{label}</A></span> }.into_any(),
        "server" => view! { <span>"server " <A href="/servers">{label}</A></span> }.into_any(),
        "api_key" => view! { <span>"API key ‘" {label} "’"</span> }.into_any(),
        "session" => view! { <span>"a session (" {label} ")"</span> }.into_any(),
        other => view! { <span>{format!("{other} {label}")}</span> }.into_any(),
    }
}

/// How the actor proved who they were and where they were.
fn context(entry: &Activity) -> String {
    let mut text = String::new();
    if let Some(impersonator) = &entry.impersonated_by {
        text.push_str(&format!(" (acted by {})", impersonator.username));
    }
    match entry.credential.as_ref() {
        Some(credential) if credential.kind == "api_key" => {
            let name = credential.name.clone().unwrap_or_default();
            text.push_str(&format!(" via key ‘{name}’"));
        }
        Some(credential) if credential.kind == "operator" => text.push_str(" at the command line"),
        _ => {}
    }
    if let Some(ip) = &entry.ip {
        text.push_str(&format!(" from {ip}"));
    }
    text
}

fn value_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Object(fields)) => {
            match fields.get("name").or_else(|| fields.get("username")) {
                Some(Value::String(name)) => name.clone(),
                _ => Value::Object(fields.clone()).to_string(),
            }
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| value_text(Some(item)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The changed fields, one row each: before and after for a change, the one value for what was
/// created or deleted.
fn diff(entry: &Activity) -> Option<impl IntoView + use<>> {
    if entry.data.is_empty() {
        return None;
    }
    let one_side = |side: &str| {
        entry.data.values().all(|change| {
            change
                .as_object()
                .is_some_and(|c| c.len() == 1 && c.contains_key(side))
        })
    };
    if one_side("after") || one_side("before") {
        let rows = entry
            .data
            .iter()
            .map(|(field, change)| {
                let value = value_text(change.get("after").or_else(|| change.get("before")));
                view! { <tr><th scope="row">{field.replace('_', " ")}</th><td>{value}</td></tr> }
            })
            .collect_view();
        return Some(
            view! {
                <table class="diff">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Value"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any(),
        );
    }
    let rows = entry
        .data
        .iter()
        .map(|(field, change)| {
            let (before, after) = if change.get("changed").is_some() {
                ("—".to_owned(), "changed".to_owned())
            } else {
                (
                    value_text(change.get("before")),
                    value_text(change.get("after")),
                )
            };
            view! {
                <tr>
                    <th scope="row">{field.replace('_', " ")}</th>
                    <td class="before">{before}</td>
                    <td class="after">{after}</td>
                </tr>
            }
        })
        .collect_view();
    Some(
        view! {
            <table class="diff">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any(),
    )
}

fn entry_view(entry: Activity) -> impl IntoView {
    let event = entry.event.parse::<Event>().ok();
    let verb = event.map_or_else(|| entry.event.clone(), |e| e.verb().to_owned());
    // An update names its fields: "changed email, name first of bob".
    let fields = if event.is_some_and(Event::is_update) && !entry.data.is_empty() {
        let names: Vec<String> = entry.data.keys().map(|k| k.replace('_', " ")).collect();
        format!(" {}", names.join(", "))
    } else {
        String::new()
    };
    // "alice signed in", not "alice signed in as alice".
    let about_themselves = match (&entry.actor, &entry.target) {
        (Some(actor), Some(target)) => target.kind == "user" && target.uuid == actor.uuid,
        _ => false,
    };
    let verb = if about_themselves {
        verb.trim_end_matches(" as")
            .trim_end_matches(" of")
            .trim_end_matches(" for")
            .to_owned()
    } else {
        verb
    };
    let shown_target = entry
        .target
        .as_ref()
        .filter(|_| !about_themselves)
        .map(target);
    let fields = if shown_target.is_some() && !fields.is_empty() {
        format!("{fields} of")
    } else {
        fields
    };
    view! {
        <li class="activity" data-event=entry.event.clone()>
            <p class="activity-line">
                {actor(&entry)} " " {verb} {fields} " "
                {shown_target}
                {context(&entry)}
                <span class="muted">" · " {moment(entry.created)}</span>
            </p>
            {diff(&entry)}
        </li>
    }
}

/// The rows of one page, newest first.
pub fn timeline(entries: Vec<Activity>) -> AnyView {
    if entries.is_empty() {
        return view! { <p class="empty" data-testid="empty">"Nothing recorded here."</p> }
            .into_any();
    }
    view! { <ol class="timeline">{entries.into_iter().map(entry_view).collect_view()}</ol> }
        .into_any()
}

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// A moment as people read it, with the exact time in the markup.
pub fn moment(time: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=time.to_rfc3339()>{time.format("%Y-%m-%d %H:%M UTC").to_string()}</time> }
}

/// When a user last signed in, or that they never did.
pub fn last_sign_in(last_login: Option<DateTime<Utc>>) -> AnyView {
    match last_login {
        Some(time) => moment(time).into_any(),
        None => view! { <span class="muted">"Never"</span> }.into_any(),
    }
}

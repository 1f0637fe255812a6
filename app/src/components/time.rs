//! Moments as people read them, in UTC. Written out by hand rather than through chrono's
//! `format`, whose pattern parser would otherwise ship in the console's WebAssembly.

use chrono::{DateTime, Datelike, Timelike, Utc};
use leptos::prelude::*;

/// The day, e.g. `2026-11-28`.
pub fn day(time: DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02}", time.year(), time.month(), time.day())
}

/// The minute, e.g. `2026-11-28 17:20 UTC`.
pub fn minute(time: DateTime<Utc>) -> String {
    format!("{} {:02}:{:02} UTC", day(time), time.hour(), time.minute())
}

/// A moment as people read it, with the exact time in the markup.
pub fn moment(time: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=time.to_rfc3339()>{minute(time)}</time> }
}

/// When a user last signed in, or that they never did.
pub fn last_sign_in(last_login: Option<DateTime<Utc>>) -> AnyView {
    match last_login {
        Some(time) => moment(time).into_any(),
        None => view! { <span class="muted">"Never"</span> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_minutes_are_written_in_full() {
        let time = DateTime::parse_from_rfc3339("2026-01-05T07:09:59Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(day(time), "2026-01-05");
        assert_eq!(minute(time), "2026-01-05 07:09 UTC");
        let far = DateTime::parse_from_rfc3339("0987-12-31T23:59:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(minute(far), "0987-12-31 23:59 UTC");
    }
}

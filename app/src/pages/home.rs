use leptos::prelude::*;

use crate::server_fns::stats::user_count;

#[component]
pub fn HomePage() -> impl IntoView {
    let reading = Resource::new(|| (), |_| user_count());
    view! {
        <section class="card hero">
            <h1 class="brand">"Roster"</h1>
            <p class="muted">"User management for self-hosted panels."</p>
            <Transition fallback=|| view! { <p class="stat">"Counting users…"</p> }>
                <ErrorBoundary fallback=crate::components::feedback::load_error>
                    {move || Suspend::new(async move {
                        reading
                            .await
                            .map(|reading| {
                                view! {
                                    <p class="stat">
                                        <span class="stat-value" data-testid="user-count">
                                            {reading.count}
                                        </span>
                                        " "
                                        {if reading.count == 1 { "user" } else { "users" }}
                                    </p>
                                    <p class="muted" data-testid="read-at">
                                        "Counted at " {reading.read_at}
                                    </p>
                                }
                            })
                    })}
                </ErrorBoundary>
            </Transition>
            <button class="button" type="button" on:click=move |_| reading.refetch()>
                "Reload count"
            </button>
        </section>
    }
}

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use roster::Core;
use roster_app::site::Site;

/// Everything a request needs, built once in `main` and passed in: no globals.
#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub leptos: LeptosOptions,
    pub site: Site,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use roster::Core;

/// Everything a request needs, built once in `main` and passed in: no globals.
#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub leptos: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

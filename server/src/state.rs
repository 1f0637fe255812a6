use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use roster::Core;
use roster_app::site::Site;

/// Everything a request needs, built once in `main` and passed in: no globals. Handlers and
/// layers take it by value, so it is one shared allocation and costs a request one reference
/// count to clone.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
pub struct Shared {
    pub core: Core,
    pub leptos: LeptosOptions,
    pub site: Site,
}

impl AppState {
    pub fn new(core: Core, leptos: LeptosOptions, site: Site) -> Self {
        Self(Arc::new(Shared { core, leptos, site }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

//! Roster's admin console: Leptos components rendered on the server and hydrated in the
//! browser, and server functions that call the same core services as the REST API.

pub mod components;
pub mod error;
pub mod pages;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod session;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use components::layout::Layout;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/roster.css" />
        <Title text="Roster" />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <ParentRoute path=path!("") view=Layout>
                    <Route path=path!("") view=pages::home::HomePage />
                    <Route path=path!("sign-in") view=pages::sign_in::SignInPage />
                    <Route path=path!("users") view=pages::users::UsersPage />
                    <Route path=path!("users/new") view=pages::user_new::NewUserPage />
                    <Route path=path!("users/:id") view=pages::user_edit::EditUserPage />
                    <Route path=path!("roles") view=pages::roles::RolesPage />
                    <Route path=path!("servers") view=pages::servers::ServersPage />
                    <Route path=path!("api-keys") view=pages::api_keys::ApiKeysPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

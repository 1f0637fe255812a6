//! Roster's admin console: Leptos components rendered on the server and hydrated in the
//! browser, and server functions that call the same core services as the REST API.

pub mod components;
pub mod error;
pub mod pages;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod site;
#[cfg(feature = "ssr")]
pub mod status;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

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
                <link rel="icon" href="data:," />
                <HashedStylesheet options=options.clone() id="leptos" />
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

/// Every page renders whole on the server before it is sent (`SsrMode::Async`), so that sign-in,
/// the users list and the user forms work before, and without, the WebAssembly.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::layout::mark_hydrated();
    view! {
        <Title text="Roster" />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <ParentRoute path=path!("") ssr=SsrMode::Async view=Layout>
                    <Route path=path!("") ssr=SsrMode::Async view=pages::home::HomePage />
                    <Route path=path!("sign-in") ssr=SsrMode::Async view=pages::sign_in::SignInPage />
                    <Route path=path!("sign-in/code") ssr=SsrMode::Async view=pages::sign_in_code::SignInCodePage />
                    <Route path=path!("forgot-password") ssr=SsrMode::Async view=pages::forgot_password::ForgotPasswordPage />
                    <Route path=path!("reset-password") ssr=SsrMode::Async view=pages::reset_password::ResetPasswordPage />
                    <Route path=path!("users") ssr=SsrMode::Async view=pages::users::UsersPage />
                    <Route path=path!("users/new") ssr=SsrMode::Async view=pages::user_new::NewUserPage />
                    <Route path=path!("users/:id") ssr=SsrMode::Async view=pages::user_edit::EditUserPage />
                    <Route path=path!("users/:id/activity") ssr=SsrMode::Async view=pages::activity::UserActivityPage />
                    <Route path=path!("activity") ssr=SsrMode::Async view=pages::activity::ActivityPage />
                    <Route path=path!("roles") ssr=SsrMode::Async view=pages::roles::RolesPage />
                    <Route path=path!("servers") ssr=SsrMode::Async view=pages::servers::ServersPage />
                    <Route path=path!("api-keys") ssr=SsrMode::Async view=pages::api_keys::ApiKeysPage />
                    <Route path=path!("account") ssr=SsrMode::Async view=pages::account::AccountPage />
                    <Route path=path!("mail") ssr=SsrMode::Async view=pages::mail::MailPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

//! Roster's admin console: Leptos components rendered on the server and hydrated in the
//! browser, and server functions that call the same core services as the REST API.

pub mod components;
pub mod error;
pub mod pages;
pub mod prefetch;
#[cfg(feature = "hydrate")]
pub mod recovery;
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
use leptos_router::{Lazy, SsrMode, path};

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
                <PrefetchUserPage />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// On the users list, names the chunks of a user's page: the page an admin most often opens
/// next, and the one with the most chunks. Once the list is live, [`prefetch::ahead`] lets the
/// browser fetch them at its lowest priority; named as `<link rel="prefetch">` here, they would
/// compete with the list's own code. Reads the split manifest that `HydrationScripts` provides (none
/// without `cargo leptos --split`).
#[component]
fn PrefetchUserPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let files = {
        let on_list =
            use_context::<http::request::Parts>().is_some_and(|p| p.uri.path() == "/users");
        // leptos 0.8 keeps the manifest in a hidden type; its keys are `__<route>_view_<id>`,
        // here the `EditUser` route of `lazy`.
        use_context::<leptos::WasmSplitManifest>()
            .filter(|_| on_list)
            .and_then(|manifest| manifest.0.try_read_value())
            .and_then(|manifest| {
                let (pkg, chunks, _) = &*manifest;
                let (_, files) = chunks
                    .iter()
                    .find(|(key, _)| key.starts_with("__edit_user_view_"))?;
                Some(
                    files
                        .iter()
                        .map(|file| format!("{pkg}/{file}.wasm"))
                        .collect::<Vec<_>>(),
                )
            })
            .unwrap_or_default()
    };
    #[cfg(not(feature = "ssr"))]
    let files = Vec::<String>::new();
    (!files.is_empty()).then(|| view! { <meta name=prefetch::META content=files.join(" ") /> })
}

/// Every page renders whole on the server before it is sent (`SsrMode::Async`), so that sign-in,
/// the users list and the user forms work before, and without, the WebAssembly.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Roster" />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <ParentRoute path=path!("") ssr=SsrMode::Async view=Layout>
                    <Route path=path!("") ssr=SsrMode::Async view={Lazy::<lazy::Home>::new()} />
                    <Route path=path!("sign-in") ssr=SsrMode::Async view=pages::sign_in::SignInPage />
                    <Route path=path!("sign-in/code") ssr=SsrMode::Async view={Lazy::<lazy::SignInCode>::new()} />
                    <Route path=path!("forgot-password") ssr=SsrMode::Async view={Lazy::<lazy::ForgotPassword>::new()} />
                    <Route path=path!("reset-password") ssr=SsrMode::Async view={Lazy::<lazy::ResetPassword>::new()} />
                    <Route path=path!("users") ssr=SsrMode::Async view={Lazy::<lazy::Users>::new()} />
                    <Route path=path!("users/new") ssr=SsrMode::Async view={Lazy::<lazy::NewUser>::new()} />
                    <Route path=path!("users/:id") ssr=SsrMode::Async view={Lazy::<lazy::EditUser>::new()} />
                    <Route path=path!("users/:id/activity") ssr=SsrMode::Async view={Lazy::<lazy::UserActivity>::new()} />
                    <Route path=path!("activity") ssr=SsrMode::Async view={Lazy::<lazy::Activity>::new()} />
                    <Route path=path!("roles") ssr=SsrMode::Async view={Lazy::<lazy::Roles>::new()} />
                    <Route path=path!("servers") ssr=SsrMode::Async view={Lazy::<lazy::Servers>::new()} />
                    <Route path=path!("api-keys") ssr=SsrMode::Async view={Lazy::<lazy::ApiKeys>::new()} />
                    <Route path=path!("account") ssr=SsrMode::Async view={Lazy::<lazy::Account>::new()} />
                    <Route path=path!("mail") ssr=SsrMode::Async view={Lazy::<lazy::Mail>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The pages an admin rarely opens first. Each is its own chunk of WebAssembly, fetched when
/// the page is first shown, so that signing in and the users list download only their own code.
/// (Built without `cargo leptos --split`, they are ordinary pages.)
mod lazy {
    use leptos::prelude::*;
    use leptos_router::{LazyRoute, lazy_route};

    use crate::pages;

    macro_rules! lazy_page {
        ($route:ident, $page:path) => {
            #[derive(Clone, Copy)]
            pub struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                fn view(_this: Self) -> AnyView {
                    view! { <$page /> }.into_any()
                }
            }
        };
    }

    lazy_page!(Home, pages::home::HomePage);
    lazy_page!(SignInCode, pages::sign_in_code::SignInCodePage);
    lazy_page!(ForgotPassword, pages::forgot_password::ForgotPasswordPage);
    lazy_page!(ResetPassword, pages::reset_password::ResetPasswordPage);
    lazy_page!(Users, pages::users::UsersPage);
    lazy_page!(NewUser, pages::user_new::NewUserPage);
    lazy_page!(EditUser, pages::user_edit::EditUserPage);
    lazy_page!(UserActivity, pages::activity::UserActivityPage);
    lazy_page!(Activity, pages::activity::ActivityPage);
    lazy_page!(Roles, pages::roles::RolesPage);
    lazy_page!(Servers, pages::servers::ServersPage);
    lazy_page!(ApiKeys, pages::api_keys::ApiKeysPage);
    lazy_page!(Account, pages::account::AccountPage);
    lazy_page!(Mail, pages::mail::MailPage);
}

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
                <PrefetchNextPage />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page an admin most often opens next from a page, where that page is a lazy route: the
/// path it is opened from, and the route's key in the split manifest (`__<route>_view_<id>`,
/// the routes of `lazy`). Signing in leads to the users list; from the list, an admin opens a
/// user.
#[cfg(feature = "ssr")]
const NEXT_PAGES: [(&str, &str); 2] = [
    ("/sign-in", "__users_view_"),
    ("/users", "__edit_user_view_"),
];

/// Names the chunks of the page an admin most often opens next ([`NEXT_PAGES`]). Once the page
/// is live, [`prefetch::ahead`] lets the browser fetch them at its lowest priority; named as
/// `<link rel="prefetch">` here, they would compete with the page's own code. Reads the split
/// manifest that `HydrationScripts` provides (none without `cargo leptos --split`).
#[component]
fn PrefetchNextPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let files = {
        let next = use_context::<http::request::Parts>().and_then(|parts| {
            NEXT_PAGES
                .iter()
                .find(|(path, _)| parts.uri.path() == *path)
                .map(|(_, route)| *route)
        });
        // leptos 0.8 keeps the manifest in a hidden type.
        use_context::<leptos::WasmSplitManifest>()
            .zip(next)
            .and_then(|(manifest, route)| {
                let manifest = manifest.0.try_read_value()?;
                let (pkg, chunks, _) = &*manifest;
                let (_, files) = chunks.iter().find(|(key, _)| key.starts_with(route))?;
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

/// Every page but sign-in and not-found is its own chunk of WebAssembly, fetched when the page
/// is first shown (or ahead, see [`NEXT_PAGES`]), so that signing in downloads only its own
/// code, and any other page its own and what it shares. (Built without `cargo leptos --split`,
/// they are ordinary pages.)
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

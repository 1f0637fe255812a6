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
pub mod webauthn;

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
/// path it is opened from, and the key of its chunk in the split manifest (`<function>_<id>`,
/// the functions of `lazy`). Signing in leads to the users list; from the list, an admin opens a
/// user.
#[cfg(feature = "ssr")]
const NEXT_PAGES: [(&str, &str); 2] = [("/sign-in", "users_list_"), ("/users", "user_pages_")];

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
                .map(|(_, chunk)| *chunk)
        });
        // leptos 0.8 keeps the manifest in a hidden type.
        use_context::<leptos::WasmSplitManifest>()
            .zip(next)
            .and_then(|(manifest, chunk)| {
                let manifest = manifest.0.try_read_value()?;
                let (pkg, chunks, _) = &*manifest;
                let (_, files) = chunks.iter().find(|(key, _)| key.starts_with(chunk))?;
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
                    <Route path=path!("users/bulk") ssr=SsrMode::Async view={Lazy::<lazy::BulkUsers>::new()} />
                    <Route path=path!("jobs/:id") ssr=SsrMode::Async view={Lazy::<lazy::Job>::new()} />
                    <Route path=path!("users/:id") ssr=SsrMode::Async view={Lazy::<lazy::EditUser>::new()} />
                    <Route path=path!("users/:id/activity") ssr=SsrMode::Async view={Lazy::<lazy::UserActivity>::new()} />
                    <Route path=path!("activity") ssr=SsrMode::Async view={Lazy::<lazy::Activity>::new()} />
                    <Route path=path!("roles") ssr=SsrMode::Async view={Lazy::<lazy::Roles>::new()} />
                    <Route path=path!("servers") ssr=SsrMode::Async view={Lazy::<lazy::Servers>::new()} />
                    <Route path=path!("oauth-providers") ssr=SsrMode::Async view={Lazy::<lazy::OAuthProviders>::new()} />
                    <Route path=path!("provisioning") ssr=SsrMode::Async view={Lazy::<lazy::Provisioning>::new()} />
                    <Route path=path!("webhooks") ssr=SsrMode::Async view={Lazy::<lazy::Webhooks>::new()} />
                    <Route path=path!("api-keys") ssr=SsrMode::Async view={Lazy::<lazy::ApiKeys>::new()} />
                    <Route path=path!("account") ssr=SsrMode::Async view={Lazy::<lazy::Account>::new()} />
                    <Route path=path!("mail") ssr=SsrMode::Async view={Lazy::<lazy::Mail>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Every page but sign-in and not-found is code fetched when the page is first shown (or ahead,
/// see [`NEXT_PAGES`]), in three WebAssembly chunks, so that signing in downloads only its own
/// code: the users list; the pages of one user; and the pages an admin opens rarely. Each chunk
/// comes with the chunks of the code it shares with the others, at most four more; a chunk per
/// page would make that dozens of small files, which a browser fetches six at a time over
/// HTTP/1.1. (Built without `cargo leptos --split`, they are ordinary pages.)
mod lazy {
    use leptos::lazy;
    use leptos::prelude::*;
    use leptos_router::LazyRoute;

    use crate::pages;

    /// The pages of one user.
    #[derive(Clone, Copy)]
    pub enum UserPage {
        New,
        Edit,
        Activity,
    }

    /// The pages an admin opens rarely.
    #[derive(Clone, Copy)]
    pub enum RarePage {
        Home,
        SignInCode,
        ForgotPassword,
        ResetPassword,
        Activity,
        Roles,
        Servers,
        OAuthProviders,
        Provisioning,
        Webhooks,
        ApiKeys,
        Account,
        Mail,
        BulkUsers,
        Job,
    }

    #[lazy]
    fn users_list() -> AnyView {
        view! { <pages::users::UsersPage /> }.into_any()
    }

    #[lazy]
    fn user_pages(page: UserPage) -> AnyView {
        match page {
            UserPage::New => view! { <pages::user_new::NewUserPage /> }.into_any(),
            UserPage::Edit => view! { <pages::user_edit::EditUserPage /> }.into_any(),
            UserPage::Activity => view! { <pages::activity::UserActivityPage /> }.into_any(),
        }
    }

    #[lazy]
    fn rare_pages(page: RarePage) -> AnyView {
        match page {
            RarePage::Home => view! { <pages::home::HomePage /> }.into_any(),
            RarePage::SignInCode => view! { <pages::sign_in_code::SignInCodePage /> }.into_any(),
            RarePage::ForgotPassword => {
                view! { <pages::forgot_password::ForgotPasswordPage /> }.into_any()
            }
            RarePage::ResetPassword => {
                view! { <pages::reset_password::ResetPasswordPage /> }.into_any()
            }
            RarePage::Activity => view! { <pages::activity::ActivityPage /> }.into_any(),
            RarePage::Roles => view! { <pages::roles::RolesPage /> }.into_any(),
            RarePage::Servers => view! { <pages::servers::ServersPage /> }.into_any(),
            RarePage::OAuthProviders => {
                view! { <pages::oauth_providers::OAuthProvidersPage /> }.into_any()
            }
            RarePage::Provisioning => {
                view! { <pages::provisioning::ProvisioningPage /> }.into_any()
            }
            RarePage::Webhooks => view! { <pages::webhooks::WebhooksPage /> }.into_any(),
            RarePage::ApiKeys => view! { <pages::api_keys::ApiKeysPage /> }.into_any(),
            RarePage::Account => view! { <pages::account::AccountPage /> }.into_any(),
            RarePage::Mail => view! { <pages::mail::MailPage /> }.into_any(),
            RarePage::BulkUsers => view! { <pages::bulk::BulkUsersPage /> }.into_any(),
            RarePage::Job => view! { <pages::job::JobPage /> }.into_any(),
        }
    }

    /// A route showing a page of a chunk: what `#[lazy_route]` writes for a route of its own
    /// chunk, with the chunk's function (`#[lazy]`) and the preloader it comes with.
    macro_rules! lazy_page {
        ($route:ident, $chunk:ident($($page:expr)?), $preload:ident) => {
            #[derive(Clone, Copy)]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_this: Self) -> AnyView {
                    $chunk($($page)?).await
                }

                async fn preload() {
                    // Only the WebAssembly is split.
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        };
    }

    lazy_page!(Users, users_list(), __preload_users_list);
    lazy_page!(NewUser, user_pages(UserPage::New), __preload_user_pages);
    lazy_page!(EditUser, user_pages(UserPage::Edit), __preload_user_pages);
    lazy_page!(
        UserActivity,
        user_pages(UserPage::Activity),
        __preload_user_pages
    );
    lazy_page!(Home, rare_pages(RarePage::Home), __preload_rare_pages);
    lazy_page!(
        SignInCode,
        rare_pages(RarePage::SignInCode),
        __preload_rare_pages
    );
    lazy_page!(
        ForgotPassword,
        rare_pages(RarePage::ForgotPassword),
        __preload_rare_pages
    );
    lazy_page!(
        ResetPassword,
        rare_pages(RarePage::ResetPassword),
        __preload_rare_pages
    );
    lazy_page!(
        Activity,
        rare_pages(RarePage::Activity),
        __preload_rare_pages
    );
    lazy_page!(Roles, rare_pages(RarePage::Roles), __preload_rare_pages);
    lazy_page!(Servers, rare_pages(RarePage::Servers), __preload_rare_pages);
    lazy_page!(
        OAuthProviders,
        rare_pages(RarePage::OAuthProviders),
        __preload_rare_pages
    );
    lazy_page!(
        Provisioning,
        rare_pages(RarePage::Provisioning),
        __preload_rare_pages
    );
    lazy_page!(
        Webhooks,
        rare_pages(RarePage::Webhooks),
        __preload_rare_pages
    );
    lazy_page!(ApiKeys, rare_pages(RarePage::ApiKeys), __preload_rare_pages);
    lazy_page!(Account, rare_pages(RarePage::Account), __preload_rare_pages);
    lazy_page!(Mail, rare_pages(RarePage::Mail), __preload_rare_pages);
    lazy_page!(
        BulkUsers,
        rare_pages(RarePage::BulkUsers),
        __preload_rare_pages
    );
    lazy_page!(Job, rare_pages(RarePage::Job), __preload_rare_pages);
}

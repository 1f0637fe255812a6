use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_location;
use roster::Permission;

use crate::components::post_form::PostForm;
use crate::server_fns::auth::{Me, ReturnToAccount, SignOut, current_user};

/// The signed-in user, read again on every navigation so that signing in or out shows at once.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, crate::error::AppError>>);

#[component]
pub fn Layout() -> impl IntoView {
    let location = use_location();
    let me = Resource::new(move || location.pathname.get(), |_| current_user());
    provide_context(MeResource(me));
    let sign_out = ServerAction::<SignOut>::new();
    let return_to_account = ServerAction::<ReturnToAccount>::new();
    view! {
        <a class="skip" href="#content">"Skip to content"</a>
        <header class="topbar">
            <a class="logo" href="/">"Roster"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let me = me.await.ok().flatten();
                    me.map(|me| {
                        let can = |p| me.can(p);
                        let everything = me.admin && Permission::ALL.iter().all(|p| me.can(*p));
                        view! {
                            <nav aria-label="Main">
                                <ul class="nav">
                                    {can(Permission::UsersRead).then(|| view! { <li><A href="/users">"Users"</A></li> })}
                                    {can(Permission::RolesRead).then(|| view! { <li><A href="/roles">"Roles"</A></li> })}
                                    {can(Permission::ServersRead).then(|| view! { <li><A href="/servers">"Servers"</A></li> })}
                                    {can(Permission::OauthProvidersRead).then(|| view! { <li><A href="/oauth-providers">"Sign-in providers"</A></li> })}
                                    {can(Permission::ActivityRead).then(|| view! { <li><A href="/activity">"Activity"</A></li> })}
                                    {can(Permission::UsersCreate).then(|| view! { <li><A href="/provisioning">"Provisioning"</A></li> })}
                                    {can(Permission::WebhooksRead).then(|| view! { <li><A href="/webhooks">"Webhooks"</A></li> })}
                                    <li><A href="/api-keys">"API keys"</A></li>
                                    <li><a href="/api/docs" rel="external">"API reference"</a></li>
                                    {everything.then(|| view! { <li><A href="/mail">"Mail"</A></li> })}
                                </ul>
                            </nav>
                            {me.impersonator.clone().map(|_| view! {
                                <div class="acting" role="status" data-testid="acting-as">
                                    <span>"Acting as " <strong>{me.username.clone()}</strong> " — "</span>
                                    <PostForm action=return_to_account read=|_| ReturnToAccount {}>
                                        <button class="button button-quiet" type="submit">"return to your account"</button>
                                    </PostForm>
                                </div>
                            })}
                            <div class="whoami">
                                <A href="/account"><span data-testid="signed-in-as">{me.username.clone()}</span></A>
                                <PostForm action=sign_out read=|_| SignOut {}>
                                    <button class="button button-quiet" type="submit">"Sign out"</button>
                                </PostForm>
                            </div>
                        }
                    })
                })}
            </Transition>
        </header>
        <main id="content" class="page">
            <Outlet />
        </main>
    }
}

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use roster::Permission;
use roster::domain::server::Server;
use uuid::Uuid;

use crate::components::feedback::{ErrorNote, action_errors, describe, load_error};
use crate::components::layout::MeResource;
use crate::components::user_fields::UserFields;
use crate::server_fns::oauth_providers::{UnlinkUser, user_links};
use crate::server_fns::roles::list_roles;
use crate::server_fns::servers::{DeleteServer, TransferServer};
use crate::server_fns::two_factor::ResetTwoFactor;
use crate::server_fns::users::{
    DeleteUser, SendPasswordReset, SignInAs, UpdateUser, get_user, user_servers,
};

#[component]
pub fn EditUserPage() -> impl IntoView {
    let params = use_params_map();
    let uuid = move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let update = ServerAction::<UpdateUser>::new();
    let user = Resource::new(
        move || (uuid(), update.version().get()),
        |(uuid, _)| async move {
            match uuid {
                Some(uuid) => get_user(uuid).await,
                None => Err(crate::error::AppError::Refused(
                    roster::Refusal::InvalidUuid(roster::Entity::User),
                )),
            }
        },
    );
    let errors = action_errors(update);
    let saved = move || update.value().get().is_some_and(|r| r.is_ok());
    let me = expect_context::<MeResource>().0;
    let roles = Resource::new(|| (), |_| list_roles());
    view! {
        <Title text="Edit user · Roster" />
        <Transition fallback=|| view! { <p class="muted">"Loading user…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    let me = me.await.ok().flatten();
                    let global = me.as_ref().is_some_and(|me| me.admin && me.can(Permission::RolesRead));
                    let can_delete = me.as_ref().is_some_and(|me| me.can(Permission::UsersDelete));
                    let can_servers = me.as_ref().is_some_and(|me| me.can(Permission::ServersRead));
                    let can_email = me.as_ref().is_some_and(|me| me.can(Permission::UsersEmail));
                    let can_reset_two_factor = me.as_ref().is_some_and(|me| me.can(Permission::UsersDisableTwoFactor));
                    let can_impersonate = me.as_ref().is_some_and(|me| me.can(Permission::UsersImpersonate) && me.impersonator.is_none());
                    let can_links = me.as_ref().is_some_and(|me| me.can(Permission::UsersOauthLinks));
                    let roles = if global { roles.await.ok().map(|page| page.data) } else { None };
                    user.await.map(|editable| {
                        let user = editable.user;
                        let uuid = user.uuid;
                        let has_two_factor = user.totp_enabled;
                        let last_login = user.last_login;
                        let username = user.username.clone();
                        let myself = me.as_ref().is_some_and(|me| me.username == user.username);
                        view! {
                            <div class="page-head">
                                <h1>{user.username.clone()}</h1>
                                <a href="/users">"All users"</a>
                            </div>
                            {crate::pages::activity::user_tabs(uuid, "Details")}
                            <p class="muted" data-testid="last-sign-in">"Last sign-in: " {crate::components::time::last_sign_in(last_login)}</p>
                            <ActionForm action=update>
                                <input type="hidden" name="uuid" value=uuid.to_string() />
                                <input type="hidden" name="form[version]" value=editable.version />
                                <section class="card">
                                    <UserFields user=Some(user) roles=roles errors=errors />
                                    <ErrorNote message=Signal::derive(move || errors.get().general) />
                                    <p class="note note-ok" role="status" hidden=move || !saved()>"Saved."</p>
                                    <div class="actions">
                                        <button class="button" type="submit" disabled=move || update.pending().get()>"Save changes"</button>
                                    </div>
                                </section>
                            </ActionForm>
                            {(can_impersonate && !myself).then(|| view! { <SignInAsSection uuid=uuid username=username /> })}
                            {can_links.then(|| view! { <ProviderLinksSection uuid=uuid /> })}
                            {can_email.then(|| view! { <PasswordResetSection uuid=uuid /> })}
                            {(can_reset_two_factor && has_two_factor).then(|| view! { <TwoFactorResetSection uuid=uuid /> })}
                            {can_delete.then(|| view! { <DeleteUserSection uuid=uuid show_servers=can_servers /> })}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

fn server_row(
    server: Server,
    transfer: ServerAction<TransferServer>,
    remove: ServerAction<DeleteServer>,
) -> impl IntoView {
    let id = server.uuid.to_string();
    let delete_id = id.clone();
    let owner_id = format!("owner-{}", server.uuid);
    let owner_label_for = owner_id.clone();
    view! {
        <li class="server-row">
            <span class="server-name">{server.name.clone()}</span>
            <ActionForm action=transfer attr:class="inline">
                <input type="hidden" name="uuid" value=id />
                <label for=owner_label_for>"Transfer to"</label>
                <input id=owner_id name="owner" type="text" placeholder="username or email" required />
                <button class="button button-quiet" type="submit">"Transfer"</button>
            </ActionForm>
            <ActionForm action=remove attr:class="inline">
                <input type="hidden" name="uuid" value=delete_id />
                <button class="button button-danger" type="submit">"Delete server"</button>
            </ActionForm>
        </li>
    }
}

/// Turns off the user's two-factor sign-in (they are told by mail).
#[component]
fn TwoFactorResetSection(uuid: Uuid) -> impl IntoView {
    let reset = ServerAction::<ResetTwoFactor>::new();
    let done = move || reset.value().get().is_some_and(|r| r.is_ok());
    let error = move || {
        reset
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| describe(&e))
    };
    view! {
        <section class="card" aria-labelledby="two-factor-reset-heading">
            <h2 id="two-factor-reset-heading">"Two-factor sign-in"</h2>
            <p class="hint">"On for this user. Turning it off lets them sign in with their password alone; they are told by mail."</p>
            <ActionForm action=reset>
                <input type="hidden" name="uuid" value=uuid.to_string() />
                <button class="button button-danger" type="submit">"Turn off two-factor sign-in"</button>
            </ActionForm>
            <p class="note note-ok" role="status" hidden=move || !done()>"Two-factor sign-in is off for this user."</p>
            <ErrorNote message=Signal::derive(error) />
        </section>
    }
}

/// Acts as the user for half an hour, to see Roster as they do.
#[component]
fn SignInAsSection(uuid: Uuid, username: String) -> impl IntoView {
    let act = ServerAction::<SignInAs>::new();
    let error = move || {
        act.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| describe(&e))
    };
    view! {
        <section class="card" aria-labelledby="sign-in-as-heading">
            <h2 id="sign-in-as-heading">"Sign in as"</h2>
            <p class="hint">"See Roster as this user does, for up to 30 minutes. Their password, two-factor sign-in, keys and sessions stay out of reach, and the activity log names you on everything done meanwhile."</p>
            <ActionForm action=act>
                <input type="hidden" name="uuid" value=uuid.to_string() />
                <button class="button button-quiet" type="submit" disabled=move || act.pending().get()>{format!("Sign in as {username}")}</button>
            </ActionForm>
            <ErrorNote message=Signal::derive(error) />
        </section>
    }
}

/// Mails the user a link to choose a new password.
/// The user's links to sign-in providers, each with an Unlink button.
#[component]
fn ProviderLinksSection(uuid: Uuid) -> impl IntoView {
    let unlink = ServerAction::<UnlinkUser>::new();
    let links = Resource::new(move || unlink.version().get(), move |_| user_links(uuid));
    let error = move || {
        unlink
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| describe(&e))
    };
    view! {
        <section class="card" aria-labelledby="user-links-heading">
            <h2 id="user-links-heading">"Sign-in providers"</h2>
            <ErrorNote message=Signal::derive(error) />
            <Transition fallback=|| ()>
                <ErrorBoundary fallback=load_error>
                    {move || Suspend::new(async move {
                        links.await.map(|links| view! {
                            {links.is_empty().then(|| view! { <p class="muted">"No links."</p> })}
                            <ul class="plain">
                                {links.into_iter().map(|link| view! {
                                    <li class="server-row" data-testid="user-link">
                                        <span>{link.provider} " · " <span class="muted">{link.identifier}</span> " · " <span class="muted">{
                                            link.last_used.map_or_else(|| "never used".to_owned(), |at| format!("last used {}", crate::components::time::minute(at)))
                                        }</span></span>
                                        <ActionForm action=unlink attr:class="inline">
                                            <input type="hidden" name="user" value=uuid.to_string() />
                                            <input type="hidden" name="uuid" value=link.uuid.to_string() />
                                            <button class="button button-quiet" type="submit">"Unlink"</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn PasswordResetSection(uuid: Uuid) -> impl IntoView {
    let send = ServerAction::<SendPasswordReset>::new();
    let sent = move || send.value().get().is_some_and(|r| r.is_ok());
    let error = move || {
        send.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| describe(&e))
    };
    view! {
        <section class="card" aria-labelledby="reset-heading">
            <h2 id="reset-heading">"Password reset"</h2>
            <p class="hint">"Mails the user a link to choose a new password; it works for 20 minutes, once."</p>
            <ActionForm action=send>
                <input type="hidden" name="uuid" value=uuid.to_string() />
                <button class="button button-quiet" type="submit" disabled=move || send.pending().get()>"Send password reset"</button>
            </ActionForm>
            <p class="note note-ok" role="status" hidden=move || !sent()>"The link is on its way."</p>
            <ErrorNote message=Signal::derive(error) />
        </section>
    }
}

/// Deleting a user: the servers they own come first, each transferred or deleted here, so the
/// contract's "user has servers" refusal becomes a flow a person can finish.
#[component]
fn DeleteUserSection(uuid: Uuid, show_servers: bool) -> impl IntoView {
    let delete = ServerAction::<DeleteUser>::new();
    let transfer = ServerAction::<TransferServer>::new();
    let remove = ServerAction::<DeleteServer>::new();
    let servers = Resource::new(
        move || (transfer.version().get(), remove.version().get()),
        move |_| async move {
            if show_servers {
                user_servers(uuid).await.map(|p| p.data)
            } else {
                Ok(Vec::new())
            }
        },
    );
    let action_error = move || {
        [
            transfer.value().get().and_then(|r| r.err()),
            remove.value().get().and_then(|r| r.err()),
            delete.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| describe(&e))
    };
    view! {
        <section class="card danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete this user"</h2>
            <Transition fallback=|| view! { <p class="muted">"Checking servers…"</p> }>
                {move || Suspend::new(async move {
                    let owned = servers.await.unwrap_or_default();
                    let blocked = !owned.is_empty();
                    view! {
                        {blocked.then(|| view! {
                            <p data-testid="owns-servers">
                                {format!("This user owns {} server{}. Transfer or delete {} before deleting the user.",
                                    owned.len(), if owned.len() == 1 { "" } else { "s" }, if owned.len() == 1 { "it" } else { "them" })}
                            </p>
                            <ul class="servers">{owned.clone().into_iter().map(|s| server_row(s, transfer, remove)).collect_view()}</ul>
                        })}
                        <ActionForm action=delete>
                            <input type="hidden" name="uuid" value=uuid.to_string() />
                            <label class="check" for="confirm-delete">
                                <input type="checkbox" id="confirm-delete" name="confirm" value="yes" required disabled=blocked />
                                <span>"I understand this permanently deletes the account."</span>
                            </label>
                            <button class="button button-danger" type="submit" disabled=blocked>"Delete user"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
            <ErrorNote message=Signal::derive(action_error) />
        </section>
    }
}

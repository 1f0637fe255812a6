use leptos::prelude::*;
use leptos_meta::Title;
use roster::Permission;

use crate::components::feedback::{ErrorNote, action_errors};
use crate::components::layout::MeResource;
use crate::components::user_fields::UserFields;
use crate::server_fns::roles::list_roles;
use crate::server_fns::users::CreateUser;

#[component]
pub fn NewUserPage() -> impl IntoView {
    let action = ServerAction::<CreateUser>::new();
    let errors = action_errors(action);
    let me = expect_context::<MeResource>().0;
    let roles = Resource::new(|| (), |_| list_roles());
    view! {
        <Title text="New user · Roster" />
        <h1>"New user"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let global = me.await.ok().flatten().is_some_and(|me| me.admin && me.can(Permission::RolesRead));
                let roles = if global { roles.await.ok().map(|page| page.data) } else { None };
                view! {
                    <ActionForm action=action>
                        <section class="card">
                            <UserFields user=None roles=roles errors=errors />
                            <ErrorNote message=Signal::derive(move || errors.get().general) />
                            <div class="actions">
                                <button class="button" type="submit" disabled=move || action.pending().get()>"Create user"</button>
                                <a href="/users">"Cancel"</a>
                            </div>
                        </section>
                    </ActionForm>
                }
            })}
        </Transition>
    }
}

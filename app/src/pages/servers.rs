use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorNote, action_errors, describe, load_error};
use crate::server_fns::servers::{CreateServer, DeleteServer, TransferServer, list_servers};

#[component]
pub fn ServersPage() -> impl IntoView {
    let create = ServerAction::<CreateServer>::new();
    let transfer = ServerAction::<TransferServer>::new();
    let remove = ServerAction::<DeleteServer>::new();
    let servers = Resource::new(
        move || {
            (
                create.version().get(),
                transfer.version().get(),
                remove.version().get(),
            )
        },
        |_| list_servers(),
    );
    let errors = action_errors(create);
    let row_error = move || {
        [
            transfer.value().get().and_then(|r| r.err()),
            remove.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| describe(&e))
    };
    view! {
        <Title text="Servers · Roster" />
        <h1>"Servers"</h1>
        <section class="card">
            <h2>"New server"</h2>
            <ActionForm action=create attr:class="grid">
                <div class="field">
                    <label for="server-name">"Name"</label>
                    <input id="server-name" name="name" type="text" required maxlength="255" />
                    <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("name"))}</p>
                </div>
                <div class="field">
                    <label for="server-owner">"Owner (username or email)"</label>
                    <input id="server-owner" name="owner" type="text" required />
                    <p class="field-error" aria-live="polite">{move || errors.with(|e| e.field("owner"))}</p>
                </div>
                <ErrorNote message=Signal::derive(move || errors.get().general) />
                <div class="actions"><button class="button" type="submit">"Create server"</button></div>
            </ActionForm>
        </section>
        <ErrorNote message=Signal::derive(row_error) />
        <Transition fallback=|| view! { <p class="muted">"Loading servers…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    servers.await.map(|page| {
                        let empty = page.data.is_empty();
                        view! {
                            <p class="muted" data-testid="total">{page.total} " servers"</p>
                            {empty.then(|| view! { <p class="empty">"No servers yet."</p> })}
                            <div class="table-wrap">
                                <table class="table" hidden=empty>
                                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Owner"</th><th scope="col">"Transfer"</th><th scope="col"><span class="sr-only">"Delete"</span></th></tr></thead>
                                    <tbody>
                                        {page.data.into_iter().map(|server| {
                                            let id = server.uuid.to_string();
                                            let delete_id = id.clone();
                                            let owner_id = format!("transfer-{id}");
                                            let owner_label_for = owner_id.clone();
                                            view! {
                                                <tr>
                                                    <td>{server.name.clone()}</td>
                                                    <td><a href=format!("/users/{}", server.owner_uuid)>{server.owner_username.clone()}</a></td>
                                                    <td>
                                                        <ActionForm action=transfer attr:class="inline">
                                                            <input type="hidden" name="uuid" value=id />
                                                            <label class="sr-only" for=owner_label_for>{format!("New owner of {}", server.name)}</label>
                                                            <input id=owner_id name="owner" type="text" placeholder="username or email" required />
                                                            <button class="button button-quiet" type="submit">"Transfer"</button>
                                                        </ActionForm>
                                                    </td>
                                                    <td>
                                                        <ActionForm action=remove>
                                                            <input type="hidden" name="uuid" value=delete_id />
                                                            <button class="button button-danger" type="submit">"Delete"</button>
                                                        </ActionForm>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

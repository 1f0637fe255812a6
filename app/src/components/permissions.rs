use leptos::prelude::*;
use roster::Permission;
use roster::permission::CATALOGUE;

/// The permission catalogue as grouped checkboxes. `offered` limits the choice (an API key
/// can only get what its user holds); `checked` is the initial state.
#[component]
pub fn PermissionPicker(
    #[prop(into)] name: String,
    /// Makes the checkboxes' ids unique when a page shows several pickers.
    #[prop(into)]
    id_prefix: String,
    offered: Vec<Permission>,
    checked: Vec<Permission>,
) -> impl IntoView {
    let groups = CATALOGUE
        .iter()
        .filter(|group| group.permissions.iter().any(|p| offered.contains(p)))
        .map(|group| {
            let boxes = group
                .permissions
                .iter()
                .filter(|p| offered.contains(p))
                .map(|permission| {
                    let index = Permission::ALL
                        .iter()
                        .position(|p| p == permission)
                        .unwrap_or_default();
                    let id = format!("{id_prefix}-{}", permission.as_str().replace('.', "-"));
                    let label_for = id.clone();
                    view! {
                        <label class="check" for=label_for>
                            <input
                                type="checkbox"
                                id=id
                                name=format!("{name}[{index}]")
                                value=permission.as_str()
                                checked=checked.contains(permission)
                            />
                            <span>
                                <code>{permission.as_str()}</code>
                                <span class="muted">{permission.description()}</span>
                            </span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="group">
                    <legend>{group.name} <span class="muted">" — " {group.description}</span></legend>
                    {boxes}
                </fieldset>
            }
        })
        .collect_view();
    view! { <div class="permissions">{groups}</div> }
}

//! A form that posts to a server function and reads its own fields.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::wasm_bindgen::JsCast;

/// Leptos' `ActionForm` for the forms of the layout and the sign-in page, which every page's
/// WebAssembly carries: the same `<form action method="post">`, so that it works before and
/// without the WebAssembly, but once hydrated the server function's arguments come from `read`
/// instead of a query-string parser, which then stays out of the main module. The server
/// function must take its arguments URL-encoded (`PostUrl`, the default), as browsers post forms.
#[component]
pub fn PostForm<S>(
    action: ServerAction<S>,
    /// The server function's arguments from the submitted form's fields.
    read: fn(&web_sys::FormData) -> S,
    children: Children,
) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        let data = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlFormElement>().ok())
            .and_then(|form| web_sys::FormData::new_with_form(&form).ok());
        // Without form data (never in a browser) the form posts itself, as it would unhydrated.
        if let Some(data) = data {
            ev.prevent_default();
            action.dispatch(read(&data));
        }
    };
    view! {
        <form action=S::url() method="post" on:submit=on_submit>
            {children()}
        </form>
    }
}

/// A text field of a submitted form; empty when missing, as a form posted without the
/// WebAssembly would send it.
pub fn field(data: &web_sys::FormData, name: &str) -> String {
    data.get(name).as_string().unwrap_or_default()
}

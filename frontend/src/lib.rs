//! The WebAssembly entry point: hydrate the server-rendered console, nothing else.

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronously, so that a page split into a chunk of its own (`cargo leptos --split`)
    // is fetched before it hydrates.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), roster_app::App)
            .await
            .forget();
        // Marks the document once every part of the page is live, so that people and tests
        // can tell it from its server-rendered HTML.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

//! The WebAssembly entry point: hydrate the server-rendered console, nothing else.

use leptos::prelude::document;
use roster_app::recovery::Recovery;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    let recovery = Recovery::watch_links();
    let on_panic = recovery.clone();
    std::panic::set_hook(Box::new(move |info| {
        console_error_panic_hook::hook(info);
        on_panic.after_panic();
    }));
    // Asynchronously, so that a page split into a chunk of its own (`cargo leptos --split`)
    // is fetched before it hydrates.
    wasm_bindgen_futures::spawn_local(async move {
        let Some(body) = document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), roster_app::App)
            .await
            .forget();
        recovery.hydrated(&body);
        leptos::prelude::set_timeout(roster_app::prefetch::ahead, std::time::Duration::ZERO);
    });
}

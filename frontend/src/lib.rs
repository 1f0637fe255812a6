//! The WebAssembly entry point: hydrate the server-rendered console, nothing else.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::{document, window};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

static HYDRATED: AtomicBool = AtomicBool::new(false);

/// How long after following a link a dead page still goes where the link pointed.
const LINK_FRESH_MS: f64 = 10_000.0;

thread_local! {
    /// The link last followed, and when (`performance.now()`).
    static LAST_LINK: RefCell<Option<(f64, String)>> = const { RefCell::new(None) };
}

fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or_default()
}

/// Notes every link followed, before the router handles it.
fn remember_links() {
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(|event: web_sys::MouseEvent| {
        let link = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten())
            .and_then(|anchor| anchor.get_attribute("href"));
        if let Some(href) = link {
            LAST_LINK.with(|last| {
                if let Ok(mut last) = last.try_borrow_mut() {
                    *last = Some((now(), href));
                }
            });
        }
    });
    let _ = document().add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    on_click.forget();
}

/// Where a page that can no longer run goes: the link just followed, else the address shown.
fn load_from_server() {
    let link = LAST_LINK.with(|last| {
        last.try_borrow()
            .ok()
            .and_then(|last| last.clone())
            .filter(|(at, _)| now() - at < LINK_FRESH_MS)
            .map(|(_, href)| href)
    });
    let location = window().location();
    let _ = match link {
        Some(href) => location.assign(&href),
        None => location.reload(),
    };
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // A panic leaves the WebAssembly dead. After hydration the likeliest cause is a page
        // whose chunk could not be fetched (a newer release replaced it, and the router
        // changes the address only once the new page is ready), so the page is loaded from the
        // server, with the release's own files. A panic while hydrating loads nothing: the
        // page stays as the server rendered it instead of reloading forever.
        if HYDRATED.load(Ordering::Relaxed) {
            load_from_server();
        }
    }));
    remember_links();
    // Asynchronously, so that a page split into a chunk of its own (`cargo leptos --split`)
    // is fetched before it hydrates.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), roster_app::App)
            .await
            .forget();
        HYDRATED.store(true, Ordering::Relaxed);
        // Marks the document once every part of the page is live, so that people and tests
        // can tell it from its server-rendered HTML.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

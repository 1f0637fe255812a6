//! What the console does when its WebAssembly can no longer run: a panic leaves it dead, and
//! after hydration the likeliest cause is a page whose chunk could not be fetched (a newer
//! release replaced it while the console was open). The page is then loaded from the server,
//! with the release's own files: the link just followed (the router changes the address only
//! once the new page is ready), else the address shown. A panic while hydrating loads nothing,
//! so a page that cannot hydrate stays as the server rendered it instead of reloading forever.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use leptos::prelude::{document, window};
use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::closure::Closure;

/// How long after following a link a dead page still goes where the link pointed.
const LINK_FRESH_MS: f64 = 10_000.0;

#[derive(Clone, Default)]
pub struct Recovery {
    hydrated: Arc<AtomicBool>,
    /// The link last followed, and when (`performance.now()`).
    last_link: Arc<Mutex<Option<(f64, String)>>>,
}

fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or_default()
}

impl Recovery {
    /// Starts noting every link followed, before the router handles it.
    pub fn watch_links() -> Self {
        let recovery = Self::default();
        let last_link = recovery.last_link.clone();
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |event: web_sys::MouseEvent| {
                let href = event
                    .target()
                    .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                    .and_then(|element| element.closest("a[href]").ok().flatten())
                    .and_then(|anchor| anchor.get_attribute("href"));
                if let (Some(href), Ok(mut last)) = (href, last_link.try_lock()) {
                    *last = Some((now(), href));
                }
            });
        let _ = document().add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        on_click.forget();
        recovery
    }

    /// The page is live: from now on a panic loads it from the server. Also marks the
    /// document (`data-hydrated`), so that people and tests can tell it from its
    /// server-rendered HTML.
    pub fn hydrated(&self, body: &web_sys::HtmlElement) {
        self.hydrated.store(true, Ordering::Relaxed);
        let _ = body.set_attribute("data-hydrated", "true");
    }

    /// Called from the panic hook.
    pub fn after_panic(&self) {
        if !self.hydrated.load(Ordering::Relaxed) {
            return;
        }
        let link = self
            .last_link
            .try_lock()
            .ok()
            .and_then(|last| last.clone())
            .filter(|(at, _)| now() - at < LINK_FRESH_MS)
            .map(|(_, href)| href);
        let location = window().location();
        let _ = match link {
            Some(href) => location.assign(&href),
            None => location.reload(),
        };
    }
}

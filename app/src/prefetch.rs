//! Code fetched ahead: the chunks the server names in a `<meta>` of this name (see
//! `PrefetchNextPage`), fetched by the browser while idle once the page is live.

/// The `<meta>` whose content lists the files, separated by spaces.
pub const META: &str = "roster-prefetch";

/// Adds a `<link rel="prefetch">` for every file the page names, which browsers fetch at the
/// lowest priority. Called in a task after the page is hydrated, so that nothing competes with
/// the page's own code.
#[cfg(feature = "hydrate")]
pub fn ahead() {
    use leptos::prelude::document;

    let document = document();
    let (Ok(Some(meta)), Some(head)) = (
        document.query_selector(&format!("meta[name=\"{META}\"]")),
        document.head(),
    ) else {
        return;
    };
    let files = meta.get_attribute("content").unwrap_or_default();
    for file in files.split_whitespace() {
        if let Ok(link) = document.create_element("link") {
            let _ = link.set_attribute("rel", "prefetch");
            let _ = link.set_attribute("as", "fetch");
            let _ = link.set_attribute("crossorigin", "");
            let _ = link.set_attribute("href", file);
            let _ = head.append_child(&link);
        }
    }
}

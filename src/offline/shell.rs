//! The installable app shell: registers the service worker (`/sw.js`,
//! which keeps the app's files so a tablet starts without a network) and
//! moves to a new version only between patients.

use wasm_bindgen::{closure::Closure, JsCast};
use wasm_bindgen_futures::JsFuture;

fn container() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent where service workers are not allowed (an insecure origin).
    js_sys::Reflect::has(&navigator, &"serviceWorker".into())
        .unwrap_or(false)
        .then(|| navigator.service_worker())
}

/// Registers the service worker for this device's page (it keeps that
/// page and its files); where there is none, the app still runs (it just
/// cannot start offline).
pub fn register(page: waitwell_core::Page) {
    let Some(container) = container() else { return };
    let registering = container.register(&format!("/sw.js?page={}", page.worker_page().file()));
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = JsFuture::from(registering).await {
            web_sys::console::warn_2(&"service worker not registered:".into(), &error);
        }
    });
}

/// The wasm file a page of this app loads (trunk names it by its hash).
fn wasm_file(html: &str) -> Option<&str> {
    let end = html.find("_bg.wasm")?;
    let start = html[..end].rfind('/')?;
    Some(&html[start..end])
}

/// Called between two patients (the idle reset, the end of a check-in):
/// if a newer version of the app is waiting, this is when it takes over, by
/// reloading the page; never while someone is using it.
pub fn update_between_patients() {
    wasm_bindgen_futures::spawn_local(async {
        let Some(window) = web_sys::window() else {
            return;
        };
        // A new service worker waiting to take over: let it, then reload
        // under it.
        if let Some(container) = container() {
            if let Ok(registration) = JsFuture::from(container.get_registration()).await {
                if let Ok(registration) =
                    registration.dyn_into::<web_sys::ServiceWorkerRegistration>()
                {
                    if let Some(waiting) = registration.waiting() {
                        let reload = Closure::once_into_js(move || {
                            if let Some(window) = web_sys::window() {
                                let _ = window.location().reload();
                            }
                        });
                        container.set_oncontrollerchange(Some(reload.unchecked_ref()));
                        let _ = waiting.post_message(&"activate".into());
                        return;
                    }
                }
            }
        }
        // A new build of the app on the server: the page's own index names
        // another wasm file than the one running.
        let Some(current) = window
            .document()
            .and_then(|d| d.document_element())
            .map(|e| e.outer_html())
        else {
            return;
        };
        let Ok(fresh) = crate::api::fresh_app_index().await else {
            return;
        };
        if let (Some(running), Some(served)) = (wasm_file(&current), wasm_file(&fresh)) {
            if running != served {
                let _ = window.location().reload();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::wasm_file;

    #[test]
    fn finds_the_wasm_file_an_index_names() {
        // The boot script scripts/finish-pages.mjs writes.
        let html = r#"<script type="importmap">{"integrity":{"/waitwell-d430a8c26e9b81fa.js":"sha384-x"}}</script>
            <script type="module">const wasm = fetch('/waitwell-d430a8c26e9b81fa_bg.wasm');
            const app = await import('/waitwell-d430a8c26e9b81fa.js');</script>"#;
        assert_eq!(wasm_file(html), Some("/waitwell-d430a8c26e9b81fa"));
        assert_eq!(wasm_file("<html></html>"), None);
    }
}

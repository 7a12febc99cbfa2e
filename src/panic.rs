//! What happens when the app panics.
//!
//! A panic leaves a wasm app dead until the page reloads, and on a kiosk
//! nobody is there to reload it. The hook logs where it happened and reloads
//! the current surface's start screen. A crash that repeats straight after
//! each reload stops on a short message instead (see `waitwell_core::restart`).

use crate::i18n::Locale;
use waitwell_core::restart;

const HISTORY_KEY: &str = "waitwell.restarts";

/// Installs the panic hook. Call once, before mounting the app.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        // Only the location is logged: the payload may quote the value being
        // handled, which can be a patient's name or date of birth.
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        web_sys::console::error_1(&format!("Waitwell stopped unexpectedly at {location}").into());
        recover();
    }));
}

fn recover() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let session = window.session_storage().ok().flatten();
    let stored = session
        .as_ref()
        .and_then(|s| s.get_item(HISTORY_KEY).ok().flatten());
    let decision = restart::decide(stored.as_deref(), js_sys::Date::now() as u64);
    if let Some(session) = &session {
        let _ = session.set_item(HISTORY_KEY, &decision.history);
    }
    if decision.restart {
        // The path alone: a query or fragment may hold the state that crashed.
        let location = window.location();
        let path = location.pathname().unwrap_or_else(|_| "/".into());
        let _ = location.replace(&path);
    } else {
        show_out_of_order(&window);
    }
}

/// Replaces the page with a static message in the language the page was in.
fn show_out_of_order(window: &web_sys::Window) {
    let Some(document) = window.document() else {
        return;
    };
    let locale = document
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|lang| lang.parse::<Locale>().ok())
        .unwrap_or_default();
    let message = leptos_i18n::td_string!(locale, out_of_order).to_string();
    if let Some(body) = document.body() {
        body.set_text_content(None);
        if let Ok(p) = document.create_element("p") {
            p.set_class_name("out-of-order");
            p.set_attribute("role", "alert").ok();
            p.set_text_content(Some(&message));
            let _ = body.append_child(&p);
        }
    }
}

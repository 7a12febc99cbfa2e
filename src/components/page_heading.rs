use crate::components::DisplayPrefs;
use crate::i18n::*;
use leptos::{html, prelude::*};
use leptos_i18n::Locale as _;

/// A page's `<h1>`, focused when the page appears so that screen-reader and
/// keyboard users start at the top of each new step; read aloud as well when
/// the person asked for that.
#[component]
pub fn PageHeading(children: Children) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    let prefs = use_context::<DisplayPrefs>();
    // Optional, so a heading also works outside the app (component tests).
    let i18n = use_context::<leptos_i18n::I18nContext<Locale>>();
    // Focus once, when the step appears; speak then, and again whenever
    // reading aloud is switched on.
    Effect::new(move |focused: Option<bool>| {
        let read_aloud = prefs.is_some_and(|p| p.read_aloud.get());
        let Some(heading) = heading.get() else {
            return false;
        };
        if focused != Some(true) {
            let _ = heading.focus();
        }
        if read_aloud {
            let text = heading.text_content().unwrap_or_default();
            let lang = i18n.map_or("en", |i18n| i18n.get_locale_untracked().as_str());
            crate::components::speech::say(&text, lang);
        }
        true
    });
    view! {
        <h1 class="page-title" tabindex="-1" node_ref=heading>
            {children()}
        </h1>
    }
}

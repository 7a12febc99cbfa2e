use crate::components::DisplayPrefs;
use crate::i18n::*;
use leptos::{html, prelude::*};
use leptos_i18n::Locale as _;

/// A page's `<h1>`, focused when the page appears so that screen-reader and
/// keyboard users start at the top of each new step; read aloud as well when
/// the person asked for that.
///
/// A `provisional` heading (a page still getting ready) leaves the kept
/// first screen (`crate::first_screen`) up, and is focused only once it is
/// no longer provisional or nothing covers it; any other heading means the
/// app's own first screen is there, and takes over from the kept one.
#[component]
pub fn PageHeading(
    children: Children,
    #[prop(optional, into)] provisional: Signal<bool>,
) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    let prefs = use_context::<DisplayPrefs>();
    // Optional, so a heading also works outside the app (component tests).
    let i18n = use_context::<leptos_i18n::I18nContext<Locale>>();
    // Focus once, when the step appears (and the app is seen); speak then,
    // and again whenever reading aloud is switched on.
    Effect::new(move |before: Option<(bool, bool)>| {
        let read_aloud = prefs.is_some_and(|p| p.read_aloud.get());
        let waiting = provisional.get();
        let (was_focused, was_reading) = before.unwrap_or_default();
        let Some(heading) = heading.get() else {
            return (false, read_aloud);
        };
        // A heading still getting ready does not uncover the kept first screen.
        let held_back = waiting && crate::first_screen::is_covering();
        let focus_now = !was_focused && !held_back;
        if focus_now {
            if !waiting {
                crate::first_screen::reveal();
            }
            let _ = heading.focus();
        }
        let focused = was_focused || focus_now;
        if focused && read_aloud && (focus_now || !was_reading) {
            let text = heading.text_content().unwrap_or_default();
            let lang = i18n.map_or("en", |i18n| i18n.get_locale_untracked().as_str());
            crate::components::speech::say(&text, lang);
        }
        (focused, read_aloud)
    });
    view! {
        <h1 class="page-title" tabindex="-1" node_ref=heading>
            {children()}
        </h1>
    }
}

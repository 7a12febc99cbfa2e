use leptos::{html, prelude::*};

/// A page's `<h1>`, focused when the page appears so that screen-reader and
/// keyboard users start at the top of each new step.
#[component]
pub fn PageHeading(children: Children) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    view! {
        <h1 class="page-title" tabindex="-1" node_ref=heading>
            {children()}
        </h1>
    }
}

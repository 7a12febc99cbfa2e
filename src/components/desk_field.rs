//! A labelled one-line text field of a staff form.

use leptos::prelude::*;

/// A labelled one-line text field of a desk form, bound to `value`.
#[component]
pub fn DeskField(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    maxlength: usize,
) -> impl IntoView {
    view! {
        <label class="field" for=id>
            {label}
        </label>
        <input
            id=id
            class="typed small"
            autocomplete="off"
            maxlength=maxlength
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}

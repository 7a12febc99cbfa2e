//! A large on-screen keyboard, so a kiosk needs no system keyboard. It types
//! into a signal that a visible field shows; a physical keyboard types into
//! that field too.

use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::checkin::{backspace, type_key};

/// Which keys a field needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Letters, apostrophe, hyphen and space: names.
    Name,
    /// Letters only: one initial.
    Initial,
    /// Digits and letters: appointment codes.
    Code,
    /// Free text: digits, letters, punctuation and space (comments).
    Text,
}

const DIGITS: &str = "1234567890";
const LETTER_ROWS: [&str; 3] = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];

/// Keys typing into `value`, which never grows past `max` characters.
#[component]
pub fn OnScreenKeyboard(value: RwSignal<String>, max: usize, layout: Layout) -> impl IntoView {
    let i18n = use_i18n();
    let press = move |key: &'static str| {
        value.update(|text| type_key(text, key, max));
    };
    let row = move |keys: &'static str, extra: &'static [&'static str]| {
        let keys = keys
            .split("")
            .filter(|k| !k.is_empty())
            .chain(extra.iter().copied())
            .map(|key| {
                view! {
                    <button type="button" class="key" on:click=move |_| press(key)>
                        {key}
                    </button>
                }
            })
            .collect_view();
        view! { <div class="key-row">{keys}</div> }
    };
    let punctuation: &'static [&'static str] = match layout {
        Layout::Name => &["'", "-"],
        Layout::Text => &[",", ".", "?", "!"],
        Layout::Initial | Layout::Code => &[],
    };
    view! {
        <div
            class="keyboard"
            role="group"
            dir="ltr"
            aria-label=move || t_string!(i18n, keyboard.label).to_string()
        >
            {matches!(layout, Layout::Code | Layout::Text).then(|| row(DIGITS, &[]))}
            {row(LETTER_ROWS[0], &[])}
            {row(LETTER_ROWS[1], &[])}
            {row(LETTER_ROWS[2], punctuation)}
            <div class="key-row">
                {matches!(layout, Layout::Name | Layout::Text)
                    .then(|| {
                        view! {
                            <button type="button" class="key space" on:click=move |_| press(" ")>
                                {t!(i18n, keyboard.space)}
                            </button>
                        }
                    })}
                <button
                    type="button"
                    class="key delete"
                    on:click=move |_| value.update(backspace)
                >
                    {t!(i18n, keyboard.delete)}
                </button>
            </div>
        </div>
    }
}

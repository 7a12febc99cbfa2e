//! The signed-in person's own sign-in: their PIN, and whether this
//! computer is an enrolled reception desk (where that PIN unlocks the
//! screen after a break).

use crate::components::error_text;
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, Desk};
use leptos::{ev, prelude::*};
use waitwell_core::client::ClientError;
use waitwell_core::contract::{valid_pin, ErrorCode, PIN_DIGITS};

/// What the last step did.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    PinSaved,
    InvalidPin,
    Failed(ClientError),
}

#[component]
pub fn AccountPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let pin = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let failed = move |e: ClientError| {
        if is_signed_out(&e) {
            desk.session_ended();
        } else {
            outcome.try_set(Some(Outcome::Failed(e)));
        }
    };
    let save_pin = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let typed = pin.get_untracked().trim().to_owned();
        if !valid_pin(&typed) {
            outcome.set(Some(Outcome::InvalidPin));
            return;
        }
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            match adapter.set_pin(&typed).await {
                Ok(()) => {
                    pin.try_set(String::new());
                    outcome.try_set(Some(Outcome::PinSaved));
                    desk.update(|s| s.pin_set = true);
                }
                Err(e) if e.code() == Some(ErrorCode::InvalidPin) => {
                    outcome.try_set(Some(Outcome::InvalidPin));
                }
                Err(e) => failed(e),
            }
        });
    };
    let make_desk = move |_| {
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            match adapter.enroll_desk().await {
                Ok(_) => desk.update(|s| s.desk = true),
                Err(e) => failed(e),
            }
        });
    };
    let said = move || {
        outcome.get().map(|o| match o {
            Outcome::PinSaved => t_string!(i18n, reception.pin_saved).to_string(),
            Outcome::InvalidPin => t_string!(i18n, reception.invalid_pin).to_string(),
            Outcome::Failed(e) => error_text(i18n, &e),
        })
    };
    let is_desk = move || desk.who().is_some_and(|s| s.desk);
    view! {
        <section class="panel account" aria-labelledby="account-title">
            <h2 id="account-title">{t!(i18n, reception.account_title)}</h2>
            <form class="set-pin" on:submit=save_pin>
                <label class="field" for="new-pin">
                    {t!(i18n, reception.new_pin)}
                </label>
                <input
                    id="new-pin"
                    class="typed small pin"
                    type="password"
                    inputmode="numeric"
                    autocomplete="new-password"
                    maxlength=PIN_DIGITS.end().to_string()
                    aria-describedby="pin-said"
                    prop:value=move || pin.get()
                    on:input=move |ev| pin.set(event_target_value(&ev))
                />
                <p id="pin-said" class="field-rule" role="status">
                    {said}
                </p>
                <button type="submit">{t!(i18n, reception.set_pin)}</button>
            </form>
            <p class="desk-standing" role="status">
                {move || {
                    if is_desk() {
                        t_string!(i18n, reception.desk_yes).to_string()
                    } else {
                        t_string!(i18n, reception.desk_no).to_string()
                    }
                }}
            </p>
            <Show when=move || !is_desk()>
                <button type="button" class="make-desk" on:click=make_desk>
                    {t!(i18n, reception.make_desk)}
                </button>
            </Show>
        </section>
    }
}

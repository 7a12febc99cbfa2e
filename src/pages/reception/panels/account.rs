//! The signed-in person's own sign-in: their PIN, their passphrase, and
//! whether this computer is an enrolled reception desk (where that PIN
//! unlocks the screen after a break).

use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, refusal_text, Desk};
use leptos::{ev, prelude::*};
use waitwell_core::client::ClientError;
use waitwell_core::contract::{
    valid_new_passphrase, valid_pin, ErrorCode, PASSPHRASE_CHARS, PIN_DIGITS,
};

/// What the last step of one of the panel's forms did.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    PinSaved,
    InvalidPin,
    PassphraseChanged,
    /// No current passphrase typed.
    CurrentNeeded,
    InvalidPassphrase,
    WrongPassphrase,
    Failed(ClientError),
}

#[component]
pub fn AccountPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let pin = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let passphrase_outcome = RwSignal::new(None::<Outcome>);
    let failed_in = move |said: RwSignal<Option<Outcome>>, e: ClientError| {
        if is_signed_out(&e) {
            desk.session_ended();
        } else {
            said.try_set(Some(Outcome::Failed(e)));
        }
    };
    let failed = move |e: ClientError| failed_in(outcome, e);
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
    let change_passphrase = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let (typed_current, typed_new) = (current.get_untracked(), new.get_untracked());
        let refused = if typed_current.trim().is_empty() {
            Some(Outcome::CurrentNeeded)
        } else if !valid_new_passphrase(&typed_current, &typed_new) {
            Some(Outcome::InvalidPassphrase)
        } else {
            None
        };
        if let Some(refused) = refused {
            passphrase_outcome.set(Some(refused));
            return;
        }
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            match adapter.change_passphrase(&typed_current, &typed_new).await {
                Ok(()) => {
                    current.try_set(String::new());
                    new.try_set(String::new());
                    passphrase_outcome.try_set(Some(Outcome::PassphraseChanged));
                }
                Err(e) if e.code() == Some(ErrorCode::WrongPassphrase) => {
                    current.try_set(String::new());
                    passphrase_outcome.try_set(Some(Outcome::WrongPassphrase));
                }
                Err(e) if e.code() == Some(ErrorCode::InvalidPassphrase) => {
                    passphrase_outcome.try_set(Some(Outcome::InvalidPassphrase));
                }
                Err(e) => failed_in(passphrase_outcome, e),
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
    let text = move |o: Outcome| match o {
        Outcome::PinSaved => t_string!(i18n, reception.pin_saved).to_string(),
        Outcome::InvalidPin => t_string!(i18n, reception.invalid_pin).to_string(),
        Outcome::PassphraseChanged => t_string!(i18n, reception.passphrase_changed).to_string(),
        Outcome::CurrentNeeded => t_string!(i18n, reception.current_passphrase_needed).to_string(),
        Outcome::InvalidPassphrase => t_string!(
            i18n,
            reception.invalid_passphrase,
            least = *PASSPHRASE_CHARS.start(),
            most = *PASSPHRASE_CHARS.end()
        )
        .to_string(),
        Outcome::WrongPassphrase => t_string!(i18n, reception.wrong_passphrase).to_string(),
        Outcome::Failed(e) => refusal_text(i18n, &e),
    };
    let said = move || outcome.get().map(text);
    let passphrase_said = move || passphrase_outcome.get().map(text);
    let own_name = move || desk.who().map(|s| s.name).unwrap_or_default();
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
                <p id="pin-said" class="field-rule" class:done=move || outcome.get() == Some(Outcome::PinSaved) role="status">
                    {said}
                </p>
                <button type="submit">{t!(i18n, reception.set_pin)}</button>
            </form>
            <form class="change-passphrase" on:submit=change_passphrase>
                // Whose passphrase this is, for a password manager to update
                // the right saved sign-in; not shown.
                <input type="text" hidden readonly autocomplete="username" prop:value=own_name />
                <label class="field" for="current-passphrase">
                    {t!(i18n, reception.current_passphrase)}
                </label>
                <input
                    id="current-passphrase"
                    class="typed small"
                    type="password"
                    autocomplete="current-password"
                    maxlength=PASSPHRASE_CHARS.end().to_string()
                    prop:value=move || current.get()
                    on:input=move |ev| current.set(event_target_value(&ev))
                />
                <label class="field" for="new-passphrase">
                    {t!(i18n, reception.new_passphrase, least = *PASSPHRASE_CHARS.start())}
                </label>
                <input
                    id="new-passphrase"
                    class="typed small"
                    type="password"
                    autocomplete="new-password"
                    maxlength=PASSPHRASE_CHARS.end().to_string()
                    aria-describedby="passphrase-said"
                    prop:value=move || new.get()
                    on:input=move |ev| new.set(event_target_value(&ev))
                />
                <p
                    id="passphrase-said"
                    class="field-rule"
                    class:done=move || passphrase_outcome.get() == Some(Outcome::PassphraseChanged)
                    role="status"
                >
                    {passphrase_said}
                </p>
                <button type="submit">{t!(i18n, reception.change_passphrase)}</button>
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

//! Setting up a tablet: the desk types the code the tablet shows, names it
//! and gives it its role; the tablet goes on by itself within seconds.

use crate::components::{error_text, surface_name, DeskField};
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, Desk};
use leptos::{ev, prelude::*};
use waitwell_core::client::ClientError;
use waitwell_core::contract::{ApproveDevice, ErrorCode, DEVICE_NAME_CHARS, PAIRING_CODE_CHARS};
use waitwell_core::Surface;

/// What the last approval did.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Approved(String),
    Failed(ClientError),
}

/// The form that approves a waiting tablet; `approved` runs after each
/// approval (the device list refreshes).
#[component]
pub fn ApproveTablet(approved: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Surface::CheckIn);
    let outcome = RwSignal::new(None::<Outcome>);
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let request = ApproveDevice {
            pairing_code: code.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
        };
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            match adapter.approve_device(&request).await {
                Ok(()) => {
                    code.try_set(String::new());
                    name.try_set(String::new());
                    outcome.try_set(Some(Outcome::Approved(request.name.trim().to_owned())));
                    approved.run(());
                }
                Err(e) if is_signed_out(&e) => desk.session_ended(),
                Err(e) => drop(outcome.try_set(Some(Outcome::Failed(e)))),
            }
        });
    };
    let roles = Surface::ALL
        .into_iter()
        .filter(|s| s.is_device_role())
        .map(|s| view! { <option value=s.as_str()>{move || surface_name(i18n, s)}</option> })
        .collect_view();
    let said = move || match outcome.get()? {
        Outcome::Approved(name) => {
            Some(t_string!(i18n, reception.enroll_done, name = name).to_string())
        }
        Outcome::Failed(e) => Some(match e.code() {
            Some(ErrorCode::UnknownPairingCode) => {
                t_string!(i18n, reception.enroll_unknown_code).to_string()
            }
            Some(ErrorCode::InvalidDeviceName) => {
                t_string!(i18n, reception.enroll_invalid_name).to_string()
            }
            _ => error_text(i18n, &e),
        }),
    };
    view! {
        <h3 id="enroll-title">{t!(i18n, reception.enroll_title)}</h3>
        <p>{t!(i18n, reception.enroll_help)}</p>
        <form class="enroll" aria-labelledby="enroll-title" on:submit=submit>
            <DeskField
                id="enroll-code"
                label=Signal::derive(move || t_string!(i18n, reception.enroll_code).to_string())
                value=code
                maxlength=PAIRING_CODE_CHARS + 2
            />
            <DeskField
                id="enroll-name"
                label=Signal::derive(move || t_string!(i18n, reception.enroll_name).to_string())
                value=name
                maxlength=DEVICE_NAME_CHARS
            />
            <label class="field" for="enroll-role">{t!(i18n, reception.enroll_role)}</label>
            <select
                id="enroll-role"
                on:change=move |ev| {
                    if let Ok(picked) = event_target_value(&ev).parse::<Surface>() {
                        role.set(picked);
                    }
                }
            >
                {roles}
            </select>
            <button type="submit" class="primary">{t!(i18n, reception.enroll_approve)}</button>
        </form>
        <p class="status" role="status">{said}</p>
    }
}

//! The enrolled tablets: their health, setting up a new one, revoking one,
//! and the writes the server refused that wait for staff on them.

use crate::components::error_text;
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, Desk};
use crate::time::local_time;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use waitwell_core::client::ClientError;
use waitwell_core::contract::{DeviceStatus, ErrorCode, ParkedDecision, ParkedWrite, WriteKind};
use waitwell_core::device::parked_rows;

#[component]
pub fn DevicesPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    // On its own page, this list is also what notices a session ended
    // elsewhere.
    let devices = desk.tablets();
    let failed = RwSignal::new(None::<ClientError>);
    let revoke = move |device: String, name: String| {
        let confirmed = web_sys::window().is_some_and(|w| {
            let question = t_string!(i18n, reception.revoke_confirm, name = name).to_string();
            w.confirm_with_message(&question).unwrap_or(false)
        });
        if !confirmed {
            return;
        }
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            match adapter.revoke_device(&device).await {
                Ok(()) => drop(failed.try_set(None)),
                Err(e) if is_signed_out(&e) => desk.session_ended(),
                Err(e) => drop(failed.try_set(Some(e))),
            }
            devices.refetch();
        });
    };
    let decide = move |device: String, key: String, decision: ParkedDecision| {
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            // The panel may be gone by the time the answer comes.
            match adapter.decide_parked(&device, &key, decision).await {
                Ok(()) => drop(failed.try_set(None)),
                Err(e) if is_signed_out(&e) => desk.session_ended(),
                Err(e) => drop(failed.try_set(Some(e))),
            }
            devices.refetch();
        });
    };
    view! {
        <section class="panel tablets">
            <Transition fallback=|| ()>
            {move || match devices.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p>{move || error_text(i18n, &e)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="empty">{t!(i18n, reception.no_kiosks)}</p> }.into_any()
                }
                Some(Ok(list)) => {
                    let parked = parked_rows(&list);
                    view! {
                        <DeviceTable devices=list revoke=revoke />
                        <ParkedList devices=parked decide=decide />
                        <p class="error" role="alert">
                            {move || failed.get().map(|e| error_text(i18n, &e))}
                        </p>
                    }
                        .into_any()
                }
            }}
            </Transition>
            <super::enroll::ApproveTablet approved=Callback::new(move |()| devices.refetch()) />
        </section>
    }
}

/// Each tablet: its name and role, the surface it shows, when it last
/// reported, its outbox, its state; and a way to revoke it.
#[component]
fn DeviceTable(
    devices: Vec<DeviceStatus>,
    revoke: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="devices">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, reception.device_name)}</th>
                    <th scope="col">{t!(i18n, reception.device_role)}</th>
                    <th scope="col">{t!(i18n, reception.surface)}</th>
                    <th scope="col">{t!(i18n, reception.last_seen)}</th>
                    <th scope="col">{t!(i18n, reception.backlog)}</th>
                    <th scope="col">{t!(i18n, reception.device_parked)}</th>
                    <th scope="col">{t!(i18n, reception.state)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, reception.revoke)}</span></th>
                </tr>
            </thead>
            <tbody>
                {devices
                    .into_iter()
                    .map(|d| {
                        let (surface, role) = (d.surface, d.role);
                        let (id, name) = (d.device.clone(), d.name.clone());
                        let name_id = format!("device-name-{}", d.device);
                        let offline = d.offline_since.clone();
                        let is_offline = offline.is_some();
                        let storage_failed = d.storage_failed;
                        let parked = d.outbox_parked;
                        view! {
                            <tr data-device=d.device.clone()>
                                <th scope="row" id=name_id.clone()>{d.name.clone()}</th>
                                <td>{move || crate::components::surface_name(i18n, role)}</td>
                                <td>{move || crate::components::surface_name(i18n, surface)}</td>
                                <td>{local_time(&d.last_seen)}</td>
                                <td>{d.outbox_backlog}</td>
                                <td class:attention={parked > 0} data-parked=parked>{parked}</td>
                                <td class:offline={is_offline || storage_failed}>
                                    {move || match &offline {
                                        Some(since) => t_string!(i18n, reception.offline_since, time = local_time(since)).to_string(),
                                        None if storage_failed => t_string!(i18n, reception.device_storage_failed).to_string(),
                                        None => t_string!(i18n, reception.online).to_string(),
                                    }}
                                </td>
                                <td>
                                    <button type="button" class="revoke" aria-describedby=name_id
                                        on:click=move |_| revoke(id.clone(), name.clone())>
                                        {t!(i18n, reception.revoke)}
                                    </button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Writes a kiosk could not deliver because the server refused them. Staff
/// see what and why (never who: the kiosk does not send it), send one again
/// once the cause is fixed, or remove it once they dealt with the patient.
#[component]
fn ParkedList(
    devices: Vec<(String, ParkedWrite, Option<ParkedDecision>)>,
    decide: impl Fn(String, String, ParkedDecision) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    if devices.is_empty() {
        return ().into_any();
    }
    let rows = devices
        .into_iter()
        .map(|(device, write, decided)| {
            let ParkedWrite { key, kind, created_at, status, code } = write;
            let time = local_time(&created_at);
            let described = format!("parked-{key}");
            let what = move || match kind {
                WriteKind::CheckIn => t_string!(i18n, reception.parked_check_in, time = time.clone()).to_string(),
                WriteKind::Survey => t_string!(i18n, reception.parked_survey, time = time.clone()).to_string(),
            };
            let why = move || refusal_text(i18n, status, &code);
            let actions = match decided {
                Some(ParkedDecision::Retry) => view! {
                    <span class="pending">{t!(i18n, reception.parked_retry_pending)}</span>
                }
                .into_any(),
                Some(ParkedDecision::Resolved) => view! {
                    <span class="pending">{t!(i18n, reception.parked_resolved_pending)}</span>
                }
                .into_any(),
                None => {
                    let (d1, k1, d2, k2) = (device.clone(), key.clone(), device.clone(), key.clone());
                    view! {
                        <button type="button" aria-describedby=described.clone()
                            on:click=move |_| decide(d1.clone(), k1.clone(), ParkedDecision::Retry)>
                            {t!(i18n, reception.parked_retry)}
                        </button>
                        <button type="button" aria-describedby=described.clone()
                            on:click=move |_| decide(d2.clone(), k2.clone(), ParkedDecision::Resolved)>
                            {t!(i18n, reception.parked_resolve)}
                        </button>
                    }
                    .into_any()
                }
            };
            view! {
                <li data-parked-key=key.clone() data-device=device.clone()>
                    <span id=described.clone()>{what} " " {why}</span>
                    <span class="actions">{actions}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <h3 id="parked-title">{t!(i18n, reception.parked_title)}</h3>
        <p>{t!(i18n, reception.parked_help)}</p>
        <ul class="parked" aria-labelledby="parked-title">{rows}</ul>
    }
    .into_any()
}

/// Why the server refused a write, in staff's words.
fn refusal_text(i18n: I18nContext<Locale>, status: u16, code: &str) -> String {
    match ErrorCode::parse(code) {
        Some(ErrorCode::UnknownAppointment) => {
            t_string!(i18n, reception.refused_unknown_appointment).to_string()
        }
        Some(ErrorCode::TooEarly) => t_string!(i18n, reception.refused_too_early).to_string(),
        Some(ErrorCode::TooLate) => t_string!(i18n, reception.refused_too_late).to_string(),
        Some(ErrorCode::LineFull) => t_string!(i18n, reception.refused_line_full).to_string(),
        _ if code.is_empty() => {
            t_string!(i18n, reception.refused_status, status = status).to_string()
        }
        _ => t_string!(
            i18n,
            reception.refused_code,
            code = code.to_owned(),
            status = status
        )
        .to_string(),
    }
}

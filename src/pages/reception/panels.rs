//! Reception's side panels: today's counters, alerts, adding a walk-in,
//! delay notices, and the health of the kiosks.

use super::actions::{Actions, Feedback};
use crate::api::live::{Live, ReceptionState};
use crate::components::error_text;
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, Desk};
use crate::tasks::new_idempotency_key;
use crate::time::{clock_time, parse_time};
use leptos::{ev, prelude::*};
use leptos_i18n::I18nContext;
use send_wrapper::SendWrapper;
use waitwell_core::client::ClientError;
use waitwell_core::contract::{
    limits, Alert, AlertKind, CheckInRequest, DeviceStatus, ErrorCode, Needs, NewDelayNotice,
    ParkedDecision, ParkedWrite, TicketState, WriteKind,
};
use waitwell_core::walk_in;

/// Local "HH:MM" of an RFC 3339 time ("" if unreadable).
fn local_time(rfc3339: &str) -> String {
    parse_time(rfc3339).map(clock_time).unwrap_or_default()
}

#[component]
pub fn Counters(live: Live<ReceptionState>) -> impl IntoView {
    let i18n = use_i18n();
    let today = move || {
        live.snapshot
            .with(|s| s.as_ref().map(|s| s.queue.today).unwrap_or_default())
    };
    view! {
        <dl class="counters">
            <div>
                <dt>{t!(i18n, reception.waiting_now)}</dt>
                <dd data-counter="waiting">{move || today().waiting}</dd>
            </div>
            <div>
                <dt>{t!(i18n, reception.seen_today)}</dt>
                <dd data-counter="seen">{move || today().seen}</dd>
            </div>
            <div>
                <dt>{t!(i18n, reception.average_wait)}</dt>
                <dd>{move || t_string!(i18n, reception.minutes, minutes = today().average_wait_minutes).to_string()}</dd>
            </div>
            <div>
                <dt>{t!(i18n, reception.p90_wait)}</dt>
                <dd>{move || t_string!(i18n, reception.minutes, minutes = today().p90_wait_minutes).to_string()}</dd>
            </div>
            <div>
                <dt>{t!(i18n, reception.left_unseen)}</dt>
                <dd data-counter="no-shows">{move || today().no_shows}</dd>
            </div>
        </dl>
    }
}

#[component]
pub fn AlertsPanel(live: Live<ReceptionState>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let threshold = desk.site.with_value(|s| s.wait_alert_minutes);
    let waits = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.queue
                        .tickets
                        .iter()
                        .filter(|t| {
                            t.status == TicketState::Waiting && t.waited_minutes >= threshold
                        })
                        .map(|t| (t.ticket.clone(), t.waited_minutes))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    // Open alerts only: acknowledged ones have been dealt with.
    let alerts = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.alerts
                        .iter()
                        .filter(|a| a.acknowledged_at.is_none())
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let acknowledge = move |id: i64| {
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            if let Err(e) = adapter.acknowledge_alert(id).await {
                if is_signed_out(&e) {
                    desk.session_ended();
                }
            }
        });
    };
    view! {
        <section class="alerts" aria-labelledby="alerts-title">
            <h2 id="alerts-title">{t!(i18n, reception.alerts)}</h2>
            <ul role="list">
                {move || {
                    waits()
                        .into_iter()
                        .map(|(ticket, minutes)| {
                            view! {
                                <li class="alert wait-alert">
                                    {move || t_string!(i18n, reception.wait_alert, ticket = ticket.clone(), minutes = minutes).to_string()}
                                </li>
                            }
                        })
                        .collect_view()
                }}
                {move || {
                    alerts()
                        .into_iter()
                        .map(|alert| {
                            let Alert { id, kind, raised_at, rating, first_name, staff_name, .. } = alert;
                            let time = local_time(&raised_at);
                            let text = move || {
                                if kind == AlertKind::Thanks {
                                    t_string!(i18n, reception.thanks_alert, staff = staff_name.clone().unwrap_or_default(), time = time.clone())
                                        .to_string()
                                } else {
                                    let who = first_name.clone().unwrap_or_else(|| t_string!(i18n, reception.a_patient).to_string());
                                    t_string!(i18n, reception.talk_alert, who = who, rating = rating.unwrap_or(0), time = time.clone())
                                        .to_string()
                                }
                            };
                            view! {
                                <li class="alert survey-alert">
                                    <span>{text}</span>
                                    <button type="button" on:click=move |_| acknowledge(id)>
                                        {t!(i18n, reception.acknowledge)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                (waits().is_empty() && alerts().is_empty())
                    .then(|| view! { <p class="empty">{t!(i18n, reception.no_alerts)}</p> })
            }}
        </section>
    }
}

/// Adds a walk-in from the desk (same check-in as the kiosk's).
#[component]
pub fn WalkInPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let actions = expect_context::<Actions>();
    let reasons = desk.site.with_value(|s| s.walk_in_reasons.clone());
    let first = RwSignal::new(String::new());
    let initial = RwSignal::new(String::new());
    let reason = RwSignal::new(reasons.first().cloned().unwrap_or_default());
    let reasons_for_check = StoredValue::new(reasons.clone());
    let invalid = RwSignal::new(false);
    // One key per walk-in being added, kept across retries.
    let key = StoredValue::new(None::<String>);
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let checked = walk_in::check(
            &first.get_untracked(),
            &initial.get_untracked(),
            &reason.get_untracked(),
            &reasons_for_check.get_value(),
        );
        let Ok(walk_in) = checked else {
            invalid.set(true);
            return;
        };
        invalid.set(false);
        if actions.feedback.get_untracked() == Some(Feedback::Working) {
            return;
        }
        let Some(idempotency) = key.get_value().or_else(new_idempotency_key) else {
            return;
        };
        key.set_value(Some(idempotency.clone()));
        let request = CheckInRequest::WalkIn {
            first_name: walk_in.first_name,
            last_initial: walk_in.last_initial.to_string(),
            reason: walk_in.reason,
            needs: Needs::default(),
        };
        actions.feedback.set(Some(Feedback::Working));
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            match adapter.check_in(&idempotency, &request).await {
                Ok(ticket) => {
                    key.try_set_value(None);
                    first.try_set(String::new());
                    initial.try_set(String::new());
                    actions.feedback.try_set(Some(Feedback::Done {
                        text: t_string!(i18n, reception.walk_in_added, ticket = ticket.ticket)
                            .to_string(),
                        undo: None,
                    }));
                }
                Err(e) => {
                    actions.feedback.try_set(Some(Feedback::Failed(e)));
                }
            }
        });
    };
    let options = reasons
        .into_iter()
        .map(|r| {
            let text = r.clone();
            view! { <option value=r>{move || crate::components::reason_text(i18n, &text)}</option> }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="walk-in-title">
            <h2 id="walk-in-title">{t!(i18n, reception.add_walk_in)}</h2>
            <form on:submit=submit>
                <label class="field" for="desk-first-name">
                    {t!(i18n, check_in.first_name)}
                </label>
                <input
                    id="desk-first-name"
                    class="typed small"
                    autocomplete="off"
                    maxlength=limits::FIRST_NAME_CHARS
                    prop:value=move || first.get()
                    on:input=move |ev| first.set(event_target_value(&ev))
                />
                <label class="field" for="desk-initial">
                    {t!(i18n, check_in.initial)}
                </label>
                <input
                    id="desk-initial"
                    class="typed small"
                    autocomplete="off"
                    maxlength="1"
                    prop:value=move || initial.get()
                    on:input=move |ev| initial.set(event_target_value(&ev))
                />
                <label class="field" for="desk-reason">
                    {t!(i18n, reception.reason)}
                </label>
                <select
                    id="desk-reason"
                    prop:value=move || reason.get()
                    on:change=move |ev| reason.set(event_target_value(&ev))
                >
                    {options}
                </select>
                <p class="field-rule" role="alert">
                    {move || invalid.get().then(|| t_string!(i18n, check_in.letters_only).to_string())}
                </p>
                <button type="submit" class="primary">
                    {t!(i18n, reception.add)}
                </button>
            </form>
        </section>
    }
}

#[component]
pub fn NoticesPanel(live: Live<ReceptionState>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let actions = expect_context::<Actions>();
    let clinician = RwSignal::new(String::new());
    let minutes = RwSignal::new(20u32);
    let notices = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .map(|s| s.queue.notices.clone())
                .unwrap_or_default()
        })
    };
    let report = move |result: Result<String, ClientError>| match result {
        Ok(text) => {
            actions
                .feedback
                .try_set(Some(Feedback::Done { text, undo: None }));
        }
        Err(e) if is_signed_out(&e) => desk.session_ended(),
        Err(e) => {
            actions.feedback.try_set(Some(Feedback::Failed(e)));
        }
    };
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let name = clinician.get_untracked();
        if name.trim().is_empty() {
            return;
        }
        let notice = NewDelayNotice {
            clinician: name.trim().to_owned(),
            minutes: minutes.get_untracked(),
        };
        actions.feedback.set(Some(Feedback::Working));
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            let result = adapter.post_notice(&notice).await.map(|n| {
                clinician.try_set(String::new());
                t_string!(
                    i18n,
                    reception.notice_posted,
                    clinician = n.clinician,
                    minutes = n.minutes
                )
                .to_string()
            });
            report(result);
        });
    };
    let clear = move |id: i64| {
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            let result = adapter
                .clear_notice(id)
                .await
                .map(|()| t_string!(i18n, reception.notice_cleared).to_string());
            report(result);
        });
    };
    let choices = (1..=12u32)
        .map(|n| n * 10)
        .map(|m| view! { <option value=m>{move || t_string!(i18n, reception.minutes, minutes = m).to_string()}</option> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="notices-title">
            <h2 id="notices-title">{t!(i18n, reception.delay_notices)}</h2>
            <ul role="list">
                {move || {
                    notices()
                        .into_iter()
                        .map(|n| {
                            let text = {
                                let clinician = n.clinician.clone();
                                move || t_string!(i18n, board.delay, clinician = clinician.clone(), minutes = n.minutes).to_string()
                            };
                            let id = n.id;
                            view! {
                                <li class="notice-row">
                                    <span>{text}</span>
                                    <button type="button" on:click=move |_| clear(id)>
                                        {t!(i18n, reception.clear)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <form on:submit=submit>
                <label class="field" for="notice-clinician">
                    {t!(i18n, reception.clinician)}
                </label>
                <input
                    id="notice-clinician"
                    class="typed small"
                    autocomplete="off"
                    maxlength=limits::CLINICIAN_CHARS
                    prop:value=move || clinician.get()
                    on:input=move |ev| clinician.set(event_target_value(&ev))
                />
                <label class="field" for="notice-minutes">
                    {t!(i18n, reception.late_by)}
                </label>
                <select
                    id="notice-minutes"
                    prop:value=move || minutes.get().to_string()
                    on:change=move |ev| minutes.set(event_target_value(&ev).parse().unwrap_or(20))
                >
                    {choices}
                </select>
                <button type="submit" class="primary">
                    {t!(i18n, reception.post_notice)}
                </button>
            </form>
        </section>
    }
}

/// How often the kiosks' health is refreshed.
const DEVICES_MILLIS: u32 = 30_000;

#[component]
pub fn DevicesPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let devices = RwSignal::new(None::<Result<Vec<DeviceStatus>, ClientError>>);
    let load = move || {
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            devices.try_set(Some(adapter.devices().await));
        });
    };
    load();
    let timer = SendWrapper::new(gloo_timers::callback::Interval::new(DEVICES_MILLIS, load));
    on_cleanup(move || drop(timer));
    let failed = RwSignal::new(None::<ClientError>);
    let decide = move |device: String, key: String, decision: ParkedDecision| {
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            // The panel may be gone by the time the answer comes.
            match adapter.decide_parked(&device, &key, decision).await {
                Ok(()) => drop(failed.try_set(None)),
                Err(e) if is_signed_out(&e) => desk.session_ended(),
                Err(e) => drop(failed.try_set(Some(e))),
            }
            load();
        });
    };
    view! {
        <section class="panel" aria-labelledby="devices-title">
            <h2 id="devices-title">{t!(i18n, reception.kiosks)}</h2>
            {move || match devices.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p>{move || error_text(i18n, &e)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="empty">{t!(i18n, reception.no_kiosks)}</p> }.into_any()
                }
                Some(Ok(list)) => {
                    let parked = parked_of(&list);
                    view! {
                        <table class="devices">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, reception.surface)}</th>
                                    <th scope="col">{t!(i18n, reception.last_seen)}</th>
                                    <th scope="col">{t!(i18n, reception.backlog)}</th>
                                    <th scope="col">{t!(i18n, reception.device_parked)}</th>
                                    <th scope="col">{t!(i18n, reception.state)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|d| {
                                        let surface = d.surface;
                                        let offline = d.offline_since.clone();
                                        let is_offline = offline.is_some();
                                        let storage_failed = d.storage_failed;
                                        let parked = d.outbox_parked;
                                        view! {
                                            <tr data-device=d.device.clone()>
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
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                        <ParkedList devices=parked decide=decide />
                        <p class="error" role="alert">
                            {move || failed.get().map(|e| error_text(i18n, &e))}
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// Every device's parked writes, oldest first, with the decision staff made
/// about each that its device has not carried out yet.
fn parked_of(devices: &[DeviceStatus]) -> Vec<(String, ParkedWrite, Option<ParkedDecision>)> {
    let mut all: Vec<_> = devices
        .iter()
        .flat_map(|d| {
            d.parked.iter().map(|p| {
                let decided = d.orders.iter().find(|o| o.key == p.key).map(|o| o.decision);
                (d.device.clone(), p.clone(), decided)
            })
        })
        .collect();
    all.sort_by(|a, b| a.1.created_at.cmp(&b.1.created_at));
    all
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

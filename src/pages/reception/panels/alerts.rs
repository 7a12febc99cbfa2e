//! Alerts: unhappy patients who asked to talk, and thanks for staff; and
//! who has waited long enough to be checked on.

use super::local_time;
use crate::api::live::{Live, ReceptionState};
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, Desk};
use leptos::prelude::*;
use waitwell_core::contract::{Alert, AlertKind};
use waitwell_core::reception;

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
                        .filter(|t| reception::waited_too_long(t, threshold))
                        .map(|t| (t.ticket.clone(), t.waited_minutes))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let alerts = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .map(|s| reception::open_alerts(&s.alerts))
                .unwrap_or_default()
        })
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
                        .map(|alert| view! { <AlertRow alert=alert /> })
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

/// One survey alert: who, how they rated (or whom they thanked), when; and
/// "Acknowledge".
#[component]
fn AlertRow(alert: Alert) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let Alert {
        id,
        kind,
        raised_at,
        rating,
        first_name,
        staff_name,
        ..
    } = alert;
    let time = local_time(&raised_at);
    let text = move || {
        if kind == AlertKind::Thanks {
            t_string!(
                i18n,
                reception.thanks_alert,
                staff = staff_name.clone().unwrap_or_default(),
                time = time.clone()
            )
            .to_string()
        } else {
            let who = first_name
                .clone()
                .unwrap_or_else(|| t_string!(i18n, reception.a_patient).to_string());
            t_string!(
                i18n,
                reception.talk_alert,
                who = who,
                rating = rating.unwrap_or(0),
                time = time.clone()
            )
            .to_string()
        }
    };
    let acknowledge = move |_| {
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
        <li class="alert survey-alert">
            <span>{text}</span>
            <button type="button" on:click=acknowledge>
                {t!(i18n, reception.acknowledge)}
            </button>
        </li>
    }
}

//! Alerts: unhappy patients who asked to talk, and thanks for staff; who
//! has waited long enough to be checked on; and the tablets that need
//! staff, each a link to `/tablets` where staff deal with it.

use crate::api::live::{Live, ReceptionState};
use crate::components::error_text;
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, Desk};
use crate::time::local_time;
use leptos::prelude::*;
use waitwell_core::client::ClientError;
use waitwell_core::contract::{Alert, AlertKind};
use waitwell_core::device::{needs_staff, Attention};
use waitwell_core::reception;
use waitwell_core::Page;

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
    let tablets = tablets_needing_staff(desk);
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
                {move || {
                    tablets
                        .with(|t| t.clone().unwrap_or_default())
                        .into_iter()
                        .map(|need| view! { <TabletAlert need=need /> })
                        .collect_view()
                }}
                {move || {
                    tablets.with(|t| t.as_ref().err().cloned()).map(|error| {
                        let text = move || {
                            t_string!(i18n, reception.tablets_unknown, error = error_text(i18n, &error))
                                .to_string()
                        };
                        view! {
                            <li class="alert tablet-alert">
                                <a href=Page::TABLETS_PATH>{text}</a>
                            </li>
                        }
                    })
                }}
            </ul>
            {move || {
                (waits().is_empty()
                    && alerts().is_empty()
                    && tablets.with(|t| matches!(t, Ok(needs) if needs.is_empty())))
                    .then(|| view! { <p class="empty">{t!(i18n, reception.no_alerts)}</p> })
            }}
        </section>
    }
}

/// What the tablets need from staff ([`Desk::tablets`]: nothing until the
/// first answer); why it cannot be known when the last ask failed, which
/// is an alert of its own.
fn tablets_needing_staff(desk: Desk) -> Memo<Result<Vec<Attention>, ClientError>> {
    let devices = desk.tablets();
    Memo::new(move |_| {
        devices.with(|r| match r {
            Some(Ok(list)) => Ok(needs_staff(list)),
            // Signing out is the effect's; a request the page dropped as it
            // went is nothing to say.
            Some(Err(e)) if !is_signed_out(e) && *e != ClientError::Aborted => Err(e.clone()),
            _ => Ok(Vec::new()),
        })
    })
}

/// A tablet that needs staff: which and why, a link to the tablets page.
#[component]
fn TabletAlert(need: Attention) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || match &need {
        Attention::Parked { name, count } => t_string!(
            i18n,
            reception.tablet_parked,
            name = name.clone(),
            count = *count
        )
        .to_string(),
        Attention::Offline { name, since } => t_string!(
            i18n,
            reception.tablet_offline,
            name = name.clone(),
            time = local_time(since)
        )
        .to_string(),
        Attention::StorageFailed { name } => {
            t_string!(i18n, reception.tablet_storage_failed, name = name.clone()).to_string()
        }
    };
    view! {
        <li class="alert tablet-alert">
            <a href=Page::TABLETS_PATH>{text}</a>
        </li>
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

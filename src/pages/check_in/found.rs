//! What identification found: the masked appointments to confirm from, no
//! match, or a refusal with its own reason.

use super::steps::{Nav, StartOver};
use super::{Flow, Heading, Step};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::checkin::IdentifyFailure;
use waitwell_core::contract::AppointmentHint;

#[component]
pub fn Matches(hints: Vec<AppointmentHint>) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let from = Step::Matches(hints.clone());
    let several = hints.len() > 1;
    let items = hints
        .into_iter()
        .map(|hint| view! { <HintCard hint=hint from=from.clone() /> })
        .collect_view();
    view! {
        <Heading>
            {move || {
                if several {
                    t_string!(i18n, check_in.matches_title_several).to_string()
                } else {
                    t_string!(i18n, check_in.matches_title).to_string()
                }
            }}
        </Heading>
        <ul class="hints">{items}</ul>
        <Nav>
            <button
                type="button"
                on:click=move |_| flow.advance(&flow.step.get_untracked(), Step::NoMatch)
            >
                {t!(i18n, check_in.not_me)}
            </button>
            <StartOver />
        </Nav>
    }
}

/// One appointment, masked: initials, time and clinician; and "Yes, this is
/// me" (or the ticket, when it is checked in already).
#[component]
fn HintCard(hint: AppointmentHint, from: Step) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let AppointmentHint {
        appointment,
        initials,
        time,
        clinician,
        ticket,
        line,
    } = hint;
    // The button says "Yes, this is me"; which appointment it is for is
    // its description: the card's details.
    let details = format!("hint-{appointment}");
    let chosen = AppointmentHint {
        appointment,
        initials: initials.clone(),
        time: time.clone(),
        clinician: clinician.clone(),
        ticket: ticket.clone(),
        line,
    };
    let choose = move |_| {
        if flow.step.with_untracked(|s| *s == from) {
            flow.draft.appointment.set(Some(chosen.clone()));
            flow.after_details(&from);
        }
    };
    let action = match ticket {
        Some(ticket) => view! {
            <p class="already">
                {move || t_string!(i18n, check_in.already_checked_in, ticket = ticket.clone()).to_string()}
            </p>
        }
        .into_any(),
        None => view! {
            <button
                type="button"
                class="primary"
                aria-describedby=details.clone()
                on:click=choose
            >
                {t!(i18n, check_in.this_is_me)}
            </button>
        }
        .into_any(),
    };
    view! {
        <li class="hint-card">
            <dl id=details>
                <div>
                    <dt>{t!(i18n, check_in.initials)}</dt>
                    <dd class="initials">{initials}</dd>
                </div>
                <div>
                    <dt>{t!(i18n, check_in.time)}</dt>
                    <dd>{time}</dd>
                </div>
                <div>
                    <dt>{t!(i18n, check_in.clinician)}</dt>
                    <dd>{clinician}</dd>
                </div>
            </dl>
            {action}
        </li>
    }
}

#[component]
pub fn NoMatch() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let again = move |_| {
        let draft = flow.draft;
        draft.family_name.set(String::new());
        draft.birth_date.set(Default::default());
        draft.code.set(String::new());
        flow.advance(&Step::NoMatch, Step::Choose);
    };
    view! {
        <Heading>{t!(i18n, check_in.no_match_title)}</Heading>
        <p>{t!(i18n, check_in.no_match_body)}</p>
        <div class="big-actions">
            <button type="button" class="primary huge" on:click=again>
                {t!(i18n, check_in.try_again)}
            </button>
            <button
                type="button"
                class="huge"
                on:click=move |_| flow.advance(&Step::NoMatch, Step::WalkInName)
            >
                {t!(i18n, check_in.no_appointment)}
            </button>
        </div>
        <Nav>
            <StartOver />
        </Nav>
    }
}

#[component]
pub fn Refused(why: IdentifyFailure) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let minutes = flow.site.with_value(|s| s.arrival_window.minutes_before);
    #[derive(Clone, Copy)]
    enum Kind {
        Early,
        Late,
        Locked,
    }
    let kind = match why {
        IdentifyFailure::TooEarly => Kind::Early,
        IdentifyFailure::TooLate => Kind::Late,
        _ => Kind::Locked,
    };
    let title = move || match kind {
        Kind::Early => t_string!(i18n, check_in.too_early_title).to_string(),
        Kind::Late => t_string!(i18n, check_in.too_late_title).to_string(),
        Kind::Locked => t_string!(i18n, check_in.locked_title).to_string(),
    };
    let body = move || match kind {
        Kind::Early => t_string!(i18n, check_in.too_early_body, minutes = minutes).to_string(),
        Kind::Late => t_string!(i18n, check_in.too_late_body).to_string(),
        Kind::Locked => t_string!(i18n, check_in.locked_body).to_string(),
    };
    view! {
        <Heading>{title}</Heading>
        <p class="refusal">{body}</p>
        <Nav>
            <StartOver />
        </Nav>
    }
}

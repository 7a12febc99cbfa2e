//! The check-in steps other than identification and the ticket.

use super::{Busy, Flow, Heading, RequestError, Step};
use crate::components::{can_scan, Layout, OnScreenKeyboard};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::checkin::{clamp_typed, IdentifyFailure, Question};
use waitwell_core::contract::{limits, AppointmentHint};
use waitwell_core::walk_in;

/// "Start over": back to the welcome screen, everything entered dropped.
#[component]
pub fn StartOver() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    view! {
        <button type="button" class="start-over" on:click=move |_| flow.restart()>
            {t!(i18n, check_in.start_over)}
        </button>
    }
}

/// A step's row of navigation buttons.
#[component]
pub fn Nav(children: Children) -> impl IntoView {
    view! { <div class="nav">{children()}</div> }
}

#[component]
pub fn Welcome() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let clinic = flow.site.with_value(|s| s.clinic_name.clone());
    view! {
        <Heading>{t!(i18n, check_in.welcome_title)}</Heading>
        <p class="clinic">{clinic}</p>
        <p>{t!(i18n, check_in.welcome_body)}</p>
        <div class="big-actions">
            <button
                type="button"
                class="primary huge"
                on:click=move |_| flow.advance(&Step::Welcome, Step::Choose)
            >
                {t!(i18n, check_in.start)}
            </button>
            <button
                type="button"
                class="huge"
                on:click=move |_| flow.advance(&Step::Welcome, Step::WalkInName)
            >
                {t!(i18n, check_in.walk_in_start)}
            </button>
        </div>
        <p class="hint">{t!(i18n, check_in.display_hint)}</p>
    }
}

#[component]
pub fn Choose() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let go = move |to: Step| flow.advance(&Step::Choose, to);
    view! {
        <Heading>{t!(i18n, check_in.choose_title)}</Heading>
        <div class="big-actions">
            <button type="button" class="primary huge" on:click=move |_| go(Step::FamilyName)>
                {t!(i18n, check_in.by_name)}
            </button>
            <button type="button" class="huge" on:click=move |_| go(Step::Code)>
                {t!(i18n, check_in.by_code)}
            </button>
            {can_scan()
                .then(|| {
                    view! {
                        <button type="button" class="huge" on:click=move |_| go(Step::Scan)>
                            {t!(i18n, check_in.by_qr)}
                        </button>
                    }
                })}
            <button type="button" class="huge" on:click=move |_| go(Step::WalkInName)>
                {t!(i18n, check_in.no_appointment)}
            </button>
        </div>
        <Nav>
            <StartOver />
        </Nav>
    }
}

#[component]
pub fn Matches(hints: Vec<AppointmentHint>) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let from = Step::Matches(hints.clone());
    let several = hints.len() > 1;
    let items = hints
        .into_iter()
        .map(|hint| {
            let from = from.clone();
            let AppointmentHint {
                appointment,
                initials,
                time,
                clinician,
                ticket,
            } = hint;
            let label = {
                let (time, clinician) = (time.clone(), clinician.clone());
                move || {
                    t_string!(i18n, check_in.this_is_me_label, time = time.clone(), clinician = clinician.clone())
                        .to_string()
                }
            };
            let choose = move |_| {
                if flow.step.with_untracked(|s| *s == from) {
                    flow.draft.appointment.set(Some(appointment.clone()));
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
                    <button type="button" class="primary" aria-label=label on:click=choose>
                        {t!(i18n, check_in.this_is_me)}
                    </button>
                }
                .into_any(),
            };
            view! {
                <li class="hint-card">
                    <dl>
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
        })
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

/// A text step: a heading, a field, the on-screen keyboard, and Continue.
#[component]
pub fn TextStep(
    step: Step,
    back: Step,
    next: Callback<()>,
    value: RwSignal<String>,
    max: usize,
    layout: Layout,
    field_id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] min_chars: Option<usize>,
    /// What the text must be; refused text is kept and the rule explained.
    #[prop(optional)]
    valid: Option<fn(&str) -> bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let min_chars = min_chars.unwrap_or(1);
    let refused = RwSignal::new(false);
    let ready = move || value.with(|v| v.trim().chars().count() >= min_chars) && !flow.busy.get();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !ready() {
            return;
        }
        if valid.is_some_and(|ok| !value.with_untracked(|v| ok(v))) {
            refused.set(true);
            return;
        }
        next.run(());
    };
    Effect::new(move |_| {
        value.track();
        refused.set(false);
    });
    let back_from = step.clone();
    view! {
        <Heading>{title}</Heading>
        <form class="text-step" on:submit=submit>
            <label class="field" for=field_id>
                {label}
            </label>
            <input
                id=field_id
                class="typed"
                type="text"
                inputmode="none"
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                maxlength=max
                aria-invalid=move || refused.get().to_string()
                aria-describedby=format!("{field_id}-rule")
                prop:value=move || value.get()
                on:input=move |ev| value.set(clamp_typed(&event_target_value(&ev), max))
            />
            <p id=format!("{field_id}-rule") class="field-rule" role="alert">
                {move || refused.get().then(|| t_string!(i18n, check_in.letters_only).to_string())}
            </p>
            <OnScreenKeyboard value=value max=max layout=layout />
            <Busy />
            <RequestError retry=move |()| next.run(()) />
            <Nav>
                <button
                    type="button"
                    on:click=move |_| flow.advance(&back_from, back.clone())
                >
                    {t!(i18n, check_in.back)}
                </button>
                <button type="submit" class="primary" disabled=move || !ready()>
                    {t!(i18n, check_in.go_on)}
                </button>
            </Nav>
        </form>
        <Nav>
            <StartOver />
        </Nav>
    }
}

#[component]
pub fn WalkInName() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    view! {
        <TextStep
            step=Step::WalkInName
            back=Step::Welcome
            next=Callback::new(move |()| flow.advance(&Step::WalkInName, Step::WalkInInitial))
            value=flow.draft.first_name
            max=limits::FIRST_NAME_CHARS
            layout=Layout::Name
            field_id="first-name"
            valid=|text| walk_in::first_name(text).is_ok()
            title=Signal::derive(move || t_string!(i18n, check_in.first_name_title).to_string())
            label=Signal::derive(move || t_string!(i18n, check_in.first_name).to_string())
        />
    }
}

#[component]
pub fn WalkInInitial() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    view! {
        <TextStep
            step=Step::WalkInInitial
            back=Step::WalkInName
            next=Callback::new(move |()| flow.advance(&Step::WalkInInitial, Step::WalkInReason))
            value=flow.draft.last_initial
            max=1
            layout=Layout::Initial
            field_id="last-initial"
            valid=|text| walk_in::last_initial(text).is_ok()
            title=Signal::derive(move || t_string!(i18n, check_in.initial_title).to_string())
            label=Signal::derive(move || t_string!(i18n, check_in.initial).to_string())
        />
    }
}

#[component]
pub fn WalkInReason() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let reasons = flow.site.with_value(|s| s.walk_in_reasons.clone());
    let buttons = reasons
        .into_iter()
        .map(|reason| {
            let text = reason.clone();
            let choose = move |_| {
                if flow.step.with_untracked(|s| *s == Step::WalkInReason) {
                    flow.draft.reason.set(Some(reason.clone()));
                    flow.after_details(&Step::WalkInReason);
                }
            };
            view! {
                <button type="button" class="huge" on:click=choose>
                    {move || crate::components::reason_text(i18n, &text)}
                </button>
            }
        })
        .collect_view();
    view! {
        <Heading>{t!(i18n, check_in.reason_title)}</Heading>
        <div class="big-actions">{buttons}</div>
        <Nav>
            <button
                type="button"
                on:click=move |_| flow.advance(&Step::WalkInReason, Step::WalkInInitial)
            >
                {t!(i18n, check_in.back)}
            </button>
            <StartOver />
        </Nav>
    }
}

#[component]
pub fn QuestionStep(index: usize) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let Some(question) = flow.questions.with_value(|q| q.get(index).copied()) else {
        // Cannot happen (indices come from the list), but never panic.
        flow.send();
        return ().into_any();
    };
    let needs = flow.draft.needs;
    let yes_no = move |set: fn(&mut waitwell_core::contract::Needs, bool)| {
        view! {
            <div class="big-actions two">
                <button
                    type="button"
                    class="huge"
                    on:click=move |_| {
                        needs.update(|n| set(n, true));
                        flow.answered(index);
                    }
                >
                    {t!(i18n, check_in.yes)}
                </button>
                <button
                    type="button"
                    class="huge"
                    on:click=move |_| {
                        needs.update(|n| set(n, false));
                        flow.answered(index);
                    }
                >
                    {t!(i18n, check_in.no)}
                </button>
            </div>
        }
    };
    let body = match question {
        Question::Interpreter => {
            let languages = flow
                .site
                .with_value(|s| s.questions.interpreter_languages.clone());
            let choices = languages
                .into_iter()
                .map(|language| {
                    let shown = language.clone();
                    view! {
                        <button
                            type="button"
                            class="huge"
                            on:click=move |_| {
                                let language = language.clone();
                                needs.update(|n| n.interpreter = Some(language));
                                flow.answered(index);
                            }
                        >
                            {shown}
                        </button>
                    }
                })
                .collect_view();
            view! {
                <Heading>{t!(i18n, check_in.interpreter_title)}</Heading>
                <div class="big-actions">
                    <button
                        type="button"
                        class="huge primary"
                        on:click=move |_| {
                            needs.update(|n| n.interpreter = None);
                            flow.answered(index);
                        }
                    >
                        {t!(i18n, check_in.no_interpreter)}
                    </button>
                    {choices}
                </div>
            }
            .into_any()
        }
        Question::Mobility => view! {
            <Heading>{t!(i18n, check_in.mobility_title)}</Heading>
            {yes_no(|n, yes| n.mobility_help = yes)}
        }
        .into_any(),
        Question::ContactChanged => view! {
            <Heading>{t!(i18n, check_in.contact_title)}</Heading>
            <p>{t!(i18n, check_in.contact_body)}</p>
            {yes_no(|n, yes| n.contact_changed = yes)}
        }
        .into_any(),
    };
    view! {
        <p class="progress">
            {move || {
                t_string!(
                    i18n, check_in.question_of, n = index + 1, total = flow.questions.with_value(Vec::len)
                )
                    .to_string()
            }}
        </p>
        {body}
        <Nav>
            <StartOver />
        </Nav>
    }
    .into_any()
}

#[component]
pub fn Sending() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    view! {
        <Heading>{t!(i18n, check_in.sending_title)}</Heading>
        <Busy />
        <RequestError retry=move |()| flow.send() />
        {move || {
            (flow.error.get().is_some() || flow.not_saved.get().is_some())
                .then(|| {
                    view! {
                        <Nav>
                            <StartOver />
                        </Nav>
                    }
                })
        }}
    }
}

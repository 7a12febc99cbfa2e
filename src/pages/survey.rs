//! `/survey` on the exit tablet: one tap rates the visit (and is sent at
//! once); optional follow-ups, one per screen, each skippable; after a low
//! rating, an offer to talk to someone, which alerts reception. Anonymous
//! unless the patient chooses to give a first name.

use crate::api::provide_in_flight;
use crate::components::{
    IdleGuard, Layout, OnScreenKeyboard, PageHeading, PatientSession, WithSite,
};
use crate::i18n::*;
use crate::offline::{use_sync, OutboxSync, StoreError};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use waitwell_core::checkin::{clamp_typed, is_name_text};
use waitwell_core::contract::{limits, SiteConfig, StaffMember, SurveyResponse, Theme};
use waitwell_core::outbox::Write;

/// Seconds the thank-you stays up.
const THANKS_SECONDS: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Rate,
    TalkToSomeone,
    FirstName,
    Recommend,
    Themes,
    Comment,
    Thanks,
    Done,
}

/// The steps after the rating, for this site and this rating.
fn follow_ups(site: &SiteConfig, rating: u8) -> Vec<Step> {
    let mut steps = Vec::new();
    if rating <= 2 {
        steps.push(Step::TalkToSomeone);
    }
    if site.survey.ask_recommend {
        steps.push(Step::Recommend);
    }
    if site.survey.ask_themes {
        steps.push(Step::Themes);
    }
    if site.survey.ask_comment {
        steps.push(Step::Comment);
    }
    if !site.survey.staff.is_empty() {
        steps.push(Step::Thanks);
    }
    steps
}

fn face_name(i18n: I18nContext<Locale>, rating: u8) -> String {
    match rating {
        1 => t_string!(i18n, survey.very_unhappy),
        2 => t_string!(i18n, survey.unhappy),
        3 => t_string!(i18n, survey.happy),
        _ => t_string!(i18n, survey.very_happy),
    }
    .to_string()
}

/// A face drawn in SVG: the mouth curves with the rating.
fn face(rating: u8) -> impl IntoView {
    let mouth = match rating {
        1 => "M30 72 Q50 52 70 72",
        2 => "M32 70 Q50 62 68 70",
        3 => "M32 64 Q50 74 68 64",
        _ => "M28 60 Q50 84 72 60",
    };
    view! {
        <svg class="face" viewBox="0 0 100 100" aria-hidden="true" focusable="false">
            <circle cx="50" cy="50" r="45" class="face-disc" />
            <circle cx="35" cy="40" r="6" class="face-eye" />
            <circle cx="65" cy="40" r="6" class="face-eye" />
            <path d=mouth class="face-mouth" />
        </svg>
    }
}

/// Saves each new state of the response in the kiosk's outbox, which
/// delivers it (the whole response, under its id) whenever it can. Saving
/// is not tied to the screen: the patient walking away must not lose what
/// they already answered.
#[derive(Clone, Copy)]
struct Sender {
    sync: Option<OutboxSync>,
    /// The last save could not be stored on this kiosk.
    status: RwSignal<Option<StoreError>>,
}

impl Sender {
    fn send(self, id: String, response: SurveyResponse) {
        let status = self.status;
        let sync = self.sync;
        let key = crate::tasks::new_idempotency_key();
        leptos::task::spawn_local(async move {
            let result = match (sync, key) {
                (Some(sync), Some(key)) => sync
                    .enqueue(key, Write::Survey { id, response })
                    .await
                    .map(|_| ()),
                _ => Err(StoreError::Unavailable),
            };
            status.try_set(result.err());
        });
    }
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let i18n = use_i18n();
    provide_in_flight();
    view! {
        <section class="surface survey-kiosk" data-surface="survey">
            <WithSite
                title=Signal::derive(move || t_string!(i18n, survey.title).to_string())
                ready=|_, site| view! { <SurveyKiosk site=site /> }.into_any()
                see_reception=true
            />
        </section>
    }
}

#[component]
fn SurveyKiosk(site: SiteConfig) -> impl IntoView {
    let idle = site.idle;
    let sender = Sender {
        sync: use_sync(),
        status: RwSignal::new(None),
    };
    let site = StoredValue::new(site);
    let session = PatientSession::start();
    // When the last response began (ms), for the cool-down between two.
    let last_response = StoredValue::new(None::<f64>);
    view! {
        <IdleGuard timings=idle active=session.active on_reset=session.restart />
        {move || {
            session.patient.track();
            view! {
                <SurveyFlow
                    site=site
                    sender=sender
                    in_flow=session.in_flow
                    restart=session.restart
                    last_response=last_response
                />
            }
        }}
    }
}

#[component]
fn SurveyFlow(
    site: StoredValue<SiteConfig>,
    sender: Sender,
    in_flow: RwSignal<bool>,
    restart: Callback<()>,
    last_response: StoredValue<Option<f64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Rate);
    let id = StoredValue::new(None::<String>);
    let response = RwSignal::new(None::<SurveyResponse>);
    let plan = StoredValue::new(Vec::<Step>::new());
    Effect::new(move |_| in_flow.set(step.get() != Step::Rate));

    // Sends the response as it stands now.
    let save = move || {
        if let (Some(id), Some(r)) = (id.get_value(), response.get_untracked()) {
            sender.send(id, r);
        }
    };
    // Moves on from `from` to the next planned step (a second tap on an
    // old step does nothing).
    let next = move |from: Step| {
        if step.get_untracked() != from {
            return;
        }
        let steps = plan.get_value();
        let after = match from {
            Step::Rate => steps.first().copied(),
            // The name question belongs to "talk to someone".
            Step::FirstName => steps
                .iter()
                .position(|s| *s == Step::TalkToSomeone)
                .and_then(|i| steps.get(i + 1).copied()),
            current => steps
                .iter()
                .position(|s| *s == current)
                .and_then(|i| steps.get(i + 1).copied()),
        };
        step.set(after.unwrap_or(Step::Done));
    };
    let update = move |change: &dyn Fn(&mut SurveyResponse)| {
        response.update(|r| {
            if let Some(r) = r.as_mut() {
                change(r);
            }
        });
        save();
    };

    // The cool-down: a second response on this device within the site's
    // seconds is refused, with a visible count, then the faces come back.
    let cooldown = site.with_value(|s| f64::from(s.survey.cooldown_seconds) * 1000.0);
    let wait_left = RwSignal::new(0u32);
    let tick = {
        let compute = move || {
            let left = last_response
                .get_value()
                .map(|at| ((at + cooldown - js_sys::Date::now()) / 1000.0).ceil())
                .unwrap_or(0.0);
            wait_left.try_set(if left > 0.0 { left as u32 } else { 0 });
        };
        compute();
        send_wrapper::SendWrapper::new(gloo_timers::callback::Interval::new(1_000, compute))
    };
    on_cleanup(move || drop(tick));

    let rate = move |rating: u8| {
        if step.get_untracked() != Step::Rate || wait_left.get_untracked() > 0 {
            return;
        }
        let Some(new_id) = crate::tasks::new_idempotency_key() else {
            return;
        };
        last_response.set_value(Some(js_sys::Date::now()));
        id.set_value(Some(new_id));
        response.set(Some(SurveyResponse {
            rating,
            recommend: None,
            better: Vec::new(),
            went_well: Vec::new(),
            comment: None,
            thanks: None,
            talk_to_someone: false,
            first_name: None,
        }));
        plan.set_value(site.with_value(|s| follow_ups(s, rating)));
        save();
        next(Step::Rate);
    };

    let skip = move |from: Step| {
        view! {
            <button type="button" on:click=move |_| next(from)>
                {t!(i18n, survey.skip)}
            </button>
        }
    };
    let first_name = RwSignal::new(String::new());
    let name_refused = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<Theme>::new());

    move || {
        let body = match step.get() {
            Step::Rate => {
                let faces = (1..=4u8)
                    .map(|rating| {
                        view! {
                            <button
                                type="button"
                                class="face-button"
                                data-rating=rating
                                aria-label=move || face_name(i18n, rating)
                                disabled=move || { wait_left.get() > 0 }
                                on:click=move |_| rate(rating)
                            >
                                {face(rating)}
                                <span class="face-label">{move || face_name(i18n, rating)}</span>
                            </button>
                        }
                    })
                    .collect_view();
                view! {
                    <PageHeading>{t!(i18n, survey.title)}</PageHeading>
                    <div class="faces">{faces}</div>
                    <p class="hint" role="status">
                        {move || {
                            let left = wait_left.get();
                            (left > 0).then(|| t_string!(i18n, survey.cooldown, seconds = left).to_string())
                        }}
                    </p>
                }
                    .into_any()
            }
            Step::TalkToSomeone => view! {
                <PageHeading>{t!(i18n, survey.talk_title)}</PageHeading>
                <p>{t!(i18n, survey.talk_body)}</p>
                <div class="big-actions two">
                    <button
                        type="button"
                        class="huge primary"
                        on:click=move |_| {
                            if step.get_untracked() == Step::TalkToSomeone {
                                update(&|r| r.talk_to_someone = true);
                                step.set(Step::FirstName);
                            }
                        }
                    >
                        {t!(i18n, survey.talk_yes)}
                    </button>
                    <button
                        type="button"
                        class="huge"
                        on:click=move |_| {
                            update(&|r| r.talk_to_someone = false);
                            next(Step::TalkToSomeone);
                        }
                    >
                        {t!(i18n, survey.talk_no)}
                    </button>
                </div>
            }
            .into_any(),
            Step::FirstName => view! {
                <PageHeading>{t!(i18n, survey.name_title)}</PageHeading>
                <p>{t!(i18n, survey.name_body)}</p>
                <form
                    class="text-step"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        let name = first_name.get_untracked();
                        if !is_name_text(&name) {
                            name_refused.set(true);
                            return;
                        }
                        let name = name.trim().to_owned();
                        update(&move |r| r.first_name = Some(name.clone()));
                        next(Step::FirstName);
                    }
                >
                    <label class="field" for="survey-first-name">
                        {t!(i18n, check_in.first_name)}
                    </label>
                    <input
                        id="survey-first-name"
                        class="typed"
                        inputmode="none"
                        autocomplete="off"
                        maxlength=limits::FIRST_NAME_CHARS
                        aria-describedby="survey-name-rule"
                        prop:value=move || first_name.get()
                        on:input=move |ev| {
                            name_refused.set(false);
                            first_name.set(clamp_typed(&event_target_value(&ev), limits::FIRST_NAME_CHARS))
                        }
                    />
                    <p id="survey-name-rule" class="field-rule" role="alert">
                        {move || name_refused.get().then(|| t_string!(i18n, check_in.letters_only).to_string())}
                    </p>
                    <OnScreenKeyboard value=first_name max=limits::FIRST_NAME_CHARS layout=Layout::Name />
                    <div class="nav">
                        {skip(Step::FirstName)}
                        <button type="submit" class="primary">
                            {t!(i18n, check_in.go_on)}
                        </button>
                    </div>
                </form>
            }
            .into_any(),
            Step::Recommend => {
                let scores = (0..=10u8)
                    .map(|score| {
                        view! {
                            <button
                                type="button"
                                class="score"
                                on:click=move |_| {
                                    if step.get_untracked() == Step::Recommend {
                                        update(&move |r| r.recommend = Some(score));
                                        next(Step::Recommend);
                                    }
                                }
                            >
                                {score}
                            </button>
                        }
                    })
                    .collect_view();
                view! {
                    <PageHeading>{t!(i18n, survey.recommend_title)}</PageHeading>
                    <div class="scores" role="group" aria-describedby="score-ends">
                        {scores}
                    </div>
                    <p id="score-ends" class="score-ends">
                        <span>{t!(i18n, survey.recommend_low)}</span>
                        <span>{t!(i18n, survey.recommend_high)}</span>
                    </p>
                    <div class="nav">{skip(Step::Recommend)}</div>
                }
                    .into_any()
            }
            Step::Themes => {
                let happy = response.with_untracked(|r| r.as_ref().is_some_and(|r| r.rating >= 3));
                let toggles = Theme::ALL
                    .iter()
                    .copied()
                    .map(|theme| {
                        view! {
                            <button
                                type="button"
                                class="toggle huge"
                                aria-pressed=move || chosen.with(|c| c.contains(&theme)).to_string()
                                on:click=move |_| {
                                    chosen.update(|c| {
                                        if let Some(i) = c.iter().position(|t| *t == theme) {
                                            c.remove(i);
                                        } else {
                                            c.push(theme);
                                        }
                                    })
                                }
                            >
                                {move || crate::components::theme_text(i18n, theme)}
                            </button>
                        }
                    })
                    .collect_view();
                view! {
                    <PageHeading>
                        {move || {
                            if happy {
                                t_string!(i18n, survey.went_well_title).to_string()
                            } else {
                                t_string!(i18n, survey.better_title).to_string()
                            }
                        }}
                    </PageHeading>
                    <p>{t!(i18n, survey.choose_any)}</p>
                    <div class="big-actions themes">{toggles}</div>
                    <div class="nav">
                        {skip(Step::Themes)}
                        <button
                            type="button"
                            class="primary"
                            on:click=move |_| {
                                if step.get_untracked() != Step::Themes {
                                    return;
                                }
                                let themes = chosen.get_untracked();
                                update(&move |r| {
                                    if happy {
                                        r.went_well = themes.clone();
                                    } else {
                                        r.better = themes.clone();
                                    }
                                });
                                next(Step::Themes);
                            }
                        >
                            {t!(i18n, check_in.go_on)}
                        </button>
                    </div>
                }
                    .into_any()
            }
            Step::Comment => view! {
                <PageHeading>{t!(i18n, survey.comment_title)}</PageHeading>
                <form
                    class="text-step"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        let text = comment.get_untracked().trim().to_owned();
                        if !text.is_empty() {
                            update(&move |r| r.comment = Some(text.clone()));
                        }
                        next(Step::Comment);
                    }
                >
                    <label class="field" for="survey-comment">
                        {t!(i18n, survey.comment_label)}
                    </label>
                    <textarea
                        id="survey-comment"
                        class="typed comment"
                        inputmode="none"
                        rows="3"
                        maxlength=limits::COMMENT_CHARS
                        aria-describedby="comment-count"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(clamp_typed(&event_target_value(&ev), limits::COMMENT_CHARS))
                    ></textarea>
                    <p id="comment-count" class="hint">
                        {move || {
                            t_string!(i18n, survey.characters_left, left = limits::COMMENT_CHARS - comment.with(|c| c.chars().count()))
                                .to_string()
                        }}
                    </p>
                    <OnScreenKeyboard value=comment max=limits::COMMENT_CHARS layout=Layout::Text />
                    <div class="nav">
                        {skip(Step::Comment)}
                        <button type="submit" class="primary">
                            {t!(i18n, check_in.go_on)}
                        </button>
                    </div>
                </form>
            }
            .into_any(),
            Step::Thanks => {
                let staff = site.with_value(|s| s.survey.staff.clone());
                let people = staff
                    .into_iter()
                    .map(|StaffMember { id: staff_id, name }| {
                        view! {
                            <button
                                type="button"
                                class="huge"
                                on:click=move |_| {
                                    if step.get_untracked() == Step::Thanks {
                                        let staff_id = staff_id.clone();
                                        update(&move |r| r.thanks = Some(staff_id.clone()));
                                        next(Step::Thanks);
                                    }
                                }
                            >
                                {name}
                            </button>
                        }
                    })
                    .collect_view();
                view! {
                    <PageHeading>{t!(i18n, survey.thanks_title)}</PageHeading>
                    <div class="big-actions">{people}</div>
                    <div class="nav">{skip(Step::Thanks)}</div>
                }
                    .into_any()
            }
            Step::Done => view! { <Done restart=restart sender=sender /> }.into_any(),
        };
        view! { <div class="step">{body}</div> }
    }
}

#[component]
fn Done(restart: Callback<()>, sender: Sender) -> impl IntoView {
    let i18n = use_i18n();
    let left = RwSignal::new(THANKS_SECONDS);
    let timer = gloo_timers::callback::Interval::new(1_000, move || {
        let remaining = left.get_untracked().saturating_sub(1);
        left.set(remaining);
        if remaining == 0 {
            restart.run(());
        }
    });
    let timer = send_wrapper::SendWrapper::new(timer);
    on_cleanup(move || drop(timer));
    view! {
        <PageHeading>{t!(i18n, survey.done_title)}</PageHeading>
        <p>{t!(i18n, survey.done_body)}</p>
        <p class="hint" role="status">
            {move || {
                sender
                    .status
                    .get()
                    .map(|_| t_string!(i18n, survey.not_saved).to_string())
            }}
        </p>
        <div class="nav">
            <button type="button" class="primary" on:click=move |_| restart.run(())>
                {t!(i18n, check_in.done)}
            </button>
        </div>
    }
}

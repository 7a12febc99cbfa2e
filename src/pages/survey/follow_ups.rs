//! The follow-up steps after the rating, one screen each; every one can be
//! skipped, and every answer is saved as it is given.

use super::{Skip, Survey};
use crate::components::{theme_text, Layout, OnScreenKeyboard, PageHeading};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::checkin::{clamp_typed, is_name_text};
use waitwell_core::contract::{limits, StaffMember, Theme};
use waitwell_core::survey::{SurveyPlan, SurveyStep};

#[component]
pub(super) fn TalkStep() -> impl IntoView {
    let i18n = use_i18n();
    let survey = expect_context::<Survey>();
    view! {
        <PageHeading>{t!(i18n, survey.talk_title)}</PageHeading>
        <p>{t!(i18n, survey.talk_body)}</p>
        <div class="big-actions two">
            <button
                type="button"
                class="huge primary"
                on:click=move |_| {
                    if survey.at(SurveyStep::TalkToSomeone) {
                        survey.update(|r| r.talk_to_someone = true);
                        survey.step.set(survey.plan.with_value(SurveyPlan::after_yes_to_talk));
                    }
                }
            >
                {t!(i18n, survey.talk_yes)}
            </button>
            <button
                type="button"
                class="huge"
                on:click=move |_| {
                    survey.update(|r| r.talk_to_someone = false);
                    survey.next(SurveyStep::TalkToSomeone);
                }
            >
                {t!(i18n, survey.talk_no)}
            </button>
        </div>
    }
}

#[component]
pub(super) fn FirstNameStep() -> impl IntoView {
    let i18n = use_i18n();
    let survey = expect_context::<Survey>();
    let first_name = RwSignal::new(String::new());
    let name_refused = RwSignal::new(false);
    view! {
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
                survey.update(move |r| r.first_name = Some(name.clone()));
                survey.next(SurveyStep::FirstName);
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
            <SkipOrSend from=SurveyStep::FirstName />
        </form>
    }
}

#[component]
pub(super) fn RecommendStep() -> impl IntoView {
    let i18n = use_i18n();
    let survey = expect_context::<Survey>();

    let scores = (0..=10u8)
        .map(|score| {
            view! {
                <button
                    type="button"
                    class="score"
                    on:click=move |_| {
                        if survey.at(SurveyStep::Recommend) {
                            survey.update(move |r| r.recommend = Some(score));
                            survey.next(SurveyStep::Recommend);
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
        <div class="nav"><Skip from=SurveyStep::Recommend /></div>
    }
    .into_any()
}

#[component]
pub(super) fn ThemesStep() -> impl IntoView {
    let i18n = use_i18n();
    let survey = expect_context::<Survey>();
    let chosen = RwSignal::new(Vec::<Theme>::new());

    let happy = survey
        .response
        .with_untracked(|r| r.as_ref().is_some_and(|r| r.rating >= 3));
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
                    {move || theme_text(i18n, theme)}
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
            <Skip from=SurveyStep::Themes />
            <button
                type="button"
                class="primary"
                on:click=move |_| {
                    if !survey.at(SurveyStep::Themes) {
                        return;
                    }
                    let themes = chosen.get_untracked();
                    survey.update(move |r| {
                        if happy {
                            r.went_well = themes.clone();
                        } else {
                            r.better = themes.clone();
                        }
                    });
                    survey.next(SurveyStep::Themes);
                }
            >
                {t!(i18n, check_in.go_on)}
            </button>
        </div>
    }
    .into_any()
}

#[component]
pub(super) fn CommentStep() -> impl IntoView {
    let i18n = use_i18n();
    let survey = expect_context::<Survey>();
    let comment = RwSignal::new(String::new());
    view! {
        <PageHeading>{t!(i18n, survey.comment_title)}</PageHeading>
        <form
            class="text-step"
            on:submit=move |ev| {
                ev.prevent_default();
                let text = comment.get_untracked().trim().to_owned();
                if !text.is_empty() {
                    survey.update(move |r| r.comment = Some(text.clone()));
                }
                survey.next(SurveyStep::Comment);
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
            <SkipOrSend from=SurveyStep::Comment />
        </form>
    }
}

#[component]
pub(super) fn ThanksStep() -> impl IntoView {
    let i18n = use_i18n();
    let survey = expect_context::<Survey>();

    let staff = survey.site.with_value(|s| s.survey.staff.clone());
    let people = staff
        .into_iter()
        .map(|StaffMember { id: staff_id, name }| {
            view! {
                <button
                    type="button"
                    class="huge"
                    on:click=move |_| {
                        if survey.at(SurveyStep::Thanks) {
                            let staff_id = staff_id.clone();
                            survey.update(move |r| r.thanks = Some(staff_id.clone()));
                            survey.next(SurveyStep::Thanks);
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
        <div class="nav"><Skip from=SurveyStep::Thanks /></div>
    }
    .into_any()
}

/// A form step's navigation: skip it, or go on with what was typed.
#[component]
fn SkipOrSend(from: SurveyStep) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="nav">
            <Skip from=from />
            <button type="submit" class="primary">
                {t!(i18n, check_in.go_on)}
            </button>
        </div>
    }
}

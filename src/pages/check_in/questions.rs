//! The site's needs questions, one per screen.

use super::steps::{Nav, StartOver};
use super::{Flow, Heading};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::checkin::Question;
use waitwell_core::contract::Needs;

#[component]
pub fn QuestionStep(index: usize) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let Some(question) = flow.questions.with_value(|q| q.get(index).copied()) else {
        // Cannot happen (indices come from the list), but never panic.
        flow.send();
        return ().into_any();
    };
    let body = match question {
        Question::Interpreter => view! { <Interpreter index=index /> }.into_any(),
        Question::Mobility => view! {
            <Heading>{t!(i18n, check_in.mobility_title)}</Heading>
            <YesNo index=index set=|n, yes| n.mobility_help = yes />
        }
        .into_any(),
        Question::ContactChanged => view! {
            <Heading>{t!(i18n, check_in.contact_title)}</Heading>
            <p>{t!(i18n, check_in.contact_body)}</p>
            <YesNo index=index set=|n, yes| n.contact_changed = yes />
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

/// Yes or no to question `index`; `set` records the answer in the needs.
#[component]
fn YesNo(index: usize, set: fn(&mut Needs, bool)) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let answer = move |yes: bool| {
        flow.draft.needs.update(|n| set(n, yes));
        flow.answered(index);
    };
    view! {
        <div class="big-actions two">
            <button type="button" class="huge" on:click=move |_| answer(true)>
                {t!(i18n, check_in.yes)}
            </button>
            <button type="button" class="huge" on:click=move |_| answer(false)>
                {t!(i18n, check_in.no)}
            </button>
        </div>
    }
}

/// Which language an interpreter is needed for, or none.
#[component]
fn Interpreter(index: usize) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let needs = flow.draft.needs;
    let choose = move |language: Option<String>| {
        needs.update(|n| n.interpreter = language);
        flow.answered(index);
    };
    let languages = flow
        .site
        .with_value(|s| s.questions.interpreter_languages.clone());
    let choices = languages
        .into_iter()
        .map(|language| {
            let shown = language.clone();
            view! {
                <button type="button" class="language" on:click=move |_| choose(Some(language.clone()))>
                    {shown}
                </button>
            }
        })
        .collect_view();
    view! {
        <Heading>{t!(i18n, check_in.interpreter_title)}</Heading>
        // "No interpreter" across the top, the languages in columns below:
        // a site's list of languages still fits one screen.
        <div class="big-actions languages">
            <button type="button" class="huge primary" on:click=move |_| choose(None)>
                {t!(i18n, check_in.no_interpreter)}
            </button>
            {choices}
        </div>
    }
}

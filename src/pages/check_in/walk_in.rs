//! A walk-in's details: first name, the first letter of the last name,
//! and a reason from the site's list.

use super::steps::{Nav, StartOver, TextStep};
use super::{Flow, Heading, Step};
use crate::components::Layout;
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::contract::limits;
use waitwell_core::walk_in;

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

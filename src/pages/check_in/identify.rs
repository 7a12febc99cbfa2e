//! Identification: last name and date of birth, an appointment code, or the
//! appointment letter's QR code.

use super::steps::{FormNav, Nav, StartOver, TextStep};
use super::{Busy, Flow, Heading, RequestError, Step};
use crate::components::{BirthDateInput, Layout, QrScanner};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::checkin::is_name_text;
use waitwell_core::contract::{limits, IdentifyRequest};

#[component]
pub fn FamilyName() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    view! {
        <TextStep
            step=Step::FamilyName
            back=Step::Choose
            next=Callback::new(move |()| flow.advance(&Step::FamilyName, Step::BirthDate))
            value=flow.draft.family_name
            max=limits::FAMILY_NAME_CHARS
            layout=Layout::Name
            field_id="family-name"
            valid=is_name_text
            title=Signal::derive(move || t_string!(i18n, check_in.family_name_title).to_string())
            label=Signal::derive(move || t_string!(i18n, check_in.family_name).to_string())
        />
    }
}

#[component]
pub fn BirthDate() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let picker = flow.draft.birth_date;
    let find = move || {
        let Some(birth_date) = picker.get_untracked().date() else {
            return;
        };
        flow.identify(
            Step::BirthDate,
            IdentifyRequest::Name {
                family_name: flow.draft.family_name.get_untracked().trim().to_owned(),
                birth_date,
            },
        );
    };
    let ready = move || picker.with(|p| p.date().is_some()) && !flow.busy.get();
    view! {
        <Heading>{t!(i18n, check_in.birth_date_title)}</Heading>
        <form
            class="text-step"
            on:submit=move |ev| {
                ev.prevent_default();
                find();
            }
        >
            <BirthDateInput picker=picker />
            <Busy />
            <RequestError retry=move |()| find() />
            <FormNav
                on_back=Callback::new(move |()| flow.advance(&Step::BirthDate, Step::FamilyName))
                ready=Signal::derive(ready)
            >
                {t!(i18n, check_in.find)}
            </FormNav>
        </form>
    }
}

#[component]
pub fn Code() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let find = Callback::new(move |()| {
        flow.identify(
            Step::Code,
            IdentifyRequest::Code {
                code: flow.draft.code.get_untracked().trim().to_owned(),
            },
        )
    });
    view! {
        <TextStep
            step=Step::Code
            back=Step::Choose
            next=find
            value=flow.draft.code
            max=limits::APPOINTMENT_CODE_CHARS
            layout=Layout::Code
            field_id="appointment-code"
            min_chars=4
            title=Signal::derive(move || t_string!(i18n, check_in.code_title).to_string())
            label=Signal::derive(move || t_string!(i18n, check_in.code).to_string())
        />
    }
}

#[component]
pub fn Scan() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let failed = RwSignal::new(false);
    let on_code = Callback::new(move |code: String| {
        flow.draft.code.set(code.clone());
        flow.identify(Step::Scan, IdentifyRequest::Code { code });
    });
    let on_failed = Callback::new(move |()| failed.set(true));
    view! {
        <Heading>{t!(i18n, check_in.scan_title)}</Heading>
        {move || {
            if failed.get() {
                view! {
                    <p class="request-error" role="alert">
                        {t!(i18n, check_in.scan_failed)}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <p>{t!(i18n, check_in.scan_body)}</p>
                    <QrScanner on_code=on_code on_failed=on_failed />
                }
                    .into_any()
            }
        }}
        <Busy />
        <RequestError retry=move |()| on_code.run(flow.draft.code.get_untracked()) />
        <Nav>
            <button type="button" on:click=move |_| flow.advance(&Step::Scan, Step::Choose)>
                {t!(i18n, check_in.back)}
            </button>
            <button type="button" on:click=move |_| flow.advance(&Step::Scan, Step::Code)>
                {t!(i18n, check_in.type_code_instead)}
            </button>
            <StartOver />
        </Nav>
    }
}

//! `/tablets` (staff): the clinic's enrolled tablets, their health, setting
//! one up and revoking one, and the writes the server refused that wait
//! for staff on them. Its own page, so reception's first load does not
//! carry it; the desk's alerts say when something here needs staff
//! ([`crate::pages::reception`]).

mod devices;
mod enroll;

use super::staff_gate::{sign_out, Desk, StaffGate};
use crate::api::provide_in_flight;
use crate::components::{PageHeading, WithSite};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::Surface;

#[component]
pub fn TabletsPage() -> impl IntoView {
    let i18n = use_i18n();
    provide_in_flight();
    crate::app::ScreenChrome::claim(crate::app::Chrome::Staff);
    view! {
        <section class="surface reception tablets-page" data-surface="tablets">
            <WithSite
                title=Signal::derive(move || t_string!(i18n, surface.tablets.title).to_string())
                ready=|adapter, site| {
                    view! { <StaffGate adapter=adapter site=site signed_in=|| view! { <Tablets /> } /> }
                        .into_any()
                }
            />
        </section>
    }
}

#[component]
fn Tablets() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    view! {
        <div class="desk-top">
            <PageHeading>{t!(i18n, surface.tablets.title)}</PageHeading>
            <a class="button" href=Surface::Reception.path()>{t!(i18n, surface.reception.title)}</a>
            <button type="button" on:click=move |_| sign_out(desk)>
                {t!(i18n, reception.sign_out)}
            </button>
        </div>
        <div class="desk-panels">
            <devices::DevicesPanel />
        </div>
    }
}

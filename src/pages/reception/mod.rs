//! `/reception`: staff run the queue, behind the staff gate
//! ([`super::staff_gate`]).

mod actions;
mod desk;
mod panels;
mod row;

use super::staff_gate::StaffGate;
use crate::api::provide_in_flight;
use crate::components::WithSite;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn ReceptionPage() -> impl IntoView {
    let i18n = use_i18n();
    provide_in_flight();
    crate::app::ScreenChrome::claim(crate::app::Chrome::Staff);
    view! {
        <section class="surface reception" data-surface="reception">
            <WithSite
                title=Signal::derive(move || t_string!(i18n, surface.reception.title).to_string())
                ready=|adapter, site| {
                    view! { <StaffGate adapter=adapter site=site signed_in=|| view! { <desk::DeskView /> } /> }
                        .into_any()
                }
            />
        </section>
    }
}

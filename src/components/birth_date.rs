//! A date-of-birth picker: day, month and year from lists that only offer
//! what exists, so it cannot produce an impossible date.

use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::checkin::BirthDatePicker;

/// The month's name in the current language (1 = January).
fn month_name(i18n: leptos_i18n::I18nContext<Locale>, month: u8) -> String {
    match month {
        1 => t_string!(i18n, months.m01),
        2 => t_string!(i18n, months.m02),
        3 => t_string!(i18n, months.m03),
        4 => t_string!(i18n, months.m04),
        5 => t_string!(i18n, months.m05),
        6 => t_string!(i18n, months.m06),
        7 => t_string!(i18n, months.m07),
        8 => t_string!(i18n, months.m08),
        9 => t_string!(i18n, months.m09),
        10 => t_string!(i18n, months.m10),
        11 => t_string!(i18n, months.m11),
        _ => t_string!(i18n, months.m12),
    }
    .to_string()
}

fn parse<T: std::str::FromStr>(ev: &leptos::ev::Event) -> Option<T> {
    event_target_value(ev).parse().ok()
}

#[component]
pub fn BirthDateInput(picker: RwSignal<BirthDatePicker>) -> impl IntoView {
    let i18n = use_i18n();
    let this_year = u16::try_from(js_sys::Date::new_0().get_full_year()).unwrap_or(2026);
    // Only when the number of days changes are the day options redrawn.
    let days = Memo::new(move |_| picker.with(|p| p.days_available()));
    let shown = |part: Option<u16>| part.map(|v| v.to_string()).unwrap_or_default();
    view! {
        <fieldset class="birth-date">
            <legend>{t!(i18n, check_in.birth_date_legend)}</legend>
            <label class="date-part">
                <span>{t!(i18n, check_in.day)}</span>
                <select
                    name="day"
                    prop:value=move || shown(picker.get().day().map(u16::from))
                    on:change=move |ev| picker.update(|p| p.set_day(parse(&ev)))
                >
                    <option value="">"—"</option>
                    {move || {
                        (1..=days.get())
                            .map(|d| view! { <option value=d>{d}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="date-part">
                <span>{t!(i18n, check_in.month)}</span>
                <select
                    name="month"
                    prop:value=move || shown(picker.get().month().map(u16::from))
                    on:change=move |ev| picker.update(|p| p.set_month(parse(&ev)))
                >
                    <option value="">"—"</option>
                    {(1..=12u8)
                        .map(|m| {
                            view! {
                                <option value=m>{move || month_name(i18n, m)}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="date-part">
                <span>{t!(i18n, check_in.year)}</span>
                <select
                    name="year"
                    prop:value=move || shown(picker.get().year())
                    on:change=move |ev| picker.update(|p| p.set_year(parse(&ev)))
                >
                    <option value="">"—"</option>
                    {BirthDatePicker::years(this_year)
                        .map(|y| {
                            view! { <option value=y>{y}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        </fieldset>
    }
}

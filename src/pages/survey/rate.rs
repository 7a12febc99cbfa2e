//! The faces: one tap rates the visit and starts the response, unless the
//! device's cool-down between two responses is still running.

use super::Survey;
use crate::components::PageHeading;
use crate::i18n::*;
use crate::time::now_ms;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_use::use_interval_fn;
use waitwell_core::survey::{cooldown_left, SurveyStep};

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

/// Marks the faces, so that only the rating screen is ever kept.
const FACES_MARK: &str = "[data-faces]";

#[component]
pub(super) fn RateStep(last_response: StoredValue<Option<f64>>) -> impl IntoView {
    let i18n = use_i18n();
    let survey = expect_context::<Survey>();
    // The cool-down: a second response on this device within the site's
    // seconds is refused, with a visible count, then the faces come back.
    let cooldown = survey.site.with_value(|s| s.survey.cooldown_seconds);
    let left = move || cooldown_left(last_response.try_get_value().flatten(), cooldown, now_ms());
    let wait_left = RwSignal::new(left());
    use_interval_fn(move || wait_left.set(left()), 1_000);
    let rate = move |rating: u8| {
        if !survey.at(SurveyStep::Rate) || wait_left.get_untracked() > 0 {
            return;
        }
        let started_at = now_ms();
        if survey.start(rating) {
            last_response.set_value(Some(started_at));
        }
    };
    // Kept as the screen to paint before the wasm runs next time (its
    // faces then take a tap at once, src/first_screen.rs), as first drawn
    // when no cool-down is counting: never a count or a disabled face.
    Effect::new(move |_| {
        if wait_left.get_untracked() == 0 {
            crate::first_screen::keep_later(FACES_MARK, crate::first_screen::Part::Whole);
        }
    });
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
        <div class="faces" data-faces="">{faces}</div>
        <p class="hint" role="status">
            {move || {
                let left = wait_left.get();
                (left > 0).then(|| t_string!(i18n, survey.cooldown, seconds = left).to_string())
            }}
        </p>
    }
}

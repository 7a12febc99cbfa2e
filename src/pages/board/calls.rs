//! The board's calls: each new one highlighted for a while, with a chime
//! and the call spoken in the clinic's languages where the site wants sound.

use crate::api::live::LiveQueue;
use crate::components::speech;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_use::use_timeout_fn;
use send_wrapper::SendWrapper;
use waitwell_core::board::{spoken_code, CallTracker};
use waitwell_core::contract::{CalledTicket, SiteConfig};

/// The site's settings as the board follows them (none until loaded).
pub(super) type SiteSignal = Signal<Option<Result<SiteConfig, waitwell_core::client::ClientError>>>;

/// How long a new call stays highlighted.
const FRESH_MILLIS: u32 = 15_000;

/// The calls being highlighted now.
#[derive(Clone, Copy)]
pub(super) struct FreshCalls(pub ReadSignal<Vec<String>>);

/// Highlights each new call (and recall) for a while, with a chime and the
/// call spoken in the clinic's languages where the site wants sound. The
/// calls highlighted now.
pub(super) fn announce_calls(live: LiveQueue, site: SiteSignal) -> RwSignal<Vec<String>> {
    let i18n = use_i18n();
    let fresh = RwSignal::new(Vec::<String>::new());
    let tracker = StoredValue::new(CallTracker::default());
    // One audio context for the board's life.
    let audio = StoredValue::new(SendWrapper::new(web_sys::AudioContext::new().ok()));
    on_cleanup(move || {
        if let Some(Some(context)) = audio.try_with_value(|a| (**a).clone()) {
            let _ = context.close();
        }
    });
    // The highlight fades after a while; a newer call restarts the wait.
    let fade = use_timeout_fn(
        move |()| drop(fresh.try_set(Vec::new())),
        f64::from(FRESH_MILLIS),
    );
    Effect::new(move |_| {
        // Borrowed, not cloned: the snapshot may hold hundreds of tickets.
        let calls = live
            .snapshot
            .with(|queue| {
                let queue = queue.as_ref()?;
                tracker.try_update_value(|t| t.new_calls(queue))
            })
            .unwrap_or_default();
        if calls.is_empty() {
            return;
        }
        let known = site.with_untracked(|s| match s {
            Some(Ok(site)) => Some(site.clone()),
            _ => None,
        });
        let (play, languages) = known
            .as_ref()
            .map(|site| (site.board_audio, site.languages.clone()))
            .unwrap_or((true, vec![i18n.get_locale_untracked().as_str().to_owned()]));
        fresh.set(calls.iter().map(|c| c.ticket.clone()).collect());
        if play {
            // Once the call is on screen (after this task, which renders
            // it): the room hears it as it appears.
            crate::tasks::run_later(0, move || {
                let _ = audio.try_with_value(|context| {
                    if let Some(context) = context.as_ref() {
                        for call in &calls {
                            announce(call, &languages, known.as_ref(), context);
                        }
                    }
                });
            });
        }
        (fade.stop)();
        (fade.start)(());
    });
    fresh
}

/// Says a call aloud in each of the clinic's languages, after a chime.
fn announce(
    call: &CalledTicket,
    languages: &[String],
    site: Option<&SiteConfig>,
    audio: &web_sys::AudioContext,
) {
    chime(audio);
    let spoken = spoken_code(&call.ticket);
    for tag in languages {
        let Ok(locale) = tag.parse::<Locale>() else {
            continue;
        };
        let room = site.map_or(call.room.as_str(), |s| s.room_name(&call.room, tag));
        let text = td_string!(
            locale,
            board.call_spoken,
            ticket = spoken.clone(),
            room = room.to_owned()
        )
        .to_string();
        speech::say_after(&text, locale.as_str());
    }
}

/// A short two-note chime (Web Audio); silent where audio cannot start.
fn chime(context: &web_sys::AudioContext) {
    // Created before any tap, the context may start suspended.
    let _ = context.resume();
    let start = context.current_time();
    for (i, frequency) in [880.0_f32, 660.0].into_iter().enumerate() {
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain())
        else {
            return;
        };
        let at = start + 0.35 * i as f64;
        oscillator.frequency().set_value(frequency);
        let _ = gain.gain().set_value_at_time(0.0001, at);
        let _ = gain
            .gain()
            .exponential_ramp_to_value_at_time(0.4, at + 0.02);
        let _ = gain
            .gain()
            .exponential_ramp_to_value_at_time(0.0001, at + 0.6);
        let _ = oscillator.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let _ = oscillator.start_with_when(at);
        let _ = oscillator.stop_with_when(at + 0.65);
    }
}

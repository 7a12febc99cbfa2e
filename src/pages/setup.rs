use crate::api::use_adapter;
use crate::components::surface_name;
use crate::components::{endonym, error_text, PageHeading};
use crate::context::DeviceContext;
use crate::device;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use waitwell_core::contract::EnrollmentStatus;
use waitwell_core::{DeviceSettings, Surface};

/// What the last press of "Save" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SaveState {
    Idle,
    Saved(Surface),
    Failed,
}

/// `/setup`: which surface this device shows at `/`, and its language.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_context::<DeviceContext>()
        .map(|c| c.0)
        .unwrap_or_default();
    let surface = RwSignal::new(current.surface);
    let language = RwSignal::new(current.language);
    let state = RwSignal::new(SaveState::Idle);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // What else is stored (the enrollment it last knew) stays.
        let settings = DeviceSettings {
            surface: surface.get_untracked(),
            language: language.get_untracked(),
            ..device::load()
        };
        state.set(match device::save(&settings) {
            Ok(()) => SaveState::Saved(settings.surface),
            Err(_) => SaveState::Failed,
        });
    };
    let reload = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign("/");
        }
    };

    view! {
        <section class="surface setup">
            <PageHeading>{t!(i18n, setup.title)}</PageHeading>
            <p>{t!(i18n, setup.intro)}</p>
            <form on:submit=save>
                <SurfaceChoice surface=surface />
                <LanguageChoice language=language />
                <button type="submit" class="button primary">
                    {t!(i18n, setup.save)}
                </button>
            </form>
            <p class="status" role="status">
                {move || match state.get() {
                    SaveState::Idle => String::new(),
                    SaveState::Saved(s) => {
                        t_string!(i18n, setup.saved, surface = surface_name(i18n, s)).to_string()
                    }
                    SaveState::Failed => t_string!(i18n, setup.save_failed).to_string(),
                }}
            </p>
            <Show when=move || matches!(state.get(), SaveState::Saved(_))>
                <button type="button" class="button" on:click=reload>
                    {t!(i18n, setup.reload)}
                </button>
            </Show>
            <Connection />
            <EnrollmentState />
            <StorageState />
            <SurfaceLinks />
        </section>
    }
}

/// Which surface this device shows at `/`.
#[component]
fn SurfaceChoice(surface: RwSignal<Surface>) -> impl IntoView {
    let i18n = use_i18n();
    let choices = Surface::ALL
        .into_iter()
        .map(|s| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="surface"
                        value=s.as_str()
                        prop:checked=move || surface.get() == s
                        on:change=move |_| surface.set(s)
                    />
                    <span>{move || surface_name(i18n, s)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset>
            <legend>{t!(i18n, setup.surface_legend)}</legend>
            {choices}
        </fieldset>
    }
}

/// The language this device returns to after each patient, or the
/// browser's.
#[component]
fn LanguageChoice(language: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let choices = Locale::get_all()
        .iter()
        .map(|&locale| {
            let tag = locale.as_str();
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="language"
                        value=tag
                        prop:checked=move || language.get().as_deref() == Some(tag)
                        on:change=move |_| language.set(Some(tag.to_owned()))
                    />
                    <span lang=tag>{endonym(locale)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset>
            <legend>{t!(i18n, setup.language_legend)}</legend>
            <label class="choice">
                <input
                    type="radio"
                    name="language"
                    value=""
                    prop:checked=move || language.get().is_none()
                    on:change=move |_| language.set(None)
                />
                <span>{t!(i18n, setup.language_browser)}</span>
            </label>
            {choices}
        </fieldset>
    }
}

/// Links to open each surface on this device.
#[component]
fn SurfaceLinks() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav aria-labelledby="open-surfaces">
            <h2 id="open-surfaces">{t!(i18n, setup.open_surfaces)}</h2>
            <ul class="surface-links">
                {Surface::ALL
                    .into_iter()
                    .map(|s| {
                        view! {
                            <li>
                                <a class="button" href=s.path()>
                                    {move || surface_name(i18n, s)}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// Whether this device reaches its backend, and which clinic that is.
#[component]
fn Connection() -> impl IntoView {
    let i18n = use_i18n();
    crate::api::provide_in_flight();
    let adapter = use_adapter();
    let clinic = LocalResource::new(move || async move {
        match adapter.get() {
            None => None,
            Some(Err(e)) => Some(Err(e)),
            Some(Ok(adapter)) => Some(adapter.site_config().await.map(|c| c.clinic_name)),
        }
    });
    view! {
        <section aria-labelledby="connection">
            <h2 id="connection">{t!(i18n, setup.connection)}</h2>
            <p class="connection" role="status">
                {move || match clinic.get().flatten() {
                    None => t_string!(i18n, setup.connection_checking).to_string(),
                    Some(Ok(name)) => t_string!(i18n, setup.connection_ok, clinic = name).to_string(),
                    Some(Err(e)) => {
                        t_string!(i18n, setup.connection_failed, reason = error_text(i18n, &e))
                            .to_string()
                    }
                }}
            </p>
        </section>
    }
}

/// Whether this tablet is enrolled, and as what (pairing happens on the
/// surface itself: it shows the code for reception there).
#[component]
fn EnrollmentState() -> impl IntoView {
    let i18n = use_i18n();
    let adapter = use_adapter();
    let standing = LocalResource::new(move || async move {
        match adapter.get() {
            Some(Ok(adapter)) => Some(adapter.enrollment().await),
            _ => None,
        }
    });
    view! {
        <section aria-labelledby="enrollment">
            <h2 id="enrollment">{t!(i18n, setup.enrollment)}</h2>
            <p class="enrollment" role="status">
                {move || match standing.get().flatten() {
                    None => t_string!(i18n, setup.connection_checking).to_string(),
                    Some(Err(e)) => error_text(i18n, &e),
                    Some(Ok(e)) => match (e.status, e.pairing_code, e.role) {
                        (EnrollmentStatus::Enrolled, _, Some(role)) => t_string!(
                            i18n, setup.enrolled,
                            name = e.name.unwrap_or_default(),
                            role = surface_name(i18n, role)
                        )
                        .to_string(),
                        (EnrollmentStatus::Pending, Some(code), _) => {
                            t_string!(i18n, setup.pending, code = code).to_string()
                        }
                        _ => t_string!(i18n, setup.not_enrolled).to_string(),
                    },
                }}
            </p>
        </section>
    }
}

/// Asks the browser to keep this device's storage (`navigator.storage.
/// persist()`), says whether it will, and what the outbox holds.
#[component]
fn StorageState() -> impl IntoView {
    let i18n = use_i18n();
    let persistent = LocalResource::new(crate::offline::store::request_persistence);
    let sync = crate::offline::use_sync();
    view! {
        <section aria-labelledby="storage">
            <h2 id="storage">{t!(i18n, setup.storage)}</h2>
            <p class="storage">
                {move || match persistent.get() {
                    None => t_string!(i18n, setup.storage_checking).to_string(),
                    Some(Some(true)) => t_string!(i18n, setup.storage_persistent).to_string(),
                    Some(_) => t_string!(i18n, setup.storage_not_persistent).to_string(),
                }}
            </p>
            {sync
                .map(|sync| {
                    view! {
                        <p class="outbox">
                            {move || {
                                let status = sync.status.get();
                                t_string!(
                                    i18n, setup.outbox, backlog = status.backlog, parked = status.parked
                                )
                                    .to_string()
                            }}
                        </p>
                    }
                })}
        </section>
    }
}

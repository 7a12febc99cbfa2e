use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::Locale as _;

/// How the screen is shown for the person in front of it right now.
///
/// Not stored: the next person starts from the device's defaults.
#[derive(Debug, Clone, Copy)]
pub struct DisplayPrefs {
    /// The high-contrast theme is on.
    pub high_contrast: RwSignal<bool>,
    /// Larger text throughout (the accessible way to enlarge; pinch zoom is
    /// off on kiosks).
    pub large_text: RwSignal<bool>,
    /// Each step's prompt is spoken by the browser's speech synthesis.
    pub read_aloud: RwSignal<bool>,
}

impl DisplayPrefs {
    /// Creates the preferences and provides them to the children.
    pub fn provide() -> Self {
        let prefs = DisplayPrefs {
            high_contrast: RwSignal::new(false),
            large_text: RwSignal::new(false),
            read_aloud: RwSignal::new(false),
        };
        provide_context(prefs);
        prefs
    }

    /// Back to the defaults, for the next person.
    pub fn reset(self) {
        self.high_contrast.set(false);
        self.large_text.set(false);
        self.read_aloud.set(false);
        crate::components::speech::stop();
    }
}

/// A toggle button for one preference.
#[component]
fn Toggle(on: RwSignal<bool>, children: Children) -> impl IntoView {
    view! {
        <button
            type="button"
            class="toggle"
            aria-pressed=move || on.get().to_string()
            on:click=move |_| on.update(|on| *on = !*on)
        >
            {children()}
        </button>
    }
}

/// Language and contrast controls shown in the app bar.
#[component]
pub fn DisplayToolbar() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = expect_context::<DisplayPrefs>();
    view! {
        <div class="toolbar" role="group" aria-label=move || t_string!(i18n, toolbar.label).to_string()>
            <LanguageSwitcher />
            <Toggle on=prefs.large_text>{t!(i18n, toolbar.large_text)}</Toggle>
            <Toggle on=prefs.high_contrast>{t!(i18n, toolbar.high_contrast)}</Toggle>
            <Toggle on=prefs.read_aloud>{t!(i18n, toolbar.read_aloud)}</Toggle>
        </div>
    }
}

/// Each language's name in that language, so a person finds their own
/// whatever the screen is showing now: these are deliberately not translated.
pub fn endonym(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "English",
        Locale::es => "Español",
        Locale::ar => "العربية",
    }
}

/// One button per language.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="language-switcher" role="group" aria-label=move || t_string!(i18n, toolbar.language).to_string()>
            {Locale::get_all()
                .iter()
                .map(|&locale| {
                    view! {
                        <button
                            type="button"
                            class="lang"
                            lang=locale.as_str()
                            aria-pressed=move || (i18n.get_locale() == locale).to_string()
                            on:click=move |_| i18n.set_locale(locale)
                        >
                            {endonym(locale)}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The app bar's controls on the staff surfaces (reception, insights): the
/// language and text size, as a preference of this staff computer, instead
/// of the patient toolbar.
#[component]
pub fn StaffToolbar() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = expect_context::<DisplayPrefs>();
    let stored = crate::device::load_staff_display();
    let language = stored
        .language
        .as_deref()
        .and_then(|tag| tag.parse::<Locale>().ok());
    prefs.large_text.set(stored.large_text);
    // Applied in an effect: the i18n provider settles on the browser's
    // language in an effect of its own.
    Effect::new(move |_| {
        if let Some(language) = language {
            i18n.set_locale(language);
        }
    });
    // Kept whenever staff change them.
    Effect::new(move |first: Option<()>| {
        let display = crate::device::StaffDisplay {
            language: Some(i18n.get_locale().as_str().to_owned()),
            large_text: prefs.large_text.get(),
        };
        if first.is_some() {
            crate::device::save_staff_display(&display);
        }
    });
    // The next surface on this browser starts from its own defaults.
    on_cleanup(move || {
        let _ = prefs.large_text.try_set(false);
    });
    view! {
        <div class="toolbar staff" role="group" aria-label=move || t_string!(i18n, toolbar.label).to_string()>
            <label for="staff-language">{t!(i18n, toolbar.language)}</label>
            <select
                id="staff-language"
                prop:value=move || i18n.get_locale().as_str()
                on:change=move |ev| {
                    if let Ok(locale) = event_target_value(&ev).parse::<Locale>() {
                        i18n.set_locale(locale);
                    }
                }
            >
                {Locale::get_all()
                    .iter()
                    .map(|&locale| {
                        view! {
                            <option value=locale.as_str() lang=locale.as_str()>
                                {endonym(locale)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <Toggle on=prefs.large_text>{t!(i18n, toolbar.large_text)}</Toggle>
        </div>
    }
}

//! In-browser tests (wasm-bindgen-test in headless Chromium): what needs a
//! real DOM and real browser storage.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use waitwell::components::{LanguageSwitcher, PageHeading};
use waitwell::device;
use waitwell::i18n::I18nContextProvider;
use waitwell::pages::SetupPage;
use waitwell_core::{DeviceSettings, Surface};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the body for one test.
fn container() -> HtmlElement {
    let div: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&div).unwrap();
    div
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

async fn settle() {
    // Effects run on the next microtasks; give them a couple of turns.
    for _ in 0..3 {
        leptos::task::tick().await;
    }
}

#[wasm_bindgen_test]
async fn language_switcher_sets_lang_and_dir_on_html() {
    let root = container();
    let _mounted = leptos::mount::mount_to(root.clone(), || {
        view! {
            <I18nContextProvider>
                <LanguageSwitcher />
            </I18nContextProvider>
        }
    });
    settle().await;
    let arabic: HtmlElement = root
        .query_selector("button[lang=ar]")
        .unwrap()
        .expect("an Arabic button")
        .unchecked_into();
    assert_eq!(arabic.text_content().unwrap(), "العربية");
    assert_eq!(
        arabic.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );

    arabic.click();
    settle().await;
    let html = document().document_element().unwrap();
    assert_eq!(html.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(html.get_attribute("lang").as_deref(), Some("ar"));
    assert_eq!(
        arabic.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );

    let english: HtmlElement = root
        .query_selector("button[lang=en]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    english.click();
    settle().await;
    assert_eq!(html.get_attribute("dir").as_deref(), Some("ltr"));
}

#[wasm_bindgen_test]
async fn page_heading_takes_focus_when_it_appears() {
    let root = container();
    let _mounted = leptos::mount::mount_to(root.clone(), || {
        view! { <PageHeading>"Step two"</PageHeading> }
    });
    settle().await;
    let active = document().active_element().expect("something has focus");
    assert_eq!(active.tag_name(), "H1");
    assert_eq!(active.text_content().unwrap(), "Step two");
}

#[wasm_bindgen_test]
async fn setup_saves_the_chosen_surface_in_local_storage() {
    // An enrolled kiosk: saving its surface keeps what it knows of that.
    let enrolled = DeviceSettings {
        enrolled: Some(Surface::CheckIn),
        ..DeviceSettings::default()
    };
    device::save(&enrolled).unwrap();
    let root = container();
    let _mounted = leptos::mount::mount_to(root.clone(), || {
        view! {
            <I18nContextProvider>
                <SetupPage />
            </I18nContextProvider>
        }
    });
    settle().await;
    let survey: HtmlInputElement = root
        .query_selector("input[name=surface][value=survey]")
        .unwrap()
        .expect("a survey choice")
        .unchecked_into();
    survey.click();
    let spanish: HtmlInputElement = root
        .query_selector("input[name=language][value=es]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    spanish.click();
    let save: HtmlElement = root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    save.click();
    settle().await;

    assert_eq!(
        device::load(),
        DeviceSettings {
            surface: Surface::Survey,
            language: Some("es".into()),
            id: None,
            enrolled: Some(Surface::CheckIn),
        }
    );
    let status = root.query_selector("[role=status]").unwrap().unwrap();
    assert!(
        status.text_content().unwrap().contains("Exit survey"),
        "{:?}",
        status.text_content()
    );
    storage().remove_item(device::STORAGE_KEY).unwrap();
}

#[wasm_bindgen_test]
fn new_device_settings_drop_the_kept_first_screen() {
    let key = waitwell::first_screen::STORAGE_KEY;
    storage()
        .set_item(key, r#"{"path":"/","attrs":[],"html":""}"#)
        .unwrap();
    let mut settings = device::load();
    settings.surface = Surface::Board;
    device::save(&settings).unwrap();
    assert_eq!(storage().get_item(key).unwrap(), None);
    storage().remove_item(device::STORAGE_KEY).unwrap();
}

#[wasm_bindgen_test]
fn device_settings_survive_storage_and_garbage_falls_back() {
    let settings = DeviceSettings {
        surface: Surface::Reception,
        language: None,
        id: None,
        enrolled: None,
    };
    device::save(&settings).unwrap();
    assert_eq!(device::load(), settings);

    storage()
        .set_item(device::STORAGE_KEY, "\u{0}not json")
        .unwrap();
    assert_eq!(device::load(), DeviceSettings::default());
    storage().remove_item(device::STORAGE_KEY).unwrap();
    assert_eq!(device::load(), DeviceSettings::default());
}

/// In the browser, core takes Unicode's normal forms and case mappings
/// from the browser (`waitwell_core::unicode`), not from the tables the
/// server uses. A kiosk looks a patient up offline by the keys the server
/// indexed, and the kiosk, the desk and the server tidy a walk-in's name
/// alike: both tables must hold here as they do natively.
#[path = "../core/tests/data/unicode_cases.rs"]
mod unicode_cases;

#[wasm_bindgen_test]
fn the_browser_folds_names_to_the_keys_the_server_indexes() {
    unicode_cases::every_name_has_its_keys();
}

#[wasm_bindgen_test]
fn the_browser_cases_text_as_the_server_does() {
    unicode_cases::every_text_is_cased_alike();
}

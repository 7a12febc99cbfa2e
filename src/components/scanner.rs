//! Reading the appointment letter's QR code with the tablet's camera, where
//! the browser has a `BarcodeDetector`. The camera is on only while the
//! scanner is on screen and is switched off as soon as a code is read.

use crate::i18n::*;
use leptos::{html, prelude::*};
use send_wrapper::SendWrapper;
use std::{cell::Cell, rc::Rc};
use waitwell_core::checkin::code_from_qr;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How often a frame is checked for a code.
const SCAN_MILLIS: u32 = 250;

/// Whether this browser can read QR codes from a camera.
pub fn can_scan() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    js_sys::Reflect::has(&window, &"BarcodeDetector".into()).unwrap_or(false)
        && window.navigator().media_devices().is_ok()
}

fn stop(stream: &web_sys::MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// Opens the camera and shows it in `video`.
async fn open_camera(video: &web_sys::HtmlVideoElement) -> Result<web_sys::MediaStream, JsValue> {
    let devices = web_sys::window()
        .ok_or(JsValue::NULL)?
        .navigator()
        .media_devices()?;
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::FALSE);
    constraints.set_video(&JsValue::TRUE);
    let stream: web_sys::MediaStream =
        JsFuture::from(devices.get_user_media_with_constraints(&constraints)?)
            .await?
            .dyn_into()?;
    video.set_src_object(Some(&stream));
    let _ = video.play();
    Ok(stream)
}

/// A `BarcodeDetector` for QR codes.
fn qr_detector() -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let class: js_sys::Function =
        js_sys::Reflect::get(&window, &"BarcodeDetector".into())?.dyn_into()?;
    let options = js_sys::Object::new();
    let formats = js_sys::Array::of1(&"qr_code".into());
    js_sys::Reflect::set(&options, &"formats".into(), &formats)?;
    js_sys::Reflect::construct(&class, &js_sys::Array::of1(&options))
}

/// The first appointment code in the frame on screen, if any.
async fn detect(
    detector: &JsValue,
    video: &web_sys::HtmlVideoElement,
) -> Result<Option<String>, JsValue> {
    let detect: js_sys::Function = js_sys::Reflect::get(detector, &"detect".into())?.dyn_into()?;
    let promise: js_sys::Promise = detect.call1(detector, video)?.dyn_into()?;
    let found: js_sys::Array = JsFuture::from(promise).await?.dyn_into()?;
    Ok(found.iter().find_map(|barcode| {
        js_sys::Reflect::get(&barcode, &"rawValue".into())
            .ok()?
            .as_string()
            .and_then(|raw| code_from_qr(&raw))
    }))
}

/// The camera view; calls `on_code` once with the code read, or `on_failed`
/// if the camera cannot be used.
#[component]
pub fn QrScanner(on_code: Callback<String>, on_failed: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let video = NodeRef::<html::Video>::new();
    // Cleared when the scanner leaves the screen; checked after every wait,
    // so a camera that opens late is closed at once.
    let alive = Rc::new(Cell::new(true));
    {
        let alive = SendWrapper::new(alive.clone());
        on_cleanup(move || alive.set(false));
    }
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let Some(element) = video.get() else {
            return false;
        };
        let alive = alive.clone();
        leptos::task::spawn_local(async move {
            let element: web_sys::HtmlVideoElement = element;
            let stream = match open_camera(&element).await {
                Ok(stream) => stream,
                Err(_) => {
                    if alive.get() {
                        on_failed.run(());
                    }
                    return;
                }
            };
            let Ok(detector) = qr_detector() else {
                stop(&stream);
                if alive.get() {
                    on_failed.run(());
                }
                return;
            };
            while alive.get() {
                gloo_timers::future::TimeoutFuture::new(SCAN_MILLIS).await;
                if !alive.get() {
                    break;
                }
                // A frame that cannot be read yet (camera warming up) is
                // simply tried again.
                if let Ok(Some(code)) = detect(&detector, &element).await {
                    if alive.get() {
                        stop(&stream);
                        on_code.run(code);
                    }
                    break;
                }
            }
            stop(&stream);
        });
        true
    });
    view! {
        <video
            class="scanner"
            node_ref=video
            autoplay=true
            muted=true
            playsinline=true
            aria-label=move || t_string!(i18n, check_in.scan_camera).to_string()
        />
    }
}

//! Reading prompts aloud with the browser's speech synthesis. Where the
//! browser has none, nothing is spoken and nothing fails.

/// Speaks `text` in the language `lang` (a BCP 47 tag), interrupting
/// whatever was being said.
pub fn say(text: &str, lang: &str) {
    let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) else {
        return;
    };
    synth.cancel();
    if let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(text) {
        utterance.set_lang(lang);
        synth.speak(&utterance);
    }
}

/// Stops speaking (a reset must not leave a patient's step being read).
pub fn stop() {
    if let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) {
        synth.cancel();
    }
}

/// Speaks `text` after whatever is being said (a board reads one call in
/// several languages, one after another).
pub fn say_after(text: &str, lang: &str) {
    let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) else {
        return;
    };
    if let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(text) {
        utterance.set_lang(lang);
        synth.speak(&utterance);
    }
}

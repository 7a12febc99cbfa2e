//! The first screen, painted before the wasm has run.
//!
//! `index.html` and `board.html` hold a `#shell` element and a small inline
//! script (`first_screen.js`, inlined by trunk). When the device last
//! showed its first screen at this path, the app kept a copy of that screen
//! (its markup, language and display choices, in local storage), and the
//! script puts the copy in `#shell` while the wasm is still downloading: a
//! restarted tablet shows its welcome at once instead of a blank page, and
//! a restarted wall screen its board's title. The kiosk keeps only its
//! welcome screen, which holds nothing about a patient (the clinic's name,
//! the translated welcome, the toolbar), and a survey kiosk only its faces
//! (when no cool-down is counting); the board keeps only its title, never
//! a ticket or a call ([`Part::Only`]). The other pages' shells show the
//! app bar (staff.html, phone.html).
//!
//! While the copy is on screen the app mounts behind it, hidden
//! (`#shell ~ *` in the styles), so the copy is the one screen there is. The
//! app takes over when its own first screen is ready (a page heading that is
//! not a "getting ready" placeholder, or a problem to show), or after
//! [`SHELL_LIMIT_MILLIS`] whatever happens, so the copy never hides the
//! real app for long.
//!
//! The copy is live: a patient who taps one of its buttons before the app
//! is there is not ignored. The script notes the tap (the last one wins; the
//! button shows pressed), and when the app takes over it presses the same
//! button of its own screen ([`reveal`]): the one at the same place among
//! the screen's buttons, with the same words, if it can be pressed. When
//! the app's screen is not the one kept (the clinic changed its settings, a
//! problem is shown), nothing is pressed.

use wasm_bindgen::JsCast;

/// The local-storage key of the kept welcome screen.
pub const STORAGE_KEY: &str = "waitwell.shell";
/// The id of the element that holds the copy in `index.html`.
const SHELL_ID: &str = "shell";
/// The `<html>` attributes the copy is drawn with (language, direction and
/// the display choices the styles read); `first_screen.js` sets no others.
const ROOT_ATTRIBUTES: [&str; 5] = ["lang", "dir", "data-contrast", "data-text", "data-wall"];
/// The parts of the app's screen the copy is made of, in its order.
const KEPT_PARTS: [&str; 2] = ["body > .app-bar", "body > main"];
/// The longest the copy stays up after the app has started.
pub const SHELL_LIMIT_MILLIS: u32 = 3_000;

/// What is kept: the screen for one path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Kept {
    /// The path the screen belongs to (`location.pathname`).
    pub path: String,
    /// The `<html>` attributes, in the order of [`ROOT_ATTRIBUTES`].
    pub attrs: Vec<(String, String)>,
    /// The screen's markup (app bar and page, `main` renamed, ids dropped).
    pub html: String,
}

fn shell() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(SHELL_ID)
}

/// Called once, just before the app mounts. A shell that shows no kept
/// screen (only the brand) goes at once, since the app's first frame shows
/// as much; a kept screen stays until [`reveal`] or the time limit.
pub fn start() {
    let Some(shell) = shell() else {
        return;
    };
    if shell.class_list().contains("kept") {
        crate::tasks::run_later(SHELL_LIMIT_MILLIS, reveal);
    } else {
        shell.remove();
    }
}

/// Whether a kept screen is still covering the app.
pub fn is_covering() -> bool {
    shell().is_some()
}

/// Removes the copy, so the app is seen (nothing when it is gone already),
/// and carries out a tap the copy took, once the app's screen is drawn.
pub fn reveal() {
    let Some(shell) = shell() else {
        return;
    };
    let tapped = tapped(&shell);
    shell.remove();
    if let Some(tapped) = tapped {
        crate::tasks::run_later(0, move || press(&tapped));
    }
}

/// A button of the copy that was tapped: where it is among the screen's
/// buttons (the app bar's, then the page's), and what it says.
struct Tapped {
    index: usize,
    words: String,
}

/// What a button says, to a person and to a screen reader.
fn words(button: &web_sys::Element) -> String {
    let text = button.text_content().unwrap_or_default();
    let label = button.get_attribute("aria-label").unwrap_or_default();
    format!("{}\n{}", text.trim(), label.trim())
}

/// The button the copy took a tap on, if any (`data-tapped`, set by
/// `first_screen.js`).
fn tapped(shell: &web_sys::Element) -> Option<Tapped> {
    let index: usize = shell.get_attribute("data-tapped")?.parse().ok()?;
    let button = buttons(shell, &[":scope > .app-bar", ":scope > .main"])
        .into_iter()
        .nth(index)?;
    Some(Tapped {
        index,
        words: words(&button),
    })
}

/// The buttons under each of `parts` of `root` (first match each), in that
/// order: the order `capture` puts them in the copy.
fn buttons(root: &web_sys::Element, parts: &[&str]) -> Vec<web_sys::Element> {
    let mut found = Vec::new();
    for part in parts {
        let Some(part) = root.query_selector(part).ok().flatten() else {
            continue;
        };
        let Ok(all) = part.query_selector_all("button") else {
            continue;
        };
        found.extend((0..all.length()).filter_map(|i| all.item(i)?.dyn_into().ok()));
    }
    found
}

/// Presses the app's button that matches `tapped`, if there is one and it
/// can be pressed; else nothing.
fn press(tapped: &Tapped) {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    let Some(button) = buttons(&body, &KEPT_PARTS).into_iter().nth(tapped.index) else {
        return;
    };
    if words(&button) != tapped.words || button.has_attribute("disabled") {
        return;
    }
    if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
        button.click();
    }
}

/// What of the screen on display is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The app bar and the whole page.
    Whole,
    /// Only the elements of the page that match this selector, with what
    /// is inside them, and the elements around them without their own
    /// text: whatever else the page shows, or comes to show, is never kept.
    Only(&'static str),
}

/// Keeps `part` of the screen on display as this path's first screen, once
/// the current changes are drawn, if the page then still shows `mark` (so a
/// step that followed quickly is never kept). A failure only means the next
/// start paints later.
pub fn keep_later(mark: &'static str, part: Part) {
    crate::tasks::run_later(0, move || keep(mark, part));
}

fn keep(mark: &str, part: Part) {
    let Some(kept) = capture(mark, part) else {
        return;
    };
    let (Ok(text), Some(storage)) = (
        serde_json::to_string(&kept),
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
    ) else {
        return;
    };
    let _ = storage.set_item(STORAGE_KEY, &text);
}

/// The app bar and page on screen (or `part` of them), as markup that
/// cannot be mistaken for the app: `main` becomes `div.main` (there is one
/// main landmark, the app's), and ids are dropped (they are the app's as
/// well).
fn capture(mark: &str, part: Part) -> Option<Kept> {
    let window = web_sys::window()?;
    let document = window.document()?;
    let root = document.document_element()?;
    let body = document.body()?;
    body.query_selector(&format!("body > main {mark}"))
        .ok()
        .flatten()?;
    let copy = document.create_element("div").ok()?;
    for selector in KEPT_PARTS {
        let Some(piece) = body.query_selector(selector).ok().flatten() else {
            continue;
        };
        let piece = piece.clone_node_with_deep(true).ok()?;
        let piece: web_sys::Element = piece.dyn_into().ok()?;
        let piece = if piece.tag_name().eq_ignore_ascii_case("main") {
            let div = document.create_element("div").ok()?;
            div.set_class_name("main");
            while let Some(child) = piece.first_child() {
                div.append_child(&child).ok()?;
            }
            div
        } else {
            piece
        };
        copy.append_child(&piece).ok()?;
    }
    if let Part::Only(selector) = part {
        let all = copy.query_selector_all("*").ok()?;
        for i in 0..all.length() {
            let Some(el) = all
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            if el.closest(selector).ok().flatten().is_some() {
                continue;
            }
            if el.query_selector(selector).ok().flatten().is_none() {
                el.remove();
                continue;
            }
            // Around a kept part: its elements stay, none of its own text.
            let children = el.child_nodes();
            for j in (0..children.length()).rev() {
                if let Some(child) = children.item(j) {
                    if child.node_type() != web_sys::Node::ELEMENT_NODE {
                        let _ = el.remove_child(&child);
                    }
                }
            }
        }
    }
    while let Some(named) = copy.query_selector("[id]").ok().flatten() {
        named.remove_attribute("id").ok()?;
    }
    let attrs = ROOT_ATTRIBUTES
        .iter()
        .filter_map(|name| Some(((*name).to_owned(), root.get_attribute(name)?)))
        .collect();
    Some(Kept {
        path: window.location().pathname().ok()?,
        attrs,
        html: copy.inner_html(),
    })
}

//! index.html's bundle: the patient kiosk, setup, and a patient's phone.
fn main() {
    waitwell::panic::install();
    waitwell::first_screen::start();
    leptos::mount::mount_to_body(waitwell::app::kiosk);
}

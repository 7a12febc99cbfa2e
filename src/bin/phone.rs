//! phone.html's bundle: a patient's own phone following a ticket.
fn main() {
    waitwell::panic::install();
    waitwell::first_screen::start();
    leptos::mount::mount_to_body(waitwell::app::phone);
}
